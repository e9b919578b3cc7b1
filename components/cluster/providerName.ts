/**
 * The naming convention of each cluster's Kubernetes provider, `<cluster>-k8s`. Synth groups
 * manifests by it and policies find a resource's cluster by it, so it lives in one place.
 */

const SUFFIX = "-k8s";

/** The Kubernetes provider's resource name for a cluster. */
export function kubernetesProviderName(clusterName: string): string {
  return `${clusterName}${SUFFIX}`;
}

/** The cluster a Kubernetes provider belongs to, or undefined when the name is not the kit's. */
export function clusterOfKubernetesProvider(providerName: string): string | undefined {
  return providerName.endsWith(SUFFIX) ? providerName.slice(0, -SUFFIX.length) : undefined;
}
