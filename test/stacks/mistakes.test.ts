/**
 * A corpus of realistic stack-config mistakes: each case is a copy of a shipped stack file with
 * one mistake, run through the same validation the stack program runs (YAML → flat config →
 * `validateFlatConfig`), with the exact key expected in the first message, the fix it must
 * suggest, and — where the fix is a change to the file — the repaired file, which must be
 * accepted. Every message must name a key that exists in the file (or, for a missing key, its
 * parent), use no validator wording, and never echo a credential.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { CanalkitInputError } from "../../components/errors";
import { derivedMtuClass } from "../../stacks/config/crossChecks";
import { validateMultiCluster } from "../../stacks/program";
import { StackConfigError, validateFlatConfig } from "../../stacks/config/validate";
import type { StackConfig } from "../../stacks/config/schema";
import { parseStackConfig } from "../../synth/stackConfig";

/* eslint-disable @typescript-eslint/no-explicit-any */
type Cfg = Record<string, any>;
type Stack = "dev" | "staging" | "prod";

const ROOT = join(__dirname, "../..");
const shipped: Record<Stack, string> = {
  dev: readFileSync(join(ROOT, "stacks/Pulumi.dev.yaml"), "utf8"),
  staging: readFileSync(join(ROOT, "stacks/Pulumi.staging.yaml"), "utf8"),
  prod: readFileSync(join(ROOT, "stacks/Pulumi.prod.yaml"), "utf8"),
};

/** A fresh copy of a shipped stack file's `config:` map. */
function copyOf(stack: Stack): Cfg {
  return (parse(shipped[stack]) as { config: Cfg }).config;
}

type Outcome = { ok: true; config: StackConfig; warnings: string[] } | { ok: false; error: StackConfigError };

/** Validates a config map exactly as the stack program does after reading the file. */
function check(config: Cfg): Outcome {
  const flat = parseStackConfig(stringify({ config }), "canalkit", "Pulumi.case.yaml");
  try {
    const { config: validated, warnings } = validateFlatConfig(flat.values, flat.secretKeys);
    // What the stack program plans next, still before it registers any resource.
    if (validated.clusterSet) validateMultiCluster(validated);
    return { ok: true, config: validated, warnings };
  } catch (e) {
    if (e instanceof StackConfigError) return { ok: false, error: e };
    if (e instanceof CanalkitInputError) return { ok: false, error: new StackConfigError([e]) };
    throw e;
  }
}

/** Resolves a message's key (`canalkit:clusters[1].labels["a/b"]`) in the file; undefined when absent. */
function lookup(config: Cfg, field: string): { found: boolean; parentFound: boolean } {
  const m = /^([a-z]+:[A-Za-z0-9_-]+)(.*)$/.exec(field);
  if (!m) return { found: false, parentFound: false };
  const segments: (string | number)[] = [m[1]!];
  const re = /\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  let rest = m[2]!;
  let s: RegExpExecArray | null;
  let consumed = 0;
  while ((s = re.exec(rest))) {
    if (s.index !== consumed) return { found: false, parentFound: false };
    consumed = re.lastIndex;
    segments.push(s[1] ?? (s[2] !== undefined ? Number(s[2]) : (JSON.parse(s[3]!) as string)));
  }
  if (consumed !== rest.length) return { found: false, parentFound: false };
  rest = "";
  let node: any = config;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if (node === null || typeof node !== "object" || !(seg in node)) return { found: false, parentFound: i === segments.length - 1 };
    node = node[seg];
  }
  return { found: true, parentFound: true };
}

const VALIDATOR_WORDING = /give a (array|record|string|number|boolean|object)\b|expected \w+ to have|Invalid input|Too small|Too big|Unrecognized key|Invalid option|received undefined/;

interface Mistake {
  id: string;
  stack: Stack;
  mistake: (c: Cfg) => void;
  /** The key the first message must name, exactly. */
  key: string;
  /** What the message must say is wrong. */
  says: RegExp;
  /** What the fix must say. */
  fix: RegExp;
  /** The file after following the fix; must be accepted. Omitted only when the fix is "remove the key". */
  repair?: (c: Cfg) => void;
  /** Text that must never appear in any message (credentials). */
  secret?: string;
  /** The mistake must be reported once, without knock-on errors. */
  only?: true;
}

const cl = (c: Cfg, i: number): Cfg => c["canalkit:clusters"][i];
const ng = (c: Cfg, i: number, j = 0): Cfg => cl(c, i)["eks"]["nodeGroups"][j];
const svc = (c: Cfg, i = 0): Cfg => c["canalkit:clusterSet"]["services"][i];
const rename = (o: Cfg, from: string, to: string) => {
  o[to] = o[from];
  delete o[from];
};
const KUBECONFIG = "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://ABCDEF.gr7.us-east-1.eks.amazonaws.com\n  name: x\nusers:\n- name: admin\n  user:\n    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpTRUNSRVRLRVlEQVRB\n";

