/**
 * The lean `__provider`: under 200 bytes that the SDK's dynamic-provider host compiles with
 * `require-from-string` and that load the real controllers from the installed canalkit, resolved
 * from the host's working directory. Run through the SDK's own host, from the project (source,
 * ts-node) and from a consumer project whose `node_modules/canalkit` has the package's `exports`.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClusterJoin, DefaultCniRemoval, ExportReconciler } from "../../components/controllers";
import { canalkitRelease, controllerProviderText, releaseOfProviderText } from "../../components/controllers/engineLoader";
import { controllerProvider } from "../../components/controllers/engineEntry";
import { synthesize } from "../../synth/engine";
import { startDynamicProviderHost, type DynamicProviderHost } from "../support/dynamicProviderHost";
import { FakeKubernetesApi } from "../support/fakeKubernetesApi";
import { testKubeconfig } from "../support/kubeconfig";

const root = resolve(__dirname, "../..");
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const NS = "erie-canal";
const DAEMONSETS = "/apis/apps/v1/namespaces/kube-system/daemonsets";

type Registered = { urn: string; type: string; inputs: Record<string, unknown> };
let registered: Record<string, Registered>;
let host: DynamicProviderHost;

beforeAll(async () => {
  const result = await synthesize(() => {
    const cluster = { clusterName: "east", isEks: true, managedByKit: false, kubeconfig: pulumi.secret("admin") };
    new DefaultCniRemoval("east-cni", { cluster });
    new ClusterJoin("join-east", { memberName: "east", clusterKey: "r/z/g/east", namespace: NS, controlPlaneName: "hub", controlPlaneKubeconfig: pulumi.secret("cp"), memberKubeconfig: pulumi.secret("m") });
    new ExportReconciler("catalog", {
      serviceName: "catalog",
      namespace: "shop",
      exporters: [{ cluster: "east", clusterKey: "r/z/g/east", kubeconfig: pulumi.secret("e"), gatewayHost: "east.elb.example", gatewayPort: 80 }],
      consumers: ["north", "west"].map((c) => ({ cluster: c, clusterKey: `r/z/g/${c}`, kubeconfig: pulumi.secret(c) })),
      rules: [{ portNumber: 8080, path: "/shop/catalog" }],
    });
  });
  registered = Object.fromEntries(result.resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/")).map((r) => [r.type.split(":").pop()!, r as Registered]));
  host = await startDynamicProviderHost();
});

afterAll(async () => {
  await host?.close();
});

describe("the lean dynamic provider", () => {
  it("keeps the SDK's type token and registers under 200 bytes naming the installed release", () => {
    expect(Object.keys(registered).sort()).toEqual(["ClusterJoin", "DefaultCniRemoval", "ExportReconciler"]);
    for (const [kind, r] of Object.entries(registered)) {
      expect(r.type).toBe(`pulumi-nodejs:dynamic/canalkit:${kind}`);
      const text = r.inputs["__provider"] as string;
      expect(text).toBe(controllerProviderText(kind as "ClusterJoin"));
      expect(text.length).toBeLessThan(256);
      expect(releaseOfProviderText(text)).toBe(manifest.version);
    }
    expect(canalkitRelease()).toBe(manifest.version);
  });

  it("keeps a ClusterJoin's and an ExportReconciler's state under 2 KB (secrets as the engine's placeholders)", async () => {
    // State holds the inputs and the outputs; the host's create answer is the outputs. Secret
    // values are the user's kubeconfigs, stored encrypted; they count as the synth placeholder here.
    const cp = new FakeKubernetesApi("cp");
    const member = new FakeKubernetesApi("m");
    try {
      const cpUid = cp.seed("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } }).metadata.uid!;
      member.seed(`/api/v1/namespaces/${NS}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "erie-canal-mesh-config", namespace: NS }, data: { "mesh_config.json": JSON.stringify({ isManaged: true, cluster: { uid: "m", controlPlaneUID: cpUid } }) } });
      const { urn, inputs } = registered["ClusterJoin"]!;
      const live = { ...inputs, controlPlaneKubeconfig: testKubeconfig(await cp.start(), "cp"), memberKubeconfig: testKubeconfig(await member.start(), "m") };
      const created = await host.create(urn, (await host.check(urn, {}, live)).inputs);
      const placeholders = { controlPlaneKubeconfig: "[secret]", memberKubeconfig: "[secret]" };
      const state = JSON.stringify({ inputs: { ...inputs, ...placeholders }, outputs: { ...created.props, ...placeholders } });
      expect(state.length).toBeLessThan(2048);
    } finally {
      await cp.stop();
      await member.stop();
    }
    const reconciler = registered["ExportReconciler"]!.inputs;
    const outputs = { ...reconciler, converged: true, servedBy: ["east"], consumedIn: ["north", "west"], since: new Date(0).toISOString(), lagging: [], repaired: false };
    expect(JSON.stringify({ inputs: reconciler, outputs }).length).toBeLessThan(2048);
  });

  it("shows an upgrade: state written by another release (or by the SDK's serialized closure) diffs as an update", async () => {
    const { urn, inputs } = registered["DefaultCniRemoval"]!;
    const api = new FakeKubernetesApi("admin");
    try {
      const news = { ...inputs, kubeconfig: testKubeconfig(await api.start(), "admin") };
      const created = await host.create(urn, (await host.check(urn, {}, news)).inputs);
      expect(created.props["__provider"]).toBe(inputs["__provider"]);
      expect(await host.diff(urn, created.id, created.props, news)).toMatchObject({ changes: "none" });
      const older = { ...created.props, __provider: controllerProviderText("DefaultCniRemoval", "0.0.1") };
      expect(await host.diff(urn, created.id, older, news)).toMatchObject({ changes: "some", replaces: [] });
      const closure = { ...created.props, __provider: "exports.handler = __f0;\nfunction __f0() { return {}; }" };
      expect(await host.diff(urn, created.id, closure, news)).toMatchObject({ changes: "some" });
      // Deleting what an older release created runs the installed code.
      await host.delete(urn, created.id, older);
    } finally {
      await api.stop();
    }
  });

  it("refuses a controller this release does not have, naming the ones it has", () => {
    expect(() => controllerProvider("Gone")).toThrow(/no controller "Gone" in this release \(known: ClusterJoin, ExportReconciler, VpcRouteReconciler, DefaultCniRemoval, MeshProbe, GatewayAddress, KubernetesVersionGuard\)/);
  });

  it("loads from a consumer project's node_modules/canalkit through the package's exports map", async () => {
    // A consumer project: canalkit installed with this package.json; the entry its exports map
    // names hands over to the TypeScript source (the build is the pack test's business).
    const consumer = mkdtempSync(join(tmpdir(), "canalkit-consumer-"));
    const api = new FakeKubernetesApi("admin");
    let consumerHost: DynamicProviderHost | undefined;
    try {
      const pkg = join(consumer, "node_modules/canalkit");
      mkdirSync(pkg, { recursive: true });
      cpSync(join(root, "package.json"), join(pkg, "package.json"));
      const entry = join(pkg, manifest.exports["./controllers/engine"]);
      mkdirSync(dirname(entry), { recursive: true });
      writeFileSync(entry, `require(${JSON.stringify(require.resolve("ts-node"))}).register({ project: ${JSON.stringify(join(root, "tsconfig.json"))}, transpileOnly: true });\nmodule.exports = require(${JSON.stringify(join(root, "components/controllers/engineEntry.ts"))});\n`);
      writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true }));
      const env = process.env["CANALKIT_CONTROLLERS_MODULE"];
      delete process.env["CANALKIT_CONTROLLERS_MODULE"];
      consumerHost = await startDynamicProviderHost({ cwd: consumer });
      if (env !== undefined) process.env["CANALKIT_CONTROLLERS_MODULE"] = env;

      api.seed(DAEMONSETS, { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "aws-node", namespace: "kube-system" }, spec: {} });
      const { urn, inputs } = registered["DefaultCniRemoval"]!;
      const news = { ...inputs, kubeconfig: testKubeconfig(await api.start(), "admin") };
      const created = await consumerHost.create(urn, (await consumerHost.check(urn, {}, news)).inputs);
      expect(created.props).toMatchObject({ removed: true, present: false });
      expect(api.list(DAEMONSETS)).toEqual([]);
    } finally {
      await consumerHost?.close();
      await api.stop();
      rmSync(consumer, { recursive: true, force: true });
    }
  });
});
