/**
 * `ErieCanal`: installs ErieCanal in one cluster as typed Kubernetes objects — namespace, the
 * flomesh.io CRDs, RBAC, config, the manager, the Pipy repo and the Pipy ingress that is the
 * cluster's gateway behind an AWS Network Load Balancer. It is what a `ClusterSet` member needs:
 * the namespace, the gateway address, and the resources custom resources must wait for.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { KitCluster } from "../cluster/types";
import { createKubernetesResource } from "../kubernetesResources";
import type { ErieCanalInstallation } from "./clusterSet";
import { ERIECANAL_NAMES } from "./erieCanalNames";
import type { ErieCanalOptions } from "./erieCanalSettings";
import { planErieCanal, RUNTIME_OWNED_FIELDS, type ErieCanalPlan } from "./planErieCanal";

/** Inputs of `ErieCanal`. */
export interface ErieCanalArgs extends ErieCanalOptions {
  /** The cluster to install into. */
  cluster: KitCluster;
  /**
   * What must be running before ErieCanal's pods can start: the CNI (`Canal.ready`), and
   * cert-manager when `certManager` is on.
   */
  after?: pulumi.Resource[];
}

/** Kinds whose objects only declare things; workloads wait for all of them. */
const FOUNDATION_KINDS = new Set(["Namespace", "CustomResourceDefinition", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "ConfigMap", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "IngressClass"]);

/** ErieCanal in one cluster. */
export class ErieCanal extends pulumi.ComponentResource implements ErieCanalInstallation {
  /** The plan the resources were built from. */
  readonly plan: ErieCanalPlan;
  /** The ErieCanal namespace. */
  readonly namespace: string;
  /** The gateway's LoadBalancer Service. */
  readonly gatewayService: k8s.core.v1.Service;
  /** The gateway's DNS name (the NLB's), as consumers and the control plane reach it. */
  readonly gatewayHost: pulumi.Output<string>;
  /** The gateway's plain-HTTP port. */
  readonly gatewayPort: number;
  /** The manager Deployment and its webhook Service: custom resources wait for them. */
  readonly ready: pulumi.Resource[];
  /** The ErieCanal namespace: plain objects in it need only this. */
  readonly namespaceReady: pulumi.Resource[];

  constructor(name: string, args: ErieCanalArgs, opts?: pulumi.ComponentResourceOptions) {
    const { cluster, after = [], ...options } = args;
    const plan = planErieCanal(cluster.capabilities, options);
    const s = plan.settings;
    // The facts stack policies read: registered as outputs too, since that is what the engine gives them.
    const facts = {
      clusterName: cluster.clusterName,
      namespace: s.namespace,
      version: s.version,
      images: s.images,
      webhookHostNetwork: s.webhook.hostNetwork,
      webhookPort: s.webhook.port,
      healthPort: s.healthPort,
      gatewayScheme: s.gateway.scheme,
      gatewayPort: s.gateway.httpPort,
      gatewayTls: s.gateway.tls !== undefined,
      certificateManager: s.certManager ? "cert-manager" : "archon",
    };
    super("canalkit:multicluster:ErieCanal", name, facts, opts);
    this.plan = plan;
    this.namespace = s.namespace;
    this.gatewayPort = s.gateway.httpPort;

    // Declarations need only the API server; workloads need the CNI (and cert-manager) as well.
    const declared = cluster.apiReadyResources;
    const foundation: pulumi.Resource[] = [];
    const created = new Map<string, pulumi.CustomResource>();
    for (const object of plan.objects) {
      const id = `${object.kind}/${object.metadata.name}`;
      const isFoundation = FOUNDATION_KINDS.has(object.kind);
      const ignoreChanges = RUNTIME_OWNED_FIELDS[id];
      const resource = createKubernetesResource(`${name}-${object.kind.toLowerCase()}-${object.metadata.name}`, object, {
        parent: this,
        provider: cluster.provider,
        // The namespace and CRDs come first; other declarations need the namespace (planned first);
        // workloads need every declaration.
        dependsOn: isFoundation
          ? object.kind === "Namespace" || object.kind === "CustomResourceDefinition"
            ? declared
            : [...declared, foundation[0]!]
          : [...cluster.readyResources, ...after, ...foundation],
        ...(ignoreChanges ? { ignoreChanges } : {}),
      });
      if (isFoundation) foundation.push(resource);
      created.set(id, resource);
    }
    this.gatewayService = created.get(`Service/${ERIECANAL_NAMES.ingressService}`) as k8s.core.v1.Service;
    this.gatewayHost = this.gatewayService.status.apply((status) => {
      const ingress = status?.loadBalancer?.ingress?.[0];
      const host = ingress?.hostname || ingress?.ip;
      if (!host) throw new Error(`ErieCanal ${cluster.clusterName}: the gateway Service ${s.namespace}/${ERIECANAL_NAMES.ingressService} has no load balancer address yet`);
      return host;
    });
    this.ready = [created.get(`Deployment/${ERIECANAL_NAMES.manager}`)!, created.get(`Service/${ERIECANAL_NAMES.webhookService}`)!];
    this.namespaceReady = [created.get(`Namespace/${s.namespace}`)!];
    this.registerOutputs({ ...facts, namespace: this.namespace, gatewayHost: this.gatewayHost, gatewayPort: this.gatewayPort });
  }
}
