import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { instanceIdOf, planVpcRoutes, reconcileVpcRoutes, RoutePlanError, vpcRouteReconcilerProvider, vpcRoutesInSync, type VpcRouteReconcilerInputs } from "../../components/controllers";
import { testKubeconfig } from "../support/kubeconfig";
import { FakeEc2Api } from "../support/fakeEc2Api";
import { FakeKubernetesApi, type StoredObject } from "../support/fakeKubernetesApi";

const NODES = "/api/v1/nodes";
const node = (name: string, podCIDR: string | undefined, instance: string): StoredObject => ({ apiVersion: "v1", kind: "Node", metadata: { name }, spec: { ...(podCIDR ? { podCIDR } : {}), providerID: `aws:///us-east-1a/${instance}` } });

describe("the native-vpc route plan", () => {
  const nodes = [{ name: "a", podCidr: "100.64.0.0/24", networkInterfaceId: "eni-a" }, { name: "b", podCidr: "100.64.1.0/24", networkInterfaceId: "eni-b" }];
  const base = [{ destination: "10.10.0.0/16", target: "local" }, { destination: "0.0.0.0/0", target: "nat-1" }];

  it("adds one route per node in every table and owns exactly those", () => {
    const plan = planVpcRoutes({ nodes, tables: new Map([["rtb-1", base], ["rtb-2", base]]), owned: [], quota: 50 });
    expect(plan.changes.map((c) => `${c.action} ${c.routeTableId} ${c.destination} ${c.networkInterfaceId}`)).toEqual([
      "create rtb-1 100.64.0.0/24 eni-a",
      "create rtb-1 100.64.1.0/24 eni-b",
      "create rtb-2 100.64.0.0/24 eni-a",
      "create rtb-2 100.64.1.0/24 eni-b",
    ]);
    expect(plan.owned).toHaveLength(4);
  });

  it("replaces its own route when a node's interface changed, removes routes of nodes that left, never touches others", () => {
    const owned = [
      { routeTableId: "rtb-1", destination: "100.64.0.0/24", networkInterfaceId: "eni-old", node: "a" },
      { routeTableId: "rtb-1", destination: "100.64.9.0/24", networkInterfaceId: "eni-gone", node: "gone" },
    ];
    const tables = new Map([["rtb-1", [...base, { destination: "100.64.0.0/24", target: "eni-old" }, { destination: "100.64.9.0/24", target: "eni-gone" }, { destination: "192.168.0.0/16", target: "pcx-1" }]]]);
    const plan = planVpcRoutes({ nodes, tables, owned, quota: 50 });
    expect(plan.changes.map((c) => `${c.action} ${c.destination}`)).toEqual(["replace 100.64.0.0/24", "create 100.64.1.0/24", "delete 100.64.9.0/24"]);
    expect(() => planVpcRoutes({ nodes, tables: new Map([["rtb-1", [...base, { destination: "100.64.1.0/24", target: "pcx-9" }]]]), owned: [], quota: 50 })).toThrow(
      /route table rtb-1 already routes 100.64.1.0\/24 to pcx-9, and canalkit did not create that route; it will not overwrite it/,
    );
  });

  it("refuses a plan over the route quota before any write, naming the table and the fix", () => {
    expect(() => planVpcRoutes({ nodes, tables: new Map([["rtb-1", base]]), owned: [], quota: 3 })).toThrow(RoutePlanError);
    expect(() => planVpcRoutes({ nodes, tables: new Map([["rtb-1", base]]), owned: [], quota: 3 })).toThrow(/route table rtb-1 would hold 4 routes, over its quota of 3.*routeTableQuota/);
  });

  it("reads the instance id from a node's providerID", () => {
    expect(instanceIdOf("aws:///us-east-1a/i-0123456789abcdef0")).toBe("i-0123456789abcdef0");
    expect(instanceIdOf("kind://docker/kind/kind-control-plane")).toBeUndefined();
  });
});