const mistakes: Mistake[] = [
  // Misspelled and unknown keys: "did you mean", reported first, no knock-on.
  { id: "misspelled top-level key", stack: "dev", mistake: (c) => rename(c, "canalkit:clusters", "canalkit:clsuters"), key: "canalkit:clsuters", says: /did you mean clusters\?/, fix: /rename it to clusters/, repair: (c) => rename(c, "canalkit:clsuters", "canalkit:clusters") },
  { id: "misspelled natStrategy", stack: "dev", mistake: (c) => rename(cl(c, 0)["network"], "natStrategy", "natStratgy"), key: "canalkit:clusters[0].network.natStratgy", says: /did you mean natStrategy\?/, fix: /rename it to natStrategy/, repair: (c) => rename(cl(c, 0)["network"], "natStratgy", "natStrategy"), only: true },
  { id: "vpcCIDR for vpcCidr (no knock-on 'missing')", stack: "dev", mistake: (c) => rename(cl(c, 1)["network"], "vpcCidr", "vpcCIDR"), key: "canalkit:clusters[1].network.vpcCIDR", says: /did you mean vpcCidr\?/, fix: /rename it to vpcCidr/, repair: (c) => rename(cl(c, 1)["network"], "vpcCIDR", "vpcCidr"), only: true },
  { id: "nodegroups for nodeGroups", stack: "staging", mistake: (c) => rename(cl(c, 0)["eks"], "nodeGroups", "nodegroups"), key: "canalkit:clusters[0].eks.nodegroups", says: /did you mean nodeGroups\?/, fix: /rename it to nodeGroups/, repair: (c) => rename(cl(c, 0)["eks"], "nodegroups", "nodeGroups") },
  { id: "misspelled erieCanal key", stack: "prod", mistake: (c) => rename(c["canalkit:clusterSet"]["erieCanal"], "certManager", "certmanager"), key: "canalkit:clusterSet.erieCanal.certmanager", says: /did you mean certManager\?/, fix: /rename it to certManager/, repair: (c) => rename(c["canalkit:clusterSet"]["erieCanal"], "certmanager", "certManager") },
  { id: "overides for overrides", stack: "dev", mistake: (c) => (c["canalkit:policy"] = { overides: { "canalkit-required-tags": "mandatory" } }), key: "canalkit:policy.overides", says: /did you mean overrides\?/, fix: /rename it to overrides/, repair: (c) => rename(c["canalkit:policy"], "overides", "overrides") },
  { id: "unknown key without a near match", stack: "dev", mistake: (c) => (cl(c, 0)["network"]["ipv6"] = true), key: "canalkit:clusters[0].network.ipv6", says: /is not a known key/, fix: /remove it; the keys of canalkit:clusters\[0\]\.network are vpcCidr, podCidr/, repair: (c) => delete cl(c, 0)["network"]["ipv6"] },
  { id: "gatewayport casing", stack: "staging", mistake: (c) => (c["canalkit:clusterSet"]["gatewayport"] = 8080), key: "canalkit:clusterSet.gatewayport", says: /did you mean gatewayPort\?/, fix: /rename it to gatewayPort/, repair: (c) => rename(c["canalkit:clusterSet"], "gatewayport", "gatewayPort") },

  // Wrong values and kinds, in plain words.
  { id: "unknown environment", stack: "dev", mistake: (c) => (c["canalkit:environment"] = "develop"), key: "canalkit:environment", says: /is not allowed/, fix: /use one of dev, staging, prod/, repair: (c) => (c["canalkit:environment"] = "dev") },
  { id: "topology in capitals", stack: "dev", mistake: (c) => (cl(c, 0)["network"]["topology"] = "VXLAN"), key: "canalkit:clusters[0].network.topology", says: /did you mean vxlan\?/, fix: /write vxlan/, repair: (c) => (cl(c, 0)["network"]["topology"] = "vxlan") },
  { id: "natStrategy with underscores", stack: "prod", mistake: (c) => (cl(c, 2)["network"]["natStrategy"] = "one_per_az"), key: "canalkit:clusters[2].network.natStrategy", says: /did you mean one-per-az\?/, fix: /write one-per-az/, repair: (c) => (cl(c, 2)["network"]["natStrategy"] = "one-per-az") },
  { id: "instanceTypes as text", stack: "dev", mistake: (c) => (ng(c, 0)["instanceTypes"] = "t3.large"), key: "canalkit:clusters[0].eks.nodeGroups[0].instanceTypes", says: /is text, but must be a list/, fix: /write it as a list: \[t3\.large\]/, repair: (c) => (ng(c, 0)["instanceTypes"] = ["t3.large"]) },
  { id: "minSize quoted", stack: "dev", mistake: (c) => (ng(c, 1)["minSize"] = "1"), key: "canalkit:clusters[1].eks.nodeGroups[0].minSize", says: /is text, but must be a number/, fix: /without quotes: minSize: 1/, repair: (c) => (ng(c, 1)["minSize"] = 1) },
  { id: "no node groups", stack: "dev", mistake: (c) => (cl(c, 0)["eks"]["nodeGroups"] = []), key: "canalkit:clusters[0].eks.nodeGroups", says: /has 0 entries, but needs at least 1/, fix: /list at least 1, for example nodeGroups: \[\{ name: general/, repair: (c) => (cl(c, 0)["eks"]["nodeGroups"] = [{ name: "general", instanceTypes: ["m6i.large"], minSize: 2, maxSize: 4, desiredSize: 2 }]) },
  { id: "owner missing", stack: "staging", mistake: (c) => delete c["canalkit:owner"], key: "canalkit:owner", says: /is missing/, fix: /add owner, for example owner: platform-team/, repair: (c) => (c["canalkit:owner"] = "platform-team") },
  { id: "vpcCidr missing", stack: "prod", mistake: (c) => delete cl(c, 1)["network"]["vpcCidr"], key: "canalkit:clusters[1].network.vpcCidr", says: /is missing/, fix: /add vpcCidr, for example vpcCidr: 10\.12\.0\.0\/16/, repair: (c) => (cl(c, 1)["network"]["vpcCidr"] = "10.12.0.0/16") },
  { id: "mode in kebab case", stack: "dev", mistake: (c) => (svc(c)["mode"] = "active-active"), key: "canalkit:clusterSet.services[0].mode", says: /did you mean ActiveActive\?/, fix: /write ActiveActive/, repair: (c) => (svc(c)["mode"] = "ActiveActive") },
  { id: "port out of range", stack: "dev", mistake: (c) => (svc(c)["ports"][0]["port"] = 70000), key: "canalkit:clusterSet.services[0].ports[0].port", says: /must be at most 65535/, fix: /at most 65535/, repair: (c) => (svc(c)["ports"][0]["port"] = 8080) },
  { id: "protocol in lower case", stack: "prod", mistake: (c) => (svc(c, 1)["ports"][0]["protocol"] = "tcp"), key: "canalkit:clusterSet.services[1].ports[0].protocol", says: /did you mean TCP\?/, fix: /write TCP/, repair: (c) => (svc(c, 1)["ports"][0]["protocol"] = "TCP") },
  { id: "one AZ", stack: "dev", mistake: (c) => (cl(c, 0)["availabilityZones"] = 1), key: "canalkit:clusters[0].availabilityZones", says: /must be at least 2/, fix: /use a value of at least 2/, repair: (c) => (cl(c, 0)["availabilityZones"] = 2) },
  { id: "public endpoint as 'yes'", stack: "staging", mistake: (c) => (cl(c, 0)["eks"]["endpoint"]["public"] = "yes"), key: "canalkit:clusters[0].eks.endpoint.public", says: /is text, but must be true or false/, fix: /write true without quotes/, repair: (c) => (cl(c, 0)["eks"]["endpoint"]["public"] = true) },
  { id: "log type misspelled", stack: "prod", mistake: (c) => (cl(c, 0)["eks"]["logging"][1] = "audits"), key: "canalkit:clusters[0].eks.logging[1]", says: /did you mean audit\?/, fix: /write audit/, repair: (c) => (cl(c, 0)["eks"]["logging"][1] = "audit") },
  { id: "connectivity without vpc-", stack: "prod", mistake: (c) => (c["canalkit:clusterSet"]["connectivity"] = "peering"), key: "canalkit:clusterSet.connectivity", says: /is not allowed/, fix: /use one of vpc-peering, transit-gateway, internet/, repair: (c) => (c["canalkit:clusterSet"]["connectivity"] = "vpc-peering") },
  { id: "taint effect in Kubernetes spelling", stack: "staging", mistake: (c) => (ng(c, 0)["taints"] = [{ key: "dedicated", value: "payments", effect: "NoSchedule" }]), key: "canalkit:clusters[0].eks.nodeGroups[0].taints[0].effect", says: /did you mean NO_SCHEDULE\?/, fix: /write NO_SCHEDULE/, repair: (c) => (ng(c, 0)["taints"][0]["effect"] = "NO_SCHEDULE") },
  { id: "kubernetesVersion 1.30 unquoted", stack: "staging", mistake: (c) => (cl(c, 1)["eks"]["kubernetesVersion"] = 1.3), key: "canalkit:clusters[1].eks.kubernetesVersion", says: /is a number, but must be text/, fix: /quote it: kubernetesVersion: "1\.30"/, repair: (c) => (cl(c, 1)["eks"]["kubernetesVersion"] = "1.30") },
  { id: "kubernetesVersion with a patch", stack: "staging", mistake: (c) => (cl(c, 0)["eks"]["kubernetesVersion"] = "1.33.1"), key: "canalkit:clusters[0].eks.kubernetesVersion", says: /is not a Kubernetes minor version/, fix: /1\.NN, for example 1\.33/, repair: (c) => (cl(c, 0)["eks"]["kubernetesVersion"] = "1.33") },

  // Regions and availability zones.
  { id: "AZs of another region", stack: "staging", mistake: (c) => (cl(c, 1)["availabilityZones"] = ["us-east-1a", "us-east-1b"]), key: "canalkit:clusters[1].availabilityZones[0]", says: /is a zone of us-east-1, but the cluster is in us-west-2/, fix: /availabilityZones: \[us-west-2a, us-west-2b\]/, repair: (c) => (cl(c, 1)["availabilityZones"] = ["us-west-2a", "us-west-2b"]), only: true },
  { id: "one AZ of another region", stack: "prod", mistake: (c) => (cl(c, 1)["availabilityZones"] = ["us-east-1a", "us-east-1b", "us-east-2c"]), key: "canalkit:clusters[1].availabilityZones[2]", says: /is a zone of us-east-2, but the cluster is in us-east-1/, fix: /name zones of us-east-1/, repair: (c) => (cl(c, 1)["availabilityZones"] = ["us-east-1a", "us-east-1b", "us-east-1c"]) },
  { id: "region that does not exist", stack: "dev", mistake: (c) => (cl(c, 0)["region"] = "us-east-7"), key: "canalkit:clusters[0].region", says: /is not an AWS Region the kit knows/, fix: /did you mean us-east-1\?.*canalkit:awsRegions/, repair: (c) => (cl(c, 0)["region"] = "us-east-1") },
  { id: "region newer than the kit", stack: "dev", mistake: (c) => { cl(c, 1)["region"] = "eu-central-3"; cl(c, 1)["availabilityZones"] = ["eu-central-3a", "eu-central-3b"]; }, key: "canalkit:clusters[1].region", says: /is not an AWS Region the kit knows/, fix: /add its zones under canalkit:awsRegions, for example eu-central-3: \[eu-central-3a, eu-central-3b, eu-central-3c\]/, repair: (c) => (c["canalkit:awsRegions"] = { "eu-central-3": ["eu-central-3a", "eu-central-3b", "eu-central-3c"] }) },
  { id: "zone letter the region lacks", stack: "dev", mistake: (c) => (cl(c, 0)["availabilityZones"] = ["us-east-1a", "us-east-1g"]), key: "canalkit:clusters[0].availabilityZones[1]", says: /is not an availability zone of us-east-1/, fix: /list it under canalkit:awsRegions\.us-east-1/, repair: (c) => (cl(c, 0)["availabilityZones"] = ["us-east-1a", "us-east-1b"]) },
  { id: "more AZs than the region has", stack: "prod", mistake: (c) => (cl(c, 2)["availabilityZones"] = 5), key: "canalkit:clusters[2].availabilityZones", says: /us-west-2 has 4 availability zones/, fix: /ask for at most 4/, repair: (c) => (cl(c, 2)["availabilityZones"] = 4) },
  { id: "AZ listed twice", stack: "dev", mistake: (c) => (cl(c, 1)["availabilityZones"] = ["us-east-1a", "us-east-1a"]), key: "canalkit:clusters[1].availabilityZones[1]", says: /is listed twice/, fix: /availabilityZones: \[us-east-1a, us-east-1b\]/, repair: (c) => (cl(c, 1)["availabilityZones"] = ["us-east-1a", "us-east-1b"]) },
  { id: "awsRegions zone of the wrong region", stack: "dev", mistake: (c) => (c["canalkit:awsRegions"] = { "eu-central-3": ["eu-central-2a"] }), key: "canalkit:awsRegions.eu-central-3[0]", says: /is not an availability zone name of eu-central-3/, fix: /eu-central-3a/, repair: (c) => (c["canalkit:awsRegions"] = { "eu-central-3": ["eu-central-3a"] }) },

  // Instance architectures and the AMI type.
  { id: "Graviton and x86 in one node group", stack: "dev", mistake: (c) => (ng(c, 0)["instanceTypes"] = ["m7g.large", "m6i.large"]), key: "canalkit:clusters[0].eks.nodeGroups[0].instanceTypes[1]", says: /is x86_64, but m7g\.large is arm64/, fix: /instanceTypes: \[m7g\.large\]/, repair: (c) => (ng(c, 0)["instanceTypes"] = ["m7g.large"]), only: true },
  { id: "x86 AMI for Graviton", stack: "prod", mistake: (c) => { ng(c, 0)["instanceTypes"] = ["m7g.xlarge", "m6g.xlarge"]; ng(c, 0)["amiType"] = "AL2023_x86_64_STANDARD"; }, key: "canalkit:clusters[0].eks.nodeGroups[0].amiType", says: /does not boot arm64 instances/, fix: /remove amiType \(the kit picks AL2023_ARM_64_STANDARD/, repair: (c) => delete ng(c, 0)["amiType"] },
  { id: "ARM AMI for x86", stack: "staging", mistake: (c) => (ng(c, 1)["amiType"] = "AL2023_ARM_64_STANDARD"), key: "canalkit:clusters[1].eks.nodeGroups[0].amiType", says: /does not boot x86_64 instances/, fix: /state AL2023_x86_64_STANDARD/, repair: (c) => (ng(c, 1)["amiType"] = "AL2023_x86_64_STANDARD") },
  { id: "instance type without a size", stack: "dev", mistake: (c) => (ng(c, 1)["instanceTypes"] = ["t3large"]), key: "canalkit:clusters[1].eks.nodeGroups[0].instanceTypes[0]", says: /is not an EC2 instance type/, fix: /<family>\.<size>/, repair: (c) => (ng(c, 1)["instanceTypes"] = ["t3.large"]) },

  // Node-group labels, taints and sizes.
  { id: "label value with a space", stack: "dev", mistake: (c) => (ng(c, 0)["labels"] = { team: "platform team" }), key: "canalkit:clusters[0].eks.nodeGroups[0].labels.team", says: /is not a Kubernetes label value/, fix: /write it as platform-team/, repair: (c) => (ng(c, 0)["labels"] = { team: "platform-team" }) },
  { id: "node-role label kubelet refuses", stack: "prod", mistake: (c) => (ng(c, 2)["labels"] = { "node-role.kubernetes.io/worker": "" }), key: 'canalkit:clusters[2].eks.nodeGroups[0].labels["node-role.kubernetes.io/worker"]', says: /kubelet refuses/, fix: /example\.com\/worker/, repair: (c) => (ng(c, 2)["labels"] = { "example.com/worker": "true" }) },
  { id: "label with an empty value (EKS refuses)", stack: "dev", mistake: (c) => (ng(c, 0)["labels"] = { gpu: "" }), key: "canalkit:clusters[0].eks.nodeGroups[0].labels.gpu", says: /EKS takes node-group label values of 1 to 63 characters/, fix: /give it a value, for example "true"/, repair: (c) => (ng(c, 0)["labels"] = { gpu: "true" }) },
  { id: "label key longer than EKS takes", stack: "prod", mistake: (c) => (ng(c, 1)["labels"] = { "platform.engineering.example.com/workload-class-for-nightly-batch-jobs": "x" }), key: 'canalkit:clusters[1].eks.nodeGroups[0].labels["platform.engineering.example.com/workload-class-for-nightly-batch-jobs"]', says: /EKS takes label keys of at most 63, prefix included/, fix: /example\.com\/team/, repair: (c) => (ng(c, 1)["labels"] = { "example.com/workload-class": "batch" }) },
  { id: "label the kit sets", stack: "dev", mistake: (c) => (ng(c, 1)["labels"] = { "canalkit.io/node-group": "workers" }), key: 'canalkit:clusters[1].eks.nodeGroups[0].labels["canalkit.io/node-group"]', says: /is set by the kit/, fix: /remove it/, repair: (c) => delete ng(c, 1)["labels"] },
  { id: "label key starting with '-'", stack: "staging", mistake: (c) => (ng(c, 0)["labels"] = { "-tier": "web" }), key: 'canalkit:clusters[0].eks.nodeGroups[0].labels["-tier"]', says: /is not a Kubernetes label key/, fix: /team or example\.com\/team/, repair: (c) => (ng(c, 0)["labels"] = { tier: "web" }) },
  { id: "taint key with a space", stack: "staging", mistake: (c) => (ng(c, 1)["taints"] = [{ key: "dedicated team", effect: "NO_SCHEDULE" }]), key: "canalkit:clusters[1].eks.nodeGroups[0].taints[0].key", says: /is not a Kubernetes label key/, fix: /dedicated or example\.com\/dedicated/, repair: (c) => (ng(c, 1)["taints"][0]["key"] = "dedicated") },
  { id: "taint value with a slash", stack: "prod", mistake: (c) => (ng(c, 0)["taints"] = [{ key: "dedicated", value: "payments/api", effect: "NO_EXECUTE" }]), key: "canalkit:clusters[0].eks.nodeGroups[0].taints[0].value", says: /is not a Kubernetes label value/, fix: /write it as payments-api/, repair: (c) => (ng(c, 0)["taints"][0]["value"] = "payments-api") },
  { id: "same taint twice", stack: "staging", mistake: (c) => (ng(c, 0)["taints"] = [{ key: "dedicated", effect: "NO_SCHEDULE" }, { key: "dedicated", value: "x", effect: "NO_SCHEDULE" }]), key: "canalkit:clusters[0].eks.nodeGroups[0].taints[1].key", says: /same key and effect/, fix: /one taint per key and effect/, repair: (c) => ng(c, 0)["taints"].pop() },
  { id: "desired above max", stack: "dev", mistake: (c) => (ng(c, 0)["desiredSize"] = 5), key: "canalkit:clusters[0].eks.nodeGroups[0].desiredSize", says: /must lie between minSize \(1\) and maxSize \(3\)/, fix: /min ≤ desired ≤ max/, repair: (c) => (ng(c, 0)["desiredSize"] = 3) },
  { id: "node group name twice", stack: "prod", mistake: (c) => cl(c, 0)["eks"]["nodeGroups"].push({ ...ng(c, 0) }), key: "canalkit:clusters[0].eks.nodeGroups[1].name", says: /is used by another node group/, fix: /unique name/, repair: (c) => (ng(c, 0, 1)["name"] = "general-2") },
  { id: "node groups past the network's maxNodes", stack: "staging", mistake: (c) => (ng(c, 1)["maxSize"] = 40), key: "canalkit:clusters[1].eks.nodeGroups", says: /can grow to 40 nodes, but the ipip-crosssubnet network allows 30/, fix: /lower the maxSize values to 30/, repair: (c) => (ng(c, 1)["maxSize"] = 30) },
  { id: "VPC too small for maxSize", stack: "dev", mistake: (c) => { cl(c, 0)["network"]["vpcCidr"] = "10.10.0.0/24"; ng(c, 0)["maxSize"] = 60; }, key: "canalkit:clusters[0].eks.nodeGroups[0].maxSize", says: /can grow to 60 nodes, but the private subnets of 10\.10\.0\.0\/24 hold 54 addresses/, fix: /lower the maxSize values to 54 nodes in total, or give canalkit:clusters\[0\]\.network\.vpcCidr a larger block/, repair: (c) => (cl(c, 0)["network"]["vpcCidr"] = "10.10.0.0/16") },

  // Network ranges.
  { id: "pod CIDR overlapping a peer's VPC", stack: "prod", mistake: (c) => (cl(c, 1)["network"]["podCidr"] = "10.30.0.0/16"), key: "canalkit:clusters[1].network.podCidr", says: /overlaps the VPC 10\.30\.0\.0\/16 of prod-use1-a, which vpc-peering connects/, fix: /podCidr: 100\.64\.0\.0\/16/, repair: (c) => (cl(c, 1)["network"]["podCidr"] = "100.65.0.0/16") },
  { id: "pod CIDR over a TGW peer's VPC", stack: "staging", mistake: (c) => (cl(c, 0)["network"]["podCidr"] = "10.21.0.0/16"), key: "canalkit:clusters[0].network.podCidr", says: /overlaps the VPC 10\.21\.0\.0\/16 of stg-west, which transit-gateway connects/, fix: /use a pod range disjoint/, repair: (c) => (cl(c, 0)["network"]["podCidr"] = "100.64.0.0/16") },
  { id: "two VPCs overlap", stack: "prod", mistake: (c) => (cl(c, 2)["network"]["vpcCidr"] = "10.31.0.0/16"), key: "canalkit:clusters[2].network.vpcCidr", says: /overlaps prod-use1-b's VPC 10\.31\.0\.0\/16 \(canalkit:clusters\[1\]\.network\.vpcCidr\)/, fix: /disjoint from every other cluster's, for example vpcCidr: 10\.0\.0\.0\/16/, repair: (c) => (cl(c, 2)["network"]["vpcCidr"] = "10.0.0.0/16") },
  { id: "VPC larger than AWS allows", stack: "dev", mistake: (c) => (cl(c, 0)["network"]["vpcCidr"] = "10.0.0.0/8"), key: "canalkit:clusters[0].network.vpcCidr", says: /between \/16 and \/24/, fix: /10\.10\.0\.0\/16/, repair: (c) => (cl(c, 0)["network"]["vpcCidr"] = "10.10.0.0/16"), only: true },
  { id: "pod CIDR too small", stack: "dev", mistake: (c) => (cl(c, 1)["network"]["podCidr"] = "100.65.0.0/24"), key: "canalkit:clusters[1].network.podCidr", says: /must be \/23 or larger/, fix: /100\.64\.0\.0\/16/, repair: (c) => (cl(c, 1)["network"]["podCidr"] = "100.65.0.0/16") },
  { id: "service CIDR with host bits", stack: "staging", mistake: (c) => (cl(c, 0)["network"]["serviceCidr"] = "172.20.1.0/16"), key: "canalkit:clusters[0].network.serviceCidr", says: /has host bits set/, fix: /172\.20\.0\.0\/16/, repair: (c) => (cl(c, 0)["network"]["serviceCidr"] = "172.20.0.0/16") },
  { id: "jumbo class across regions", stack: "prod", mistake: (c) => (cl(c, 0)["network"]["pathMtuClass"] = "intra-vpc"), key: "canalkit:clusters[0].network.pathMtuClass", says: /vpc-peering between the set's clusters carries at most 8500/, fix: /state inter-region/, repair: (c) => (cl(c, 0)["network"]["pathMtuClass"] = "inter-region") },
  { id: "jumbo class over the internet", stack: "dev", mistake: (c) => { c["canalkit:clusterSet"]["connectivity"] = "internet"; cl(c, 0)["network"]["pathMtuClass"] = "intra-vpc"; }, key: "canalkit:clusters[0].network.pathMtuClass", says: /internet between the set's clusters carries at most 1500/, fix: /the kit derives vpn-or-internet/, repair: (c) => delete cl(c, 0)["network"]["pathMtuClass"] },

  // Canal options, checked before any cluster exists.
  { id: "node CIDR size on ipip-crosssubnet", stack: "staging", mistake: (c) => (cl(c, 0)["cni"] = { nodeCidrPrefixLength: 25 }), key: "canalkit:clusters[0].cni.nodeCidrPrefixLength", says: /has no effect with ipip-crosssubnet/, fix: /remove it/, repair: (c) => delete cl(c, 0)["cni"] },
  { id: "interface regex that does not compile", stack: "prod", mistake: (c) => (cl(c, 1)["cni"] = { interfaceRegex: "^ens[0-9+" }), key: "canalkit:clusters[1].cni.interfaceRegex", says: /is not a valid regular expression/, fix: /\^ens\[0-9\]\+/, repair: (c) => (cl(c, 1)["cni"] = { interfaceRegex: "^ens[0-9]+" }) },
  { id: "interface and regex together", stack: "dev", mistake: (c) => (cl(c, 0)["cni"] = { interface: "ens5", interfaceRegex: "^ens[0-9]+" }), key: "canalkit:clusters[0].cni.interfaceRegex", says: /cannot be combined with cni\.interface/, fix: /either an interface name or a regular expression/, repair: (c) => delete cl(c, 0)["cni"]["interfaceRegex"] },
  { id: "node CIDR larger than the pod CIDR", stack: "dev", mistake: (c) => (cl(c, 1)["cni"] = { nodeCidrPrefixLength: 16 }), key: "canalkit:clusters[1].cni.nodeCidrPrefixLength", says: /holds 1 node block of \/16, but the node groups can grow to 3 nodes/, fix: /nodeCidrPrefixLength: 18/, repair: (c) => (cl(c, 1)["cni"] = { nodeCidrPrefixLength: 18 }) },
  { id: "pod CIDR too small for maxSize", stack: "prod", mistake: (c) => (cl(c, 2)["network"]["podCidr"] = "100.66.0.0/22"), key: "canalkit:clusters[2].network.podCidr", says: /holds 4 node blocks of \/24, but the node groups can grow to 12 nodes/, fix: /podCidr: 100\.64\.0\.0\/16/, repair: (c) => (cl(c, 2)["network"]["podCidr"] = "100.66.0.0/16") },

  // Clusters and the cluster set.
  { id: "ErieCanal version with a v", stack: "prod", mistake: (c) => (c["canalkit:clusterSet"]["erieCanal"]["version"] = "v0.1.3"), key: "canalkit:clusterSet.erieCanal.version", says: /is not a release version/, fix: /0\.1\.3 \(no v prefix/, repair: (c) => (c["canalkit:clusterSet"]["erieCanal"]["version"] = "0.1.3") },
  { id: "gateway port 443 with TLS on", stack: "staging", mistake: (c) => (c["canalkit:clusterSet"]["gatewayPort"] = 443), key: "canalkit:clusterSet.gatewayPort", says: /equals the HTTP port/, fix: /80 for HTTP/, repair: (c) => (c["canalkit:clusterSet"]["gatewayPort"] = 80) },
  { id: "cluster name twice", stack: "dev", mistake: (c) => (cl(c, 1)["name"] = "dev-east"), key: "canalkit:clusters[1].name", says: /is also the name of canalkit:clusters\[0\]/, fix: /unique name/, repair: (c) => (cl(c, 1)["name"] = "dev-west") },
  { id: "control plane misspelled", stack: "dev", mistake: (c) => (c["canalkit:clusterSet"]["controlPlane"] = "dev-eas"), key: "canalkit:clusterSet.controlPlane", says: /did you mean dev-east\?/, fix: /use one of dev-east, dev-west/, repair: (c) => (c["canalkit:clusterSet"]["controlPlane"] = "dev-east") },

  // Multi-cluster services.
  { id: "multi-port service without names", stack: "dev", mistake: (c) => (svc(c)["ports"] = [{ port: 8080 }, { port: 9090 }]), key: "canalkit:clusterSet.services[0].ports[0].name", says: /Kubernetes requires a name on every port of a Service with more than one port/, fix: /add name: port-8080/, repair: (c) => (svc(c)["ports"] = [{ port: 8080, name: "port-8080" }, { port: 9090, name: "port-9090" }]) },
  { id: "ports differing only in protocol", stack: "dev", mistake: (c) => (svc(c)["ports"] = [{ port: 8080, name: "tcp", protocol: "TCP" }, { port: 8080, name: "udp", protocol: "UDP" }]), key: "canalkit:clusterSet.services[0].ports[1].port", says: /repeats ports\[0\]\.port \(TCP and UDP\)/, fix: /export each port number once/, repair: (c) => svc(c)["ports"].pop() },
  { id: "port name in capitals", stack: "prod", mistake: (c) => (svc(c, 0)["ports"][0]["name"] = "HTTP"), key: "canalkit:clusterSet.services[0].ports[0].name", says: /is not a Kubernetes port name/, fix: /write it as http/, repair: (c) => (svc(c, 0)["ports"][0]["name"] = "http") },
  { id: "exported port named for TLS", stack: "staging", mistake: (c) => (svc(c, 0)["ports"][0]["name"] = "https"), key: "canalkit:clusterSet.services[0].ports[0].name", says: /names a port that carries TLS, but exported ports are called over plain HTTP/, fix: /serve plain HTTP on port 8080 and name it http/, repair: (c) => (svc(c, 0)["ports"][0]["name"] = "http") },
  { id: "FailOver consumer without its own copy", stack: "prod", mistake: (c) => (svc(c, 0)["consumers"] = ["prod-use1-b"]), key: "canalkit:clusterSet.services[0].consumers[0]", says: /does not export payments\/payments, so osm-edge \(v1\.3\.0\) would spread its FailOver calls evenly over prod-use1-a, prod-usw2/, fix: /add prod-use1-b to exporters \(it then calls its own copy first/, repair: (c) => svc(c, 0)["exporters"].push({ cluster: "prod-use1-b" }) },
  { id: "port names repeated", stack: "dev", mistake: (c) => (svc(c)["ports"] = [{ port: 8080, name: "http" }, { port: 9090, name: "http" }]), key: "canalkit:clusterSet.services[0].ports[1].name", says: /is also the name of ports\[0\]/, fix: /its own name/, repair: (c) => (svc(c)["ports"][1]["name"] = "metrics") },
  { id: "ActiveActive weight missing", stack: "dev", mistake: (c) => delete svc(c)["exporters"][1]["weight"], key: "canalkit:clusterSet.services[0].exporters[1].weight", says: /is missing while other exporters have weights, so dev-west would get no traffic/, fix: /weight: 50/, repair: (c) => (svc(c)["exporters"][1]["weight"] = 50) },
  { id: "ActiveActive weights all zero", stack: "prod", mistake: (c) => { svc(c, 1)["exporters"][0]["weight"] = 0; svc(c, 1)["exporters"][1]["weight"] = 0; }, key: "canalkit:clusterSet.services[1].exporters[0].weight", says: /is 0 like every other weight/, fix: /positive weights, for example 50 each/, repair: (c) => { svc(c, 1)["exporters"][0]["weight"] = 50; svc(c, 1)["exporters"][1]["weight"] = 50; } },
  { id: "FailOver with weights", stack: "staging", mistake: (c) => (svc(c)["exporters"][0]["weight"] = 80), key: "canalkit:clusterSet.services[0].exporters[0].weight", says: /only applies to ActiveActive, but payments is FailOver/, fix: /remove the weights/, repair: (c) => delete svc(c)["exporters"][0]["weight"] },
  { id: "same service declared twice", stack: "dev", mistake: (c) => c["canalkit:clusterSet"]["services"].push(structuredClone(svc(c))), key: "canalkit:clusterSet.services[1].name", says: /declares demo\/echo again \(also canalkit:clusterSet\.services\[0\]\)/, fix: /merge the two entries/, repair: (c) => (svc(c, 1)["name"] = "echo-v2") },
  { id: "exporter cluster misspelled", stack: "dev", mistake: (c) => (svc(c)["exporters"][1]["cluster"] = "dev-wes"), key: "canalkit:clusterSet.services[0].exporters[1].cluster", says: /did you mean dev-west\?/, fix: /use one of dev-east, dev-west/, repair: (c) => (svc(c)["exporters"][1]["cluster"] = "dev-west") },
  { id: "consumer not a cluster", stack: "prod", mistake: (c) => (svc(c, 0)["consumers"] = ["prod-use1-c"]), key: "canalkit:clusterSet.services[0].consumers[0]", says: /is not a cluster of the stack/, fix: /use one of prod-use1-a, prod-use1-b, prod-usw2/, repair: (c) => (svc(c, 0)["consumers"] = ["prod-use1-a"]) },
  { id: "exporter listed twice", stack: "staging", mistake: (c) => (svc(c)["exporters"][1]["cluster"] = "stg-east"), key: "canalkit:clusterSet.services[0].exporters[1].cluster", says: /is already exporters\[0\]/, fix: /each exporting cluster once/, repair: (c) => (svc(c)["exporters"][1]["cluster"] = "stg-west") },
  { id: "localityTarget outside Locality", stack: "dev", mistake: (c) => (svc(c)["localityTarget"] = "dev-east"), key: "canalkit:clusterSet.services[0].localityTarget", says: /only applies to mode Locality, but echo is ActiveActive/, fix: /remove localityTarget, or use mode Locality/, repair: (c) => delete svc(c)["localityTarget"] },
  { id: "localityTarget not an exporter", stack: "staging", mistake: (c) => { svc(c)["mode"] = "Locality"; svc(c)["localityTarget"] = "stg-south"; }, key: "canalkit:clusterSet.services[0].localityTarget", says: /is not one of the service's exporters/, fix: /use one of stg-east, stg-west/, repair: (c) => (svc(c)["localityTarget"] = "stg-west") },
  { id: "selector value with a space", stack: "dev", mistake: (c) => (svc(c)["selector"] = { app: "echo server" }), key: "canalkit:clusterSet.services[0].selector.app", says: /is not a Kubernetes label value/, fix: /app: echo/, repair: (c) => (svc(c)["selector"] = { app: "echo" }) },

  // Policy overrides and tags.
  { id: "override of a policy that does not exist", stack: "dev", mistake: (c) => (c["canalkit:policy"] = { overrides: { "canalkit-imdsv2": "mandatory" } }), key: "canalkit:policy.overrides.canalkit-imdsv2", says: /names no policy of the pack \(did you mean canalkit-imdsv2-required\?\)/, fix: /rename it to canalkit-imdsv2-required/, repair: (c) => (c["canalkit:policy"] = { overrides: { "canalkit-imdsv2-required": "mandatory" } }) },
  { id: "override without the canalkit- prefix", stack: "prod", mistake: (c) => (c["canalkit:policy"] = { overrides: { "gateway-tls": "advisory" } }), key: "canalkit:policy.overrides.gateway-tls", says: /did you mean canalkit-gateway-tls\?/, fix: /rename it to canalkit-gateway-tls/, repair: (c) => (c["canalkit:policy"] = { overrides: { "canalkit-gateway-tls": "advisory" } }) },
  { id: "tag the kit sets", stack: "staging", mistake: (c) => (c["canalkit:tags"]["environment"] = "stage"), key: "canalkit:tags.environment", says: /is set by the kit/, fix: /set canalkit:environment instead/, repair: (c) => delete c["canalkit:tags"]["environment"] },
  { id: "tag with the aws: prefix", stack: "dev", mistake: (c) => (c["canalkit:tags"]["aws:cost-center"] = "x"), key: 'canalkit:tags["aws:cost-center"]', says: /AWS reserves/, fix: /without the aws: prefix/, repair: (c) => delete c["canalkit:tags"]["aws:cost-center"] },

  // Endpoint exposure: the fix must be a key the schema accepts.
  { id: "public endpoint open to the world", stack: "staging", mistake: (c) => (cl(c, 0)["eks"]["endpoint"]["publicAccessCidrs"] = ["0.0.0.0/0"]), key: "canalkit:clusters[0].eks.endpoint.publicAccessCidrs", says: /opens the Kubernetes API to the whole internet/, fix: /allowPublicFromAnywhere: true/, repair: (c) => (cl(c, 0)["eks"]["endpoint"]["allowPublicFromAnywhere"] = true) },
  { id: "public endpoint without CIDRs", stack: "staging", mistake: (c) => { delete c["canalkit:runner"]; delete cl(c, 0)["eks"]["endpoint"]["publicAccessCidrs"]; }, key: "canalkit:clusters[0].eks.endpoint.publicAccessCidrs", says: /needs the CIDRs allowed to reach it/, fix: /\[203\.0\.113\.0\/24\]/, repair: (c) => (cl(c, 0)["eks"]["endpoint"]["publicAccessCidrs"] = ["203.0.113.0/24"]) },

  // Credentials in clear: named, never shown.
  { id: "kubeconfig as a plain canalkit value", stack: "dev", mistake: (c) => (c["canalkit:kubeconfig"] = KUBECONFIG), key: "canalkit:kubeconfig", says: /looks like a kubeconfig in clear/, fix: /pulumi config set --secret canalkit:kubeconfig/, secret: "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpTRUNSRVRLRVlEQVRB", repair: (c) => delete c["canalkit:kubeconfig"] },
  { id: "kubeconfig inside a cluster entry", stack: "prod", mistake: (c) => (cl(c, 1)["kubeconfig"] = KUBECONFIG), key: "canalkit:clusters[1].kubeconfig", says: /looks like a kubeconfig in clear/, fix: /pulumi config set --secret --path 'canalkit:clusters\[1\]\.kubeconfig' <value>/, secret: "client-key-data: LS0t", repair: (c) => delete cl(c, 1)["kubeconfig"] },
  { id: "plain kubernetes:kubeconfig", stack: "staging", mistake: (c) => (c["kubernetes:kubeconfig"] = KUBECONFIG), key: "kubernetes:kubeconfig", says: /canalkit never uses it/, fix: /pulumi config set --secret kubernetes:kubeconfig/, secret: "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpTRUNSRVRLRVlEQVRB", repair: (c) => (c["kubernetes:kubeconfig"] = { secure: "AAABAKtEk8h1ZXk=" }) },
  { id: "access key in a tag", stack: "dev", mistake: (c) => (c["canalkit:tags"]["deploy-key"] = "AKIAIOSFODNN7EXAMPLE"), key: "canalkit:tags.deploy-key", says: /looks like an AWS access key in clear/, fix: /pulumi config set --secret --path 'canalkit:tags\.deploy-key'/, secret: "AKIAIOSFODNN7EXAMPLE", repair: (c) => delete c["canalkit:tags"]["deploy-key"] },
  { id: "access key as plain aws: config", stack: "prod", mistake: (c) => (c["aws:accessKey"] = "AKIAIOSFODNN7EXAMPLE"), key: "aws:accessKey", says: /looks like an AWS access key in clear/, fix: /pulumi config set --secret aws:accessKey/, secret: "AKIAIOSFODNN7EXAMPLE", repair: (c) => delete c["aws:accessKey"] },
  { id: "private key as an unknown key", stack: "staging", mistake: (c) => (c["canalkit:sshKey"] = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----"), key: "canalkit:sshKey", says: /looks like a private key in clear/, fix: /remove it from the stack file and rotate/, secret: "b3BlbnNzaC1rZXktdjEAAAAABG5vbmU", repair: (c) => delete c["canalkit:sshKey"] },
];

describe("stack-config mistakes corpus", () => {
  it("has at least 60 cases, each with a unique id", () => {
    expect(mistakes.length).toBeGreaterThanOrEqual(60);
    expect(new Set(mistakes.map((m) => m.id)).size).toBe(mistakes.length);
  });

  for (const m of mistakes) {
    it(`${m.stack}: ${m.id}`, () => {
      const config = copyOf(m.stack);
      m.mistake(config);
      const outcome = check(config);
      if (outcome.ok) throw new Error(`accepted: ${m.id}`);
      const problems = outcome.error.problems;
      const first = problems[0]!;
      if (m.only) expect(problems.map((p) => p.message)).toHaveLength(1);
      expect(first.field).toBe(m.key);
      expect(first.problem).toMatch(m.says);
      expect(first.fix).toMatch(m.fix);
      for (const p of problems) {
        // Every message names a key of the file (a missing key: its parent is there).
        const where = lookup(config, p.field);
        expect(where.found || (p.problem.startsWith("is missing") && where.parentFound), `${p.field} is not in the file`).toBe(true);
        expect(p.message).not.toMatch(VALIDATOR_WORDING);
        if (m.secret) expect(p.message).not.toContain(m.secret);
      }
      if (m.secret) expect(outcome.error.message).not.toContain(m.secret);
      if (m.repair) {
        m.repair(config);
        const repaired = check(config);
        expect(repaired.ok ? "accepted" : repaired.error.message).toBe("accepted");
      }
    });
  }
});

interface Variation {
  id: string;
  stack: Stack;
  change: (c: Cfg) => void;
  /** Extra checks on the accepted config and warnings. */
  then?: (config: StackConfig, warnings: string[]) => void;
}

const variations: Variation[] = [
  { id: "dev as shipped", stack: "dev", change: () => {}, then: (_, w) => expect(w).toEqual([]) },
  { id: "staging as shipped", stack: "staging", change: () => {}, then: (_, w) => expect(w).toEqual([]) },
  { id: "prod as shipped", stack: "prod", change: () => {}, then: (_, w) => expect(w).toEqual([]) },
  { id: "Graviton node group", stack: "dev", change: (c) => (ng(c, 0)["instanceTypes"] = ["m7g.large", "c7g.large", "t4g.large"]) },
  { id: "Graviton with the ARM AMI stated", stack: "prod", change: (c) => { ng(c, 2)["instanceTypes"] = ["r8g.xlarge"]; ng(c, 2)["amiType"] = "AL2023_ARM_64_STANDARD"; } },
  { id: "a family newer than the table, AMI stated", stack: "dev", change: (c) => { ng(c, 0)["instanceTypes"] = ["q9z.large"]; ng(c, 0)["amiType"] = "AL2023_ARM_64_STANDARD"; } },
  { id: "labels with prefixes and kubelet-allowed namespaces", stack: "staging", change: (c) => (ng(c, 0)["labels"] = { "example.com/team": "platform", tier: "web", "node.kubernetes.io/pool": "general", "topology.kubernetes.io/zone": "us-east-1a" }) },
  { id: "taints as EKS spells them", stack: "prod", change: (c) => (ng(c, 1)["taints"] = [{ key: "dedicated", value: "catalog", effect: "NO_SCHEDULE" }, { key: "example.com/spot", effect: "PREFER_NO_SCHEDULE" }, { key: "dedicated", effect: "NO_EXECUTE" }]) },
  { id: "ActiveActive with no weights (even split)", stack: "dev", change: (c) => svc(c)["exporters"].forEach((e: Cfg) => delete e["weight"]) },
  { id: "ActiveActive with one weight 0 and one positive", stack: "dev", change: (c) => (svc(c)["exporters"][1]["weight"] = 0) },
  { id: "multi-port service with names", stack: "dev", change: (c) => (svc(c)["ports"] = [{ port: 8080, name: "http" }, { port: 9090, name: "metrics", targetPort: 9091 }]) },
  { id: "Locality with a target exporter", stack: "dev", change: (c) => { svc(c)["mode"] = "Locality"; svc(c)["exporters"].forEach((e: Cfg) => delete e["weight"]); svc(c)["localityTarget"] = "dev-west"; } },
  { id: "internet connectivity derives the 1500 class", stack: "dev", change: (c) => (c["canalkit:clusterSet"]["connectivity"] = "internet"), then: (config) => expect(config.clusters.map((_, i) => derivedMtuClass(i, config))).toEqual(["vpn-or-internet", "vpn-or-internet"]) },
  { id: "internet connectivity lets pod ranges cover the other VPC", stack: "dev", change: (c) => { c["canalkit:clusterSet"]["connectivity"] = "internet"; cl(c, 0)["network"]["podCidr"] = "10.11.0.0/16"; } },
  { id: "a Region newer than the kit, added by the stack", stack: "dev", change: (c) => { c["canalkit:awsRegions"] = { "eu-central-3": ["eu-central-3a", "eu-central-3b"] }; cl(c, 1)["region"] = "eu-central-3"; cl(c, 1)["availabilityZones"] = 2; } },
  { id: "a zone newer than the kit, added by the stack", stack: "dev", change: (c) => { c["canalkit:awsRegions"] = { "us-east-1": ["us-east-1a", "us-east-1b", "us-east-1g"] }; cl(c, 0)["availabilityZones"] = ["us-east-1a", "us-east-1g"]; } },
  { id: "every AZ of us-west-2", stack: "prod", change: (c) => (cl(c, 2)["availabilityZones"] = 4) },
  { id: "public endpoint from anywhere, explicitly allowed", stack: "staging", change: (c) => Object.assign(cl(c, 0)["eks"]["endpoint"], { publicAccessCidrs: ["0.0.0.0/0"], allowPublicFromAnywhere: true }) },
  { id: "override of a real policy", stack: "prod", change: (c) => (c["canalkit:policy"] = { overrides: { "canalkit-gateway-tls": "advisory", "canalkit-required-tags": "disabled" } }) },
  { id: "encrypted kubernetes:kubeconfig (warned: unused)", stack: "dev", change: (c) => (c["kubernetes:kubeconfig"] = { secure: "AAABAKtEk8h1ZXk=" }), then: (_, w) => expect(w.join("\n")).toMatch(/kubernetes:kubeconfig is set, but canalkit never uses it/) },
  { id: "small VPC near capacity (warned)", stack: "dev", change: (c) => { cl(c, 0)["network"]["vpcCidr"] = "10.10.0.0/24"; ng(c, 0)["maxSize"] = 50; }, then: (_, w) => expect(w.join("\n")).toMatch(/^canalkit:clusters\[0\]\.network\.vpcCidr = "10\.10\.0\.0\/24": its private subnets hold 54 addresses/m) },
  { id: "kubernetesVersion quoted", stack: "staging", change: (c) => (cl(c, 1)["eks"]["kubernetesVersion"] = "1.34") },
  { id: "user tags beside the kit's", stack: "prod", change: (c) => (c["canalkit:tags"]["team"] = "payments") },
];

describe("valid variations of the shipped stacks stay accepted", () => {
  for (const v of variations) {
    it(`${v.stack}: ${v.id}`, () => {
      const config = copyOf(v.stack);
      v.change(config);
      const outcome = check(config);
      expect(outcome.ok ? "accepted" : outcome.error.message).toBe("accepted");
      if (outcome.ok && v.then) v.then(outcome.config, outcome.warnings);
    });
  }
});
