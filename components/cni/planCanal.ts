/** The whole Canal install for a cluster as an ordered list of plain Kubernetes objects. */
import type { ClusterNetworkFacts } from "../cluster/types";
import { buildCanalConfig } from "./canalConfig";
import { buildCanalCrds } from "./crds";
import { buildCanalDaemonSet } from "./daemonSet";
import { buildKubeControllers } from "./kubeControllers";
import { buildNodePodCidrAllocator } from "./nodePodCidrAllocator";
import type { KubernetesObject } from "./objects";
import { buildCanalRbac } from "./rbac";
import { canalSettings, type CanalOptions, type CanalSettings } from "./settings";
import { buildTypha } from "./typha";

/** What Canal will install. */
export interface CanalPlan {
  settings: CanalSettings;
  /** In apply order: CRDs, RBAC, config, then workloads. */
  objects: KubernetesObject[];
}

/** Plans Canal for a cluster's network facts; throws `CanalkitInputError` on bad input. */
export function planCanal(facts: ClusterNetworkFacts, options: CanalOptions = {}): CanalPlan {
  const settings = canalSettings(facts, options);
  return {
    settings,
    objects: [
      ...buildCanalCrds(),
      ...buildCanalRbac({ flannel: settings.flannel, calicoIpam: settings.calicoIpam }),
      buildCanalConfig(settings),
      ...(settings.typha ? buildTypha(settings) : []),
      ...(settings.nodePodCidrAllocator ? buildNodePodCidrAllocator(settings) : []),
      buildCanalDaemonSet(settings),
      ...buildKubeControllers(settings),
    ],
  };
}
