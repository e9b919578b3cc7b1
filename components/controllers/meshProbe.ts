/**
 * `MeshProbe`: proof that east-west calls work, beyond what ErieCanal reports. After a
 * multi-cluster service is verified (`ExportReconciler`), a short-lived pod in the consuming
 * cluster, in the service's namespace and so inside the mesh (osm-edge injects its sidecar),
 * calls `http://<name>.<namespace>:<port><path>` a bounded number of times. The update fails
 * naming the service, the consumer and what the calls got when they do not reach an exporter —
 * or, when the exporters identify themselves by a response header, when they reach one the
 * service's mode excludes. The pod is removed whatever happens; the pod carries no service
 * account token and the outcome holds only status codes and exporter names.
 */
import * as pulumi from "@pulumi/pulumi";
import { withDeadline } from "./deadline";
import { ControllerResource } from "./engineLoader";
import { connectKubernetes, readOrUndefined, type KubernetesApis } from "./kubernetesApi";
import { httpStatusOf, isTransient, retryTransient } from "./retry";

/** Bumped whenever what the probe checks changes, so existing services are probed again. */
export const MESH_PROBE_VERSION = "mesh-probe/1";

/** Label on every probe pod (find leftovers with `kubectl get pods -A -l canalkit.io/mesh-probe`). */
export const PROBE_LABEL = "canalkit.io/mesh-probe";

/** The most calls one probe may make (its outcome must fit a termination message). */
export const MAX_PROBE_CALLS = 50;

/** Inputs as the provider receives them (resolved). */
export interface MeshProbeInputs {
  serviceName: string;
  namespace: string;
  port: number;
  /** Request path. Default `/`. */
  path: string;
  mode: "Locality" | "ActiveActive" | "FailOver";
  /** Exporting clusters (for FailOver in order of preference). */
  exporters: string[];
  /** ActiveActive weights by exporter, when given. */
  weights?: Record<string, number>;
  consumer: { cluster: string; kubeconfig: string };
  /** Response header whose value names the exporter cluster that answered, when the service sets one. */
  identityHeader?: string;
  /** Calls after the sidecar answers. */
  calls: number;
  /** curl image (pinned). */
  image: string;
  timeoutSeconds: number;
  pollSeconds: number;
  controllerVersion: string;
}

/** Outputs: the inputs and what the calls got. */
export interface MeshProbeOutputs extends MeshProbeInputs {
  passed: boolean;
  /** Exporter (or `-` when unidentified) → calls it answered with 2xx/3xx. */
  servedBy: Record<string, number>;
  probedAt: string;
}

/** One call as the probe pod reports it. */
export interface ProbeCall {
  /** HTTP status, 0 when no response. */
  status: number;
  /** The identity header's value ("" when absent or not asked for). */
  servedBy: string;
  /** curl's exit code. */
  exit: number;
}

/** Which exporters may answer a consumer's calls, as osm-edge v1.3.0 balances them. */
export function allowedExporters(inputs: Pick<MeshProbeInputs, "mode" | "exporters" | "weights" | "consumer">): string[] {
  const local = inputs.exporters.includes(inputs.consumer.cluster);
  switch (inputs.mode) {
    // Remote endpoints are ignored: only the local Service answers.
    case "Locality":
      return local ? [inputs.consumer.cluster] : [];
    // Listed clusters are weight 0 while local endpoints exist, otherwise all listed ones share
    // (pkg/sidecar/providers/pipy/repo/policy.go); the kit lists one remote per consumer, and a
    // consumer without its own copy may have only one exporter (planService.ts).
    case "FailOver":
      return local ? [inputs.consumer.cluster] : inputs.exporters;
    case "ActiveActive":
      return inputs.exporters.filter((e) => e === inputs.consumer.cluster || !inputs.weights || (inputs.weights[e] ?? 0) > 0);
  }
}

