/**
 * Kubernetes access for the controllers through `@kubernetes/client-node`, loaded inside the call
 * (the package is ESM-only and providers must not capture modules at serialization time).
 */
import type * as k8s from "@kubernetes/client-node" with { "resolution-mode": "import" };

/** The API groups the controllers use, bound to one cluster. */
export interface KubernetesApis {
  core: k8s.CoreV1Api;
  apps: k8s.AppsV1Api;
  custom: k8s.CustomObjectsApi;
  /** Request options that send a body as a JSON merge patch. */
  mergePatch: k8s.ConfigurationOptions;
}

/**
 * Clients by kubeconfig text. The provider process serves every dynamic resource of a deployment,
 * so all controllers that reach one cluster share one client and its connections. Kept on the
 * process, looked up at call time: Pulumi serializes a provider's module-level values into the
 * provider's code, which would turn a Map into a plain object.
 */
function connectedClients(): Map<string, KubernetesApis> {
  const key = Symbol.for("canalkit.controllers.kubernetesClients");
  const holder = globalThis as unknown as Record<symbol, Map<string, KubernetesApis> | undefined>;
  return (holder[key] ??= new Map());
}

/**
 * Requests in flight to one API server from one provider process (so also its connections):
 * a thousand reconcilers starting together queue instead of opening a thousand connections.
 */
export const MAX_REQUESTS_PER_CLUSTER = 16;

/** Runs at most `max` of the tasks given to it at once, the others in arrival order. */
export function concurrencyLimit(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next task, or give it back.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/** The API client with every method call going through `limit`. */
function limited<T extends object>(api: T, limit: ReturnType<typeof concurrencyLimit>): T {
  return new Proxy(api, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? (...args: unknown[]) => limit(() => value.apply(target, args)) : value;
    },
  });
}

/**
 * Connects to the cluster a kubeconfig (YAML or JSON text) names as its current context. The
 * client reuses its connections: `@kubernetes/client-node` makes a new agent (so a new TCP and TLS
 * connection) for every request unless it is given one that keeps connections alive.
 */
export function connectKubernetes(kubeconfig: string): KubernetesApis {
  const connected = connectedClients();
  const known = connected.get(kubeconfig);
  if (known) return known;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const client = require("@kubernetes/client-node") as typeof k8s;
  const config = new client.KubeConfig();
  try {
    config.loadFromString(kubeconfig);
  } catch (error) {
    // The parser's message quotes the lines around the error, credentials included: say where only.
    const at = /\((\d+):(\d+)\)/.exec(String((error as Error).message));
    throw new Error(`the kubeconfig could not be read: it is not valid YAML or JSON${at ? ` (line ${at[1]}, column ${at[2]})` : ""}; check it with \`kubectl --kubeconfig <file> config view\``);
  }
  if (!config.getCurrentCluster()) throw new Error("the kubeconfig could not be read: its current-context names no cluster; set current-context to a context whose cluster has a server");
  // `createAgent` is internal to client-node; its options are derived from this one config, so
  // they are the same for every request.
  const internals = config as unknown as { createAgent(cluster: unknown, options: Record<string, unknown>): unknown };
  const createAgent = internals.createAgent.bind(config);
  let agent: unknown;
  internals.createAgent = (cluster, options) => (agent ??= createAgent(cluster, { ...options, keepAlive: true }));
  // Requests wait here rather than in the agent's queue: node-fetch (under client-node) can
  // mistake a response for a premature close when a queued request is handed a reused socket.
  const limit = concurrencyLimit(MAX_REQUESTS_PER_CLUSTER);
  const apis: KubernetesApis = {
    core: limited(config.makeApiClient(client.CoreV1Api), limit),
    apps: limited(config.makeApiClient(client.AppsV1Api), limit),
    custom: limited(config.makeApiClient(client.CustomObjectsApi), limit),
    mergePatch: client.setHeaderOptions("Content-Type", client.PatchStrategy.MergePatch),
  };
  connected.set(kubeconfig, apis);
  return apis;
}

/** Runs a read, answering `undefined` for a 404 instead of failing. */
export async function readOrUndefined<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if ((error as { code?: unknown })?.code === 404) return undefined;
    throw error;
  }
}
