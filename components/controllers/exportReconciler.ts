/**
 * `ExportReconciler`: proof that a multi-cluster service is consumable everywhere it should be.
 * For one service it checks that every consumer holds the ServiceImport ErieCanal's control plane
 * should have written there — one endpoint per other exporter (cluster key, gateway host and port,
 * path) for every exported port — and repairs what ErieCanal misses: a member that joined after
 * an export never receives it, so the exports are touched (an annotation) to make the control
 * plane propagate them again. A `Conflict=True` export fails the update, naming the exporter.
 */
import * as pulumi from "@pulumi/pulumi";
import { ControllerResource } from "./engineLoader";
import { connectKubernetes, readOrUndefined, type KubernetesApis } from "./kubernetesApi";
import { numberFailure, waitFailures } from "./checks";
import { withDeadline } from "./deadline";
import { withoutCredentials } from "./redact";
import { readOrKeepLast } from "./refresh";
import { isTransient, retryTransient } from "./retry";

/** Bumped whenever what the controller checks or repairs changes. */
export const EXPORT_RECONCILER_VERSION = "export-reconciler/1";

/** The inputs an `ExportReconciler` registers as secrets (the member lists carry kubeconfigs). */
export const EXPORT_RECONCILER_SECRET_INPUTS = ["exporters", "consumers"] as const;

/** The annotation the reconciler sets on exports to make the control plane propagate them again. */
export const RETRIGGER_ANNOTATION = "canalkit.io/export-retriggered-at";

const FLOMESH = { group: "flomesh.io", version: "v1alpha1" } as const;

/** A member as the reconciler reaches it. */
export interface ReconcilerMember {
  cluster: string;
  clusterKey: string;
  kubeconfig: string;
}

/** An exporter and the gateway consumers reach it through. */
export interface ReconcilerExporter extends ReconcilerMember {
  gatewayHost: string;
  gatewayPort: number;
}

/** Inputs as the provider receives them. */
export interface ExportReconcilerInputs {
  serviceName: string;
  namespace: string;
  exporters: ReconcilerExporter[];
  consumers: ReconcilerMember[];
  rules: { portNumber: number; path: string }[];
  timeoutSeconds: number;
  pollSeconds: number;
  /** How long a consumer may lag before the exports are re-triggered. */
  repairAfterSeconds: number;
  controllerVersion: string;
}

/** Outputs: the inputs and the service's status. */
export interface ExportReconcilerOutputs extends ExportReconcilerInputs {
  converged: boolean;
  servedBy: string[];
  consumedIn: string[];
  /** When the service was first seen consumable everywhere with this placement. */
  since: string;
  /** Consumers still missing endpoints (refresh), with what is missing. */
  lagging: string[];
  /** Whether this run had to re-trigger the exports. */
  repaired: boolean;
  /** Set by a refresh that could not read a member (the rest is the last recorded state). */
  warning?: string;
}

/** The endpoint a consumer should hold for an exporter and a rule. */
interface ExpectedEndpoint {
  clusterKey: string;
  host: string;
  port: number;
  path: string;
}

/** What a consumer's ServiceImport should contain: port → endpoints. */
export function expectedImport(inputs: Pick<ExportReconcilerInputs, "exporters" | "rules">, consumer: string): Map<number, ExpectedEndpoint[]> {
  const expected = new Map<number, ExpectedEndpoint[]>();
  for (const rule of inputs.rules) {
    const endpoints = inputs.exporters
      .filter((e) => e.cluster !== consumer)
      .map((e) => ({ clusterKey: e.clusterKey, host: e.gatewayHost, port: e.gatewayPort, path: rule.path }));
    if (endpoints.length > 0) expected.set(rule.portNumber, [...(expected.get(rule.portNumber) ?? []), ...endpoints]);
  }
  return expected;
}