/** The shell script the probe container runs; results go to its termination message. */
export function probeScript(inputs: Pick<MeshProbeInputs, "serviceName" | "namespace" | "port" | "path" | "calls" | "identityHeader">): string {
  const url = `http://${inputs.serviceName}.${inputs.namespace}:${inputs.port}${inputs.path}`;
  const format = `%{http_code} ${inputs.identityHeader ? `%header{${inputs.identityHeader}}` : ""}`;
  return [
    "out=/dev/termination-log",
    // Until the sidecar and its DNS proxy answer (bounded): curl reports 000 before that.
    "i=0",
    `while [ $i -lt 30 ]; do c=$(curl -s -o /dev/null -m 5 -w '%{http_code}' '${url}'); [ "$c" != "000" ] && break; i=$((i+1)); sleep 2; done`,
    ": > $out",
    "n=0",
    `while [ $n -lt ${inputs.calls} ]; do r=$(curl -s -o /dev/null -m 10 -w '${format}' '${url}'); e=$?; echo "$r|$e" | tr -d '\\r' >> $out; n=$((n+1)); done`,
  ].join("\n");
}

/** Parses the probe pod's termination message. */
export function parseProbeOutcome(message: string): ProbeCall[] {
  return message
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [head = "", exit = ""] = line.split("|");
      const [status = "0", ...rest] = head.trim().split(/\s+/);
      return { status: Number(status) || 0, servedBy: rest.join(" ").slice(0, 63), exit: Number(exit) || 0 };
    });
}

const CURL_EXITS: Record<number, string> = { 6: "could not resolve host", 7: "connection refused", 28: "timed out", 52: "empty reply", 56: "connection reset" };

/** What went wrong in the calls, as one sentence (empty when the probe passed). */
export function judgeProbe(inputs: MeshProbeInputs, calls: ProbeCall[]): string {
  if (calls.length === 0) return "the probe reported no calls";
  const allowed = allowedExporters(inputs);
  const problems = new Map<string, number>();
  const note = (what: string) => problems.set(what, (problems.get(what) ?? 0) + 1);
  for (const call of calls) {
    if (call.status === 0) note(`no response (curl exit ${call.exit}${CURL_EXITS[call.exit] ? `: ${CURL_EXITS[call.exit]}` : ""})`);
    else if (call.status < 200 || call.status > 399) note(`HTTP ${call.status}${call.servedBy ? ` from ${call.servedBy}` : ""}`);
    else if (inputs.identityHeader && !call.servedBy) note(`HTTP ${call.status} without a ${inputs.identityHeader} header`);
    else if (inputs.identityHeader && !allowed.includes(call.servedBy)) note(`HTTP ${call.status} from ${call.servedBy}, which ${inputs.mode} must not reach from ${inputs.consumer.cluster} (expected ${allowed.join(" or ") || "no exporter"})`);
  }
  if (problems.size === 0) return "";
  const failed = [...problems.values()].reduce((a, b) => a + b, 0);
  return `${failed} of ${calls.length} calls failed: ${[...problems].map(([what, n]) => `${what} ×${n}`).join("; ")}`;
}

/** A pod name that is unique per run (probes of one service may overlap across stacks). */
function podName(inputs: MeshProbeInputs): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const suffix = (require("node:crypto") as typeof import("node:crypto")).randomBytes(3).toString("hex");
  return `canalkit-probe-${inputs.serviceName}`.slice(0, 50) + `-${suffix}`;
}

/** The probe pod. No service-account token: the probe needs no API access. */
export function probePod(inputs: MeshProbeInputs, name: string): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: inputs.namespace, labels: { [PROBE_LABEL]: inputs.serviceName, "app.kubernetes.io/managed-by": "canalkit" } },
    spec: {
      restartPolicy: "Never",
      automountServiceAccountToken: false,
      activeDeadlineSeconds: Math.ceil(inputs.timeoutSeconds) + 60,
      containers: [{
        name: "probe",
        image: inputs.image,
        command: ["sh", "-c", probeScript(inputs)],
        terminationMessagePolicy: "File",
        securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, runAsUser: 65532, capabilities: { drop: ["ALL"] } },
        resources: { limits: { cpu: "100m", memory: "32Mi" }, requests: { cpu: "10m", memory: "16Mi" } },
      }],
    },
  };
}

