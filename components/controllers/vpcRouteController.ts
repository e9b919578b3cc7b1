/**
 * The in-cluster VPC route controller for the `native-vpc` topology: keeps one route per node pod
 * CIDR in the cluster's route tables within seconds of a node getting its pod CIDR, and removes it
 * when the node leaves, without anyone running Pulumi (`VpcRouteReconciler` only runs during
 * `pulumi up`). The program is `assets/vpc-route-controller.js`, run by a pinned Node.js image from
 * a ConfigMap; its EC2 rights come from EKS Pod Identity, limited to the cluster's own route tables.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CANAL_NAMESPACE, type KubernetesObject } from "../cni/objects";
import { DEFAULT_ALLOCATOR_IMAGE } from "../cni/versions";
import type { KitCluster } from "../cluster/types";
import { buildInClusterProgram } from "../inClusterProgram";
import { createKubernetesResource } from "../kubernetesResources";

/** Name of every Kubernetes object of the controller (and of its service account). */
export const VPC_ROUTE_CONTROLLER_NAME = "canalkit-vpc-route-controller";

/** The ConfigMap in which the controller records the routes it created. */
export const VPC_ROUTE_RECORD_NAME = "canalkit-vpc-routes";

const PROGRAM_FILE = "vpc-route-controller.js";

/** What the controller's objects are built from. */
export interface VpcRouteControllerSettings {
  region: string;
  /** The cluster's pod CIDR: only node CIDRs inside it are routed. */
  podCidr: string;
  /** The route tables, comma-separated (an Output while the tables are being created). */
  routeTableIds: pulumi.Input<string>;
  /** Pinned Node.js image. Default: the node pod-CIDR allocator's. */
  image?: string;
  /** Seconds between passes. Default 10. */
  intervalSeconds?: number;
}

/** The controller's identity, permissions, program and Deployment, as plain objects. */
export function buildVpcRouteControllerObjects(settings: VpcRouteControllerSettings): KubernetesObject[] {
  return buildInClusterProgram({
    name: VPC_ROUTE_CONTROLLER_NAME,
    module: "controllers",
    file: PROGRAM_FILE,
    containerName: "controller",
    image: settings.image ?? DEFAULT_ALLOCATOR_IMAGE,
    env: [
      { name: "POD_CIDR_POOL", value: settings.podCidr },
      { name: "ROUTE_TABLE_IDS", value: settings.routeTableIds },
      { name: "AWS_REGION", value: settings.region },
      { name: "RECONCILE_INTERVAL_SECONDS", value: String(settings.intervalSeconds ?? 10) },
      { name: "RECORD_NAMESPACE", value: CANAL_NAMESPACE },
      { name: "RECORD_NAME", value: VPC_ROUTE_RECORD_NAME },
    ],
    // Nodes: read only.
    clusterRules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch"] }],
    // Its ownership record only (create cannot be limited to a name; the rest is).
    namespaceRules: [
      { apiGroups: [""], resources: ["configmaps"], verbs: ["create"] },
      { apiGroups: [""], resources: ["configmaps"], resourceNames: [VPC_ROUTE_RECORD_NAME], verbs: ["get", "patch"] },
    ],
  });
}

/** The AWS partition of a region (ARNs differ in China and GovCloud). */
function partitionOf(region: string): string {
  return region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
}

/**
 * The controller's IAM policy: route writes only on the cluster's route tables (by ARN), reads
 * where EC2 has no resource-level permissions (Describe* take `*` only).
 */
export function vpcRouteControllerPolicy(region: string, routeTableIds: string[]): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "WriteOwnRouteTables", Effect: "Allow", Action: ["ec2:CreateRoute", "ec2:ReplaceRoute", "ec2:DeleteRoute"], Resource: routeTableIds.map((id) => `arn:${partitionOf(region)}:ec2:${region}:*:route-table/${id}`) },
      { Sid: "Read", Effect: "Allow", Action: ["ec2:DescribeRouteTables", "ec2:DescribeInstances"], Resource: "*" },
    ],
  };
}

/** Inputs of `VpcRouteController`. */
export interface VpcRouteControllerArgs {
  /** The cluster (EKS: Pod Identity gives the controller its EC2 rights). */
  cluster: KitCluster;
  /** The EKS cluster's name as EKS knows it. */
  eksClusterName: pulumi.Input<string>;
  region: string;
  podCidr: string;
  routeTableIds: pulumi.Input<string>[];
  /** Pinned Node.js image (a mirror). Default: the node pod-CIDR allocator's. */
  image?: string;
  /**
   * The cluster's `eks-pod-identity-agent` add-on when it already has one (`EksCluster` installs
   * it); EKS allows each add-on once per cluster. Default: this component installs it.
   */
  podIdentityAgent?: pulumi.Resource;
  tags?: Record<string, string>;
}

/** The in-cluster VPC route controller, its IAM role and its Pod Identity association. */
export class VpcRouteController extends pulumi.ComponentResource {
  /** The controller's IAM role. */
  readonly role: aws.iam.Role;
  /** The Deployment, once applied. */
  readonly ready: pulumi.Resource[];

  constructor(name: string, args: VpcRouteControllerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("canalkit:controllers:VpcRouteController", name, { clusterName: args.cluster.clusterName, podCidr: args.podCidr }, opts);
    const parent = { parent: this };
    const ids = pulumi.all(args.routeTableIds);
    // The Pod Identity agent (host network, so it runs before any CNI) hands the pod its credentials.
    const agent = args.podIdentityAgent ?? new aws.eks.Addon(`${name}-pod-identity-agent`, { clusterName: args.eksClusterName, addonName: "eks-pod-identity-agent", ...(args.tags ? { tags: args.tags } : {}) }, parent);
    this.role = new aws.iam.Role(`${name}-role`, {
      description: `canalkit VPC route controller of ${args.cluster.clusterName}`,
      assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }] }),
      ...(args.tags ? { tags: args.tags } : {}),
    }, parent);
    new aws.iam.RolePolicy(`${name}-routes`, { role: this.role.id, policy: ids.apply((list) => JSON.stringify(vpcRouteControllerPolicy(args.region, list))) }, parent);
    const association = new aws.eks.PodIdentityAssociation(`${name}-pod-identity`, {
      clusterName: args.eksClusterName,
      namespace: CANAL_NAMESPACE,
      serviceAccount: VPC_ROUTE_CONTROLLER_NAME,
      roleArn: this.role.arn,
      ...(args.tags ? { tags: args.tags } : {}),
    }, { parent: this, dependsOn: [agent] });
    const objects = buildVpcRouteControllerObjects({ region: args.region, podCidr: args.podCidr, routeTableIds: ids.apply((list) => list.join(",")), ...(args.image ? { image: args.image } : {}) });
    const created = objects.map((object) =>
      createKubernetesResource(`${name}-${object.kind.toLowerCase()}-${object.metadata.name}`, object, {
        parent: this,
        provider: args.cluster.provider,
        dependsOn: object.kind === "Deployment" ? [...args.cluster.readyResources, association, agent] : args.cluster.apiReadyResources,
      }),
    );
    this.ready = created.filter((_, i) => objects[i]!.kind === "Deployment");
    this.registerOutputs({ roleArn: this.role.arn });
  }
}
