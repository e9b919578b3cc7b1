/**
 * Issue 15 item 1: against an API server that accepts connections and never answers, every wait
 * ends at its bound with what it saw, and each hung request gives its slot (and its connection)
 * back. The bounds are inputs, small here; nothing asserts elapsed time.
 */
import { afterEach, describe, expect, it } from "vitest";
import { connectKubernetes, MAX_REQUESTS_PER_CLUSTER } from "../../components/controllers/kubernetesApi";
import { withDeadline } from "../../components/controllers/deadline";
import { reconcileExports, waitForJoin, type ClusterJoinInputs, type ExportReconcilerInputs } from "../../components/controllers";
import { FakeKubernetesApi } from "../support/fakeKubernetesApi";
import { testKubeconfig } from "../support/kubeconfig";

const servers: FakeKubernetesApi[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

/** An API server that takes every request and never answers. */
async function blackhole(): Promise<{ api: FakeKubernetesApi; kubeconfig: string }> {
  const api = new FakeKubernetesApi("t");
  servers.push(api);
  const kubeconfig = testKubeconfig(await api.start(), "t");
  for (const method of ["GET", "POST", "PATCH", "PUT", "DELETE"]) api.injectFault({ method, path: /./, status: "hang", times: 1_000 });
  return { api, kubeconfig };
}

/** Resolves once the server holds no open request (the client gave up on each). */
async function allReleased(api: FakeKubernetesApi): Promise<void> {
  while (api.openRequests > 0) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe("waits against an API server that never answers", () => {
  it("ClusterJoin ends at timeoutSeconds with what it saw, and frees every slot", async () => {
    const { api, kubeconfig } = await blackhole();
    const inputs: ClusterJoinInputs = { memberName: "east", clusterKey: "k/east", namespace: "erie-canal", controlPlaneName: "hub", controlPlaneKubeconfig: kubeconfig, memberKubeconfig: kubeconfig, timeoutSeconds: 0.5, pollSeconds: 0.1, controllerVersion: "cluster-join/1" };
    await expect(waitForJoin(inputs)).rejects.toThrow(/not joined to hub after 0.5s; last seen: an error reading the clusters: no answer from the API server within .*request timed out/);
    expect(api.requests.some((r) => r.status === -1)).toBe(true);
    expect(connectKubernetes(kubeconfig).inFlight()).toBe(0);
    await allReleased(api);
  });

  it("ExportReconciler ends at timeoutSeconds naming the consumer it could not read", async () => {
    const { kubeconfig } = await blackhole();
    const inputs: ExportReconcilerInputs = {
      serviceName: "catalog",
      namespace: "shop",
      exporters: [{ cluster: "east", clusterKey: "k/east", kubeconfig, gatewayHost: "east.example", gatewayPort: 80 }],
      consumers: [{ cluster: "north", clusterKey: "k/north", kubeconfig }],
      rules: [{ portNumber: 8080, path: "/" }],
      timeoutSeconds: 0.5,
      pollSeconds: 0.1,
      repairAfterSeconds: 0,
      controllerVersion: "export-reconciler/1",
    };
    await expect(reconcileExports(inputs)).rejects.toThrow(/not consumable everywhere after 0.5s.*reading failed: no answer from the API server/);
    expect(connectKubernetes(kubeconfig).inFlight()).toBe(0);
  });

  it("more hung requests than slots: each times out, the queued ones too, and the cluster is usable again", async () => {
    const { api, kubeconfig } = await blackhole();
    const { core } = connectKubernetes(kubeconfig);
    const reads = Array.from({ length: MAX_REQUESTS_PER_CLUSTER + 4 }, (_, i) => withDeadline(Date.now() + 300, () => core.readNamespace({ name: `ns${i}` })));
    const outcomes = await Promise.allSettled(reads);
    expect(outcomes.every((o) => o.status === "rejected" && /timed out/.test(String(o.reason?.message)))).toBe(true);
    expect(connectKubernetes(kubeconfig).inFlight()).toBe(0);
    await allReleased(api);
    // The server answers again: the freed slots serve new requests.
    api.seed("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "back" } });
    api["faults"].splice(0);
    await expect(core.readNamespace({ name: "back" })).resolves.toMatchObject({ metadata: { name: "back" } });
  });
});
