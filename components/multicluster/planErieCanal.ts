/** The whole ErieCanal install for one cluster as an ordered list of plain Kubernetes objects. */
import type { ClusterCapabilities } from "../cluster/types";
import { clusterScoped, withMetadata, type KubernetesObject } from "../cni/objects";
import { buildFlomeshCrds } from "./crds";
import { buildErieCanalConfig } from "./erieCanalConfig";
import { erieCanalLabels } from "./erieCanalNames";
import { buildErieCanalRbac } from "./erieCanalRbac";
import { erieCanalSettings, type ErieCanalOptions, type ErieCanalSettings } from "./erieCanalSettings";
import { buildIngress, buildManager, buildRepo } from "./erieCanalWorkloads";

/** What ErieCanal will install. */
export interface ErieCanalPlan {
  settings: ErieCanalSettings;
  /** In apply order: namespace, CRDs, RBAC, config, manager, repo, ingress. */
  objects: KubernetesObject[];
}

/** Plans ErieCanal for a cluster; throws `CanalkitInputError` on bad input. */
export function planErieCanal(capabilities: ClusterCapabilities, options: ErieCanalOptions = {}): ErieCanalPlan {
  const settings = erieCanalSettings(capabilities, options);
  // Deliberately without `flomesh.io/control-plane: "true"` (neither the chart nor the CLI sets it):
  // it would switch on the manager's fail-closed ConfigMap webhooks for this namespace, and the
  // manager updates its mesh config before its webhook server listens, so a lone replica could
  // never restart.
  const namespace = withMetadata(clusterScoped("v1", "Namespace", settings.namespace, {}), { labels: erieCanalLabels(settings) });
  return {
    settings,
    objects: [namespace, ...buildFlomeshCrds(), ...buildErieCanalRbac(settings), ...buildErieCanalConfig(settings), ...buildManager(settings), ...buildRepo(settings), ...buildIngress(settings)],
  };
}

/**
 * Fields the manager and the control plane change at run time, per object, as Pulumi
 * `ignoreChanges` paths: Pulumi must neither diff on them nor write them back.
 */
export const RUNTIME_OWNED_FIELDS: Record<string, string[]> = {
  "MutatingWebhookConfiguration/flomesh-mutating-webhook-configuration": ["webhooks"],
  "ValidatingWebhookConfiguration/flomesh-validating-webhook-configuration": ["webhooks"],
  // The manager writes cluster.uid; a control plane rewrites the cluster block when it joins.
  "ConfigMap/erie-canal-mesh-config": ["data"],
};
