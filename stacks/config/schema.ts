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
    .default("intra-vpc")
    .describe("Narrowest path pod traffic takes: 9001, 8500 or 1500 bytes of underlay MTU."),
  wireguard: z.boolean().default(false).describe("Encrypt pod traffic with WireGuard (60 bytes of MTU overhead)."),
  vxlanPort: z.number().int().default(8472).describe("flannel VXLAN UDP port; the security groups open exactly this port."),
  typha: z.boolean().default(false).describe("Run Calico Typha (opens TCP 5473 between nodes)."),
  maxNodes: z.number().int().positive().optional().describe("Most nodes the cluster may ever have; native-vpc checks it against the route quota."),
  routeTableQuota: z.number().int().default(50).describe("The account's routes-per-route-table quota (50 unless raised, at most 1000)."),
  azCidrMask: z.number().int().optional().describe("Prefix length of each AZ's block of the VPC; default VPC prefix + 2 (room for 4 AZs)."),
  flowLogs: z.boolean().default(false).describe("Send VPC flow logs to CloudWatch Logs."),
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
