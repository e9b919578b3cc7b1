/**
 * The schema of a canalkit stack's config (`stacks/Pulumi.<stack>.yaml`, namespace `canalkit:`).
 * One source for validation, TypeScript types and `docs/configuration.md`.
 */
import { z } from "zod";

/** Cluster and resource names: DNS labels, as EKS and Kubernetes accept them. */
const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/, "1-40 lowercase letters, digits and '-', starting and ending with a letter or digit");

/** The network of one cluster. CIDRs and numbers are checked again by the network planner. */
export const networkConfigSchema = z.strictObject({
  vpcCidr: z.string().describe("IPv4 CIDR of the cluster's VPC, /16 to /24; must not overlap other clusters of the stack."),
  podCidr: z.string().default("100.64.0.0/16").describe("Pod CIDR (flannel Network, Calico pool); must not overlap the VPC or service CIDR."),
  serviceCidr: z.string().default("172.20.0.0/16").describe("Kubernetes service CIDR, /12 to /24."),
  topology: z
    .enum(["vxlan", "ipip-crosssubnet", "native-vpc"])
    .default("vxlan")
    .describe("How pod traffic crosses the VPC: flannel VXLAN, Calico IPIP across subnets, or native VPC routes."),
  natStrategy: z.enum(["none", "single", "one-per-az"]).default("one-per-az").describe("NAT gateways for the private (node) subnets."),
  pathMtuClass: z
    .enum(["intra-vpc", "inter-region", "vpn-or-internet"])
    .optional()
    .describe("Narrowest path pod traffic takes: 9001, 8500 or 1500 bytes of underlay MTU. Default: derived from canalkit:clusterSet.connectivity, else intra-vpc."),
  wireguard: z.boolean().default(false).describe("Encrypt pod traffic with WireGuard (60 bytes of MTU overhead)."),
  vxlanPort: z.number().int().default(8472).describe("flannel VXLAN UDP port; the security groups open exactly this port."),
  typha: z.boolean().default(false).describe("Run Calico Typha (opens TCP 5473 between nodes)."),
  maxNodes: z.number().int().positive().optional().describe("Most nodes the cluster may ever have; native-vpc checks it against the route quota."),
  routeTableQuota: z.number().int().default(50).describe("The account's routes-per-route-table quota (50 unless raised, at most 1000)."),
  azCidrMask: z.number().int().optional().describe("Prefix length of each AZ's block of the VPC; default VPC prefix + 2 (room for 4 AZs)."),
  flowLogs: z.boolean().default(false).describe("Send VPC flow logs to CloudWatch Logs."),
});

/** One managed node group. */
export const nodeGroupConfigSchema = z.strictObject({
  name: z.string().describe("Node group name, unique in the cluster."),
  instanceTypes: z.array(z.string()).min(1).default(["m6i.large"]).describe("EC2 instance types, most preferred first."),
  minSize: z.number().int().min(0).default(2).describe("Fewest nodes."),
  maxSize: z.number().int().min(1).default(4).describe("Most nodes; all groups together must fit the topology's node limit."),
  desiredSize: z.number().int().min(0).default(2).describe("Nodes to start with (min ≤ desired ≤ max)."),
  diskSizeGiB: z.number().int().min(20).default(50).describe("Root volume size in GiB (gp3, encrypted)."),
  labels: z.record(z.string(), z.string()).default({}).describe("Kubernetes labels for the nodes (keys and values as Kubernetes accepts them; not in the kubernetes.io/k8s.io namespaces kubelet refuses)."),
  taints: z
    .array(
      z.strictObject({
        key: z.string().describe("Taint key (a Kubernetes label key)."),
        value: z.string().optional().describe("Taint value (a Kubernetes label value)."),
        effect: z.enum(["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"]).describe("Taint effect, as the EKS API spells it."),
      }),
    )
    .default([])
    .describe("Taints for the nodes (at most 50)."),
  amiType: z
    .enum(["AL2023_x86_64_STANDARD", "AL2023_ARM_64_STANDARD"])
    .optional()
    .describe("EKS AMI type. Default: picked from the instance family (Graviton → AL2023_ARM_64_STANDARD, else AL2023_x86_64_STANDARD); state it only for a family the kit does not know."),
  releaseVersion: z.string().optional().describe("Pinned EKS AMI release version (e.g. 1.33.4-20250904); must belong to eks.kubernetesVersion. Default: the latest for that version."),
});

// --- Day two (issue 18): API access, AWS identities, protection, logs, versions. ---

