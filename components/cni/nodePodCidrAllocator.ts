/**
 * The node pod-CIDR allocator: a small in-cluster controller that gives each node a `spec.podCIDR`
 * from the pod CIDR when the control plane does not. EKS never allocates node CIDRs, yet flannel's
 * kube subnet manager (vxlan) and host-local IPAM with `usePodCidr` (vxlan, native-vpc) need one:
 * without it every pod on the node stays without an address. The program itself is
 * `assets/node-pod-cidr-allocator.js`, run by a pinned Node.js image from a ConfigMap.
 */
import { buildInClusterProgram, loadProgramAsset } from "../inClusterProgram";
import type { KubernetesObject } from "./objects";
import type { CanalSettings } from "./settings";

/** Name of every object of the allocator. */
export const NODE_POD_CIDR_ALLOCATOR_NAME = "canalkit-node-pod-cidr-allocator";

/** File name of the allocator program inside the package and the ConfigMap. */
const PROGRAM_FILE = "node-pod-cidr-allocator.js";

/** The allocator program's source (what the ConfigMap carries). */
export function nodePodCidrAllocatorProgram(): string {
  return loadProgramAsset("cni", PROGRAM_FILE).source;
}

/** Builds the allocator's identity, permissions, program and Deployment. */
export function buildNodePodCidrAllocator(settings: CanalSettings): KubernetesObject[] {
  return buildInClusterProgram({
    name: NODE_POD_CIDR_ALLOCATOR_NAME,
    module: "cni",
    file: PROGRAM_FILE,
    containerName: "allocator",
    image: settings.images.nodePodCidrAllocator,
    env: [
      { name: "POD_CIDR_POOL", value: settings.podCidr },
      { name: "NODE_CIDR_PREFIX_LENGTH", value: String(settings.nodeCidrPrefixLength) },
      { name: "RECONCILE_INTERVAL_SECONDS", value: "5" },
    ],
    // Nodes only: read them, and patch the one field this controller owns.
    clusterRules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch", "patch"] }],
  });
}
