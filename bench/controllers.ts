/**
 * Benchmark 4: what the in-process controllers ask of the API servers. A cluster set of M
 * clusters is M local Kubernetes API servers (`test/support/fakeKubernetesApi.ts`, real
 * semantics, every request and connection logged); N services are placed as in the generated
 * environments. The real providers (`ClusterJoin` per member, `ExportReconciler` per service)
 * are driven the way the engine drives them — every operation of one deployment at once, as
 * `pulumi up` does with its default unbounded parallelism — through four phases:
 * 1. first `pulumi up`: create everything, the control plane having already propagated;
 * 2. `pulumi up` with nothing changed: the engine only asks `diff`;
 * 3. `pulumi refresh`: `read` of every resource;
 * 4. one service gains a consumer: `diff` of everything, `update` of the one that changed; the
 *    new consumer lacks the import until the exports are touched, which a simulated ErieCanal
 *    control plane answers by propagating them.
 */
import { controllerProviderText } from "../components/controllers/engineLoader";
import { CLUSTER_JOIN_SECRET_INPUTS } from "../components/controllers/clusterJoin";
import { EXPORT_RECONCILER_SECRET_INPUTS } from "../components/controllers/exportReconciler";
import { SECRET_SIG, SIG_KEY } from "../synth/engine";
import { clusterJoinProvider, exportReconcilerProvider, type ClusterJoinInputs, type ClusterJoinOutputs, type ExportReconcilerInputs, type ExportReconcilerOutputs } from "../components/controllers";
import { FakeKubernetesApi, type StoredObject } from "../test/support/fakeKubernetesApi";
import { testKubeconfig } from "../test/support/kubeconfig";
import { renderEksKubeconfig } from "../components/cluster/kubeconfig";
import { servicePlacement } from "./environments";

/** Requests and time of one phase, over all API servers. */
export interface PhaseCost {
  reads: number;
  writes: number;
  /** TCP connections opened (each a TLS handshake against a real API server). */
  connections: number;
  ms: number;
}

/** One measurement: N services over M clusters. */
export interface ControllerSample {
  services: number;
  clusters: number;
  firstUp: PhaseCost;
  noOpUp: PhaseCost;
  refresh: PhaseCost;
  oneChanged: PhaseCost & { updated: number };
  /**
   * The largest state per kind after the first `pulumi up` (inputs and outputs as the engine stores
   * them, `__provider` in both): `own` counts each secret property as the placeholder — the bytes
   * the kit decides —, `withCredentials` counts it as the engine writes it, encrypted, with EKS
   * kubeconfigs of real size (`EKS_KUBECONFIG`) in place of the local servers' short ones.
   */
  largestStateBytes: { ClusterJoin: StateBytes; ExportReconciler: StateBytes };
}

/** A controller's state size, without and with the credentials it carries. */
export interface StateBytes {
  own: number;
  withCredentials: number;
}

/**
 * One credential as state holds it: a kubeconfig the kit renders for an EKS cluster (endpoint, CA,
 * `aws eks get-token` assuming a role), its CA data the size of the 2048-bit RSA certificate EKS
 * issues (about 775 bytes of DER, PEM-encoded, then base64 as EKS returns it).
 */
const EKS_KUBECONFIG = (() => {
  const der = Buffer.alloc(775).toString("base64");
  const pem = `-----BEGIN CERTIFICATE-----\n${der.match(/.{1,64}/g)!.join("\n")}\n-----END CERTIFICATE-----\n`;
  return renderEksKubeconfig({
    clusterName: "prod-use1-a",
    endpoint: `https://${"0".repeat(32)}.gr7.us-east-1.eks.amazonaws.com`,
    certificateAuthorityData: Buffer.from(pem).toString("base64"),
    region: "us-east-1",
    roleArn: "arn:aws:iam::123456789012:role/canalkit-deployer",
  });
})();

/** The properties each kind registers as secrets. */
const SECRET_PROPERTIES: Record<"ClusterJoin" | "ExportReconciler", readonly string[]> = { ClusterJoin: CLUSTER_JOIN_SECRET_INPUTS, ExportReconciler: EXPORT_RECONCILER_SECRET_INPUTS };

