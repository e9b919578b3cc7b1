/** Clusters: `EksCluster` (created by the kit, no VPC CNI) and `ExistingCluster`, behind one contract. */
export * from "./types";
export { EksCluster, DEFAULT_KUBERNETES_VERSION, type EksClusterArgs, type EksClusterNetwork, type ControlPlaneLogType, type EksAddonName, type PodIdentityGrant } from "./eksCluster";
export { ExistingCluster, type ExistingClusterArgs } from "./existingCluster";
export { clusterCapabilities, webhookNetworking, WEBHOOK_HOST_PORT_RANGE, type WebhookNetworking } from "./capabilities";
export { renderEksKubeconfig, type EksKubeconfigInput } from "./kubeconfig";
export * from "./iamPolicies";
export { kubernetesProviderName, clusterOfKubernetesProvider } from "./providerName";
export { validateNodeGroups, validateEndpointAccess, validateKubernetesVersion, type NodeGroupOptions, type EndpointAccess } from "./validation";
export { nodeGroupAmiType, instanceArchitecture, AMI_TYPE_FOR_ARCHITECTURE, GRAVITON_FAMILIES, X86_FAMILIES, type NodeAmiType } from "./architecture";
export { validateNodeLabels, validateNodeTaints, qualifiedNameProblem, labelValueProblem, TAINT_EFFECTS, NODE_GROUP_LABEL, type NodeTaint, type TaintEffect } from "./nodeLabels";
export { planApiAccess, endpointWithRunnerDefaults, type ApiAccessPlan, type RunnerLocation } from "./apiAccess";
export { KubernetesVersionGuard, kubernetesUpgradeRefusal, kubernetesVersionGuardProvider, type KubernetesVersionGuardInputs } from "./versionGuard";
export { deleteObjectsWithTheirCluster, goesWithCluster } from "./deletedWithCluster";
