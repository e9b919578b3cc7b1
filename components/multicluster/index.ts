/**
 * Multi-cluster services (ErieCanal): cluster keys, cluster-set validation and the planning of
 * multi-cluster services. The components that deploy them follow in later work.
 */
export { clusterKey, type ClusterLocality, type ClusterSetMemberSpec } from "./clusterKey";
export { planClusterSet, type ClusterSetPlan, type ClusterSetMemberPlanInput } from "./planClusterSet";
export { buildFlomeshCrd, buildFlomeshCrds, validateCustomResource, FLOMESH_API, FLOMESH_KINDS } from "./crds";
export { memberAccessObjects, memberClusterRules, memberNamespaceRules, memberKubeconfig, clusterPropertyObjects, clusterResourceObject, CONTROL_PLANE_ACCOUNT } from "./memberAccess";
export { ClusterSet, type ClusterSetArgs, type ClusterSetMemberArgs, type ErieCanalInstallation } from "./clusterSet";
export { MultiClusterService, type MultiClusterServiceArgs, type ClusterSetMembers } from "./multiClusterService";
export { ClusterSetNetwork, underlayClassFor, validateSetNetwork, type ClusterSetNetworkArgs, type SetNetworkCluster, type Connectivity } from "./clusterSetNetwork";
export { planMultiClusterService, type MultiClusterServicePlan, type MultiClusterServiceSpec, type ExporterSpec, type ExportRuleSpec, type ServicePortSpec, type TrafficMode, type PlacedObject } from "./planService";