/** Every kubeconfig in `value` replaced by `EKS_KUBECONFIG`. */
function withEksKubeconfigs(value: unknown, key = ""): unknown {
  if (typeof value === "string") return /kubeconfig$/i.test(key) ? EKS_KUBECONFIG : value;
  if (Array.isArray(value)) return value.map((v) => withEksKubeconfigs(v, key));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withEksKubeconfigs(v, k)]));
}

/**
 * A secret as the engine writes it into state (`SerializePropertyValue`): the secret signature and
 * the ciphertext of the value's JSON, `v1:<nonce>:<ciphertext>` (AES-256-GCM: 12-byte nonce, 16-byte
 * tag, base64) as Pulumi's symmetric crypter writes it. Only the sizes matter here.
 */
function encryptedSecret(value: unknown): object {
  const plaintext = Buffer.byteLength(JSON.stringify(value));
  return { [SIG_KEY]: SECRET_SIG, ciphertext: `v1:${Buffer.alloc(12).toString("base64")}:${Buffer.alloc(plaintext + 16).toString("base64")}` };
}

/** The bytes a dynamic resource's state holds: its inputs and its outputs, both with the lean `__provider`. */
function stateBytes(kind: keyof typeof SECRET_PROPERTIES, inputs: object, outputs: object): StateBytes {
  const __provider = controllerProviderText(kind);
  const stored = (secret: (value: unknown) => unknown) => {
    const side = (props: object) => Object.fromEntries(Object.entries({ ...props, __provider }).map(([k, v]) => [k, SECRET_PROPERTIES[kind].includes(k) ? secret(withEksKubeconfigs(v, k)) : v]));
    return Buffer.byteLength(JSON.stringify({ inputs: side(inputs), outputs: side(outputs) }));
  };
  return { own: stored(() => "[secret]"), withCredentials: stored(encryptedSecret) };
}

const largest = (sizes: StateBytes[]): StateBytes => sizes.reduce((a, b) => (b.withCredentials > a.withCredentials ? b : a));

const TOKEN = "bench-token";
const NAMESPACE = "erie-canal";
const CONTROL_PLANE = "c0";
const GATEWAY_PORT = 80;
const flomesh = (namespace: string, plural: string) => `/apis/flomesh.io/v1alpha1/namespaces/${namespace}/${plural}`;
const gatewayHost = (cluster: string) => `${cluster}.gateway.example`;
const clusterKey = (cluster: string) => `r/z/g/${cluster}`;

/** The ServiceImport ErieCanal writes into a member for an exported service. */
function serviceImport(name: string, namespace: string, exporters: string[]): StoredObject {
  return {
    apiVersion: "flomesh.io/v1alpha1",
    kind: "ServiceImport",
    metadata: { name, namespace },
    spec: {
      type: "ClusterSetIP",
      ports: [{ port: 8080, protocol: "TCP", endpoints: exporters.map((e) => ({ clusterKey: clusterKey(e), target: { host: gatewayHost(e), ip: "10.0.0.1", port: GATEWAY_PORT, path: `/${namespace}/${name}` } })) }],
    },
  };
}

/** A deployed set: servers with objects as ErieCanal leaves them, and the controllers' inputs. */
class DeployedSet {
  readonly apis = new Map<string, FakeKubernetesApi>();
  readonly kubeconfigs = new Map<string, string>();
  joins: ClusterJoinInputs[] = [];
  services: ExportReconcilerInputs[] = [];

  constructor(readonly serviceCount: number, readonly clusterCount: number) {}