/** CloudWatch Logs accepts only these retention periods (days). */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;
const iamRoleArn = z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, "an IAM role ARN such as arn:aws:iam::123456789012:role/canalkit-deploy");

/** The AWS identity one cluster is deployed with, overriding canalkit:aws (clusters in other accounts). */
export const clusterAwsConfigSchema = z.strictObject({
  roleArn: iamRoleArn.optional().describe("Role assumed for this cluster's AWS resources and its kubeconfig (a cluster in another account)."),
  profile: z.string().min(1).optional().describe("AWS CLI/SDK profile whose credentials assume it. Default: canalkit:aws.profile."),
});

/** Where `pulumi up` runs, so every API server can be reached from it. */
export const runnerConfigSchema = z.strictObject({
  location: z.enum(["internet", "vpc"]).describe("internet: the runner reaches public endpoints from cidrs; vpc: it runs in a network routed to the clusters' VPCs (peering/TGW) and uses private endpoints."),
  cidrs: z.array(z.string()).min(1).describe("The runner's source ranges: public egress addresses (internet) or its private network (vpc; admitted on TCP 443 by each control-plane security group)."),
});

/** The AWS identities of the stack. Default: the ambient credentials in every region. */
export const awsConfigSchema = z.strictObject({
  profile: z.string().min(1).optional().describe("AWS profile for every provider and kubeconfig (source credentials of roleArn)."),
  roleArn: iamRoleArn.optional().describe("Role every AWS provider assumes; the generated kubeconfigs run aws eks get-token with it, and the kit makes it cluster admin."),
  regions: z.record(z.string(), z.strictObject({ roleArn: iamRoleArn.describe("Role assumed in this region.") })).default({}).describe("Per-region role, overriding roleArn."),
});

/** Deletion protection. Defaults follow canalkit:environment: off in dev, on in staging and prod. */
export const protectionConfigSchema = z.strictObject({
  protect: z.boolean().optional().describe("Pulumi protect on EKS clusters, VPCs and KMS keys. Default: false in dev, true in staging and prod."),
  deletionProtection: z.boolean().optional().describe("EKS deletion protection on the clusters. Default: as protect."),
  kmsDeletionWindowDays: z.number().int().min(7).max(30).default(30).describe("Days a deleted KMS key stays recoverable (7-30)."),
});


/** The EKS cluster of one entry. */
export const eksConfigSchema = z.strictObject({
  kubernetesVersion: z.string().default("1.33").describe("Kubernetes minor version, 1.NN."),
  endpoint: z
    .strictObject({
      private: z.boolean().default(true).describe("Private API endpoint inside the VPC."),
      public: z.boolean().default(false).describe("Public API endpoint."),
      publicAccessCidrs: z.array(z.string()).default([]).describe("CIDRs allowed to the public endpoint. Default: canalkit:runner.cidrs when the runner is on the internet; required otherwise."),
      allowPublicFromAnywhere: z.boolean().optional().describe("Allow 0.0.0.0/0 in publicAccessCidrs (refused unless set)."),
    })
    .default({ private: true, public: false, publicAccessCidrs: [], allowPublicFromAnywhere: false })
    .describe("Who can reach the Kubernetes API."),
  logging: z
    .array(z.enum(["api", "audit", "authenticator", "controllerManager", "scheduler"]))
    .default(["api", "audit", "authenticator"])
    .describe("Control-plane log types sent to CloudWatch."),
  nodeGroups: z.array(nodeGroupConfigSchema).min(1).describe("Managed node groups in the private subnets."),
  adminPrincipalArns: z.array(z.string()).default([]).describe("IAM principals granted cluster-admin through access entries. When set (or a deploy role is set), the cluster creator gets no automatic admin access."),
  logRetentionDays: z.literal([...LOG_RETENTION_DAYS]).default(90).describe("Retention of the control-plane log group /aws/eks/<name>/cluster, created by the kit."),
  addonVersions: z.partialRecord(z.enum(["kube-proxy", "coredns", "eks-pod-identity-agent"]), z.string()).default({}).describe("Pinned EKS add-on versions. Default: the version EKS lists as default for kubernetesVersion."),
});

