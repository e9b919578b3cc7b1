/**
 * The namespaces of a set's multi-cluster services: one Kubernetes Namespace resource per cluster
 * and namespace, however many services share it. Two resources for one Namespace would both
 * create it, and the Kubernetes provider (since v4.29) refuses the second create with
 * AlreadyExists. Each is retained on delete (it may hold the application's own objects) and
 * carries an alias to the resource a `MultiClusterService` created for it before, so stacks that
 * had one service per namespace keep their Namespace instead of creating it again.
 */
import * as pulumi from "@pulumi/pulumi";
import { createKubernetesResource } from "../kubernetesResources";
import type { ClusterSetMembers } from "./multiClusterService";

/** A service as far as its namespaces go: the name its `MultiClusterService` resource has, and its clusters. */
export interface ServiceNamespaceUse {
  /** Logical name of the service's `MultiClusterService` (root-stack child). */
  resourceName: string;
  namespace: string;
  clusters: string[];
}

/** Namespace resources by cluster name, then namespace name. */
export type ServiceNamespaces = Record<string, Record<string, pulumi.Resource>>;

/** Creates one Namespace per cluster and namespace the services use, as children of `parent`. */
export function createServiceNamespaces(setName: string, services: ServiceNamespaceUse[], members: ClusterSetMembers, parent: pulumi.Resource): ServiceNamespaces {
  const created: ServiceNamespaces = {};
  for (const service of services) {
    for (const cluster of new Set(service.clusters)) {
      const member = members[cluster];
      // An unknown cluster is the service's own error to report (MultiClusterService names it).
      if (!member) continue;
      const byNamespace = (created[cluster] ??= {});
      if (byNamespace[service.namespace]) continue;
      // Where the first service using it declared it until now.
      const previous = { name: `${service.resourceName}-${cluster}-namespace`, parent: pulumi.createUrn(service.resourceName, "canalkit:multicluster:MultiClusterService") };
      byNamespace[service.namespace] = createKubernetesResource(`${setName}-${cluster}-${service.namespace}-namespace`, { apiVersion: "v1", kind: "Namespace", metadata: { name: service.namespace } }, {
        parent,
        provider: member.cluster.provider,
        dependsOn: member.cluster.apiReadyResources,
        retainOnDelete: true,
        aliases: [previous],
      });
    }
  }
  return created;
}
