/**
 * Every operation of every controller (check, diff, create, read, update, delete) through the SDK's
 * dynamic-provider host, ending with the cluster gone (issue 15 item 7): refresh keeps the last
 * state with a warning instead of failing (VpcRouteReconciler: the resource is gone once its route
 * tables are), and delete needs no cluster.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DynamicProviderHost } from "../support/dynamicProviderHost";
import { KEPT, startHostedControllers, type RegisteredController } from "../support/hostedControllers";
import { FakeKubernetesApi } from "../support/fakeKubernetesApi";
import { testKubeconfig } from "../support/kubeconfig";
import { localhostCertificate } from "../support/tlsCertificate";

// Every API server here speaks TLS with token authentication, as a real one does.
const tls = localhostCertificate();

const NS = "erie-canal";
let host: DynamicProviderHost;
let registered: Record<string, RegisteredController>;

beforeAll(async () => {
  ({ host, registered } = await startHostedControllers());
});

afterAll(async () => {
  await host?.close();
});

describe("every operation through the dynamic-provider host, then the cluster vanishes", () => {
  it("ClusterJoin: a control plane without its namespace is drift; an unreachable one keeps the last state", async () => {
    const { urn, inputs } = registered["ClusterJoin"]!;
    const cp = new FakeKubernetesApi("cp", tls);
    const member = new FakeKubernetesApi("m", tls);
    const cpUid = cp.seed("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } }).metadata.uid!;
    member.seed("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
    member.seed(`/api/v1/namespaces/${NS}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "erie-canal-mesh-config", namespace: NS }, data: { "mesh_config.json": JSON.stringify({ isManaged: true, cluster: { uid: "m", controlPlaneUID: cpUid } }) } });
    const news = { ...inputs, controlPlaneKubeconfig: testKubeconfig(await cp.start(), "cp", tls.cert), memberKubeconfig: testKubeconfig(await member.start(), "m", tls.cert), timeoutSeconds: 2, pollSeconds: 0.1 };
    const checked = (await host.check(urn, {}, news)).inputs;
    const created = await host.create(urn, checked);
    expect((await host.diff(urn, created.id, created.props, checked)).changes).toBe("none");
    const updated = await host.update(urn, created.id, created.props, { ...checked, controllerVersion: "cluster-join/2" });
    expect(updated).toMatchObject({ managed: true, controlPlaneUid: cpUid });
    const namespaces = await (async () => {
      await cp.stop();
      const again = new FakeKubernetesApi("cp", tls);
      return again;
    })();
    // The control plane was rebuilt without ErieCanal: the join is gone (drift), not an error.
    const emptyCp = testKubeconfig(await namespaces.start(), "cp", tls.cert);
    const drift = await host.read(urn, created.id, { ...updated, controlPlaneKubeconfig: emptyCp });
    expect(drift.props).toMatchObject({ managed: false, controlPlaneUid: "" });
    // Both clusters gone: refresh keeps what it knew, with a warning; delete needs no cluster.
    await namespaces.stop();
    await member.stop();
    const kept = await host.read(urn, created.id, updated);
    expect(kept.id).toBe(created.id);
    expect(kept.props).toMatchObject({ managed: true, controlPlaneUid: cpUid, warning: expect.stringMatching(KEPT) });
    await host.delete(urn, created.id, kept.props);
  });

  it("DefaultCniRemoval: check, create, diff, read, update, delete; refresh of a vanished cluster keeps the last state", async () => {
    const { urn, inputs } = registered["DefaultCniRemoval"]!;
    const api = new FakeKubernetesApi("admin", tls);
    const news = { ...inputs, kubeconfig: testKubeconfig(await api.start(), "admin", tls.cert), timeoutSeconds: 2, pollSeconds: 0.05 };
    api.seed("/apis/apps/v1/namespaces/kube-system/daemonsets", { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "aws-node", namespace: "kube-system" }, spec: {} });
    const checked = await host.check(urn, {}, news);
    expect(checked.failures).toEqual([]);
    const created = await host.create(urn, checked.inputs);
    expect(created.props).toMatchObject({ removed: true, present: false });
    // Reinstalled by hand: refresh sees it, the diff asks for an update, the update removes it.
    api.seed("/apis/apps/v1/namespaces/kube-system/daemonsets", { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "aws-node", namespace: "kube-system" }, spec: {} });
    const read = await host.read(urn, created.id, created.props);
    expect(read.props).toMatchObject({ present: true, warning: "" });
    expect((await host.diff(urn, created.id, read.props, checked.inputs)).changes).toBe("some");
    const updated = await host.update(urn, created.id, read.props, checked.inputs);
    expect(updated).toMatchObject({ removed: true, present: false });
    expect(api.list("/apis/apps/v1/namespaces/kube-system/daemonsets")).toEqual([]);
    await api.stop();
    const kept = await host.read(urn, created.id, updated);
    expect(kept.props).toMatchObject({ removed: true, present: false, warning: expect.stringMatching(KEPT) });
    await host.delete(urn, created.id, kept.props);
  });
});
