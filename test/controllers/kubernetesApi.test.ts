import { afterEach, describe, expect, it } from "vitest";
import { concurrencyLimit, connectKubernetes, MAX_REQUESTS_PER_CLUSTER } from "../../components/controllers/kubernetesApi";
import { FakeKubernetesApi } from "../support/fakeKubernetesApi";
import { testKubeconfig } from "../support/kubeconfig";
import { localhostCertificate } from "../support/tlsCertificate";

describe("concurrencyLimit", () => {
  it("runs at most the limit at once, every task to completion, waiting ones in arrival order", async () => {
    const limit = concurrencyLimit(3);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        limit(async () => {
          started.push(i);
          peak = Math.max(peak, ++running);
          await new Promise((resolve) => setTimeout(resolve, 5));
          running--;
          return i * 2;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 10 }, (_, i) => i * 2));
    expect(peak).toBe(3);
    expect(started).toEqual([...started].sort((a, b) => a - b));
  });

  it("frees the slot of a task that failed", async () => {
    const limit = concurrencyLimit(1);
    await expect(limit(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(limit(async () => "next")).resolves.toBe("next");
  });
});

describe("connectKubernetes", () => {
  const servers: FakeKubernetesApi[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  it("shares one client per cluster, reuses connections and bounds them under a burst", async () => {
    const api = new FakeKubernetesApi("t");
    servers.push(api);
    const kubeconfig = testKubeconfig(await api.start(), "t");
    for (let i = 0; i < 50; i++) api.seed("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: `ns${i}` } });
    expect(connectKubernetes(kubeconfig)).toBe(connectKubernetes(kubeconfig));
    // 200 reads at once, as 200 reconcilers starting together would make.
    const names = await Promise.all(Array.from({ length: 200 }, (_, i) => connectKubernetes(kubeconfig).core.readNamespace({ name: `ns${i % 50}` }).then((n) => n.metadata?.name)));
    expect(names).toEqual(Array.from({ length: 200 }, (_, i) => `ns${i % 50}`));
    expect(api.requests).toHaveLength(200);
    expect(api.connections).toBeLessThanOrEqual(MAX_REQUESTS_PER_CLUSTER);
    // Later requests reuse the open connections.
    const before = api.connections;
    await connectKubernetes(kubeconfig).core.readNamespace({ name: "ns0" });
    expect(api.connections).toBe(before);
  });
});

describe("connectKubernetes over TLS with a bearer token (as a real API server)", () => {
  const servers: FakeKubernetesApi[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  it("verifies the server against the kubeconfig's CA, sends the token, and reuses its TLS connections", async () => {
    const tls = localhostCertificate();
    const api = new FakeKubernetesApi("tls-token", tls);
    servers.push(api);
    const server = await api.start();
    expect(server).toMatch(/^https:/);
    api.seed("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "kube-system" } });
    const kubeconfig = testKubeconfig(server, "tls-token", tls.cert);
    const names = await Promise.all(Array.from({ length: 40 }, () => connectKubernetes(kubeconfig).core.readNamespace({ name: "kube-system" }).then((n) => n.metadata?.name)));
    expect(new Set(names)).toEqual(new Set(["kube-system"]));
    // Keep-alive through the client's TLS agent: far fewer handshakes than requests.
    expect(api.connections).toBeLessThanOrEqual(MAX_REQUESTS_PER_CLUSTER);
    // A wrong token is refused; a server the CA does not vouch for is refused before any request.
    await expect(connectKubernetes(testKubeconfig(server, "wrong", tls.cert)).core.readNamespace({ name: "kube-system" })).rejects.toMatchObject({ code: 401 });
    const other = new FakeKubernetesApi("tls-token", { key: tls.key, cert: tls.cert });
    servers.push(other);
    const before = other.requests.length;
    const untrusted = testKubeconfig(await other.start(), "tls-token", "-----BEGIN CERTIFICATE-----\nMIIBAD\n-----END CERTIFICATE-----\n");
    await expect(connectKubernetes(untrusted).core.readNamespace({ name: "kube-system" })).rejects.toThrow();
    expect(other.requests.length).toBe(before);
  });
});

describe("the Kubernetes fake is as strict as a real API server where the controllers depend on it", () => {
  const servers: FakeKubernetesApi[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  it("404 for a create in a missing namespace, 409 for a merge patch naming a stale resourceVersion", async () => {
    const api = new FakeKubernetesApi("t");
    servers.push(api);
    const { core, mergePatch } = connectKubernetes(testKubeconfig(await api.start(), "t"));
    await expect(core.createNamespacedConfigMap({ namespace: "nowhere", body: { metadata: { name: "x" } } })).rejects.toMatchObject({ code: 404 });
    api.seed("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "here" } });
    const created = await core.createNamespacedConfigMap({ namespace: "here", body: { metadata: { name: "x" }, data: { a: "1" } } });
    const stale = created.metadata!.resourceVersion!;
    await core.patchNamespacedConfigMap({ name: "x", namespace: "here", body: { data: { a: "2" } } }, mergePatch);
    await expect(core.patchNamespacedConfigMap({ name: "x", namespace: "here", body: { metadata: { resourceVersion: stale }, data: { a: "3" } } }, mergePatch)).rejects.toMatchObject({ code: 409 });
    expect((await core.readNamespacedConfigMap({ name: "x", namespace: "here" })).data).toEqual({ a: "2" });
  });
});
