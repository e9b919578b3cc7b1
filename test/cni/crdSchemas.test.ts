/**
 * The Canal CRDs carry upstream's validation schemas: they are structural (the API server refuses
 * a CRD whose schema is not), the objects calico-node creates from the kit's environment pass them,
 * and objects upstream refuses are refused. The `x-kubernetes-validations` (CEL) rules are the API
 * server's own and are not evaluated here.
 */
import { describe, expect, it } from "vitest";
import type { ClusterNetworkFacts } from "../../components/cluster";
import { buildCanalCrds, CANAL_CRDS, findObject, planCanal } from "../../components/cni";
import { compileCrdSchema } from "./crdValidation";

const vxlan: ClusterNetworkFacts = { topology: "vxlan", podCidr: "100.64.0.0/16", serviceCidr: "172.20.0.0/16", podMtu: 8951, vxlanPort: 8472, disableSourceDestCheck: false, typha: false, nodePodCidrsAllocated: true };
const ipip: ClusterNetworkFacts = { ...vxlan, topology: "ipip-crosssubnet", podMtu: 8981, disableSourceDestCheck: true };

const crds = buildCanalCrds() as any[];
const validators = new Map(crds.map((c) => [c.spec.names.kind, compileCrdSchema(c.spec.versions[0].schema.openAPIV3Schema)]));
const validate = (object: Record<string, unknown>) => {
  const v = validators.get(object["kind"] as string)!;
  return v(object) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
};

/** apiextensions' structural-schema rules (k8s.io/apiextensions-apiserver pkg/apis/apiextensions/validation). */
function structuralProblems(node: any, path: string): string[] {
  if (!node || typeof node !== "object") return [`${path}: not a schema`];
  const problems: string[] = [];
  const typed = typeof node.type === "string" || node["x-kubernetes-int-or-string"] === true || node["x-kubernetes-preserve-unknown-fields"] === true;
  if (!typed) problems.push(`${path}: no type`);
  if (node.properties && node.additionalProperties) problems.push(`${path}: properties and additionalProperties together`);
  for (const [k, v] of Object.entries(node.properties ?? {})) problems.push(...structuralProblems(v, `${path}.${k}`));
  if (node.items) problems.push(...structuralProblems(node.items, `${path}[]`));
  if (node.additionalProperties && typeof node.additionalProperties === "object") problems.push(...structuralProblems(node.additionalProperties, `${path}{}`));
  // Inside anyOf/allOf/oneOf only value validations may appear, never types or structure — except
  // the int-or-string pattern `anyOf: [{type: integer}, {type: string}]`.
  const intOrString = node["x-kubernetes-int-or-string"] === true;
  for (const k of ["anyOf", "allOf", "oneOf"]) {
    for (const [n, sub] of (node[k] ?? []).entries()) {
      const allowed = intOrString && k === "anyOf" && (sub.type === "integer" || sub.type === "string") && Object.keys(sub).length === 1;
      if (!allowed && (sub.type || sub.properties || sub.items)) problems.push(`${path}.${k}[${n}]: declares structure`);
    }
  }
  return problems;
}

describe("Canal CRD schemas", () => {
  it("are structural, so the API server accepts the CRDs, and carry status exactly where upstream does", () => {
    for (const c of crds) {
      const root = c.spec.versions[0].schema.openAPIV3Schema;
      expect(structuralProblems(root, c.metadata.name)).toEqual([]);
      expect(root.properties.spec, c.metadata.name).toBeDefined();
      const facts = CANAL_CRDS.find((f) => `${f.plural}.${f.group}` === c.metadata.name)!;
      expect(root.properties.status !== undefined, c.metadata.name).toBe(facts.hasStatus === true);
      // No open spec any more: the field structure is upstream's.
      expect(root.properties.spec["x-kubernetes-preserve-unknown-fields"], c.metadata.name).toBeUndefined();
    }
  });

  it.each([["vxlan", vxlan, "Never"], ["ipip-crosssubnet", ipip, "CrossSubnet"]] as const)("%s: the default IPPool calico-node creates from the kit's env passes the IPPool schema", (_n, facts, ipipMode) => {
    const env = Object.fromEntries((findObject(planCanal(facts), "DaemonSet", "canal") as any).spec.template.spec.containers[0].env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
    // node/pkg/lifecycle/startup/startup.go createIPPool: mode names as given (unset: Never), block size 26, selector all().
    const pool = {
      apiVersion: "crd.projectcalico.org/v1",
      kind: "IPPool",
      metadata: { name: "default-ipv4-ippool" },
      spec: { cidr: env["CALICO_IPV4POOL_CIDR"], natOutgoing: (env["CALICO_IPV4POOL_NAT_OUTGOING"] ?? "true") === "true", ipipMode: env["CALICO_IPV4POOL_IPIP"] ?? "Never", vxlanMode: env["CALICO_IPV4POOL_VXLAN"] ?? "Never", blockSize: 26, nodeSelector: "all()" },
    };
    expect(pool.spec.ipipMode).toBe(ipipMode);
    expect(validate(pool)).toEqual([]);
  });

  it("refuses what upstream refuses: an unknown IPIP mode, a policy order that is not a number, a port that is not one", () => {
    expect(validate({ apiVersion: "crd.projectcalico.org/v1", kind: "IPPool", metadata: { name: "p" }, spec: { cidr: "10.0.0.0/16", ipipMode: "Sometimes" } })).toEqual([expect.stringMatching(/\/spec\/ipipMode must be equal to one of the allowed values/)]);
    const policy = (extra: Record<string, unknown>) => ({ apiVersion: "crd.projectcalico.org/v1", kind: "GlobalNetworkPolicy", metadata: { name: "default.deny" }, spec: { selector: "all()", types: ["Ingress"], ...extra } });
    expect(validate(policy({ order: 100, ingress: [{ action: "Allow", protocol: "TCP", destination: { ports: [443, "8000:8080"] } }] }))).toEqual([]);
    expect(validate(policy({ order: "first" })).join()).toMatch(/\/spec\/order must be number/);
    expect(validate(policy({ ingress: [{ action: "Permit" }] })).join()).toMatch(/\/spec\/ingress\/0\/action must be equal to one of the allowed values/);
  });
});