/** Canal options of one entry. */
export const cniConfigSchema = z.strictObject({
  calicoVersion: z.string().default("v3.32.1").describe("Calico release tag."),
  flannelVersion: z.string().default("v0.24.4").describe("flannel release tag."),
  calicoRegistry: z.string().default("quay.io/calico").describe("Registry for Calico images (mirrors)."),
  flannelRegistry: z.string().default("docker.io/flannel").describe("Registry for the flannel image (mirrors)."),
  interface: z.string().optional().describe("Node interface for pod traffic on multi-ENI nodes, e.g. ens5."),
  interfaceRegex: z.string().optional().describe("Regular expression selecting that interface instead."),
  typhaReplicas: z.number().int().min(1).default(3).describe("Typha replicas when network.typha is on."),
  nodeCidrPrefixLength: z.number().int().min(16).max(28).optional().describe("Prefix length of each node's pod CIDR handed out by the node pod-CIDR allocator (vxlan, native-vpc on EKS). Default 24."),
  nodePodCidrAllocatorImage: z.string().optional().describe("Image running the node pod-CIDR allocator (a mirror of the pinned Node.js image)."),
});

/** One cluster of the stack. */
export const clusterConfigSchema = z.strictObject({
  name: dnsLabel.describe("Cluster name, unique in the stack; names AWS and Kubernetes resources."),
  region: z
    .string()
    .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "an AWS region name such as us-east-1")
    .describe("AWS region of the cluster."),
  availabilityZones: z
    .union([z.array(z.string().min(1)).min(2), z.number().int().min(2).max(6)])
    .default(2)
    .describe("AZ names, or how many AZs to use (resolved from the region at deploy time)."),
  network: networkConfigSchema.describe("The cluster's AWS network."),
  eks: eksConfigSchema.describe("The EKS cluster (created without the Amazon VPC CNI)."),
  cni: cniConfigSchema.default(cniConfigSchema.parse({})).describe("The Canal CNI."),
  aws: clusterAwsConfigSchema.optional().describe("AWS identity for this cluster only (overrides canalkit:aws)."),
});

/** ErieCanal settings shared by every cluster of the set. */
export const erieCanalConfigSchema = z.strictObject({
  namespace: dnsLabel.default("erie-canal").describe("ErieCanal namespace; the same in every cluster (joins require it)."),
  version: z.string().default("0.1.3").describe("ErieCanal release."),
  imageRepository: z.string().default("docker.io/flomesh").describe("Registry/repository of ErieCanal images (mirrors)."),
  certManager: z.boolean().default(false).describe("Install cert-manager in every cluster and use it for ErieCanal's certificates and gateway TLS."),
  gatewayTls: z.boolean().default(false).describe("Open a TLS listener (443) on every cluster's gateway."),
  osmEdge: z.boolean().default(false).describe("Install osm-edge v1.3.0 in every consuming cluster and put the consumed services' namespaces in its mesh: the sidecars carry east-west calls to the exporters. On EKS its webhooks are served from the host network (ports 9446/9447)."),
});

/** One multi-cluster service. */
export const multiClusterServiceConfigSchema = z.strictObject({
  name: dnsLabel.describe("Service name (the Service, ServiceExport and GlobalTrafficPolicy share it)."),
  namespace: dnsLabel.describe("Namespace of the service in every cluster."),
  mode: z.enum(["Locality", "ActiveActive", "FailOver"]).describe("How consumers spread traffic over the exporters."),
  ports: z
    .array(
      z.strictObject({
        port: z.number().int().min(1).max(65535).describe("Service port (exported at /<namespace>/<name> on the gateway)."),
        name: z.string().optional().describe("Port name (a DNS label); required when the service has more than one port. Exported ports are called over plain HTTP: names for TLS (https, tls) or TCP (tcp-) are refused."),
        protocol: z.enum(["TCP", "UDP", "SCTP"]).optional().describe("Protocol. Default TCP."),
        targetPort: z.number().int().min(1).max(65535).optional().describe("Container port. Default: the port."),
      }),
    )
    .min(1)
    .describe("The Service's ports, the same in every exporter."),
  selector: z.record(z.string(), z.string()).optional().describe("Pod selector: when given, the kit creates the Service in each exporter."),
  exporters: z
    .array(z.strictObject({ cluster: z.string().describe("Name of a cluster of the stack."), weight: z.number().int().min(0).optional().describe("ActiveActive: relative share of traffic; 0 sends this exporter no calls.") }))
    .min(1)
    .describe("Exporting clusters; for FailOver in order of preference (a consumer calls its own copy first, then the first other exporter); weights for ActiveActive."),
  consumers: z.array(z.string()).min(1).describe("Clusters that consume the service (get its GlobalTrafficPolicy). FailOver with two or more exporters: every consumer must export it too (osm-edge cannot order remote exporters)."),
  localityTarget: z.string().optional().describe("Locality: the one preferred exporter."),
});

