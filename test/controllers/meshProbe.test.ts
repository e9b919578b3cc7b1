import { afterEach, describe, expect, it } from "vitest";
import { allowedExporters, judgeProbe, meshProbeProvider, parseProbeOutcome, probeScript, runMeshProbe, type MeshProbeInputs } from "../../components/controllers";
import { FakeKubernetesApi } from "../support/fakeKubernetesApi";
import { testKubeconfig } from "../support/kubeconfig";
import { validateKubernetesObject } from "../support/validateKubernetes";
import { probePod } from "../../components/controllers/meshProbe";

const PODS = "/api/v1/namespaces/payments/pods";
const TOKEN = "probe-test-token";

const base = (kubeconfig: string): MeshProbeInputs => ({
  serviceName: "payments",
  namespace: "payments",
  port: 8080,
  path: "/",
  mode: "FailOver",
  exporters: ["east", "west"],
  consumer: { cluster: "north", kubeconfig },
  identityHeader: "x-served-by",
  calls: 4,
  image: "docker.io/flomesh/curl:7.84.0",
  timeoutSeconds: 5,
  pollSeconds: 0.01,
  controllerVersion: "mesh-probe/1",
});

describe("what a probe expects", () => {
  it("follows osm-edge's balancing: FailOver stays local when the consumer exports, else any listed exporter", () => {
    const i = base("");
    expect(allowedExporters(i)).toEqual(["east", "west"]);
    expect(allowedExporters({ ...i, consumer: { cluster: "west", kubeconfig: "" } })).toEqual(["west"]);
    expect(allowedExporters({ ...i, mode: "ActiveActive", weights: { east: 70, west: 0 } })).toEqual(["east"]);
    expect(allowedExporters({ ...i, mode: "Locality" })).toEqual([]);
  });

  it("reads the pod's report and says what went wrong", () => {
    const i = base("");
    expect(parseProbeOutcome("200 east|0\n200 west|0\n")).toEqual([{ status: 200, servedBy: "east", exit: 0 }, { status: 200, servedBy: "west", exit: 0 }]);
    expect(judgeProbe(i, parseProbeOutcome("200 east|0\n200 west|0"))).toBe("");
    expect(judgeProbe(i, parseProbeOutcome("000 |6\n000 |6\n200 east|0"))).toBe("2 of 3 calls failed: no response (curl exit 6: could not resolve host) ×2");
    expect(judgeProbe({ ...i, consumer: { cluster: "west", kubeconfig: "" } }, parseProbeOutcome("200 east|0"))).toMatch(/HTTP 200 from east, which FailOver must not reach from west \(expected west\)/);
    expect(judgeProbe({ ...i, identityHeader: undefined }, parseProbeOutcome("503 |0"))).toBe("1 of 1 calls failed: HTTP 503 ×1");
  });

  it("renders a pod the API server accepts, calling the service by <name>.<namespace>", async () => {
    const pod = probePod(base(""), "canalkit-probe-payments-abc123") as any;
    await validateKubernetesObject(pod);
    expect(pod.spec.automountServiceAccountToken).toBe(false);
    expect(probeScript(base(""))).toContain("'http://payments.payments:8080/'");
    expect(probeScript(base(""))).toContain("%header{x-served-by}");
  });
});

describe("MeshProbe against a local API server", () => {
  const servers: FakeKubernetesApi[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  /** A cluster whose injector adds a sidecar and whose probe container ends with `report`. */
  const cluster = async (report: string | undefined, inject = true) => {
    const api = new FakeKubernetesApi(TOKEN);
    servers.push(api);
    api.seed("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "payments" } });
    api.afterRequest = (r) => {
      if (r.method !== "POST" || r.path !== PODS || r.status !== 201) return;
      const [pod] = api.list(PODS);
      api.mutate(PODS, pod!.metadata.name, (o: any) => {
        if (inject) o.spec.containers.push({ name: "sidecar", image: "docker.io/flomesh/pipy:0.90.0-18" });
        o.status = report === undefined
          ? { phase: "Pending", containerStatuses: [{ name: "probe", state: { waiting: { reason: "ImagePullBackOff" } } }] }
          : { phase: "Running", containerStatuses: [{ name: "probe", state: { terminated: { exitCode: 0, message: report } } }, { name: "sidecar", state: { running: {} } }] };
      });
    };
    return { api, inputs: base(testKubeconfig(await api.start(), TOKEN)) };
  };

  it("passes when every call reaches an allowed exporter, and removes its pod", async () => {
    const { api, inputs } = await cluster("200 east|0\n200 west|0\n200 east|0\n200 west|0\n");
    const created = await meshProbeProvider.create(inputs);
    expect(created.outs).toMatchObject({ passed: true, servedBy: { east: 2, west: 2 } });
    expect(api.list(PODS)).toEqual([]);
    expect(api.requests.filter((r) => r.method === "DELETE")).toHaveLength(1);
  });

  it("fails naming the service, the consumer and what it got, without credentials, and still removes its pod", async () => {
    const { api, inputs } = await cluster("000 |6\n000 |6\n503 |0\n200 east|0\n");
    const error = await runMeshProbe(inputs).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/^MeshProbe payments\/payments from north: calls to http:\/\/payments.payments:8080\/ \(FailOver over east, west\) did not all reach an exporter — 3 of 4 calls failed: no response \(curl exit 6: could not resolve host\) ×2; HTTP 503 ×1/);
    expect((error as Error).message).not.toContain(TOKEN);
    expect(api.list(PODS)).toEqual([]);
  });

  it("fails when FailOver reaches a remote exporter while the consumer serves it itself", async () => {
    const { inputs } = await cluster("200 west|0\n200 east|0\n");
    await expect(runMeshProbe({ ...inputs, consumer: { ...inputs.consumer, cluster: "west" } })).rejects.toThrow(/HTTP 200 from east, which FailOver must not reach from west \(expected west\) ×1/);
  });

  it("fails when the pod got no sidecar (namespace not in the mesh)", async () => {
    const { api, inputs } = await cluster("200 east|0\n", false);
    await expect(runMeshProbe(inputs)).rejects.toThrow(/got no osm-edge sidecar, so it is not in the mesh/);
    expect(api.list(PODS)).toEqual([]);
  });

  it("fails at its bound with the pod's state, and removes the pod", async () => {
    const { api, inputs } = await cluster(undefined);
    await expect(runMeshProbe({ ...inputs, timeoutSeconds: 0.05 })).rejects.toThrow(/did not finish within 0.05s: pod phase Pending \(probe: ImagePullBackOff\)/);
    expect(api.list(PODS)).toEqual([]);
  });

  it("names a missing namespace instead of the client's raw error", async () => {
    const api = new FakeKubernetesApi(TOKEN);
    servers.push(api);
    await expect(runMeshProbe(base(testKubeconfig(await api.start(), TOKEN)))).rejects.toThrow(/^MeshProbe payments\/payments from north: namespace payments does not exist in north/);
  });

  it("refuses out-of-bound call counts and header names before any call", async () => {
    const { failures } = await meshProbeProvider.check!(base(""), { ...base(""), calls: 500, identityHeader: "x served" });
    expect(failures!.map((f) => f.property)).toEqual(["calls", "identityHeader"]);
  });
});
