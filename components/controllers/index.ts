/**
 * In-process controllers as Pulumi dynamic providers: what a declaration alone cannot do —
 * observe live state, wait for proof, repair. Each resource registers a lean `__provider` text
 * (`engineLoader.ts`) that loads these providers from the installed canalkit in the engine's
 * dynamic-provider process; client libraries are loaded inside the methods that use them.
 */
export { ClusterJoin, clusterJoinProvider, waitForJoin, observeJoin, isJoined, CLUSTER_JOIN_VERSION, type ClusterJoinArgs, type ClusterJoinInputs, type ClusterJoinOutputs, type JoinObservation } from "./clusterJoin";
export { DefaultCniRemoval, defaultCniRemovalProvider, removeAmazonVpcCni, removeAmazonVpcCniAndAddon, amazonVpcCniPresent, AMAZON_VPC_CNI, DEFAULT_CNI_REMOVAL_VERSION, type DefaultCniRemovalArgs, type DefaultCniRemovalInputs, type DefaultCniRemovalOutputs, type RemovalBounds, type RemovalResult } from "./defaultCniRemoval";
export { removeVpcCniAddon, isEksClusterName, isAwsRegion, VPC_CNI_ADDON, type EksAddonTarget, type AddonState, type AddonWait } from "./eksVpcCniAddon";
export { retryTransient, isTransient, httpStatusOf, type RetryOptions } from "./retry";
export { connectKubernetes, readOrUndefined, type KubernetesApis } from "./kubernetesApi";
export { ExportReconciler, exportReconcilerProvider, reconcileExports, laggingConsumers, expectedImport, importProblems, EXPORT_RECONCILER_VERSION, RETRIGGER_ANNOTATION, type ExportReconcilerArgs, type ExportReconcilerInputs, type ExportReconcilerOutputs, type ReconcilerExporter, type ReconcilerMember } from "./exportReconciler";
export { planVpcRoutes, RoutePlanError, type RouteNode, type ExistingRoute, type OwnedRoute, type RouteChange, type RoutePlan } from "./vpcRoutes";
export { VpcRouteReconciler, vpcRouteReconcilerProvider, reconcileVpcRoutes, vpcRoutesInSync, instanceIdOf, VPC_ROUTE_RECONCILER_VERSION, type VpcRouteReconcilerArgs, type VpcRouteReconcilerInputs, type VpcRouteReconcilerOutputs } from "./vpcRouteReconciler";
export { VpcRouteController, buildVpcRouteControllerObjects, vpcRouteControllerPolicy, VPC_ROUTE_CONTROLLER_NAME, VPC_ROUTE_RECORD_NAME, type VpcRouteControllerArgs, type VpcRouteControllerSettings } from "./vpcRouteController";
export { MeshProbe, meshProbeProvider, runMeshProbe, probePod, probeScript, parseProbeOutcome, judgeProbe, allowedExporters, MESH_PROBE_VERSION, PROBE_LABEL, MAX_PROBE_CALLS, type MeshProbeArgs, type MeshProbeInputs, type MeshProbeOutputs, type ProbeCall } from "./meshProbe";
