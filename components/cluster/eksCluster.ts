/**
 * `EksCluster`: an EKS control plane that comes up with no CNI (Canal owns pod networking), API
 * access entries, KMS-encrypted secrets, managed node groups on an IMDSv2-only launch template,
 * kube-proxy as an add-on, CoreDNS only once the CNI is in, and a Kubernetes provider for it.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CanalkitInputError } from "../errors";
import type { NetworkPlan } from "../network/types";
import type { ApiAccessPlan } from "./apiAccess";
import { clusterCapabilities } from "./capabilities";
import {
  CLUSTER_ROLE_MANAGED_POLICIES,
  NODE_ROLE_MANAGED_POLICIES,
  clusterRoleTrustPolicy,
  nodeRoleTrustPolicy,
  podIdentityTrustPolicy,
  sourceDestCheckPolicy,
  type PolicyDocument,
} from "./iamPolicies";
import { nodeGroupAmiType } from "./architecture";
import { eksNetworkFacts } from "./eksNetworkFacts";
import { renderEksKubeconfig } from "./kubeconfig";
import { kubernetesProviderName } from "./providerName";
import type { ClusterCapabilities, ClusterNetworkFacts, KitCluster } from "./types";
import { validateEndpointAccess, validateKubernetesVersion, validateNodeGroups, type EndpointAccess, type NodeGroupOptions } from "./validation";
import { KubernetesVersionGuard } from "./versionGuard";

/** What an `EksCluster` needs from its network (a `ClusterNetwork` satisfies it). */
export interface EksClusterNetwork {
  readonly clusterName: string;
  readonly plan: NetworkPlan;
  readonly privateSubnetIds: pulumi.Input<string>[];
  readonly nodeSecurityGroupId: pulumi.Input<string>;
  readonly controlPlaneSecurityGroupId: pulumi.Input<string>;
  /**
   * Resources the cluster's Kubernetes objects must be deleted before (a `ClusterNetwork` gives
   * its VPC, subnets, gateways, route tables and security groups): the Kubernetes provider depends
   * on them, so LoadBalancer Services and their cloud load balancers go first on destroy.
   */
  readonly networkResources?: pulumi.Resource[];
}

/** The EKS add-ons the kit installs; their versions follow the cluster's Kubernetes version. */
export type EksAddonName = "kube-proxy" | "coredns" | "eks-pod-identity-agent";

/** AWS rights for one Kubernetes service account through EKS Pod Identity. */
export interface PodIdentityGrant {
  /** Namespace of the service account. */
  namespace: string;
  /** Service account name. */
  serviceAccount: string;
  /** The only statements the role gets (least privilege). */
  statements: PolicyDocument["Statement"];
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
  /**
   * IAM principals that get cluster-admin through access entries. When any are named, or a
   * `deployRoleArn` is given, the cluster creator gets no automatic admin access
   * (`bootstrapClusterCreatorAdminPermissions: false`).
   */
  adminPrincipalArns?: pulumi.Input<string>[];
  /**
   * How the machine running `pulumi up` reaches the API server (`planApiAccess`). Overrides
   * `endpoint`; a runner in a VPC gets TCP 443 on the control-plane security group.
   */
  apiAccess?: ApiAccessPlan;
  /**
   * The role the AWS provider of this cluster assumes. The kubeconfig's `aws eks get-token`
   * assumes the same role, and the role is made cluster admin.
   */
  deployRoleArn?: string;
  /** AWS profile the kubeconfig runs `aws eks get-token` with (the provider's profile). */
  awsProfile?: string;
  /** Pulumi `protect` on the cluster and its KMS key. Default false. */
  protect?: boolean;
  /** EKS deletion protection. Default: as `protect`. */
  deletionProtection?: boolean;
  /** Days a deleted secrets key stays recoverable, 7-30. Default 30. */
  kmsDeletionWindowDays?: number;
  /** Retention of `/aws/eks/<name>/cluster`, which the kit creates before the cluster. Default 90. */
  logRetentionDays?: number;
  /** Pinned add-on versions; others are looked up as EKS's default for the Kubernetes version. */
  addonVersions?: Partial<Record<EksAddonName, string>>;
  /** How the version guard names the version (config key). Default `kubernetesVersion`. */
  versionField?: string;
  /**
   * The API server is already gone: the Kubernetes provider drops this cluster's objects from state
   * on destroy instead of failing (`deleteUnreachable`). Only for tearing down.
   */
  apiServerGone?: boolean;
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
  /** The EKS Pod Identity agent add-on (controllers get AWS rights through it). */
  readonly podIdentityAgent: aws.eks.Addon;
  /** The KMS key encrypting Kubernetes secrets. */
  readonly secretsKey: aws.kms.Key;
  /** The control-plane log group `/aws/eks/<name>/cluster`. */
  readonly controlPlaneLogGroup: aws.cloudwatch.LogGroup;
  /** OIDC issuer URL of the cluster (for IRSA users). */
  readonly oidcIssuer: pulumi.Output<string>;
  /** The security group EKS creates for the cluster. */
  readonly clusterSecurityGroupId: pulumi.Output<string>;
  /** The Kubernetes minor version of the control plane, node groups and add-ons. */
  readonly kubernetesVersion: string;
  /** How the runner reaches the API server, in words. */
  readonly apiAccessDescription: string;
  private coreDns: aws.eks.Addon | undefined;
  private readonly tags: Record<string, string>;
  private readonly addonVersions: Partial<Record<EksAddonName, string>>;

  constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    const plan = args.network.plan;
    const clusterName = args.network.clusterName;
    const version = args.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
    // Errors name the argument; the stack program maps them to canalkit:clusters[i].eks.<key>.
    validateKubernetesVersion("kubernetesVersion", version);
    const endpoint = args.apiAccess?.endpoint ?? validateEndpointAccess("endpoint", args.endpoint ?? {});
    const apiAccessDescription = args.apiAccess?.description ?? (endpoint.public ? `public endpoint from ${endpoint.publicAccessCidrs.join(", ")}` : "private endpoint only");
    validateNodeGroups("nodeGroups", args.nodeGroups, plan.routing);
    args.nodeGroups.forEach((g, i) => {
      if (g.releaseVersion && !g.releaseVersion.startsWith(`${version}.`)) {
        throw new CanalkitInputError(`nodeGroups[${i}].releaseVersion`, g.releaseVersion, `is not a release of Kubernetes ${version} (kubernetesVersion)`, `pin a ${version}.x AMI release, or remove releaseVersion to take the latest`);
      }
    });
    const admins = args.adminPrincipalArns ?? [];
    if (admins.length > 0 && !args.deployRoleArn) {
      throw new CanalkitInputError(
        "adminPrincipalArns",
        admins,
        "names the cluster's admins, so the identity running pulumi up gets no automatic access and could not deploy into the cluster",
        "set the deploy role (canalkit:aws.roleArn, a per-region or per-cluster roleArn), which the kit makes admin too, or remove adminPrincipalArns to keep the cluster creator as admin",
      );
    }
    const creatorIsAdmin = admins.length === 0 && !args.deployRoleArn;
    const protect = args.protect ?? false;
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
      nodeGroups: args.nodeGroups.map((g) => ({ name: g.name, maxSize: g.maxSize, releaseVersion: g.releaseVersion ?? null })),
      controlPlaneReachesPods: capabilities.controlPlaneReachesPods,
      apiAccess: apiAccessDescription,
      creatorIsAdmin,
      protect,
    };
    super("canalkit:cluster:EksCluster", name, facts, opts);
    this.kubernetesVersion = version;
    this.apiAccessDescription = apiAccessDescription;
    this.addonVersions = args.addonVersions ?? {};
    this.clusterName = clusterName;
    this.region = args.region;
    this.capabilities = capabilities;
    this.networkFacts = eksNetworkFacts(plan);
    const tags = { ...(args.tags ?? {}), "canalkit.io/cluster": clusterName };
    this.tags = tags;
    const parent = { parent: this };

    const key = new aws.kms.Key(`${name}-secrets`, {
      description: `canalkit ${clusterName}: envelope encryption of Kubernetes secrets`,
      enableKeyRotation: true,
      deletionWindowInDays: args.kmsDeletionWindowDays ?? 30,
      tags,
    }, { parent: this, protect });
    this.secretsKey = key;

    // Created before the cluster with a retention: otherwise EKS creates it, never expiring, and
    // it outlives the stack.
    this.controlPlaneLogGroup = new aws.cloudwatch.LogGroup(`${name}-control-plane-logs`, {
      name: `/aws/eks/${clusterName}/cluster`,
      retentionInDays: args.logRetentionDays ?? 90,
      tags,
    }, parent);

    const versionGuard = new KubernetesVersionGuard(`${name}-version`, { clusterName, kubernetesVersion: version, field: args.versionField ?? "kubernetesVersion" }, parent);

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
      accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: creatorIsAdmin },
      deletionProtection: args.deletionProtection ?? protect,
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
    }, {
      parent: this,
      protect,
      dependsOn: [...clusterRoleAttachments, this.controlPlaneLogGroup, versionGuard],
      // Decided at creation (changing it would replace the cluster); later admins are access entries.
      ignoreChanges: ["accessConfig.bootstrapClusterCreatorAdminPermissions"],
    });
    this.oidcIssuer = this.cluster.identities.apply((ids) => ids?.[0]?.oidcs?.[0]?.issuer ?? "");
    this.clusterSecurityGroupId = this.cluster.vpcConfig.apply((v) => v.clusterSecurityGroupId);

    // A runner inside a network routed to the VPC reaches the private endpoint's interfaces, which
    // carry the control-plane security group.
    (args.apiAccess?.privateClientCidrs ?? []).forEach((cidr, i) => {
      new aws.vpc.SecurityGroupIngressRule(`${name}-api-from-runner-${i}`, {
        securityGroupId: args.network.controlPlaneSecurityGroupId,
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: cidr,
        description: "Kubernetes API from the pulumi up runner network",
        tags: { ...tags, "canalkit.io/purpose": "runner-api-access" },
      }, parent);
    });

    this.nodeRole = new aws.iam.Role(`${name}-node-role`, { assumeRolePolicy: JSON.stringify(nodeRoleTrustPolicy), tags }, parent);
    const nodeRoleDeps: pulumi.Resource[] = NODE_ROLE_MANAGED_POLICIES.map(
      (arn, i) => new aws.iam.RolePolicyAttachment(`${name}-node-role-${i}`, { role: this.nodeRole.name, policyArn: arn }, { parent: this.nodeRole }),
    );
    const srcDst = sourceDestCheckPolicy(plan.routing.topology);
    if (srcDst) {
      nodeRoleDeps.push(new aws.iam.RolePolicy(`${name}-node-srcdst`, { role: this.nodeRole.id, policy: JSON.stringify(srcDst) }, { parent: this.nodeRole }));
    }

    const adminList: pulumi.Input<string>[] = [...(args.deployRoleArn && !admins.includes(args.deployRoleArn) ? [args.deployRoleArn] : []), ...admins];
    const accessEntries: pulumi.Resource[] = [];
    for (const [i, principal] of adminList.entries()) {
      const entry = new aws.eks.AccessEntry(`${name}-admin-${i}`, { clusterName: this.cluster.name, principalArn: principal, type: "STANDARD", tags }, parent);
      accessEntries.push(entry);
      accessEntries.push(new aws.eks.AccessPolicyAssociation(`${name}-admin-${i}`, {
        clusterName: this.cluster.name,
        principalArn: principal,
        policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
        accessScope: { type: "cluster" },
      }, { parent: entry }));
    }

    // Add-ons follow the control plane (they reference it), node groups follow the add-ons: the
    // order EKS requires for an upgrade. kube-proxy and the Pod Identity agent use the host
    // network, so they do not wait for the CNI.
    this.kubeProxy = this.addonNamed(`${name}-kube-proxy`, "kube-proxy", []);
    this.podIdentityAgent = this.addonNamed(`${name}-eks-pod-identity-agent`, "eks-pod-identity-agent", []);

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
        // A prefix, not a name: a replacement (new instance types, disk, subnets) creates the new
        // group before the old one is deleted, so capacity never drops to zero.
        nodeGroupNamePrefix: `${group.name}-`,
        version,
        ...(group.releaseVersion ? { releaseVersion: group.releaseVersion } : {}),
        nodeRoleArn: this.nodeRole.arn,
        subnetIds: args.network.privateSubnetIds,
        instanceTypes: group.instanceTypes,
        amiType: nodeGroupAmiType(`nodeGroups[${args.nodeGroups.indexOf(group)}]`, group.instanceTypes, group.amiType),
        scalingConfig: { minSize: group.minSize, maxSize: group.maxSize, desiredSize: group.desiredSize },
        launchTemplate: { id: template.id, version: template.latestVersion.apply((v) => String(v)) },
        labels: { ...(group.labels ?? {}), "canalkit.io/node-group": group.name },
        ...(group.taints?.length ? { taints: group.taints.map((t) => ({ key: t.key, effect: t.effect, ...(t.value !== undefined ? { value: t.value } : {}) })) } : {}),
        tags,
      }, { parent: this, dependsOn: [...nodeRoleDeps, this.kubeProxy, this.podIdentityAgent] });
    }

    this.kubeconfig = pulumi.secret(
      pulumi.all([this.cluster.endpoint, this.cluster.certificateAuthority]).apply(([endpointUrl, ca]) =>
        renderEksKubeconfig({
          clusterName,
          endpoint: endpointUrl,
          certificateAuthorityData: ca.data ?? "",
          region: args.region,
          ...(args.deployRoleArn ? { roleArn: args.deployRoleArn } : {}),
          ...(args.awsProfile ? { profile: args.awsProfile } : {}),
        }),
      ),
    );
    // The API accepts the deployer's objects once the control plane is up and its access entry exists.
    this.apiReadyResources = [this.cluster, ...accessEntries];
    this.readyResources = [this.cluster, ...accessEntries, this.kubeProxy, this.podIdentityAgent, ...Object.values(this.nodeGroups)];
    // Every Kubernetes object goes through this provider, and the provider depends on the whole
    // network: on destroy, the objects — the gateways' LoadBalancer Services above all, whose
    // load balancers hold interfaces in the subnets — are deleted before any subnet, gateway or VPC.
    this.provider = new k8s.Provider(
      kubernetesProviderName(clusterName),
      { kubeconfig: this.kubeconfig, enableServerSideApply: true, ...(args.apiServerGone ? { deleteUnreachable: true } : {}) },
      { parent: this, dependsOn: [this.cluster, ...accessEntries, ...(args.network.networkResources ?? [])] },
    );

    this.registerOutputs({
      ...facts,
      clusterName,
      kubeconfig: this.kubeconfig,
      endpoint: this.cluster.endpoint,
      kubernetesVersion: version,
      oidcIssuer: this.oidcIssuer,
      clusterSecurityGroupId: this.clusterSecurityGroupId,
      nodeRoleArn: this.nodeRole.arn,
      apiAccess: apiAccessDescription,
    });
  }

  /** An EKS add-on at the version pinned or EKS's default for the cluster's Kubernetes version. */
  private addonNamed(resourceName: string, addonName: EksAddonName, dependsOn: pulumi.Resource[]): aws.eks.Addon {
    const pinned = this.addonVersions[addonName];
    const addonVersion = pinned ?? aws.eks.getAddonVersionOutput({ addonName, kubernetesVersion: this.kubernetesVersion }, { parent: this }).version;
    return new aws.eks.Addon(resourceName, {
      clusterName: this.cluster.name,
      addonName,
      addonVersion,
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
      tags: this.tags,
    }, { parent: this, dependsOn });
  }

  /**
   * Gives one service account AWS rights through EKS Pod Identity: a role only the Pod Identity
   * service can assume, holding exactly `grant.statements`, associated with the service account.
   * The pods need no node-role rights and no IRSA annotation.
   */
  grantAwsAccess(name: string, grant: PodIdentityGrant): { role: aws.iam.Role; association: aws.eks.PodIdentityAssociation } {
    const role = new aws.iam.Role(`${name}-pod-identity`, { assumeRolePolicy: JSON.stringify(podIdentityTrustPolicy), tags: this.tags }, { parent: this });
    const policy = new aws.iam.RolePolicy(`${name}-pod-identity`, { role: role.id, policy: JSON.stringify({ Version: "2012-10-17", Statement: grant.statements }) }, { parent: role });
    const association = new aws.eks.PodIdentityAssociation(`${name}-pod-identity`, {
      clusterName: this.cluster.name,
      namespace: grant.namespace,
      serviceAccount: grant.serviceAccount,
      roleArn: role.arn,
      tags: this.tags,
    }, { parent: this, dependsOn: [this.podIdentityAgent, policy] });
    return { role, association };
  }

  /**
   * Adds CoreDNS as an EKS add-on once the CNI is running: its pods cannot become ready before,
   * and an add-on that never becomes healthy fails the deployment.
   */
  installCoreDns(cniReady: pulumi.Resource[]): aws.eks.Addon {
    if (this.coreDns) return this.coreDns;
    // Named after the cluster (not the component) as before, so existing stacks keep their add-on.
    this.coreDns = this.addonNamed(`${this.clusterName}-coredns`, "coredns", [...cniReady, ...Object.values(this.nodeGroups)]);
    return this.coreDns;
  }
}