/** What the pod shows while it has not finished, for the timeout message. */
function podState(pod: Record<string, any> | undefined): string {
  if (!pod) return "the pod is gone";
  const waiting = (pod["status"]?.containerStatuses ?? []).map((c: any) => c.state?.waiting && `${c.name}: ${c.state.waiting.reason}`).filter(Boolean);
  return `pod phase ${pod["status"]?.phase ?? "unknown"}${waiting.length ? ` (${waiting.join(", ")})` : ""}`;
}

/** Runs one probe and returns the calls; throws naming the service, consumer and outcome. */
export async function runMeshProbe(inputs: MeshProbeInputs, api: KubernetesApis = connectKubernetes(inputs.consumer.kubeconfig)): Promise<ProbeCall[]> {
  const what = `MeshProbe ${inputs.namespace}/${inputs.serviceName} from ${inputs.consumer.cluster}`;
  const name = podName(inputs);
  const ref = { name, namespace: inputs.namespace };
  const deadline = Date.now() + inputs.timeoutSeconds * 1000;
  try {
    await withDeadline(deadline, () => retryTransient(() => api.core.createNamespacedPod({ namespace: inputs.namespace, body: probePod(inputs, name) as never })));
  } catch (error) {
    if (httpStatusOf(error) === 404) throw new Error(`${what}: namespace ${inputs.namespace} does not exist in ${inputs.consumer.cluster}; the MultiClusterService creates it in every consumer — check that it was deployed there`);
    if (httpStatusOf(error) === 403) throw new Error(`${what}: the kubeconfig may not create pods in ${inputs.namespace} (HTTP 403)`);
    throw error;
  }
  try {
    return await withDeadline(deadline, () => awaitOutcome(inputs, api, ref, what, deadline));
  } finally {
    // Outside the deadline: the pod goes even when the wait ran out of time.
    await retryTransient(() => readOrUndefined(() => api.core.deleteNamespacedPod({ ...ref, gracePeriodSeconds: 0 }))).catch(() => undefined);
  }
}

/** Polls the probe pod until its probe container has ended, then judges the calls. */
async function awaitOutcome(inputs: MeshProbeInputs, api: KubernetesApis, ref: { name: string; namespace: string }, what: string, deadline: number): Promise<ProbeCall[]> {
  let pod: Record<string, any> | undefined;
  for (;;) {
    try {
      pod = (await retryTransient(() => readOrUndefined(() => api.core.readNamespacedPod(ref)))) as Record<string, any> | undefined;
    } catch (error) {
      if (!isTransient(error)) throw error;
    }
    if (pod && !(pod["spec"]?.containers ?? []).some((c: any) => c.name === "sidecar")) {
      throw new Error(`${what}: the probe pod got no osm-edge sidecar, so it is not in the mesh — label namespace ${inputs.namespace} openservicemesh.io/monitored-by=<mesh> and annotate it openservicemesh.io/sidecar-injection=enabled (OsmEdge meshedNamespaces), and check that osm-injector runs`);
    }
    const probe = (pod?.["status"]?.containerStatuses ?? []).find((c: any) => c.name === "probe");
    const terminated = probe?.state?.terminated;
    if (terminated) {
      const calls = parseProbeOutcome(String(terminated.message ?? ""));
      const verdict = judgeProbe(inputs, calls);
      if (verdict) throw new Error(`${what}: calls to http://${inputs.serviceName}.${inputs.namespace}:${inputs.port}${inputs.path} (${inputs.mode} over ${inputs.exporters.join(", ")}) did not all reach an exporter — ${verdict}. Check the ServiceImport and GlobalTrafficPolicy in ${inputs.consumer.cluster}, the exporters' gateways and the osm-controller log`);
      return calls;
    }
    if (Date.now() + inputs.pollSeconds * 1000 > deadline) throw new Error(`${what}: the probe did not finish within ${inputs.timeoutSeconds}s: ${podState(pod)}`);
    await new Promise((resolve) => setTimeout(resolve, inputs.pollSeconds * 1000));
  }
}

function outcome(inputs: MeshProbeInputs, calls: ProbeCall[]): MeshProbeOutputs {
  const servedBy: Record<string, number> = {};
  for (const c of calls) servedBy[c.servedBy || "-"] = (servedBy[c.servedBy || "-"] ?? 0) + 1;
  return { ...inputs, passed: true, servedBy, probedAt: new Date().toISOString() };
}

