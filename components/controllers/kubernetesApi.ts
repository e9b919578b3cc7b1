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

/** Connects to the cluster a kubeconfig (YAML or JSON text) names as its current context. */
export function connectKubernetes(kubeconfig: string): KubernetesApis {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const client = require("@kubernetes/client-node") as typeof k8s;
  const config = new client.KubeConfig();
  config.loadFromString(kubeconfig);
  return {
    core: config.makeApiClient(client.CoreV1Api),
    apps: config.makeApiClient(client.AppsV1Api),
    custom: config.makeApiClient(client.CustomObjectsApi),
    mergePatch: client.setHeaderOptions("Content-Type", client.PatchStrategy.MergePatch),
  };
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
