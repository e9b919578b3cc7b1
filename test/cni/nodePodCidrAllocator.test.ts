import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ClusterNetworkFacts } from "../../components/cluster";
import { findObject, NODE_POD_CIDR_ALLOCATOR_NAME, nodePodCidrAllocatorProgram, planCanal } from "../../components/cni";
import { CanalkitInputError } from "../../components/errors";
import { FakeKubernetesApi, type StoredObject } from "../support/fakeKubernetesApi";
import { validateKubernetesObjects } from "../support/validateKubernetes";

// The allocator program is plain CommonJS run by Node in the cluster; tests load the same file.
const programPath = path.join(__dirname, "../../components/cni/assets/node-pod-cidr-allocator.js");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const allocator = require(programPath) as {
  planNodePodCidrs(pool: string, prefix: number, nodes: { name: string; podCidrs: string[] }[]): { assignments: { node: string; podCidr: string }[]; unassigned: string[] };
  reconcileOnce(api: unknown, settings: { pool: string; blockPrefix: number }, log: (m: string) => void): Promise<{ assigned: { node: string; podCidr: string }[]; conflicts: string[]; exhausted: string[] }>;
  apiSettingsFromEnvironment(env: Record<string, string>): unknown;
  settingsFromEnvironment(env: Record<string, string>): unknown;
};

const eksVxlan: ClusterNetworkFacts = { topology: "vxlan", podCidr: "100.64.0.0/16", serviceCidr: "172.20.0.0/16", podMtu: 8951, vxlanPort: 8472, disableSourceDestCheck: false, typha: false, nodePodCidrsAllocated: false };
const NODES = "/api/v1/nodes";
const node = (name: string, podCIDR?: string): StoredObject => ({ apiVersion: "v1", kind: "Node", metadata: { name }, spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {} });
const podCidrOf = (api: FakeKubernetesApi, name: string) => (api.get(NODES, name)!["spec"] as { podCIDR?: string }).podCIDR;

describe("node pod-CIDR allocation plan", () => {
  it("gives nodes without a CIDR the lowest free blocks, in name order, around blocks already held", () => {
    const plan = allocator.planNodePodCidrs("10.244.0.0/16", 24, [
      { name: "c", podCidrs: [] },
      { name: "held", podCidrs: ["10.244.1.0/24"] },
      { name: "a", podCidrs: [] },
      { name: "v6", podCidrs: ["fd00::/64"] },
    ]);
    expect(plan.assignments).toEqual([{ node: "a", podCidr: "10.244.0.0/24" }, { node: "c", podCidr: "10.244.2.0/24" }]);
    expect(plan.unassigned).toEqual([]);
  });

  it("treats a held CIDR of another size as taking every block it overlaps", () => {
    const plan = allocator.planNodePodCidrs("10.0.0.0/22", 24, [{ name: "big", podCidrs: ["10.0.0.0/23"] }, { name: "n", podCidrs: [] }]);
    expect(plan.assignments).toEqual([{ node: "n", podCidr: "10.0.2.0/24" }]);
  });

  it("reports nodes it cannot serve when the pool is exhausted instead of reusing a block", () => {
    const plan = allocator.planNodePodCidrs("10.0.0.0/23", 24, [{ name: "a", podCidrs: [] }, { name: "b", podCidrs: [] }, { name: "c", podCidrs: [] }]);
    expect(plan.assignments.map((a) => a.podCidr)).toEqual(["10.0.0.0/24", "10.0.1.0/24"]);
    expect(plan.unassigned).toEqual(["c"]);
  });

  it("refuses bad settings at start with the variable and the value", () => {
    expect(() => allocator.settingsFromEnvironment({ POD_CIDR_POOL: "10.0.0.0/16", NODE_CIDR_PREFIX_LENGTH: "8" })).toThrow(/NODE_CIDR_PREFIX_LENGTH=8/);
    expect(() => allocator.settingsFromEnvironment({ POD_CIDR_POOL: "10.0.0/16", NODE_CIDR_PREFIX_LENGTH: "24" })).toThrow(/not an IPv4 CIDR/);
  });
});

