/**
 * The pod-network facts an EKS cluster built on a network plan gives Canal. One derivation, used
 * by `EksCluster` and by the stack's config checks that plan Canal before any cluster exists.
 */
import type { NetworkPlan } from "../network/types";
import type { ClusterNetworkFacts } from "./types";

/** `ClusterNetworkFacts` of an EKS cluster on `plan`. */
export function eksNetworkFacts(plan: NetworkPlan): ClusterNetworkFacts {
  return {
    topology: plan.routing.topology,
    podCidr: plan.podCidr,
    serviceCidr: plan.serviceCidr,
    podMtu: plan.mtu.pod,
    vxlanPort: plan.routing.vxlanPort ?? 8472,
    disableSourceDestCheck: plan.routing.disableSourceDestCheck,
    typha: plan.typha,
    // EKS never runs kube-controller-manager with --allocate-node-cidrs.
    nodePodCidrsAllocated: false,
    vpcCidr: plan.vpcCidr,
  };
}
