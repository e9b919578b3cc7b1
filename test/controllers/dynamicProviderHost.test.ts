/**
 * The controllers as the engine runs them: the program registers them (under the SDK's mocks, so
 * the SDK serializes each provider into `__provider`), then the SDK's own dynamic-provider host
 * deserializes that text in a separate process and serves Check/Diff/Create/Read/Update/Delete
 * over gRPC against local Kubernetes API servers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeEc2Api } from "../support/fakeEc2Api";
import { type DynamicProviderHost } from "../support/dynamicProviderHost";
import { startHostedControllers, type RegisteredController } from "../support/hostedControllers";
import { testKubeconfig } from "../support/kubeconfig";
import { FakeKubernetesApi } from "../support/fakeKubernetesApi";

const NS = "erie-canal";
const CONFIGMAPS = `/api/v1/namespaces/${NS}/configmaps`;
const DAEMONSETS = "/apis/apps/v1/namespaces/kube-system/daemonsets";

let host: DynamicProviderHost;
let controlPlane: FakeKubernetesApi;
let member: FakeKubernetesApi;
let registered: Record<string, RegisteredController>;

beforeAll(async () => {
  ({ host, registered } = await startHostedControllers());
  controlPlane = new FakeKubernetesApi("cp");
  member = new FakeKubernetesApi("member");
});

afterAll(async () => {
  await host?.close();
  await controlPlane?.stop();
  await member?.stop();
});

describe("controllers through the SDK's dynamic-provider host", () => {
  it("registers a lean provider that loads the installed controllers and holds no secret", () => {
    for (const { inputs } of Object.values(registered)) {
      const code = inputs["__provider"] as string;
      expect(code).toContain('"canalkit/controllers/engine"');
      // Kept in every resource's state: the lean text, whatever the controller's size.
      expect(code.length).toBeLessThan(600);
      expect(code).not.toMatch(/admin|\bcp\b.*token/);
    }
    expect(registered["ClusterJoin"]!.inputs["memberKubeconfig"]).toBe("[secret]");
    expect(registered["DefaultCniRemoval"]!.inputs["kubeconfig"]).toBe("[secret]");
    expect(registered["ExportReconciler"]!.inputs["exporters"]).toBe("[secret]");
  });

  it("ClusterJoin: check, create after the join, no diff on identical inputs, refresh drift, delete", async () => {
    const { urn, inputs } = registered["ClusterJoin"]!;
    const cpUid = controlPlane.seed(`/api/v1/namespaces`, { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } }).metadata.uid!;
    member.seed(CONFIGMAPS, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "erie-canal-mesh-config", namespace: NS }, data: { "mesh_config.json": JSON.stringify({ isManaged: true, cluster: { uid: "m", controlPlaneUID: cpUid } }) } });
    const news = { ...inputs, controlPlaneKubeconfig: testKubeconfig(await controlPlane.start(), "cp"), memberKubeconfig: testKubeconfig(await member.start(), "member"), pollSeconds: 0.1 };

    const bad = await host.check(urn, {}, { ...news, timeoutSeconds: 0 });
    expect(bad.failures).toContainEqual({ property: "timeoutSeconds", reason: "timeoutSeconds = 0: must be from 1 to 3600" });
    const checked = await host.check(urn, {}, news);
    expect(checked.failures).toEqual([]);
    const created = await host.create(urn, checked.inputs);
    expect(created.id).toBe("r/z/g/east");
    expect(created.props).toMatchObject({ managed: true, controlPlaneUid: cpUid });

    const writes = member.requests.filter((r) => r.method !== "GET").length + controlPlane.requests.filter((r) => r.method !== "GET").length;
    expect(await host.diff(urn, created.id, created.props, checked.inputs)).toEqual({ changes: "none", replaces: [] });
    // A release whose controller checks something new verifies existing joins again.
    expect((await host.diff(urn, created.id, created.props, { ...checked.inputs, controllerVersion: "cluster-join/2" })).changes).toBe("some");
    expect(writes).toBe(0);

    member.mutate(CONFIGMAPS, "erie-canal-mesh-config", (cm) => (cm["data"] = { "mesh_config.json": JSON.stringify({ isManaged: true, cluster: { uid: "m", controlPlaneUID: "elsewhere" } }) }));
    const read = await host.read(urn, created.id, created.props);
    expect(read.props).toMatchObject({ managed: false, memberControlPlaneUid: "elsewhere" });
    expect((await host.diff(urn, created.id, read.props, checked.inputs)).changes).toBe("some");
    await expect(host.update(urn, created.id, read.props, checked.inputs)).rejects.toThrow(/managed by another control plane/);
    await host.delete(urn, created.id, created.props);
  });

  it("DefaultCniRemoval: removes aws-node and nothing else, a second create writes nothing", async () => {
    const { urn, inputs } = registered["DefaultCniRemoval"]!;
    const api = new FakeKubernetesApi("admin");
    const kubeconfig = testKubeconfig(await api.start(), "admin");
    try {
      for (const name of ["aws-node", "kube-proxy"]) api.seed(DAEMONSETS, { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name, namespace: "kube-system" }, spec: {} });
      const news = { ...inputs, kubeconfig };
      const created = await host.create(urn, (await host.check(urn, {}, news)).inputs);
      expect(created.props).toMatchObject({ removed: true, present: false });
      expect(api.list(DAEMONSETS).map((d) => d.metadata.name)).toEqual(["kube-proxy"]);
      const deletes = api.requests.filter((r) => r.method === "DELETE").length;
      await host.create(urn, news);
      expect(api.requests.filter((r) => r.method === "DELETE").length).toBe(deletes);
      expect(await host.diff(urn, created.id, created.props, news)).toMatchObject({ changes: "none" });
      await host.delete(urn, created.id, created.props);
      expect(api.list(DAEMONSETS).map((d) => d.metadata.name)).toEqual(["kube-proxy"]);
    } finally {
      await api.stop();
    }
  });

  it("ExportReconciler: create converges and reports where the service is served and consumed", async () => {
    const { urn, inputs } = registered["ExportReconciler"]!;
    const east = new FakeKubernetesApi("t");
    const north = new FakeKubernetesApi("t");
    try {
      const exporters = [{ cluster: "east", clusterKey: "r/z/g/east", kubeconfig: testKubeconfig(await east.start(), "t"), gatewayHost: "east.elb.example", gatewayPort: 80 }];
      const consumers = [{ cluster: "north", clusterKey: "r/z/g/north", kubeconfig: testKubeconfig(await north.start(), "t") }];
      east.seed("/apis/flomesh.io/v1alpha1/namespaces/shop/serviceexports", { apiVersion: "flomesh.io/v1alpha1", kind: "ServiceExport", metadata: { name: "catalog", namespace: "shop" }, spec: {} });
      north.seed("/apis/flomesh.io/v1alpha1/namespaces/shop/serviceimports", {
        apiVersion: "flomesh.io/v1alpha1",
        kind: "ServiceImport",
        metadata: { name: "catalog", namespace: "shop" },
        spec: { ports: [{ port: 8080, endpoints: [{ clusterKey: "r/z/g/east", target: { host: "east.elb.example", ip: "10.1.1.1", port: 80, path: "/shop/catalog" } }] }] },
      });
      const news = { ...inputs, exporters, consumers };
      const created = await host.create(urn, (await host.check(urn, {}, news)).inputs);
      expect(created.id).toBe("shop/catalog");
      expect(created.props).toMatchObject({ converged: true, servedBy: ["east"], consumedIn: ["north"], repaired: false });
      expect(await host.diff(urn, created.id, created.props, news)).toMatchObject({ changes: "none" });
    } finally {
      await east.stop();
      await north.stop();
    }
  });

  it("VpcRouteReconciler: create routes through EC2, delete removes exactly its routes", async () => {
    const { urn, inputs } = registered["VpcRouteReconciler"]!;
    const ec2 = new FakeEc2Api();
    const kube = new FakeKubernetesApi("t");
    try {
      ec2.routeTables.set("rtb-1", [{ destinationCidrBlock: "10.0.0.0/16", gatewayId: "local", origin: "CreateRouteTable" }]);
      ec2.instances.set("i-0a", { primaryEni: "eni-a", privateIp: "10.0.1.10" });
      kube.seed("/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name: "a" }, spec: { podCIDR: "100.64.0.0/24", providerID: "aws:///us-east-1a/i-0a" } });
      const news = { ...inputs, kubeconfig: testKubeconfig(await kube.start(), "t"), ec2Endpoint: await ec2.start() };
      const created = await host.create(urn, (await host.check(urn, {}, news)).inputs);
      expect(created.props).toMatchObject({ inSync: true, ownedRoutes: [{ routeTableId: "rtb-1", destination: "100.64.0.0/24", networkInterfaceId: "eni-a", node: "a" }] });
      expect(await host.diff(urn, created.id, created.props, news)).toMatchObject({ changes: "none" });
      await host.delete(urn, created.id, created.props);
      expect(ec2.routeTables.get("rtb-1")).toEqual([{ destinationCidrBlock: "10.0.0.0/16", gatewayId: "local", origin: "CreateRouteTable" }]);
    } finally {
      await ec2.stop();
      await kube.stop();
    }
  });
});
