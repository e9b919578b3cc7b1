/**
 * `MeshProbe` as the engine runs it: registered under the SDK (which serializes the provider),
 * then served by the SDK's own dynamic-provider host in a separate process, against the local API
 * server with the probe pod's outcome driven by the test.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExistingCluster } from "../../components/cluster";
import { MeshProbe } from "../../components/controllers";
import { synthesize } from "../../synth/engine";
import { startDynamicProviderHost, type DynamicProviderHost } from "../support/dynamicProviderHost";
import { FakeKubernetesApi } from "../support/fakeKubernetesApi";
import { testKubeconfig } from "../support/kubeconfig";

const PODS = "/api/v1/namespaces/demo/pods";
let host: DynamicProviderHost;
let registered: { urn: string; inputs: Record<string, unknown> };

beforeAll(async () => {
  const result = await synthesize(() => {
    const lab = new ExistingCluster("lab", { kubeconfig: pulumi.secret("admin-kubeconfig"), topology: "vxlan", podCidr: "10.244.0.0/16", serviceCidr: "10.96.0.0/12", podMtu: 8951, isEks: true });
    new MeshProbe("west-demo-echo-probe", { serviceName: "echo", namespace: "demo", port: 8080, mode: "ActiveActive", exporters: ["east", "west"], consumer: { cluster: "west", kubeconfig: lab.kubeconfig }, image: "docker.io/flomesh/curl:7.84.0" });
  });
  const probe = result.resources.find((r) => r.type === "pulumi-nodejs:dynamic/canalkit:MeshProbe")!;
  registered = { urn: probe.urn, inputs: probe.inputs };
  host = await startDynamicProviderHost();
}, 120_000);

afterAll(async () => {
  await host?.close();
});

describe("MeshProbe through the SDK's dynamic-provider host", () => {
  it("keeps the kubeconfig secret, runs the probe pod, reports who answered, and removes the pod", async () => {
    expect(registered.inputs["consumer"]).toBe("[secret]");
    const code = registered.inputs["__provider"] as string;
    expect(code).toContain('controllerProvider("MeshProbe")');
    expect(code).not.toContain("admin-kubeconfig");
    const api = new FakeKubernetesApi("t");
    api.seed("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "demo" } });
    try {
      api.afterRequest = (r) => {
        if (r.method !== "POST" || r.path !== PODS || r.status !== 201) return;
        const [pod] = api.list(PODS);
        api.mutate(PODS, pod!.metadata.name, (o: any) => {
          o.spec.containers.push({ name: "sidecar", image: "docker.io/flomesh/pipy:0.90.0-18" });
          o.status = { phase: "Running", containerStatuses: [{ name: "probe", state: { terminated: { exitCode: 0, message: "200 |0\n200 |0\n" } } }] };
        });
      };
      const news = { ...registered.inputs, consumer: { cluster: "west", kubeconfig: testKubeconfig(await api.start(), "t") }, pollSeconds: 0.01 };
      const checked = await host.check(registered.urn, {}, news);
      expect(checked.failures).toEqual([]);
      const created = await host.create(registered.urn, checked.inputs);
      expect(created.id).toBe("west/demo/echo");
      expect(created.props).toMatchObject({ passed: true, servedBy: { "-": 2 } });
      expect(api.list(PODS)).toEqual([]);
      expect(await host.diff(registered.urn, created.id, created.props, checked.inputs)).toMatchObject({ changes: "none" });
      await host.delete(registered.urn, created.id, created.props);
    } finally {
      await api.stop();
    }
  });
});