/** What is missing or wrong in a ServiceImport, as short sentences (empty when it is right). */
export function importProblems(serviceImport: Record<string, any> | undefined, expected: Map<number, ExpectedEndpoint[]>): string[] {
  if (expected.size === 0) return [];
  if (!serviceImport) return ["no ServiceImport"];
  const ports: any[] = serviceImport["spec"]?.ports ?? [];
  const problems: string[] = [];
  for (const [port, endpoints] of expected) {
    const held = ports.find((p) => p.port === port);
    if (!held) {
      problems.push(`no port ${port}`);
      continue;
    }
    for (const e of endpoints) {
      const found = (held.endpoints ?? []).find((h: any) => h.clusterKey === e.clusterKey);
      if (!found) problems.push(`port ${port}: no endpoint for ${e.clusterKey}`);
      else if (found.target?.host !== e.host || found.target?.port !== e.port || found.target?.path !== e.path) {
        problems.push(`port ${port}: endpoint for ${e.clusterKey} points at ${found.target?.host}:${found.target?.port}${found.target?.path}, not ${e.host}:${e.port}${e.path}`);
      }
    }
  }
  const extraPorts = ports.map((p) => p.port).filter((p) => !expected.has(p));
  if (extraPorts.length > 0) problems.push(`unexpected ports ${extraPorts.join(", ")}`);
  return problems;
}

type Clients = Map<string, KubernetesApis>;

function clientsFor(inputs: ExportReconcilerInputs): Clients {
  const clients: Clients = new Map();
  for (const m of [...inputs.exporters, ...inputs.consumers]) if (!clients.has(m.cluster)) clients.set(m.cluster, connectKubernetes(m.kubeconfig));
  return clients;
}

const object = (plural: string, namespace: string, name: string) => ({ ...FLOMESH, plural, namespace, name });

/** The exporters whose ServiceExport carries `Conflict=True`, with the control plane's message. */
async function conflicts(inputs: ExportReconcilerInputs, clients: Clients): Promise<string[]> {
  const found: string[] = [];
  for (const e of inputs.exporters) {
    const exported = await retryTransient(() => readOrUndefined(() => clients.get(e.cluster)!.custom.getNamespacedCustomObject(object("serviceexports", inputs.namespace, inputs.serviceName))));
    const conflict = (exported?.status?.conditions ?? []).find((c: any) => c.type === "Conflict" && c.status === "True");
    if (conflict) found.push(`${e.cluster}: ${conflict.message ?? conflict.reason ?? "Conflict"}`);
  }
  return found;
}

/** Consumers whose import is missing or wrong, with what is wrong. */
export async function laggingConsumers(inputs: ExportReconcilerInputs, clients: Clients): Promise<string[]> {
  const lagging: string[] = [];
  for (const c of inputs.consumers) {
    const expected = expectedImport(inputs, c.cluster);
    if (expected.size === 0) continue;
    const held = await retryTransient(() => readOrUndefined(() => clients.get(c.cluster)!.custom.getNamespacedCustomObject(object("serviceimports", inputs.namespace, inputs.serviceName))));
    const problems = importProblems(held, expected);
    if (problems.length > 0) lagging.push(`${c.cluster}: ${problems.join("; ")}`);
  }
  return lagging;
}

/** Touches every export so the control plane propagates it again. */
async function retrigger(inputs: ExportReconcilerInputs, clients: Clients): Promise<void> {
  const body = { metadata: { annotations: { [RETRIGGER_ANNOTATION]: new Date().toISOString() } } };
  for (const e of inputs.exporters) {
    const api = clients.get(e.cluster)!;
    await retryTransient(() => api.custom.patchNamespacedCustomObject({ ...object("serviceexports", inputs.namespace, inputs.serviceName), body }, api.mergePatch));
  }
}

/** Waits until every consumer holds the right import, repairing once; fails with what lags. */
export async function reconcileExports(inputs: ExportReconcilerInputs, clients: Clients = clientsFor(inputs)): Promise<{ repaired: boolean }> {
  const started = Date.now();
  const deadline = started + inputs.timeoutSeconds * 1000;
  return withDeadline(deadline, () => reconcileUntil(inputs, clients, started, deadline));
}

