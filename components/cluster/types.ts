/**
 * The contract every cluster satisfies, whether canalkit created it (`EksCluster`) or it already
 * existed (`ExistingCluster`). The CNI and multi-cluster layers consume only this interface.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { Topology } from "../network/types";

/** The pod-network facts of a cluster, as plain values known before deployment. */
export interface ClusterNetworkFacts {
  topology: Topology;
  /** Pod CIDR (flannel `Network`, Calico pool). */
  podCidr: string;
  /** Kubernetes service CIDR. */
  serviceCidr: string;
  /** Pod (veth) MTU the CNI must set. */
  podMtu: number;
  /** flannel VXLAN port; equals the security-group rule. */
  vxlanPort: number;
  /** Whether source/destination check must be disabled on node ENIs (Felix does it). */
  disableSourceDestCheck: boolean;
  /** Whether Calico Typha is planned (the network opened TCP 5473). */
  typha: boolean;
  /**
   * Whether the control plane gives each node a `spec.podCIDR` (kube-controller-manager
   * `--allocate-node-cidrs`). EKS does not; then Canal deploys the kit's node pod-CIDR allocator
   * for the topologies that need one (vxlan, native-vpc).
   */
  nodePodCidrsAllocated: boolean;
  /** The cluster VPC's CIDR, when known. */
  vpcCidr?: string;
}

/** What the cluster can and cannot do, for components that deploy servers into it. */
export interface ClusterCapabilities {
  /**
   * Whether the Kubernetes control plane can open connections to pod IPs. On EKS with an overlay
   * CNI (Canal) it cannot: the managed control plane sits outside the pod network, so every
   * webhook server the kit deploys there must use host networking on a free port.
   */
  controlPlaneReachesPods: boolean;
}

/** A cluster the kit can deploy into. */
export interface KitCluster {
  /** Logical cluster name, unique within a stack. */
  readonly clusterName: string;
  /** AWS region of the cluster, when it is on AWS. */
  readonly region?: string;
  /** Kubeconfig for an administrator of the cluster. Always a Pulumi secret. */
  readonly kubeconfig: pulumi.Output<string>;
  /** Kubernetes provider bound to this cluster; pass it to every Kubernetes resource. */
  readonly provider: k8s.Provider;
  /** Pod-network facts for the CNI. */
  readonly networkFacts: ClusterNetworkFacts;
  /** Capabilities later components must respect. */
  readonly capabilities: ClusterCapabilities;
  /** Whether the cluster is EKS. */
  readonly isEks: boolean;
  /** Whether canalkit created the cluster (then it never has the Amazon VPC CNI). */
  readonly managedByKit: boolean;
  /**
   * Resources that must exist before objects can be declared in the cluster's API (the control
   * plane). Declarations (namespaces, CRDs, RBAC, config) wait only for these, so they are
   * created while the nodes come up.
   */
  readonly apiReadyResources: pulumi.Resource[];
  /** Resources that must exist before workloads can be scheduled (node groups, add-ons, access). */
  readonly readyResources: pulumi.Resource[];
}
