/**
 * Every operation of ExportReconciler and VpcRouteReconciler through the SDK's dynamic-provider
 * host, ending with the clusters gone (issue 15 item 7); ClusterJoin and DefaultCniRemoval are in
 * hostedLifecycle.test.ts (split to keep each file short: reads of a stopped server are retried).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DynamicProviderHost } from "../support/dynamicProviderHost";
import { KEPT, startHostedControllers, type RegisteredController } from "../support/hostedControllers";
import { FakeEc2Api } from "../support/fakeEc2Api";
import { FakeKubernetesApi } from "../support/fakeKubernetesApi";
import { testKubeconfig } from "../support/kubeconfig";
import { localhostCertificate } from "../support/tlsCertificate";

// Every API server here speaks TLS with token authentication, as a real one does.
const tls = localhostCertificate();

let host: DynamicProviderHost;
let registered: Record<string, RegisteredController>;

beforeAll(async () => {
  ({ host, registered } = await startHostedControllers());
});

afterAll(async () => {
  await host?.close();
});

describe("every operation through the dynamic-provider host, then the cluster vanishes (multi-cluster and EC2)", () => {
  it("ExportReconciler: check, create, diff, read, update, delete; refresh of a vanished consumer keeps the last state", async () => {
    const { urn } = registered["ExportReconciler"]!;
    const east = new FakeKubernetesApi("t", tls);
    const north = new FakeKubernetesApi("t", tls);
    const exporters = [{ cluster: "east", clusterKey: "r/z/g/east", kubeconfig: testKubeconfig(await east.start(), "t", tls.cert), gatewayHost: "east.elb.example", gatewayPort: 80 }];
    const consumers = [{ cluster: "north", clusterKey: "r/z/g/north", kubeconfig: testKubeconfig(await north.start(), "t", tls.cert) }];
    east.seed("/apis/flomesh.io/v1alpha1/namespaces/shop/serviceexports", { apiVersion: "flomesh.io/v1alpha1", kind: "ServiceExport", metadata: { name: "catalog", namespace: "shop" }, spec: {} });
    const imported = (host: string) => ({ apiVersion: "flomesh.io/v1alpha1", kind: "ServiceImport", metadata: { name: "catalog", namespace: "shop" }, spec: { ports: [{ port: 8080, endpoints: [{ clusterKey: "r/z/g/east", target: { host, ip: "10.1.1.1", port: 80, path: "/shop/catalog" } }] }] } });
    north.seed("/apis/flomesh.io/v1alpha1/namespaces/shop/serviceimports", imported("east.elb.example"));
    const news = { ...registered["ExportReconciler"]!.inputs, exporters, consumers, timeoutSeconds: 2, pollSeconds: 0.05, repairAfterSeconds: 1 };
    const checked = (await host.check(urn, {}, news)).inputs;
    const created = await host.create(urn, checked);
    expect(created.props).toMatchObject({ converged: true });
    north.mutate("/apis/flomesh.io/v1alpha1/namespaces/shop/serviceimports", "catalog", (o) => (o["spec"] = imported("old.example")["spec"]));
    const read = await host.read(urn, created.id, created.props);
    expect(read.props).toMatchObject({ converged: false, lagging: [expect.stringMatching(/north: port 8080: endpoint for r\/z\/g\/east points at old.example/)] });
    expect((await host.diff(urn, created.id, read.props, checked)).changes).toBe("some");
    north.mutate("/apis/flomesh.io/v1alpha1/namespaces/shop/serviceimports", "catalog", (o) => (o["spec"] = imported("east.elb.example")["spec"]));
    const updated = await host.update(urn, created.id, read.props, checked);
    expect(updated).toMatchObject({ converged: true, lagging: [] });
    await north.stop();
    await east.stop();
    const kept = await host.read(urn, created.id, updated);
    expect(kept.props).toMatchObject({ converged: true, warning: expect.stringMatching(KEPT) });
    await host.delete(urn, created.id, kept.props);
  });

  it("VpcRouteReconciler: check, create, diff, read, update, delete; unreachable cluster keeps the state, deleted tables end the resource", async () => {
    const { urn, inputs } = registered["VpcRouteReconciler"]!;
    const ec2 = new FakeEc2Api();
    const kube = new FakeKubernetesApi("t", tls);
    try {
      ec2.routeTables.set("rtb-1", [{ destinationCidrBlock: "10.0.0.0/16", gatewayId: "local", origin: "CreateRouteTable" }]);
      ec2.instances.set("i-0a", { primaryEni: "eni-a", privateIp: "10.0.1.10" });
      ec2.instances.set("i-0b", { primaryEni: "eni-b", privateIp: "10.0.1.11" });
      kube.seed("/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name: "a" }, spec: { podCIDR: "100.64.0.0/24", providerID: "aws:///us-east-1a/i-0a" } });
      const news = { ...inputs, kubeconfig: testKubeconfig(await kube.start(), "t", tls.cert), ec2Endpoint: await ec2.start() };
      const checked = (await host.check(urn, {}, news)).inputs;
      const created = await host.create(urn, checked);
      // A node joined since: refresh sees the tables out of sync, the update routes it.
      kube.seed("/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name: "b" }, spec: { podCIDR: "100.64.1.0/24", providerID: "aws:///us-east-1a/i-0b" } });
      const read = await host.read(urn, created.id, created.props);
      expect(read.props).toMatchObject({ inSync: false, warning: "" });
      expect((await host.diff(urn, created.id, read.props, checked)).changes).toBe("some");
      const updated = await host.update(urn, created.id, read.props, checked);
      expect(updated).toMatchObject({ inSync: true });
      expect((updated["ownedRoutes"] as unknown[]).length).toBe(2);
      await kube.stop();
      const kept = await host.read(urn, created.id, updated);
      expect(kept.props).toMatchObject({ inSync: true, warning: expect.stringMatching(KEPT) });
      // Destroy with the cluster gone: EC2 alone is enough to remove exactly its routes.
      await host.delete(urn, created.id, kept.props);
      expect(ec2.routeTables.get("rtb-1")).toEqual([{ destinationCidrBlock: "10.0.0.0/16", gatewayId: "local", origin: "CreateRouteTable" }]);
      // The VPC deleted (its tables with it): refresh reports the resource gone.
      ec2.routeTables.delete("rtb-1");
      expect((await host.read(urn, created.id, updated)).id).toBe("");
    } finally {
      await ec2.stop();
      await kube.stop();
    }
  });
});