const KEYS_THAT_MATTER: (keyof MeshProbeInputs)[] = ["serviceName", "namespace", "port", "path", "mode", "exporters", "weights", "consumer", "identityHeader", "calls", "image", "controllerVersion"];

/** The dynamic provider. */
export const meshProbeProvider: pulumi.dynamic.ResourceProvider<MeshProbeInputs, MeshProbeOutputs> = {
  async check(_olds, news) {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    if (!(Number.isInteger(news.calls) && news.calls >= 1 && news.calls <= MAX_PROBE_CALLS)) failures.push({ property: "calls", reason: `calls = ${news.calls}: must be a whole number from 1 to ${MAX_PROBE_CALLS}` });
    if (!(news.timeoutSeconds > 0 && news.timeoutSeconds <= 3600)) failures.push({ property: "timeoutSeconds", reason: `timeoutSeconds = ${news.timeoutSeconds}: must be from 1 to 3600` });
    if (news.identityHeader !== undefined && !/^[A-Za-z0-9-]+$/.test(news.identityHeader)) failures.push({ property: "identityHeader", reason: `identityHeader = ${JSON.stringify(news.identityHeader)}: must be an HTTP header name (letters, digits, '-')` });
    if (!/^\/[A-Za-z0-9._~\/-]*$/.test(news.path ?? "")) failures.push({ property: "path", reason: `path = ${JSON.stringify(news.path)}: must start with / and hold only unreserved URL characters` });
    return { inputs: news, failures };
  },
  async diff(_id, olds: MeshProbeOutputs, news) {
    const changed = KEYS_THAT_MATTER.some((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
    return { changes: changed || olds.passed !== true };
  },
  async create(inputs) {
    const calls = await runMeshProbe(inputs);
    return { id: `${inputs.consumer.cluster}/${inputs.namespace}/${inputs.serviceName}`, outs: outcome(inputs, calls) };
  },
  async update(_id, _olds, news) {
    return { outs: outcome(news, await runMeshProbe(news)) };
  },
  async delete() {
    // The probe pod is removed at the end of every run; nothing stays behind.
  },
};

/** Inputs of `MeshProbe`. */
export interface MeshProbeArgs {
  serviceName: pulumi.Input<string>;
  namespace: pulumi.Input<string>;
  port: pulumi.Input<number>;
  /** Default `/`. */
  path?: pulumi.Input<string>;
  mode: pulumi.Input<"Locality" | "ActiveActive" | "FailOver">;
  exporters: pulumi.Input<pulumi.Input<string>[]>;
  weights?: pulumi.Input<Record<string, pulumi.Input<number>>>;
  consumer: pulumi.Input<{ cluster: pulumi.Input<string>; kubeconfig: pulumi.Input<string> }>;
  identityHeader?: pulumi.Input<string>;
  /** Default 10. */
  calls?: pulumi.Input<number>;
  /** A pinned image with curl 7.84 or later (`%header{}`) and `sh`. */
  image: pulumi.Input<string>;
  /** Default 180. */
  timeoutSeconds?: pulumi.Input<number>;
  /** Default 3. */
  pollSeconds?: pulumi.Input<number>;
}

/** Calls a multi-cluster service from inside the mesh of one consuming cluster during `pulumi up`. */
export class MeshProbe extends ControllerResource {
  declare readonly passed: pulumi.Output<boolean>;
  declare readonly servedBy: pulumi.Output<Record<string, number>>;
  declare readonly probedAt: pulumi.Output<string>;

  constructor(name: string, args: MeshProbeArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "MeshProbe",
      name,
      {
        ...args,
        path: args.path ?? "/",
        // The consumer carries its kubeconfig.
        consumer: pulumi.secret(args.consumer),
        calls: args.calls ?? 10,
        timeoutSeconds: args.timeoutSeconds ?? 180,
        pollSeconds: args.pollSeconds ?? 3,
        controllerVersion: MESH_PROBE_VERSION,
        passed: undefined,
        servedBy: undefined,
        probedAt: undefined,
      },
      { ...opts, additionalSecretOutputs: ["consumer"] },
    );
  }
}
