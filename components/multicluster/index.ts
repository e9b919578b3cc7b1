/**
 * Multi-cluster services (ErieCanal): cluster keys, cluster-set validation and the planning of
 * multi-cluster services, and the components that install ErieCanal and deploy them.
 */
export { clusterKey, type ClusterLocality, type ClusterSetMemberSpec } from "./clusterKey";
export { planClusterSet, type ClusterSetPlan, type ClusterSetMemberPlanInput } from "./planClusterSet";
export { buildFlomeshCrd, buildFlomeshCrds, buildClusterPropertyCrd, buildCustomResourceDefinition, validateCustomResource, ABOUT_API, CLUSTER_PROPERTY_CRD, FLOMESH_API, FLOMESH_KINDS, type CrdSpec, type CrdVersionSpec } from "./crds";
export { memberAccessObjects, memberClusterRules, memberNamespaceRules, memberKubeconfig, clusterPropertyObjects, clusterResourceObject, CONTROL_PLANE_ACCOUNT } from "./memberAccess";
export { ClusterSet, type ClusterSetArgs, type ClusterSetMemberArgs, type ErieCanalInstallation } from "./clusterSet";
export { MultiClusterService, type MultiClusterServiceArgs, type ClusterSetMembers } from "./multiClusterService";
export { createServiceNamespaces, type ServiceNamespaceUse, type ServiceNamespaces } from "./serviceNamespaces";
export { ClusterSetNetwork, underlayClassFor, validateSetNetwork, type ClusterSetNetworkArgs, type SetNetworkCluster, type Connectivity } from "./clusterSetNetwork";
export { planSetConnectivity, collapseCidrs, setNetworkResourceCount, AWS_QUOTAS, type ConnectivityPlan, type ConnectivityInput, type ConnectivityCluster, type PrefixListPlan, type VpcRoutePlan } from "./planSetConnectivity";
export { planMultiClusterService, type MultiClusterServicePlan, type MultiClusterServiceSpec, type ExporterSpec, type ExportRuleSpec, type ServicePortSpec, type TrafficMode, type PlacedObject } from "./planService";
export { ErieCanal, type ErieCanalArgs } from "./erieCanal";
export { planErieCanal, RUNTIME_OWNED_FIELDS, type ErieCanalPlan } from "./planErieCanal";
export { erieCanalSettings, CARRIED_ERIECANAL_VERSIONS, MANAGER_HOST_HEALTH_PORT, DEFAULT_ERIECANAL_VERSION, DEFAULT_ERIECANAL_NAMESPACE, DEFAULT_SCRIPTS_SOURCE, type ErieCanalOptions, type ErieCanalSettings, type ErieCanalImageName, type GatewayOptions, type ScriptsSource } from "./erieCanalSettings";
export { erieCanalManagerRules } from "./erieCanalRbac";
export { managerConfig, meshConfig } from "./erieCanalConfig";
export { gatewayServiceAnnotations, fetchScriptsCommand, MANAGER_INIT_COMMAND } from "./erieCanalWorkloads";
export { ERIECANAL_NAMES } from "./erieCanalNames";
export { OsmEdge, planOsmEdge, type OsmEdgeArgs, type OsmEdgeOptions, type OsmEdgePlan } from "./osmEdge";
export { osmEdgeSettings, OSM_EDGE_VERSION, OSM_EDGE_PORTS, OTHER_KIT_WEBHOOK_PORTS, type OsmEdgeSettings, type OsmEdgeImageName } from "./osmEdge/settings";
export { buildOsmEdgeObjects, presetMeshConfig, relayScript, osmEdgeRules, meshedNamespaceMetadata, webhookConfigurationNames, osmEdgeLabels, OSM_EDGE_NAMES, MONITORED_BY_LABEL, SIDECAR_INJECTION_ANNOTATION } from "./osmEdge/objects";
export { NorthSouthGateway, planNorthSouthGateway, type NorthSouthGatewayArgs, type NorthSouthGatewaySpec } from "./northSouthGateway";
export { validateServicePorts, validateWeights } from "./serviceValidation";
export { GatewayAddress, gatewayAddressProvider, waitForGatewayAddress, classifyGatewayHost, GATEWAY_ADDRESS_VERSION, type GatewayAddressArgs, type GatewayAddressInputs, type GatewayAddressOutputs, type GatewayAddressWorld } from "./erieCanalGatewayAddress";
