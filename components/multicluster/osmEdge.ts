/**
 * `OsmEdge` (`canalkit:multicluster:OsmEdge`): osm-edge v1.3.0, the mesh that carries east-west
 * calls in a consuming cluster — its sidecars turn ErieCanal's ServiceImports and
 * GlobalTrafficPolicies into routes to the exporters' gateways, and its local DNS proxy resolves
 * imported names. Installed as typed objects (see `osmEdge/objects.ts`); where the control plane
 * cannot reach pods its webhooks are served from the host network through the kit's relay.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { KitCluster } from "../cluster/types";
import { createKubernetesResource } from "../kubernetesResources";
import { DNS_LABEL } from "../dnsLabel";
import { CanalkitInputError } from "../errors";
import type { KubernetesObject } from "../cni/objects";
import { buildOsmEdgeObjects, meshedNamespaceMetadata, osmEdgeRuntimeOwnedFields, OSM_EDGE_NAMES } from "./osmEdge/objects";
import { osmEdgeSettings, type OsmEdgeOptions, type OsmEdgeSettings } from "./osmEdge/settings";

export type { OsmEdgeOptions } from "./osmEdge/settings";

/** What osm-edge will install in a cluster. */
export interface OsmEdgePlan {
  settings: OsmEdgeSettings;
  /** In apply order. */
  objects: KubernetesObject[];
  /** `ignoreChanges` paths per `<kind>/<name>` for fields osm-edge writes at run time. */
  runtimeOwned: Record<string, string[]>;
}

/** Plans osm-edge for a cluster; throws `CanalkitInputError` on bad input. Pure. */
export function planOsmEdge(capabilities: KitCluster["capabilities"], options: OsmEdgeOptions): OsmEdgePlan {
  const settings = osmEdgeSettings(capabilities, options);
  return { settings, objects: buildOsmEdgeObjects(settings), runtimeOwned: osmEdgeRuntimeOwnedFields(settings) };
}

/** Inputs of `OsmEdge`. */
export interface OsmEdgeArgs extends OsmEdgeOptions {
  cluster: KitCluster;
  /** What must run first (the CNI; ErieCanal, whose CRDs osm-controller watches). */
  after?: pulumi.Resource[];
  /**
   * Namespaces to put in the mesh with sidecar injection on: those of the services this cluster
   * consumes (a calling pod must have a sidecar). They must exist; they are labelled, not created.
   */
  meshedNamespaces?: string[];
  /** What creates those namespaces (the `MultiClusterService`s). */
  namespacesAfter?: pulumi.Resource[];
}

const DECLARATION_KINDS = new Set(["Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ConfigMap", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "Service"]);

/** osm-edge in one consuming cluster. */
export class OsmEdge extends pulumi.ComponentResource {
  /** The plan the resources were built from. */
  readonly plan: OsmEdgePlan;
  /** The injector (and its relay) and the controller: pods in meshed namespaces wait for them. */
  readonly ready: pulumi.Resource[];
  /** The namespace labels that put the consumed services' namespaces in the mesh. */
  readonly meshedNamespaces: pulumi.Resource[];

  constructor(name: string, args: OsmEdgeArgs, opts?: pulumi.ComponentResourceOptions) {
    const { cluster, after = [], meshedNamespaces = [], namespacesAfter = [], ...options } = args;
    const plan = planOsmEdge(cluster.capabilities, options);
    const s = plan.settings;
    for (const [i, ns] of meshedNamespaces.entries()) {
      if (!DNS_LABEL.test(ns)) throw new CanalkitInputError(`meshedNamespaces[${i}]`, ns, "is not a namespace name", "use the namespace of a consumed service");
    }
    // The facts stack policies read: registered as outputs too, since that is what the engine gives them.
    const facts = {
      clusterName: cluster.clusterName,
      namespace: s.namespace,
      version: s.version,
      meshName: s.meshName,
      images: s.images,
      webhookHostNetwork: s.webhooks.hostNetwork,
      webhookPorts: { injector: s.webhooks.injectorPort, validator: s.webhooks.validatorPort },
      clusterDnsIp: s.clusterDnsIp,
      meshedNamespaces,
    };
    super("canalkit:multicluster:OsmEdge", name, facts, opts);
    this.plan = plan;
    const declarations: pulumi.Resource[] = [];
    const created = new Map<string, pulumi.CustomResource>();
    for (const object of plan.objects) {
      const id = `${object.kind}/${object.metadata.name}`;
      const declaration = DECLARATION_KINDS.has(object.kind);
      const ignoreChanges = plan.runtimeOwned[id];
      const resource = createKubernetesResource(`${name}-${object.kind.toLowerCase()}-${object.metadata.name}`, object, {
        parent: this,
        provider: cluster.provider,
        dependsOn: object.kind === "Namespace" || object.kind.endsWith("WebhookConfiguration") || object.kind.startsWith("ClusterRole")
          ? cluster.apiReadyResources
          : declaration
            ? [...cluster.apiReadyResources, declarations[0]!]
            // Workloads: after the CNI, ErieCanal (its flomesh.io CRDs), and every declaration.
            : [...cluster.readyResources, ...after, ...declarations],
        ...(ignoreChanges ? { ignoreChanges } : {}),
      });
      if (declaration) declarations.push(resource);
      created.set(id, resource);
    }
    this.ready = [created.get(`Deployment/${OSM_EDGE_NAMES.injector}`)!, created.get(`Deployment/${OSM_EDGE_NAMES.controller}`)!];
    // Labelled after the injector is up: from then on pods created there get sidecars.
    const meta = meshedNamespaceMetadata(s.meshName);
    this.meshedNamespaces = meshedNamespaces.map((ns) => new k8s.core.v1.NamespacePatch(`${name}-mesh-${ns}`, { metadata: { name: ns, labels: meta.labels, annotations: meta.annotations } }, { parent: this, provider: cluster.provider, dependsOn: [...this.ready, ...namespacesAfter] }));
    this.registerOutputs(facts);
  }
}

