/**
 * `EksCluster`: an EKS control plane that comes up with no CNI (Canal owns pod networking), API
 * access entries, KMS-encrypted secrets, managed node groups on an IMDSv2-only launch template,
 * kube-proxy as an add-on, CoreDNS only once the CNI is in, and a Kubernetes provider for it.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { NetworkPlan } from "../network/types";
import { clusterCapabilities } from "./capabilities";
import {
  CLUSTER_ROLE_MANAGED_POLICIES,
  NODE_ROLE_MANAGED_POLICIES,
  clusterRoleTrustPolicy,
  nodeRoleTrustPolicy,
  sourceDestCheckPolicy,
} from "./iamPolicies";
import { nodeGroupAmiType } from "./architecture";
import { renderEksKubeconfig } from "./kubeconfig";
import { kubernetesProviderName } from "./providerName";
import type { ClusterCapabilities, ClusterNetworkFacts, KitCluster } from "./types";
import { validateEndpointAccess, validateKubernetesVersion, validateNodeGroups, type EndpointAccess, type NodeGroupOptions } from "./validation";

/** What an `EksCluster` needs from its network (a `ClusterNetwork` satisfies it). */
export interface EksClusterNetwork {
  readonly clusterName: string;
  readonly plan: NetworkPlan;
  readonly privateSubnetIds: pulumi.Input<string>[];
  readonly nodeSecurityGroupId: pulumi.Input<string>;
  readonly controlPlaneSecurityGroupId: pulumi.Input<string>;
}

/** Control-plane log types EKS can send to CloudWatch. */
export type ControlPlaneLogType = "api" | "audit" | "authenticator" | "controllerManager" | "scheduler";

/** Inputs of an `EksCluster`. */
export interface EksClusterArgs {
  /** The cluster's network; the cluster takes its name, subnets and security groups from it. */
  network: EksClusterNetwork;
  /** AWS region (for the kubeconfig and the facts). */
  region: string;
  /** Kubernetes minor version. Default `1.33`. */
  kubernetesVersion?: string;
  /** Endpoint exposure. Default: private only. */
  endpoint?: EndpointAccess;
  /** Control-plane log types to enable. Default: api, audit, authenticator. */
  logging?: ControlPlaneLogType[];
  /** Managed node groups. */
  nodeGroups: NodeGroupOptions[];
  /** IAM principals that get cluster-admin through access entries. */
  adminPrincipalArns?: pulumi.Input<string>[];
  /** Tags for every AWS resource. */
  tags?: Record<string, string>;
}

/** Default Kubernetes version of new clusters. */
export const DEFAULT_KUBERNETES_VERSION = "1.33";

/** An EKS cluster ready for Canal. */
export class EksCluster extends pulumi.ComponentResource implements KitCluster {
  readonly clusterName: string;
  readonly region: string;
  /** Admin kubeconfig (a secret). */
  readonly kubeconfig: pulumi.Output<string>;
  readonly provider: k8s.Provider;
  readonly networkFacts: ClusterNetworkFacts;
  readonly capabilities: ClusterCapabilities;
  readonly isEks = true;
  readonly managedByKit = true;
  readonly apiReadyResources: pulumi.Resource[];
  readonly readyResources: pulumi.Resource[];
  /** The EKS cluster resource. */
  readonly cluster: aws.eks.Cluster;
  /** The node IAM role. */
  readonly nodeRole: aws.iam.Role;
  /** Managed node groups by name. */
  readonly nodeGroups: Record<string, aws.eks.NodeGroup>;
  /** The kube-proxy add-on. */
  readonly kubeProxy: aws.eks.Addon;
  private coreDns: aws.eks.Addon | undefined;

  constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    const plan = args.network.plan;
    const clusterName = args.network.clusterName;
    const version = args.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
    // Errors name the argument; the stack program maps them to canalkit:clusters[i].eks.<key>.
    validateKubernetesVersion("kubernetesVersion", version);
    const endpoint = validateEndpointAccess("endpoint", args.endpoint ?? {});
    validateNodeGroups("nodeGroups", args.nodeGroups, plan.routing);
    const logging = args.logging ?? ["api", "audit", "authenticator"];
    const capabilities = clusterCapabilities({ isEks: true, topology: plan.routing.topology });
    // The facts stack policies read: registered as outputs too, since that is what the engine gives them.
    const facts = {
      clusterName,
      region: args.region,
      kind: "eks",
      topology: plan.routing.topology,
      kubernetesVersion: version,
      endpointPrivate: endpoint.private,
      endpointPublic: endpoint.public,
      publicAccessCidrs: endpoint.publicAccessCidrs,
      secretsEncryption: true,
      logging,
      nodeGroups: args.nodeGroups.map((g) => ({ name: g.name, maxSize: g.maxSize })),
      controlPlaneReachesPods: capabilities.controlPlaneReachesPods,
    };
    super("canalkit:cluster:EksCluster", name, facts, opts);
    this.clusterName = clusterName;
    this.region = args.region;
    this.capabilities = capabilities;
    this.networkFacts = {
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
    const tags = { ...(args.tags ?? {}), "canalkit.io/cluster": clusterName };
    const parent = { parent: this };

    const key = new aws.kms.Key(`${name}-secrets`, {
      description: `canalkit ${clusterName}: envelope encryption of Kubernetes secrets`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      tags,
    }, parent);

    const clusterRole = new aws.iam.Role(`${name}-cluster-role`, { assumeRolePolicy: JSON.stringify(clusterRoleTrustPolicy), tags }, parent);
    const clusterRoleAttachments = CLUSTER_ROLE_MANAGED_POLICIES.map(
      (arn, i) => new aws.iam.RolePolicyAttachment(`${name}-cluster-role-${i}`, { role: clusterRole.name, policyArn: arn }, { parent: clusterRole }),
    );

    this.cluster = new aws.eks.Cluster(`${name}-eks`, {
      name: clusterName,
      version,
      roleArn: clusterRole.arn,
      // No self-managed add-ons: the cluster must come up without the Amazon VPC CNI.
      bootstrapSelfManagedAddons: false,
      accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
      vpcConfig: {
        subnetIds: args.network.privateSubnetIds,
        securityGroupIds: [args.network.controlPlaneSecurityGroupId],
        endpointPrivateAccess: endpoint.private,
        endpointPublicAccess: endpoint.public,
        ...(endpoint.public ? { publicAccessCidrs: endpoint.publicAccessCidrs } : {}),
      },
      kubernetesNetworkConfig: { ipFamily: "ipv4", serviceIpv4Cidr: plan.serviceCidr },
      encryptionConfig: { resources: ["secrets"], provider: { keyArn: key.arn } },
      enabledClusterLogTypes: logging,
      tags,
    }, { parent: this, dependsOn: clusterRoleAttachments });

    this.nodeRole = new aws.iam.Role(`${name}-node-role`, { assumeRolePolicy: JSON.stringify(nodeRoleTrustPolicy), tags }, parent);
    const nodeRoleDeps: pulumi.Resource[] = NODE_ROLE_MANAGED_POLICIES.map(
      (arn, i) => new aws.iam.RolePolicyAttachment(`${name}-node-role-${i}`, { role: this.nodeRole.name, policyArn: arn }, { parent: this.nodeRole }),
    );
    const srcDst = sourceDestCheckPolicy(plan.routing.topology);
    if (srcDst) {
      nodeRoleDeps.push(new aws.iam.RolePolicy(`${name}-node-srcdst`, { role: this.nodeRole.id, policy: JSON.stringify(srcDst) }, { parent: this.nodeRole }));
    }

    for (const [i, principal] of (args.adminPrincipalArns ?? []).entries()) {
      const entry = new aws.eks.AccessEntry(`${name}-admin-${i}`, { clusterName: this.cluster.name, principalArn: principal, type: "STANDARD", tags }, parent);
      new aws.eks.AccessPolicyAssociation(`${name}-admin-${i}`, {
        clusterName: this.cluster.name,
        principalArn: principal,
        policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
        accessScope: { type: "cluster" },
      }, { parent: entry });
    }

    this.nodeGroups = {};
    for (const group of args.nodeGroups) {
      const template = new aws.ec2.LaunchTemplate(`${name}-${group.name}`, {
        description: `canalkit ${clusterName} node group ${group.name}`,
        // IMDSv2 only; hop limit 2 so pods on the host network (Felix) can still reach it.
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2 },
        vpcSecurityGroupIds: [args.network.nodeSecurityGroupId],
        blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: group.diskSizeGiB ?? 50, volumeType: "gp3", encrypted: "true" } }],
        tagSpecifications: [{ resourceType: "instance", tags: { ...tags, Name: `${clusterName}-${group.name}` } }],
        tags,
      }, parent);
      this.nodeGroups[group.name] = new aws.eks.NodeGroup(`${name}-${group.name}`, {
        clusterName: this.cluster.name,
        nodeGroupName: group.name,
        nodeRoleArn: this.nodeRole.arn,
        subnetIds: args.network.privateSubnetIds,
        instanceTypes: group.instanceTypes,
        amiType: nodeGroupAmiType(`nodeGroups[${args.nodeGroups.indexOf(group)}]`, group.instanceTypes, group.amiType),
        scalingConfig: { minSize: group.minSize, maxSize: group.maxSize, desiredSize: group.desiredSize },
        launchTemplate: { id: template.id, version: template.latestVersion.apply((v) => String(v)) },
        labels: { ...(group.labels ?? {}), "canalkit.io/node-group": group.name },
        ...(group.taints?.length ? { taints: group.taints.map((t) => ({ key: t.key, effect: t.effect, ...(t.value !== undefined ? { value: t.value } : {}) })) } : {}),
        tags,
      }, { parent: this, dependsOn: nodeRoleDeps });
    }

    // kube-proxy runs on the host network and does not need a CNI to become ready.
    this.kubeProxy = new aws.eks.Addon(`${name}-kube-proxy`, {
      clusterName: this.cluster.name,
      addonName: "kube-proxy",
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
      tags,
    }, parent);

    this.kubeconfig = pulumi.secret(
      pulumi.all([this.cluster.endpoint, this.cluster.certificateAuthority]).apply(([endpointUrl, ca]) =>
        renderEksKubeconfig({ clusterName, endpoint: endpointUrl, certificateAuthorityData: ca.data ?? "", region: args.region }),
      ),
    );
    // The cluster creator is its administrator, so the API accepts objects once the control plane is up.
    this.apiReadyResources = [this.cluster];
    this.readyResources = [this.cluster, this.kubeProxy, ...Object.values(this.nodeGroups)];
    this.provider = new k8s.Provider(kubernetesProviderName(clusterName), { kubeconfig: this.kubeconfig, enableServerSideApply: true }, { parent: this, dependsOn: [this.cluster] });

    this.registerOutputs({ ...facts, clusterName, kubeconfig: this.kubeconfig, endpoint: this.cluster.endpoint });
  }

  /**
   * Adds CoreDNS as an EKS add-on once the CNI is running: its pods cannot become ready before,
   * and an add-on that never becomes healthy fails the deployment.
   */
  installCoreDns(cniReady: pulumi.Resource[]): aws.eks.Addon {
    if (this.coreDns) return this.coreDns;
    this.coreDns = new aws.eks.Addon(`${this.clusterName}-coredns`, {
      clusterName: this.cluster.name,
      addonName: "coredns",
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
    }, { parent: this, dependsOn: [...cniReady, ...Object.values(this.nodeGroups)] });
    return this.coreDns;
  }
}