describe("node pod-CIDR allocator against an API server", () => {
  let api: FakeKubernetesApi;
  afterEach(async () => api?.stop());

  const connect = async (token?: string) => {
    api = new FakeKubernetesApi(token);
    const server = await api.start();
    return allocator.apiSettingsFromEnvironment({ ALLOCATOR_API_SERVER: server, ALLOCATOR_SERVICE_ACCOUNT_DIR: "/nonexistent" });
  };

  it("patches each node once and leaves nodes that already have a CIDR alone", async () => {
    const client = await connect();
    api.seed(NODES, node("ip-10-0-1-10", "100.64.0.0/24"));
    api.seed(NODES, node("ip-10-0-2-20"));
    api.seed(NODES, node("ip-10-0-3-30"));
    const first = await allocator.reconcileOnce(client, { pool: "100.64.0.0/16", blockPrefix: 24 }, () => {});
    expect(first.assigned).toEqual([{ node: "ip-10-0-2-20", podCidr: "100.64.1.0/24" }, { node: "ip-10-0-3-30", podCidr: "100.64.2.0/24" }]);
    expect(api.get(NODES, "ip-10-0-2-20")!["spec"]).toEqual({ podCIDR: "100.64.1.0/24", podCIDRs: ["100.64.1.0/24"] });
    const patches = api.requests.filter((r) => r.method === "PATCH").length;
    const second = await allocator.reconcileOnce(client, { pool: "100.64.0.0/16", blockPrefix: 24 }, () => {});
    expect(second.assigned).toEqual([]);
    expect(api.requests.filter((r) => r.method === "PATCH")).toHaveLength(patches);
  });

  it("leaves a node changed since the list for the next pass and never overwrites a CIDR", async () => {
    const client = await connect();
    api.seed(NODES, node("a"));
    api.seed(NODES, node("b"));
    api.injectFault({ method: "PATCH", path: /\/nodes\/a$/, status: 409, times: 1 });
    const first = await allocator.reconcileOnce(client, { pool: "10.1.0.0/16", blockPrefix: 24 }, () => {});
    expect(first.conflicts).toEqual(["a"]);
    expect(podCidrOf(api, "b")).toBe("10.1.1.0/24");
    // Meanwhile another writer gives `a` a CIDR; the allocator must take that as held.
    api.mutate(NODES, "a", (n) => (n["spec"] = { podCIDR: "10.1.7.0/24", podCIDRs: ["10.1.7.0/24"] }));
    const second = await allocator.reconcileOnce(client, { pool: "10.1.0.0/16", blockPrefix: 24 }, () => {});
    expect(second.assigned).toEqual([]);
    expect(podCidrOf(api, "a")).toBe("10.1.7.0/24");
  });

  it("guards each patch with the listed resourceVersion, so a node updated after the list is retried, not overwritten", async () => {
    const client = await connect();
    api.seed(NODES, node("a"));
    // The kubelet updates the node between the allocator's list and its patch.
    api.afterRequest = (r) => {
      if (r.method === "GET") api.mutate(NODES, "a", (n) => (n.metadata["labels"] = { heartbeat: String(Date.now()) }));
    };
    const first = await allocator.reconcileOnce(client, { pool: "10.9.0.0/16", blockPrefix: 24 }, () => {});
    expect(first.conflicts).toEqual(["a"]);
    expect(podCidrOf(api, "a")).toBeUndefined();
    expect(api.requests.at(-1)).toEqual({ method: "PATCH", path: "/api/v1/nodes/a", status: 422 });
    api.afterRequest = undefined;
    const second = await allocator.reconcileOnce(client, { pool: "10.9.0.0/16", blockPrefix: 24 }, () => {});
    expect(second.assigned).toEqual([{ node: "a", podCidr: "10.9.0.0/24" }]);
    expect(api.get(NODES, "a")!.metadata["labels"]).toBeDefined();
  });

  it("fails the pass on server errors and reports pool exhaustion without patching", async () => {
    const client = await connect();
    api.seed(NODES, node("a"));
    api.injectFault({ method: "GET", path: /\/nodes$/, status: 503, times: 1 });
    await expect(allocator.reconcileOnce(client, { pool: "10.1.0.0/24", blockPrefix: 24 }, () => {})).rejects.toThrow(/HTTP 503/);
    api.seed(NODES, node("b"));
    const logs: string[] = [];
    const pass = await allocator.reconcileOnce(client, { pool: "10.1.0.0/24", blockPrefix: 24 }, (m) => logs.push(m));
    expect(pass.assigned).toEqual([{ node: "a", podCidr: "10.1.0.0/24" }]);
    expect(pass.exhausted).toEqual(["b"]);
    expect(logs.join("\n")).toMatch(/no free \/24 for node b: enlarge the pod CIDR/);
  });

  it("runs as the shipped program with service-account credentials until every node has a CIDR", async () => {
    api = new FakeKubernetesApi("sa-token");
    const server = await api.start();
    const saDir = fs.mkdtempSync(path.join(os.tmpdir(), "sa-"));
    fs.writeFileSync(path.join(saDir, "token"), "sa-token\n");
    for (const name of ["n1", "n2", "n3"]) api.seed(NODES, node(name));
    const child = spawn(process.execPath, [programPath], {
      env: { ALLOCATOR_API_SERVER: server, ALLOCATOR_SERVICE_ACCOUNT_DIR: saDir, POD_CIDR_POOL: "100.64.0.0/16", NODE_CIDR_PREFIX_LENGTH: "25", RECONCILE_INTERVAL_SECONDS: "0.1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && !["n1", "n2", "n3"].every((n) => podCidrOf(api, n))) await new Promise((r) => setTimeout(r, 50));
      expect(["n1", "n2", "n3"].map((n) => podCidrOf(api, n))).toEqual(["100.64.0.0/25", "100.64.0.128/25", "100.64.1.0/25"]);
      // A node joining later is served on a following pass.
      api.seed(NODES, node("n4"));
      while (Date.now() < deadline && !podCidrOf(api, "n4")) await new Promise((r) => setTimeout(r, 50));
      expect(podCidrOf(api, "n4")).toBe("100.64.1.128/25");
      expect(api.requests.every((r) => r.status !== 401)).toBe(true);
    } finally {
      child.kill("SIGTERM");
      fs.rmSync(saDir, { recursive: true, force: true });
    }
  });
});

describe("node pod-CIDR allocator in the Canal plan", () => {
  it("is deployed where the control plane allocates no node CIDRs and host-local IPAM needs them", async () => {
    const vxlan = planCanal(eksVxlan);
    const native = planCanal({ ...eksVxlan, topology: "native-vpc", podMtu: 9001, disableSourceDestCheck: true });
    for (const plan of [vxlan, native]) expect(findObject(plan, "Deployment", NODE_POD_CIDR_ALLOCATOR_NAME)).toBeDefined();
    await validateKubernetesObjects(vxlan.objects);
    expect(findObject(planCanal({ ...eksVxlan, topology: "ipip-crosssubnet", podMtu: 8981, disableSourceDestCheck: true }), "Deployment", NODE_POD_CIDR_ALLOCATOR_NAME)).toBeUndefined();
    expect(findObject(planCanal({ ...eksVxlan, nodePodCidrsAllocated: true }), "Deployment", NODE_POD_CIDR_ALLOCATOR_NAME)).toBeUndefined();
  });

  it("runs on the host network on not-ready nodes with the pool and block size, and only node rights", () => {
    const plan = planCanal(eksVxlan, { nodeCidrPrefixLength: 25 });
    const deployment = findObject(plan, "Deployment", NODE_POD_CIDR_ALLOCATOR_NAME) as any;
    const pod = deployment.spec.template.spec;
    expect(pod.hostNetwork).toBe(true);
    expect(pod.tolerations).toEqual([{ operator: "Exists" }]);
    expect(deployment.spec.replicas).toBe(1);
    expect(Object.fromEntries(pod.containers[0].env.map((e: any) => [e.name, e.value]))).toMatchObject({ POD_CIDR_POOL: "100.64.0.0/16", NODE_CIDR_PREFIX_LENGTH: "25" });
    expect((findObject(plan, "ClusterRole", NODE_POD_CIDR_ALLOCATOR_NAME) as any).rules).toEqual([{ apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch", "patch"] }]);
    expect((findObject(plan, "ConfigMap", NODE_POD_CIDR_ALLOCATOR_NAME) as any).data["node-pod-cidr-allocator.js"]).toBe(fs.readFileSync(programPath, "utf8"));
    expect(nodePodCidrAllocatorProgram()).toContain("planNodePodCidrs");
  });

  it("refuses a node block size that does not fit or has no effect", () => {
    expect(() => planCanal(eksVxlan, { nodeCidrPrefixLength: 12 })).toThrow(CanalkitInputError);
    expect(() => planCanal(eksVxlan, { nodeCidrPrefixLength: 12 })).toThrow(/cni.nodeCidrPrefixLength.*from 16/);
    expect(() => planCanal({ ...eksVxlan, nodePodCidrsAllocated: true }, { nodeCidrPrefixLength: 24 })).toThrow(/control plane allocates node CIDRs/);
    expect(() => planCanal(eksVxlan, { nodeCidrPrefixLength: 26, maxNodes: 1025 })).toThrow(/at most 1024 nodes their \/26/);
  });
});
