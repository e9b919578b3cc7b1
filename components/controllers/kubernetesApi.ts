/**
 * Kubernetes access for the controllers through `@kubernetes/client-node`, loaded inside the call
 * (the package is ESM-only, and only the engine's provider process needs it).
 */
import type * as k8s from "@kubernetes/client-node" with { "resolution-mode": "import" };
import { requestBudgetMs, timeoutError } from "./deadline";

/** The API groups the controllers use, bound to one cluster. */
export interface KubernetesApis {
  core: k8s.CoreV1Api;
  apps: k8s.AppsV1Api;
  custom: k8s.CustomObjectsApi;
  /** Request options that send a body as a JSON merge patch. */
  mergePatch: k8s.ConfigurationOptions;
  /** Requests holding one of the cluster's slots now (queued ones excluded). */
  inFlight(): number;
}

/**
 * Clients by kubeconfig text. The provider process serves every dynamic resource of a deployment,
 * so all controllers that reach one cluster share one client and its connections. Kept on the
 * process under a global symbol, looked up at call time, so every copy of this module loaded in
 * one provider process shares it.
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

/** A limiter: runs a task when a slot is free; `running()` counts the slots taken. */
export interface ConcurrencyLimit {
  <T>(task: () => Promise<T>, waitMs?: number): Promise<T>;
  running(): number;
}

/**
 * Runs at most `max` of the tasks given to it at once, the others in arrival order. A task that
 * waited `waitMs` for a slot without getting one fails with a timeout and leaves the queue.
 */
export function concurrencyLimit(max: number): ConcurrencyLimit {
  let running = 0;
  const waiting: (() => void)[] = [];
  const limit = async <T>(task: () => Promise<T>, waitMs?: number): Promise<T> => {
    if (running >= max) {
      await new Promise<void>((resolve, reject) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const wake = () => {
          clearTimeout(timer);
          resolve();
        };
        if (waitMs !== undefined) {
          timer = setTimeout(() => {
            waiting.splice(waiting.indexOf(wake), 1);
            reject(timeoutError(waitMs));
          }, waitMs);
        }
        waiting.push(wake);
      });
    } else running++;
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next task, or give it back.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
  return Object.assign(limit, { running: () => running });
}

/**
 * Runs one API call within the time left (`requestBudgetMs`): the call is aborted through its
 * request's signal when the time is up, so a server that accepts and never answers frees the slot
 * and the connection.
 */
async function bounded<T>(call: (options: k8s.ConfigurationOptions | undefined) => Promise<T>, options: k8s.ConfigurationOptions | undefined, budgetMs: number): Promise<T> {
  if (budgetMs <= 0) throw timeoutError(0);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), budgetMs);
  const withSignal: k8s.ConfigurationOptions = {
    ...options,
    middleware: [
      ...(options?.middleware ?? []),
      // The object API hands options to the observable layer as they are, so the middleware
      // answers observable-likes (all that layer calls is `toPromise`).
      {
        pre: (context: k8s.RequestContext) => {
          context.setSignal(abort.signal as unknown as Parameters<typeof context.setSignal>[0]);
          return { toPromise: async () => context };
        },
        post: (response: k8s.ResponseContext) => ({ toPromise: async () => response }),
      } as unknown as NonNullable<k8s.ConfigurationOptions["middleware"]>[number],
    ],
    middlewareMergeStrategy: "append",
  };
  try {
    return await call(withSignal);
  } catch (error) {
    if (abort.signal.aborted) throw timeoutError(budgetMs);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** The API client with every method call going through `limit`, each bounded in time. */
function limited<T extends object>(api: T, limit: ConcurrencyLimit): T {
  return new Proxy(api, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (param: unknown, options?: k8s.ConfigurationOptions) => {
        const started = Date.now();
        const budget = requestBudgetMs(started);
        // Time spent waiting for a slot counts against the request's budget.
        return limit(() => bounded((o) => value.call(target, param, o), options, budget - (Date.now() - started)), budget);
      };
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
    inFlight: () => limit.running(),
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