async function reconcileUntil(inputs: ExportReconcilerInputs, clients: Clients, started: number, deadline: number): Promise<{ repaired: boolean }> {
  let repaired = false;
  let lagging: string[] = [];
  for (;;) {
    try {
      const conflicting = await conflicts(inputs, clients);
      if (conflicting.length > 0) {
        throw Object.assign(
          new Error(`ExportReconciler ${inputs.namespace}/${inputs.serviceName}: ErieCanal rejected the export as conflicting — ${conflicting.join("; ")}. Every exporter's Service must have the same type and ports; fix the Service in the exporter named, or stop exporting it there`),
          { permanent: true },
        );
      }
      lagging = await laggingConsumers(inputs, clients);
      if (lagging.length === 0) return { repaired };
      if (!repaired && Date.now() - started >= inputs.repairAfterSeconds * 1000) {
        await retrigger(inputs, clients);
        repaired = true;
      }
    } catch (error) {
      if ((error as { permanent?: boolean }).permanent || !isTransient(error)) throw error;
      // What a complete look saw stays the news; a failed read is added to it.
      const failed = `(reading failed: ${(error as Error).message.split("\n")[0]})`;
      lagging = [...lagging.filter((l) => !l.startsWith("(reading failed")), failed];
    }
    if (Date.now() + inputs.pollSeconds * 1000 > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, inputs.pollSeconds * 1000));
  }
  throw new Error(
    `ExportReconciler ${inputs.namespace}/${inputs.serviceName}: not consumable everywhere after ${inputs.timeoutSeconds}s${repaired ? " (exports re-triggered once)" : ""}: ${lagging.join(" | ")}. ` +
      `Check that every member joined (ClusterJoin), that the exporters' Services exist, and the control plane's erie-canal-manager log.`,
  );
}

function status(inputs: ExportReconcilerInputs, olds: ExportReconcilerOutputs | undefined, repaired: boolean): ExportReconcilerOutputs {
  const servedBy = inputs.exporters.map((e) => e.cluster);
  const consumedIn = inputs.consumers.map((c) => c.cluster);
  const samePlacement = olds?.converged && JSON.stringify([olds.servedBy, olds.consumedIn]) === JSON.stringify([servedBy, consumedIn]);
  return { ...inputs, converged: true, servedBy, consumedIn, since: samePlacement ? olds!.since : new Date().toISOString(), lagging: [], repaired };
}

/** Every kubeconfig the inputs carry (for redaction). */
function kubeconfigsOf(inputs: Pick<ExportReconcilerInputs, "exporters" | "consumers">): string[] {
  return [...(Array.isArray(inputs.exporters) ? inputs.exporters : []), ...(Array.isArray(inputs.consumers) ? inputs.consumers : [])].map((m) => m?.kubeconfig);
}

const KEYS_THAT_MATTER: (keyof ExportReconcilerInputs)[] = ["serviceName", "namespace", "exporters", "consumers", "rules", "controllerVersion"];

