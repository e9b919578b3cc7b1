/**
 * `CertManager` (`canalkit:tls:CertManager`): cert-manager in one cluster through
 * `@pulumi/kubernetes-cert-manager`, with its CRDs, its webhook on the host network at a free
 * port where the control plane cannot reach pods (EKS under Canal), and a cluster CA issuer for
 * the kit's gateway certificates: a self-signed root whose CA signs every gateway certificate.
 */
import * as certmanager from "@pulumi/kubernetes-cert-manager";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { webhookNetworking } from "../cluster/capabilities";
import type { KitCluster } from "../cluster/types";
import { createKubernetesResource } from "../kubernetesResources";
import { planCaIssuer, CERT_MANAGER_NAMESPACE, type CaIssuerPlan } from "./planCertificates";

/** cert-manager chart version installed by default (pinned). */
export const DEFAULT_CERT_MANAGER_VERSION = "v1.15.3";

/** Inputs of `CertManager`. */
export interface CertManagerArgs {
  cluster: KitCluster;
  /** Chart version. Default `v1.15.3`. */
  version?: string;
  /** Webhook host port when it must run on the host network (9443-9499). Default 9445. */
  webhookHostPort?: number;
  /** Name of the ClusterIssuer that signs gateway certificates. Default `canalkit-ca`. */
  caIssuerName?: string;
  /** What must run before cert-manager's pods can start (the CNI). */
  after?: pulumi.Resource[];
}

/** cert-manager and the kit's CA issuer in one cluster. */
export class CertManager extends pulumi.ComponentResource {
  /** The ClusterIssuer gateway certificates reference. */
  readonly caIssuerName: string;
  /** Resources certificates must wait for (cert-manager's webhook fails closed). */
  readonly ready: pulumi.Resource[];
  readonly plan: CaIssuerPlan;

  constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
    const webhook = webhookNetworking(args.cluster.capabilities, args.webhookHostPort ?? 9445);
    const plan = planCaIssuer(args.caIssuerName ?? "canalkit-ca");
    const version = args.version ?? DEFAULT_CERT_MANAGER_VERSION;
    // The facts stack policies read: registered as outputs too, since that is what the engine gives them.
    const facts = { clusterName: args.cluster.clusterName, version, webhookHostNetwork: webhook.hostNetwork, webhookPort: webhook.port, caIssuerName: plan.issuerName };
    super("canalkit:tls:CertManager", name, facts, opts);
    this.plan = plan;
    this.caIssuerName = plan.issuerName;
    const provider = args.cluster.provider;
    const after = [...args.cluster.readyResources, ...(args.after ?? [])];
    const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: CERT_MANAGER_NAMESPACE } }, { parent: this, provider, dependsOn: after });
    const release = new certmanager.CertManager(`${name}-release`, {
      installCRDs: true,
      helmOptions: { namespace: CERT_MANAGER_NAMESPACE, version },
      // The EKS control plane cannot reach pod IPs under Canal; 10250 (the chart's default) is the kubelet's.
      webhook: webhook.hostNetwork ? { hostNetwork: true, securePort: webhook.port } : {},
    }, { parent: this, providers: { kubernetes: provider }, dependsOn: [namespace] });
    let previous: pulumi.Resource[] = [release];
    for (const object of plan.objects) {
      // Each step issues what the next one needs: root issuer → CA certificate → CA issuer.
      const resource = createKubernetesResource(`${name}-${object.kind.toLowerCase()}-${object.metadata.name}`, object, { parent: this, provider, dependsOn: previous });
      previous = [resource];
    }
    this.ready = previous;
    this.registerOutputs({ ...facts, caIssuerName: this.caIssuerName });
  }
}
