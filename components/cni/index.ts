/** The Canal CNI as typed Kubernetes objects: pure builders and the `Canal` component. */
export { Canal, findObject, type CanalArgs } from "./canal";
export { planCanal, type CanalPlan } from "./planCanal";
export { canalSettings, type CanalOptions, type CanalSettings } from "./settings";
export { resolveCanalImages, isPinnedImage, CARRIED_CALICO_VERSIONS, CARRIED_FLANNEL_VERSIONS, DEFAULT_CALICO_VERSION, DEFAULT_FLANNEL_VERSION, DEFAULT_ALLOCATOR_IMAGE, type CanalImageOptions, type CanalImageName } from "./versions";
export { CANAL_CRDS, buildCrd, buildCanalCrds, type CrdFacts } from "./crds";
export { buildCanalRbac, calicoNodeRules, cniPluginRules, cniServiceAccount, flannelRules, kubeControllersRules, type PolicyRule } from "./rbac";
export { buildCanalConfig, cniNetworkConfig, cniNetworkConfigTemplate, flannelNetConf, NUMERIC_TEMPLATE_TOKENS } from "./canalConfig";
export { buildCanalDaemonSet, calicoNodeEnv, flannelEnv } from "./daemonSet";
export { buildKubeControllers } from "./kubeControllers";
export { buildTypha, TYPHA_PORT } from "./typha";
export { buildNodePodCidrAllocator, nodePodCidrAllocatorProgram, NODE_POD_CIDR_ALLOCATOR_NAME } from "./nodePodCidrAllocator";
export { CANAL_NAMESPACE, type KubernetesObject, type ObjectMeta } from "./objects";