/** The dynamic provider. */
export const exportReconcilerProvider: pulumi.dynamic.ResourceProvider<ExportReconcilerInputs, ExportReconcilerOutputs> = {
  async check(_olds, news) {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    if (!news.serviceName || !news.namespace) failures.push({ property: "serviceName", reason: "serviceName and namespace are required" });
    if (!Array.isArray(news.exporters) || news.exporters.length === 0) failures.push({ property: "exporters", reason: "at least one exporter is required" });
    if (!Array.isArray(news.rules) || news.rules.length === 0) failures.push({ property: "rules", reason: "at least one exported rule is required" });
    failures.push(...waitFailures(news));
    const repair = numberFailure("repairAfterSeconds", news.repairAfterSeconds, 0, typeof news.timeoutSeconds === "number" ? news.timeoutSeconds : 3600, "must be from 0 to timeoutSeconds");
    if (repair) failures.push(repair);
    return { inputs: news, failures };
  },
  async diff(_id, olds: ExportReconcilerOutputs, news) {
    const changed = KEYS_THAT_MATTER.some((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
    return { changes: changed || olds.converged !== true };
  },
  async create(inputs) {
    const { repaired } = await withoutCredentials(kubeconfigsOf(inputs), () => reconcileExports(inputs));
    return { id: `${inputs.namespace}/${inputs.serviceName}`, outs: status(inputs, undefined, repaired) };
  },
  async read(id, props) {
    if (!props) throw new Error(`ExportReconciler ${id}: cannot be read without its recorded state (import is not supported)`);
    return readOrKeepLast("ExportReconciler", id, props, kubeconfigsOf(props), async () => {
      const lagging = await laggingConsumers(props, clientsFor(props));
      return { ...props, converged: lagging.length === 0, lagging };
    });
  },
  async update(_id, olds: ExportReconcilerOutputs, news) {
    const { repaired } = await withoutCredentials(kubeconfigsOf(news), () => reconcileExports(news));
    return { outs: status(news, olds, repaired) };
  },
  async delete() {
    // The exports themselves belong to the MultiClusterService; nothing to undo here.
  },
};

/** Inputs of `ExportReconciler`. */
export interface ExportReconcilerArgs {
  serviceName: pulumi.Input<string>;
  namespace: pulumi.Input<string>;
  exporters: pulumi.Input<pulumi.Input<{ cluster: pulumi.Input<string>; clusterKey: pulumi.Input<string>; kubeconfig: pulumi.Input<string>; gatewayHost: pulumi.Input<string>; gatewayPort: pulumi.Input<number> }>[]>;
  consumers: pulumi.Input<pulumi.Input<{ cluster: pulumi.Input<string>; clusterKey: pulumi.Input<string>; kubeconfig: pulumi.Input<string> }>[]>;
  rules: pulumi.Input<pulumi.Input<{ portNumber: pulumi.Input<number>; path: pulumi.Input<string> }>[]>;
  /** Default 300. */
  timeoutSeconds?: pulumi.Input<number>;
  /** Default 5. */
  pollSeconds?: pulumi.Input<number>;
  /** Default 60. */
  repairAfterSeconds?: pulumi.Input<number>;
}

/**
 * The secret form of a member list, made once per list Output: the services of a set pass the same
 * list Output for the same members (`MultiClusterService`), and `pulumi.secret` of an Output walks
 * its whole value again each time.
 */
const secretMemberLists = new WeakMap<object, pulumi.Output<unknown>>();

function secretMemberList<T>(list: pulumi.Input<T>): pulumi.Output<pulumi.Unwrap<T>> {
  if (!pulumi.Output.isInstance(list)) return pulumi.secret(list);
  let secret = secretMemberLists.get(list);
  if (!secret) secretMemberLists.set(list, (secret = pulumi.secret(list)));
  return secret as pulumi.Output<pulumi.Unwrap<T>>;
}

/** Checks and repairs the propagation of one multi-cluster service during `pulumi up`. */
export class ExportReconciler extends ControllerResource {
  declare readonly converged: pulumi.Output<boolean>;
  declare readonly servedBy: pulumi.Output<string[]>;
  declare readonly consumedIn: pulumi.Output<string[]>;
  declare readonly since: pulumi.Output<string>;

  constructor(name: string, args: ExportReconcilerArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "ExportReconciler",
      name,
      {
        ...args,
        // The member lists carry kubeconfigs.
        exporters: secretMemberList(args.exporters),
        consumers: secretMemberList(args.consumers),
        timeoutSeconds: args.timeoutSeconds ?? 300,
        pollSeconds: args.pollSeconds ?? 5,
        repairAfterSeconds: args.repairAfterSeconds ?? 60,
        controllerVersion: EXPORT_RECONCILER_VERSION,
        // The outputs the program reads. `lagging`, `repaired` and `warning` are in the state all
        // the same (refresh shows them); as properties they would be three more Outputs per service.
        converged: undefined,
        servedBy: undefined,
        consumedIn: undefined,
        since: undefined,
      },
      { ...opts, additionalSecretOutputs: [...EXPORT_RECONCILER_SECRET_INPUTS] },
    );
  }
}