  async start(): Promise<void> {
    for (let i = 0; i < this.clusterCount; i++) {
      const api = new FakeKubernetesApi(TOKEN);
      this.apis.set(`c${i}`, api);
      this.kubeconfigs.set(`c${i}`, testKubeconfig(await api.start(), TOKEN));
    }
    const uid = this.api(CONTROL_PLANE).seed("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } }).metadata.uid!;
    for (const [cluster, api] of this.apis) {
      const meshConfig = { isManaged: cluster !== CONTROL_PLANE, cluster: { name: cluster, uid: `uid-${cluster}`, controlPlaneUID: uid } };
      api.seed(`/api/v1/namespaces/${NAMESPACE}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "erie-canal-mesh-config", namespace: NAMESPACE }, data: { "mesh_config.json": JSON.stringify(meshConfig) } });
    }
    this.joins = [...this.apis.keys()].filter((c) => c !== CONTROL_PLANE).map((member) => ({
      memberName: member,
      clusterKey: clusterKey(member),
      namespace: NAMESPACE,
      controlPlaneName: CONTROL_PLANE,
      controlPlaneKubeconfig: this.kubeconfigs.get(CONTROL_PLANE)!,
      memberKubeconfig: this.kubeconfigs.get(member)!,
      timeoutSeconds: 30,
      pollSeconds: 0.05,
      controllerVersion: "cluster-join/1",
    }));
    for (let i = 0; i < this.serviceCount; i++) {
      const placed = servicePlacement(i, this.clusterCount);
      for (const exporter of placed.exporters) {
        this.api(exporter).seed(flomesh(placed.namespace, "serviceexports"), {
          apiVersion: "flomesh.io/v1alpha1",
          kind: "ServiceExport",
          metadata: { name: placed.name, namespace: placed.namespace },
          spec: { rules: [{ portNumber: 8080, path: `/${placed.namespace}/${placed.name}`, pathType: "Prefix" }] },
        });
      }
      this.propagate(placed.name, placed.namespace, placed.exporters, [placed.consumer]);
      this.services.push({
        serviceName: placed.name,
        namespace: placed.namespace,
        exporters: placed.exporters.map((c) => ({ cluster: c, clusterKey: clusterKey(c), kubeconfig: this.kubeconfigs.get(c)!, gatewayHost: gatewayHost(c), gatewayPort: GATEWAY_PORT })),
        consumers: [{ cluster: placed.consumer, clusterKey: clusterKey(placed.consumer), kubeconfig: this.kubeconfigs.get(placed.consumer)! }],
        rules: [{ portNumber: 8080, path: `/${placed.namespace}/${placed.name}` }],
        timeoutSeconds: 30,
        pollSeconds: 0.05,
        repairAfterSeconds: 0,
        controllerVersion: "export-reconciler/1",
      });
    }
  }

  api(cluster: string): FakeKubernetesApi {
    return this.apis.get(cluster)!;
  }

  /** What ErieCanal's control plane does for an export: the import, in each consumer, naming the other exporters. */
  propagate(name: string, namespace: string, exporters: string[], consumers: string[]): void {
    for (const consumer of consumers) {
      const others = exporters.filter((e) => e !== consumer);
      if (others.length === 0) continue;
      const api = this.api(consumer);
      if (api.get(flomesh(namespace, "serviceimports"), name)) api.mutate(flomesh(namespace, "serviceimports"), name, (o) => (o["spec"] = serviceImport(name, namespace, others)["spec"]));
      else api.seed(flomesh(namespace, "serviceimports"), serviceImport(name, namespace, others));
    }
  }

  /** Runs one phase and counts what it cost every server. */
  async measure<T>(phase: () => Promise<T>): Promise<{ cost: PhaseCost; result: T }> {
    const before = [...this.apis.values()].map((api) => ({ requests: api.requests.length, connections: api.connections }));
    const start = process.hrtime.bigint();
    const result = await phase();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const cost: PhaseCost = { reads: 0, writes: 0, connections: 0, ms };
    [...this.apis.values()].forEach((api, i) => {
      for (const request of api.requests.slice(before[i]!.requests)) request.method === "GET" ? cost.reads++ : cost.writes++;
      cost.connections += api.connections - before[i]!.connections;
    });
    return { cost, result };
  }

  async stop(): Promise<void> {
    await Promise.all([...this.apis.values()].map((api) => api.stop()));
  }
}

/** Measures the four phases for N services over M clusters. */
export async function measureControllerSet(services: number, clusters: number): Promise<ControllerSample> {
  const set = new DeployedSet(services, clusters);
  await set.start();
  try {
    const firstUp = await set.measure(() =>
      Promise.all([...set.joins.map((j) => clusterJoinProvider.create!(j)), ...set.services.map((s) => exportReconcilerProvider.create!(s))]),
    );
    const joinState = firstUp.result.slice(0, set.joins.length).map((r) => r.outs as ClusterJoinOutputs);
    const serviceState = firstUp.result.slice(set.joins.length).map((r) => r.outs as ExportReconcilerOutputs);
    const largestStateBytes = {
      ClusterJoin: largest(set.joins.map((j, i) => stateBytes("ClusterJoin", j, joinState[i]!))),
      ExportReconciler: largest(set.services.map((s, i) => stateBytes("ExportReconciler", s, serviceState[i]!))),
    };

    const diffAll = (services: ExportReconcilerInputs[]) =>
      Promise.all([
        ...set.joins.map((j, i) => clusterJoinProvider.diff!(j.clusterKey, joinState[i]!, j)),
        ...services.map((s, i) => exportReconcilerProvider.diff!(`${s.namespace}/${s.serviceName}`, serviceState[i]!, s)),
      ]);
    const noOpUp = await set.measure(() => diffAll(set.services));
    if (noOpUp.result.some((d) => d.changes)) throw new Error("a no-op pulumi up found changes");

    const refresh = await set.measure(() =>
      Promise.all([
        ...set.joins.map((j, i) => clusterJoinProvider.read!(j.clusterKey, joinState[i]!)),
        ...set.services.map((s, i) => exportReconcilerProvider.read!(`${s.namespace}/${s.serviceName}`, serviceState[i]!)),
      ]),
    );

    // Service 0 is now also consumed in a cluster that does not hold its import yet.
    const changed = set.services[0]!;
    const placed = servicePlacement(0, clusters);
    // A cluster that exports nothing else of it when there is one; otherwise an exporter (it then imports the other one).
    const newConsumer = [...set.apis.keys()].find((c) => c !== placed.consumer && !placed.exporters.includes(c)) ?? [...set.apis.keys()].find((c) => c !== placed.consumer)!;
    const next: ExportReconcilerInputs = { ...changed, consumers: [...changed.consumers, { cluster: newConsumer, clusterKey: clusterKey(newConsumer), kubeconfig: set.kubeconfigs.get(newConsumer)! }] };
    for (const exporter of placed.exporters) {
      set.api(exporter).afterRequest = (request) => {
        if (request.method === "PATCH" && request.path.endsWith(`/serviceexports/${changed.serviceName}`)) {
          set.propagate(changed.serviceName, changed.namespace, placed.exporters, [placed.consumer, newConsumer]);
        }
      };
    }
    const wanted = [next, ...set.services.slice(1)];
    const oneChanged = await set.measure(async () => {
      const diffs = await diffAll(wanted);
      const toUpdate = wanted.flatMap((s, i) => (diffs[set.joins.length + i]!.changes ? [{ news: s, olds: serviceState[i]! }] : []));
      await Promise.all(toUpdate.map(({ news, olds }) => exportReconcilerProvider.update!(`${news.namespace}/${news.serviceName}`, olds, news)));
      return toUpdate.length;
    });
    return { services, clusters, firstUp: firstUp.cost, noOpUp: noOpUp.cost, refresh: refresh.cost, oneChanged: { ...oneChanged.cost, updated: oneChanged.result }, largestStateBytes };
  } finally {
    await set.stop();
  }
}

/** Measures each (services, clusters) pair. */
export async function measureControllers(grid: { services: number; clusters: number }[]): Promise<ControllerSample[]> {
  const samples: ControllerSample[] = [];
  for (const { services, clusters } of grid) samples.push(await measureControllerSet(services, clusters));
  return samples;
}

const cell = (c: PhaseCost) => `${c.reads} / ${c.writes} / ${c.connections}`;
const bytes = (b: StateBytes) => `${b.own} (${b.withCredentials})`;

/** The results as a Markdown table: reads / writes / connections per phase, and times. */
export function controllerTable(samples: ControllerSample[]): string {
  const rows = samples.map(
    (s) =>
      `| ${s.services} | ${s.clusters} | ${cell(s.firstUp)} | ${s.firstUp.ms.toFixed(0)} | ${cell(s.noOpUp)} | ${cell(s.refresh)} | ${s.refresh.ms.toFixed(0)} | ${s.oneChanged.updated} | ${cell(s.oneChanged)} | ${s.oneChanged.ms.toFixed(0)} | ${bytes(s.largestStateBytes.ClusterJoin)} / ${bytes(s.largestStateBytes.ExportReconciler)} |`,
  );
  return [
    "| services | clusters | first up: reads / writes / connections | first up ms | no-op up | refresh | refresh ms | one change: updated | one change: reads / writes / connections | converged in ms | largest state bytes: join / service, own (with credentials) |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}
