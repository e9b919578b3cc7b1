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
      /route table rtb-1 already routes 100.64.1.0\/24 to pcx-9, and canalkit did not create that route; it will not take it over/,
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

describe("VpcRouteReconciler against EC2 as strict as the real one", () => {
  const saved = { ...process.env };
  let ec2: FakeEc2Api;
  let kube: FakeKubernetesApi;
  let inputs: VpcRouteReconcilerInputs;
  const local = () => [{ destinationCidrBlock: "10.10.0.0/16", gatewayId: "local", origin: "CreateRouteTable" as const }];
  const podRoutes = (table: string) => ec2.routeTables.get(table)!.filter((r) => r.destinationCidrBlock.startsWith("100.64.")).map((r) => `${r.destinationCidrBlock}>${r.networkInterfaceId}`);

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

  /** Three nodes a, b, c on instances i-00..i-02, three route tables with only their local route. */
  const setUp = async () => {
    ec2 = new FakeEc2Api();
    kube = new FakeKubernetesApi("t");
    const endpoint = await ec2.start();
    inputs = { clusterName: "east", region: "us-east-1", kubeconfig: testKubeconfig(await kube.start(), "t"), routeTableIds: ["rtb-1", "rtb-2", "rtb-3"], podCidr: "100.64.0.0/16", routeQuota: 50, ec2Endpoint: endpoint, controllerVersion: "vpc-route-reconciler/1" };
    for (const table of inputs.routeTableIds) ec2.routeTables.set(table, local());
    for (const [i, name] of ["a", "b", "c"].entries()) {
      ec2.instances.set(`i-0${i}`, { primaryEni: `eni-${name}`, privateIp: `10.10.0.${i + 10}` });
      kube.seed(NODES, node(name, `100.64.${i}.0/24`, `i-0${i}`));
    }
  };

  it("item 6: a node whose instance EC2 does not list stays that node's problem; the others get their routes", async () => {
    await setUp();
    kube.seed(NODES, node("stale", "100.64.7.0/24", "i-0dead"));
    const created = await vpcRouteReconcilerProvider.create(inputs);
    for (const table of inputs.routeTableIds) expect(podRoutes(table)).toEqual(["100.64.0.0/24>eni-a", "100.64.1.0/24>eni-b", "100.64.2.0/24>eni-c"]);
    expect(created.outs).toMatchObject({ inSync: false, pendingNodes: ["stale: EC2 does not list its instance i-0dead"] });
    // Once EC2 lists it, the next update routes it.
    ec2.instances.set("i-0dead", { primaryEni: "eni-late", privateIp: "10.10.0.77" });
    expect((await vpcRouteReconcilerProvider.diff!(created.id, created.outs!, inputs)).changes).toBe(true);
    const updated = await vpcRouteReconcilerProvider.update!(created.id, created.outs!, inputs);
    expect(updated.outs).toMatchObject({ inSync: true, pendingNodes: [] });
    expect(podRoutes("rtb-2")).toContain("100.64.7.0/24>eni-late");
  });

  it("item 6: an owned route of a node that is still there but unresolved is kept, not deleted", async () => {
    await setUp();
    const created = await vpcRouteReconcilerProvider.create(inputs);
    ec2.instances.delete("i-02");
    ec2.networkInterfaces.add("eni-c");
    const updated = await vpcRouteReconcilerProvider.update!(created.id, created.outs!, inputs);
    expect(podRoutes("rtb-1")).toContain("100.64.2.0/24>eni-c");
    expect(updated.outs!.ownedRoutes.filter((o) => o.node === "c")).toHaveLength(3);
  });

  it("item 5: an identical route canalkit did not create is refused, named, never adopted nor deleted", async () => {
    await setUp();
    ec2.routeTables.get("rtb-2")!.push({ destinationCidrBlock: "100.64.1.0/24", networkInterfaceId: "eni-b", origin: "CreateRoute" });
    await expect(vpcRouteReconcilerProvider.create(inputs)).rejects.toThrow(/route table rtb-2 already routes 100.64.1.0\/24 to eni-b, and canalkit did not create that route/);
    expect(ec2.writes()).toHaveLength(0);
    expect(podRoutes("rtb-2")).toEqual(["100.64.1.0/24>eni-b"]);
  });

  it("item 5: RouteAlreadyExists for a route someone else just made is refused with its target, and not owned", async () => {
    await setUp();
    ec2.networkInterfaces.add("eni-intruder");
    ec2.beforeAction = (action, params) => {
      if (action === "CreateRoute" && params["RouteTableId"] === "rtb-3" && params["DestinationCidrBlock"] === "100.64.2.0/24" && !ec2.routeTables.get("rtb-3")!.some((r) => r.destinationCidrBlock === "100.64.2.0/24")) {
        ec2.routeTables.get("rtb-3")!.push({ destinationCidrBlock: "100.64.2.0/24", networkInterfaceId: "eni-intruder", origin: "CreateRoute" });
      }
    };
    const failed = await vpcRouteReconcilerProvider.create(inputs).catch((error) => error);
    expect(failed.message).toMatch(/create of the route 100.64.2.0\/24 in rtb-3: the table already routes it to eni-intruder, a route canalkit did not create/);
    // The routes written before the refusal are recorded (the engine keeps them as the
    // resource's state), the intruder's is not.
    expect(failed.id).toBe("east/vpc-routes");
    expect(failed.properties.ownedRoutes).toHaveLength(8);
    expect(failed.properties.ownedRoutes.some((o: { routeTableId: string; destination: string }) => o.routeTableId === "rtb-3" && o.destination === "100.64.2.0/24")).toBe(false);
    // A retry (the next update) neither overwrites it nor claims it.
    ec2.beforeAction = undefined;
    await expect(vpcRouteReconcilerProvider.update!(failed.id, failed.properties, inputs)).rejects.toThrow(/rtb-3 already routes 100.64.2.0\/24 to eni-intruder/);
    expect(podRoutes("rtb-3")).toContain("100.64.2.0/24>eni-intruder");
    expect(ec2.writes().filter((c) => c.action === "ReplaceRoute")).toHaveLength(0);
  });

  it("lost answers: a create, replace and delete whose answers never arrive converge with exactly one route each", async () => {
    await setUp();
    ec2.loseAnswer("CreateRoute", 2);
    const created = await vpcRouteReconcilerProvider.create(inputs);
    for (const table of inputs.routeTableIds) expect(podRoutes(table)).toEqual(["100.64.0.0/24>eni-a", "100.64.1.0/24>eni-b", "100.64.2.0/24>eni-c"]);
    expect(created.outs!.ownedRoutes).toHaveLength(9);
    // Node b moved to a new instance (its pod CIDR reused), node c left.
    kube.mutate(NODES, "b", (n) => ((n["spec"] as { providerID: string }).providerID = "aws:///us-east-1a/i-0b2"));
    ec2.instances.set("i-0b2", { primaryEni: "eni-b2", privateIp: "10.10.0.50" });
    ec2.instances.delete("i-01");
    await kube.stop();
    const rest = new FakeKubernetesApi("t");
    const kubeconfig = testKubeconfig(await rest.start(), "t");
    rest.seed(NODES, node("a", "100.64.0.0/24", "i-00"));
    rest.seed(NODES, node("b", "100.64.1.0/24", "i-0b2"));
    kube = rest;
    ec2.loseAnswer("ReplaceRoute", 1);
    ec2.loseAnswer("DeleteRoute", 1);
    const updated = await vpcRouteReconcilerProvider.update!(created.id, created.outs!, { ...inputs, kubeconfig });
    for (const table of inputs.routeTableIds) expect(podRoutes(table)).toEqual(["100.64.0.0/24>eni-a", "100.64.1.0/24>eni-b2"]);
    expect(updated.outs!.ownedRoutes.map((o) => `${o.routeTableId} ${o.destination} ${o.networkInterfaceId}`)).toEqual([
      "rtb-1 100.64.0.0/24 eni-a",
      "rtb-1 100.64.1.0/24 eni-b2",
      "rtb-2 100.64.0.0/24 eni-a",
      "rtb-2 100.64.1.0/24 eni-b2",
      "rtb-3 100.64.0.0/24 eni-a",
      "rtb-3 100.64.1.0/24 eni-b2",
    ]);
  });

  it("EC2 refuses a route to an interface that does not exist; the error names the node's route", async () => {
    await setUp();
    await expect(reconcileVpcRoutes(inputs, [], [{ name: "ghost", podCidr: "100.64.9.0/24", networkInterfaceId: "eni-ghost" }])).rejects.toThrow(/create of the route 100.64.9.0\/24 in rtb-1 failed: .*eni-ghost/);
  });

  it("a blackhole route it owns (its node's interface deleted) is out of sync and replaced", async () => {
    await setUp();
    const created = await vpcRouteReconcilerProvider.create(inputs);
    // The instance of c was replaced; the new one has a new interface, the old one is gone.
    ec2.instances.set("i-02", { primaryEni: "eni-c2", privateIp: "10.10.0.12" });
    const read = await vpcRouteReconcilerProvider.read!(created.id, created.outs);
    expect(read.props).toMatchObject({ inSync: false });
    const updated = await vpcRouteReconcilerProvider.update!(created.id, read.props!, inputs);
    expect(updated.outs!.inSync).toBe(true);
    expect(podRoutes("rtb-1")).toContain("100.64.2.0/24>eni-c2");
  });

  it("item 9: delete with one route table gone still removes the routes in the others", async () => {
    await setUp();
    const created = await vpcRouteReconcilerProvider.create(inputs);
    ec2.routeTables.delete("rtb-2");
    await vpcRouteReconcilerProvider.delete!(created.id, created.outs!);
    expect(podRoutes("rtb-1")).toEqual([]);
    expect(podRoutes("rtb-3")).toEqual([]);
  });

  it("item 9: create and update name a route table that does not exist", async () => {
    await setUp();
    await expect(reconcileVpcRoutes({ ...inputs, routeTableIds: ["rtb-1", "rtb-9"] }, [])).rejects.toThrow(/route table rtb-9 does not exist/);
  });
});
