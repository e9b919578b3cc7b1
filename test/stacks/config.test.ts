import { describe, expect, it } from "vitest";
import { StackConfigError, atConfigPath, validateStackConfig } from "../../stacks/config/validate";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { planNetwork } from "../../components/network";
import { planClusterSet } from "../../components/multicluster";
import { stackKeyOf } from "../../stacks/config/keyPaths";
import { canalkitConfigObject } from "../../stacks/config/validate";
import { parseStackConfig } from "../../synth/stackConfig";

const valid = () => ({
  environment: "dev",
  owner: "platform",
  clusters: [
    { name: "a", region: "us-east-1", availabilityZones: ["us-east-1a", "us-east-1b"], network: { vpcCidr: "10.10.0.0/16" }, eks: { nodeGroups: [{ name: "general" }] } },
    { name: "b", region: "us-west-2", availabilityZones: 3, network: { vpcCidr: "10.11.0.0/16", topology: "ipip-crosssubnet" }, eks: { nodeGroups: [{ name: "general" }] } },
  ],
});

function problems(raw: Record<string, unknown>): string[] {
  try {
    validateStackConfig(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(StackConfigError);
    return (e as StackConfigError).problems.map((p) => p.message);
  }
  return [];
}

describe("stack config validation", () => {
  it("applies defaults", () => {
    const config = validateStackConfig(valid());
    expect(config.clusters[0]!.network).toMatchObject({ topology: "vxlan", podCidr: "100.64.0.0/16", natStrategy: "one-per-az", vxlanPort: 8472, routeTableQuota: 50 });
    expect(config.tags).toEqual({});
  });

  it("names the key path, the value and what is allowed for a bad enum", () => {
    const raw = valid();
    (raw.clusters[1]!.network as Record<string, unknown>)["topology"] = "geneve";
    expect(problems(raw)).toEqual([`canalkit:clusters[1].network.topology = "geneve": is not allowed. Fix: use one of vxlan, ipip-crosssubnet, native-vpc`]);
  });

  it("refuses unknown keys by their full path", () => {
    const raw = valid() as Record<string, unknown>;
    (raw["clusters"] as Record<string, unknown>[])[0]!["netwrok"] = {};
    expect(problems(raw)[0]).toBe("canalkit:clusters[0].netwrok = {}: is not a known key (did you mean network?). Fix: rename it to network");
  });

  it("reports wrong types, missing keys and every problem at once", () => {
    const raw = valid() as Record<string, unknown>;
    raw["environment"] = "qa";
    delete raw["owner"];
    (raw["clusters"] as Record<string, unknown>[])[0]!["region"] = "mars";
    const found = problems(raw);
    expect(found).toHaveLength(3);
    expect(found.join("\n")).toContain('canalkit:environment = "qa"');
    expect(found.join("\n")).toContain("canalkit:owner = undefined");
    expect(found.join("\n")).toContain('canalkit:clusters[0].region = "mars": is not allowed. Fix: use an AWS region name such as us-east-1');
  });

  it("reports an unknown key before other problems, and folds the knock-on 'missing' into it", () => {
    const raw = valid() as Record<string, unknown>;
    raw["environment"] = "qa";
    const network = (raw["clusters"] as { network: Record<string, unknown> }[])[1]!.network;
    network["vpc_cidr"] = network["vpcCidr"];
    delete network["vpcCidr"];
    const found = problems(raw);
    expect(found[0]).toBe('canalkit:clusters[1].network.vpc_cidr = "10.11.0.0/16": is not a known key (did you mean vpcCidr?). Fix: rename it to vpcCidr');
    expect(found.slice(1)).toEqual(['canalkit:environment = "qa": is not allowed. Fix: use one of dev, staging, prod']);
  });

  it("refuses duplicate cluster names", () => {
    const raw = valid();
    raw.clusters[1]!.name = "a";
    expect(problems(raw)).toEqual([`canalkit:clusters[1].name = "a": is also the name of canalkit:clusters[0]. Fix: give every cluster a unique name`]);
  });

  it("places planner errors under the cluster's key path", () => {
    expect(() =>
      atConfigPath(["clusters", 2], () => planNetwork({ clusterName: "c", vpcCidr: "10.0.0.0/16", availabilityZones: ["x", "y"], podCidr: "10.0.0.0/20", serviceCidr: "172.20.0.0/16" })),
    ).toThrow(/^canalkit:clusters\[2\]\.network\.podCidr = "10\.0\.0\.0\/20": overlaps network\.vpcCidr/);
  });

  it("maps component and planner paths to the keys the stack file has", () => {
    const config = validateStackConfig(canalkitConfigObject(parseStackConfig(readFileSync(join(__dirname, "../../stacks/Pulumi.dev.yaml"), "utf8"), "canalkit", "dev").values));
    const cases: [PropertyKey[], string, string][] = [
      [["clusterSet"], "clusterSet.members[1].vpcCidr", "canalkit:clusters[1].network.vpcCidr"],
      [["clusterSet"], "clusterSet.members[1].name", "canalkit:clusters[1].name"],
      [["clusterSet"], "clusterSet.controlPlane", "canalkit:clusterSet.controlPlane"],
      [["clusterSet", "services", 0], "services.echo.exporters[1].cluster", "canalkit:clusterSet.services[0].exporters[1].cluster"],
      [["clusterSet", "services", 0], "services.echo.rules[1]", "canalkit:clusterSet.services[0].ports[1]"],
      [["clusterSet", "services", 0], "services.echo.weights.dev-west", "canalkit:clusterSet.services[0].exporters[1].weight"],
      [["clusterSet", "services", 0], "services.echo.failoverOrder", "canalkit:clusterSet.services[0].exporters"],
      [["clusterSet", "services", 0], "services.echo.exporters[1].service.ports[1].name", "canalkit:clusterSet.services[0].ports[1].name"],
      [["clusterSet", "services", 0], "services.echo.weights", "canalkit:clusterSet.services[0].exporters[0].weight"],
      [["clusterSet", "erieCanal", "osmEdge"], "clusters.dev-east.osmEdge", "canalkit:clusterSet.erieCanal.osmEdge"],
      [["clusters", 0], "network.availabilityZones", "canalkit:clusters[0].availabilityZones"],
      [["clusters", 0], "nodeGroups[0].labels.team", "canalkit:clusters[0].eks.nodeGroups[0].labels.team"],
      [["clusters", 1], "endpoint.publicAccessCidrs", "canalkit:clusters[1].eks.endpoint.publicAccessCidrs"],
      [["clusters", 1], "network.podCidr", "canalkit:clusters[1].network.podCidr"],
      [["clusters", 1], "cni.nodeCidrPrefixLength", "canalkit:clusters[1].cni.nodeCidrPrefixLength"],
      [["clusters", 1], "cni.maxNodes", "canalkit:clusters[1].network.maxNodes"],
      [["clusters", 1], "cni.chainInsertMode", "canalkit:clusters[1].cni"],
    ];
    for (const [prefix, field, expected] of cases) expect(stackKeyOf(prefix, field, config), field).toBe(expected);
  });

  it("re-labels a real planner error with the user's key and value", () => {
    const raw = valid();
    raw.clusters[1]!.network.vpcCidr = "10.10.0.0/16";
    const config = validateStackConfig(raw);
    const members = config.clusters.map((c) => ({ name: c.name, region: c.region, namespace: "erie-canal", vpcCidr: c.network.vpcCidr }));
    expect(() => atConfigPath(["clusterSet"], () => planClusterSet({ name: "s", controlPlane: "a", members }), config)).toThrow(/^canalkit:clusters\[1\]\.network\.vpcCidr = "10\.10\.0\.0\/16": overlaps a's VPC 10\.10\.0\.0\/16/);
  });
});