describe("VpcRouteReconciler against EC2 and Kubernetes API servers", () => {
  const saved = { ...process.env };
  let ec2: FakeEc2Api;
  let kube: FakeKubernetesApi;
  let inputs: VpcRouteReconcilerInputs;

  beforeAll(() => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "secret", AWS_EC2_METADATA_DISABLED: "true" });
  });
  afterAll(() => {
    process.env = saved;
  });
  afterEach(async () => {
    await ec2?.stop();
    await kube?.stop();
  });

  const setUp = async () => {
    ec2 = new FakeEc2Api();
    kube = new FakeKubernetesApi("t");
    const endpoint = await ec2.start();
    inputs = { clusterName: "east", region: "us-east-1", kubeconfig: testKubeconfig(await kube.start(), "t"), routeTableIds: ["rtb-1", "rtb-2", "rtb-3"], podCidr: "100.64.0.0/16", routeQuota: 50, ec2Endpoint: endpoint, controllerVersion: "vpc-route-reconciler/1" };
    for (const table of inputs.routeTableIds) ec2.routeTables.set(table, [{ destinationCidrBlock: "10.10.0.0/16", gatewayId: "local", origin: "CreateRouteTable" }, { destinationCidrBlock: "172.31.0.0/16", gatewayId: "pcx-peer", origin: "CreateRoute" }]);
    ec2.routeTables.set("rtb-other", [{ destinationCidrBlock: "100.64.0.0/24", networkInterfaceId: "eni-foreign", origin: "CreateRoute" }]);
    for (const [i, name] of ["a", "b", "c"].entries()) {
      ec2.instances.set(`i-0${i}`, { primaryEni: `eni-${name}`, privateIp: `10.10.0.${i + 10}` });
      kube.seed(NODES, node(name, `100.64.${i}.0/24`, `i-0${i}`));
    }
    // A node without a pod CIDR yet, and one outside the pool, get no route.
    ec2.instances.set("i-09", { primaryEni: "eni-z", privateIp: "10.10.0.99" });
    kube.seed(NODES, node("new", undefined, "i-09"));
    kube.seed(NODES, node("odd", "192.168.5.0/24", "i-09"));
  };

  it("creates one route per node in every table through paged answers, then a reconcile with no change writes nothing", async () => {
    await setUp();
    const created = await vpcRouteReconcilerProvider.create(inputs);
    expect(created.outs!.ownedRoutes).toHaveLength(9);
    for (const table of inputs.routeTableIds) {
      expect(ec2.routeTables.get(table)!.filter((r) => r.destinationCidrBlock.startsWith("100.64.")).map((r) => `${r.destinationCidrBlock}>${r.networkInterfaceId}`)).toEqual(["100.64.0.0/24>eni-a", "100.64.1.0/24>eni-b", "100.64.2.0/24>eni-c"]);
      expect(ec2.routeTables.get(table)!.find((r) => r.gatewayId === "pcx-peer")).toBeDefined();
    }
    expect(ec2.routeTables.get("rtb-other")).toEqual([{ destinationCidrBlock: "100.64.0.0/24", networkInterfaceId: "eni-foreign", origin: "CreateRoute" }]);
    expect(ec2.calls.filter((c) => c.action === "DescribeRouteTables").length).toBeGreaterThan(1);
    const writes = ec2.writes().length;
    expect(await reconcileVpcRoutes(inputs, created.outs!.ownedRoutes)).toMatchObject({ changed: 0 });
    expect(ec2.writes()).toHaveLength(writes);
  });

  it("converges through throttling and server errors", async () => {
    await setUp();
    ec2.injectFault("DescribeRouteTables", 503, "Unavailable", 2);
    ec2.injectFault("CreateRoute", 400, "RequestLimitExceeded", 2);
    const { owned } = await reconcileVpcRoutes(inputs, []);
    expect(owned).toHaveLength(9);
    expect(ec2.calls.some((c) => c.status === 503)).toBe(true);
  });

  it("refresh sees a node that left; the update removes only its routes; delete removes only owned routes", async () => {
    await setUp();
    const created = await vpcRouteReconcilerProvider.create(inputs);
    await kube.stop();
    kube = new FakeKubernetesApi("t");
    const kubeconfig = testKubeconfig(await kube.start(), "t");
    kube.seed(NODES, node("a", "100.64.0.0/24", "i-00"));
    kube.seed(NODES, node("b", "100.64.1.0/24", "i-01"));
    const moved = { ...created.outs!, kubeconfig };
    expect(await vpcRoutesInSync(moved, moved.ownedRoutes)).toBe(false);
    const read = await vpcRouteReconcilerProvider.read!(created.id, moved);
    expect(read.props!.inSync).toBe(false);
    expect((await vpcRouteReconcilerProvider.diff!(created.id, read.props!, { ...inputs, kubeconfig })).changes).toBe(true);
    const updated = await vpcRouteReconcilerProvider.update!(created.id, read.props!, { ...inputs, kubeconfig });
    expect(updated.outs!.ownedRoutes.map((o) => o.node)).not.toContain("c");
    expect(ec2.routeTables.get("rtb-1")!.map((r) => r.destinationCidrBlock)).toEqual(["10.10.0.0/16", "172.31.0.0/16", "100.64.0.0/24", "100.64.1.0/24"]);
    await vpcRouteReconcilerProvider.delete!(created.id, updated.outs!);
    for (const table of inputs.routeTableIds) expect(ec2.routeTables.get(table)!.map((r) => r.destinationCidrBlock)).toEqual(["10.10.0.0/16", "172.31.0.0/16"]);
    expect(ec2.routeTables.get("rtb-other")).toHaveLength(1);
  });

  it("refuses to exceed the route quota with no route written", async () => {
    await setUp();
    await expect(reconcileVpcRoutes({ ...inputs, routeQuota: 4 }, [])).rejects.toThrow(/route table rtb-1 would hold 5 routes, over its quota of 4/);
    expect(ec2.writes()).toHaveLength(0);
  });
});
