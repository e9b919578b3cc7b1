/** Plain Kubernetes objects as the manifest builders produce them: JSON, no Pulumi. */

/** Object metadata the builders set. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A Kubernetes object: apiVersion, kind, metadata and whatever else its kind has. */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** The namespace Canal runs in (as upstream). */
export const CANAL_NAMESPACE = "kube-system";

/** Builds an object in a namespace. */
export function objectIn(namespace: string, apiVersion: string, kind: string, name: string, body: Record<string, unknown>, labels?: Record<string, string>): KubernetesObject {
  return { apiVersion, kind, metadata: { name, namespace, ...(labels ? { labels } : {}) }, ...body };
}

/** The object with labels and annotations added to its metadata. */
export function withMetadata(object: KubernetesObject, extra: { labels?: Record<string, string>; annotations?: Record<string, string> }): KubernetesObject {
  const metadata: ObjectMeta = { ...object.metadata };
  if (extra.labels) metadata.labels = { ...(metadata.labels ?? {}), ...extra.labels };
  if (extra.annotations) metadata.annotations = { ...(metadata.annotations ?? {}), ...extra.annotations };
  return { ...object, metadata };
}

/** Builds an object in the Canal namespace. */
export function namespaced(apiVersion: string, kind: string, name: string, body: Record<string, unknown>, labels?: Record<string, string>): KubernetesObject {
  return objectIn(CANAL_NAMESPACE, apiVersion, kind, name, body, labels);
}

/** Builds a cluster-scoped object. */
export function clusterScoped(apiVersion: string, kind: string, name: string, body: Record<string, unknown>): KubernetesObject {
  return { apiVersion, kind, metadata: { name }, ...body };
}