/** The whole `canalkit:` namespace of a stack's config. */
export const stackConfigSchema = z.strictObject({
  environment: z.enum(["dev", "staging", "prod"]).describe("Environment the stack deploys; sets policy enforcement and tags."),
  owner: z.string().min(1).describe("Team or person that owns the stack; tagged on every AWS resource."),
  tags: z.record(z.string(), z.string()).default({}).describe("Extra tags for every AWS resource."),
  clusters: z
    .array(clusterConfigSchema)
    .min(1)
    .describe("The clusters of the stack, each with its own VPC."),
  runner: runnerConfigSchema.optional().describe("Where pulumi up runs. Required unless every cluster has a public endpoint limited to named CIDRs."),
  aws: awsConfigSchema.default({ regions: {} }).describe("AWS identities: profile and roles assumed by the providers and the kubeconfigs."),
  protection: protectionConfigSchema.default({ kmsDeletionWindowDays: 30 }).describe("Protection from deletion."),
  destroy: z
    .strictObject({ unreachableClusters: z.array(z.string()).default([]).describe("Clusters whose API server is already gone: their Kubernetes objects are dropped from state on destroy (see docs/operations.md).") })
    .default({ unreachableClusters: [] })
    .describe("Settings for tearing a stack down."),
  clusterSet: z
    .strictObject({
      name: z.string().describe("Cluster set name."),
      controlPlane: z.string().describe("Name of the cluster that runs the set's control plane."),
      connectivity: z
        .enum(["vpc-peering", "transit-gateway", "internet"])
        .default("vpc-peering")
        .describe("How the clusters' VPCs are connected; also fixes each cluster's underlay MTU class."),
      gatewayPort: z.number().int().min(1).max(65535).default(80).describe("ErieCanal gateway port admitted between the set's VPCs."),
      securityGroupRuleQuota: z.number().int().min(1).max(1000).default(60).describe("The accounts' inbound-rules-per-security-group quota (60 unless raised); the set's prefix list counts as one rule per cluster against it."),
      erieCanal: erieCanalConfigSchema.default(erieCanalConfigSchema.parse({})).describe("ErieCanal, installed identically in every cluster of the set."),
      services: z.array(multiClusterServiceConfigSchema).default([]).describe("Services exported from some clusters of the set and consumed in others."),
      probe: z
        .strictObject({
          enabled: z.boolean().optional().describe("Probe every consumed service from inside the mesh of each consumer during pulumi up (needs erieCanal.osmEdge). Default: on in staging and prod when erieCanal.osmEdge is on, off in dev."),
          calls: z.number().int().min(1).max(50).default(10).describe("Calls per service and consumer once the sidecar answers."),
          path: z.string().regex(/^\/[A-Za-z0-9._~\/-]*$/, "a URL path starting with /").default("/").describe("Request path of the calls."),
          identityHeader: z.string().regex(/^[A-Za-z0-9-]+$/, "an HTTP header name").optional().describe("Response header whose value names the exporter cluster that answered; when set, calls answered by an exporter the mode excludes fail the probe."),
          timeoutSeconds: z.number().int().min(30).max(1800).default(300).describe("How long one probe may take, pod start included."),
        })
        .default({ calls: 10, path: "/", timeoutSeconds: 300 })
        .describe("The deploy-time mesh probe (MeshProbe)."),
    })
    .optional()
    .describe("Join all clusters of the stack into one cluster set."),
  policy: z
    .strictObject({
      overrides: z
        .record(z.string(), z.enum(["advisory", "mandatory", "disabled"]))
        .default({})
        .describe("Enforcement level per policy name, overriding the environment's default (see docs/policies.md)."),
      allowInternetFacingLoadBalancers: z.boolean().default(false).describe("Allow internet-facing load balancers (policy canalkit-internet-facing-load-balancers)."),
    })
    .default({ overrides: {}, allowInternetFacingLoadBalancers: false })
    .describe("Policy enforcement for this stack."),
  awsRegions: z
    .record(z.string(), z.array(z.string()).min(1))
    .default({})
    .describe("AZ names per AWS Region, added to the kit's table (components/network/awsRegions.ts) for Regions or zones AWS opened after this release."),
  synth: z
    .strictObject({
      availabilityZones: z
        .record(z.string(), z.array(z.string()))
        .default({})
        .describe("Offline answers for AZ lookups per region (used only by canalkit synth)."),
    })
    .default({ availabilityZones: {} })
    .describe("Settings for offline synth only."),
});

/** A validated stack config, defaults applied. */
export type StackConfig = z.infer<typeof stackConfigSchema>;
/** One validated cluster entry. */
export type ClusterConfig = z.infer<typeof clusterConfigSchema>;
