/**
 * IAM for EKS clusters built for Canal, as plain policy documents: least privilege, and no
 * Amazon VPC CNI policy (the kit's clusters run without that CNI).
 */
import type { Topology } from "../network/types";

/** An IAM policy document. */
export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: { Effect: "Allow" | "Deny"; Action: string | string[]; Resource?: string | string[]; Principal?: Record<string, string> }[];
}

function trust(service: string): PolicyDocument {
  return { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }] };
}

/** Trust policy of the EKS cluster role. */
export const clusterRoleTrustPolicy: PolicyDocument = trust("eks.amazonaws.com");
/** Trust policy of the node role. */
export const nodeRoleTrustPolicy: PolicyDocument = trust("ec2.amazonaws.com");

/**
 * Trust policy of a role used through EKS Pod Identity: the Pod Identity service assumes it and
 * tags the session with the cluster, namespace and service account.
 */
export const podIdentityTrustPolicy: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }] };

/** AWS managed policies the cluster role needs. */
export const CLUSTER_ROLE_MANAGED_POLICIES = ["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"] as const;

/**
 * AWS managed policies the node role needs. `AmazonEKS_CNI_Policy` is deliberately absent: there
 * is no Amazon VPC CNI on canalkit clusters. `AmazonEKSWorkerNodePolicy` carries
 * `eks-auth:AssumeRoleForPodIdentity`, which the Pod Identity agent uses; workloads get their own
 * AWS rights through Pod Identity roles, never through the node role.
 */
export const NODE_ROLE_MANAGED_POLICIES = [
  "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
  "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
] as const;

/** Exactly what Felix needs to disable source/destination check on a node's primary ENI. */
export const FELIX_SOURCE_DEST_CHECK_ACTIONS = ["ec2:DescribeInstances", "ec2:ModifyNetworkInterfaceAttribute"] as const;

/**
 * The inline node-role policy for topologies that route pod traffic un-encapsulated. Felix runs
 * with `FELIX_AWSSRCDSTCHECK=Disable` and calls these APIs on start; launch templates cannot turn
 * the check off. `undefined` for `vxlan`, which needs no extra permission.
 */
export function sourceDestCheckPolicy(topology: Topology): PolicyDocument | undefined {
  if (topology === "vxlan") return undefined;
  // Neither action supports resource-level scoping to "this instance's own ENI" at plan time.
  return { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: [...FELIX_SOURCE_DEST_CHECK_ACTIONS], Resource: "*" }] };
}
