/**
 * What the offline engine answers in place of AWS and Kubernetes: deterministic ids, the computed
 * outputs later resources read (ARNs, endpoints), and data-source lookups from config.
 */
import { createHash } from "node:crypto";
import type { MockCallArgs, MockResourceArgs, MockResourceResult } from "@pulumi/pulumi/runtime/mocks";
import type { SynthResource } from "./engine";

/** Answers for data-source lookups, given by the stack config or the caller. */
export interface OfflineLookups {
  /** Availability zone names per region. Default: `<region>a` … `<region>f`. */
  availabilityZones?: Record<string, string[]>;
  /** The AWS account id reported by `getCallerIdentity`. Default `000000000000`. */
  accountId?: string;
  /** EKS add-on versions by `<addon>@<kubernetesVersion>`. Default: `offlineAddonVersion`. */
  addonVersions?: Record<string, string>;
}

/**
 * The version offline synth reports for an EKS add-on: shaped like EKS's (`v1.33.0-eksbuild.1`),
 * marked offline, and derived from the Kubernetes version asked for, so synth output shows which
 * version each add-on follows. Real versions come from EKS at preview. Same for every add-on.
 */
export function offlineAddonVersion(kubernetesVersion: string): string {
  return `v${kubernetesVersion}.0-eksbuild.offline`;
}

/** The fake AWS account the offline engine deploys into. */
export const OFFLINE_ACCOUNT_ID = "000000000000";

/** AWS id prefixes per resource type, so offline ids look like the real ones. */
const ID_PREFIXES: Record<string, string> = {
  "aws:ec2/vpc:Vpc": "vpc",
  "aws:ec2/subnet:Subnet": "subnet",
  "aws:ec2/securityGroup:SecurityGroup": "sg",
  "aws:ec2/routeTable:RouteTable": "rtb",
  "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc",
  "aws:ec2/internetGateway:InternetGateway": "igw",
  "aws:ec2/natGateway:NatGateway": "nat",
  "aws:ec2/eip:Eip": "eipalloc",
  "aws:ec2/launchTemplate:LaunchTemplate": "lt",
  "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": "pcx",
  "aws:ec2transitgateway/transitGateway:TransitGateway": "tgw",
  "aws:ec2transitgateway/vpcAttachment:VpcAttachment": "tgw-attach",
  "aws:ec2transitgateway/peeringAttachment:PeeringAttachment": "tgw-attach",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr",
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr",
  "aws:ec2/flowLog:FlowLog": "fl",
  "aws:kms/key:Key": "key",
};

function digest(text: string, length: number): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

function regionOf(inputs: Record<string, unknown>): string {
  return typeof inputs["region"] === "string" ? (inputs["region"] as string) : "us-east-1";
}

/** Service part of an ARN for a type token (`aws:eks/cluster:Cluster` → `eks`). */
function arnService(type: string): string {
  const mod = type.split(":")[1]?.split("/")[0] ?? "aws";
  return mod.replace(/^ec2transitgateway$/, "ec2");
}

/**
 * Computes the id and state of a resource the offline engine "creates": inputs echoed back plus
 * the computed outputs downstream resources read. Ids are derived from the URN, so they are stable
 * across runs and unique within a stack.
 */
export function offlineResourceState(
  args: MockResourceArgs,
  ctx: { stack: string; project: string; preview?: boolean },
): MockResourceResult {
  const inputs = (args.inputs ?? {}) as Record<string, unknown>;
  if (!args.custom) return { id: "", state: inputs };
  // A preview of a new stack knows only the inputs: ids and computed outputs are unknown (the SDK
  // reads an empty id and every property the state lacks as unknown when it runs as a preview).
  if (ctx.preview) return { id: "", state: previewState(args, inputs, ctx) };
  const key = `${ctx.project}/${ctx.stack}/${args.type}/${args.name}`;
  const prefix = ID_PREFIXES[args.type];
  const id =
    args.id ||
    (prefix ? `${prefix}-${digest(key, 17)}` : args.type.startsWith("kubernetes:") ? kubernetesId(inputs, args.name) : `${args.name}-${digest(key, 8)}`);
  const state: Record<string, unknown> = { ...inputs };
  if (args.type.startsWith("aws:")) {
    const region = regionOf(inputs);
    state["arn"] ??= `arn:aws:${arnService(args.type)}:${region}:${OFFLINE_ACCOUNT_ID}:${args.type.split(":").pop()!.toLowerCase()}/${id}`;
    state["id"] = id;
    Object.assign(state, awsComputed(args.type, id, inputs, region));
  }
  if (args.type.startsWith("kubernetes:") && typeof inputs["metadata"] === "object" && inputs["metadata"]) {
    const metadata = { ...(inputs["metadata"] as Record<string, unknown>) };
    metadata["name"] ??= `${args.name}-${digest(key, 8)}`;
    metadata["uid"] ??= uuidFrom(key);
    state["metadata"] = metadata;
    Object.assign(state, kubernetesComputed(args.type, inputs, key));
  }
  return { id, state };
}

/** What a provider's preview of a create returns: the inputs, with the names it fills in at check time. */
function previewState(args: MockResourceArgs, inputs: Record<string, unknown>, ctx: { stack: string; project: string }): Record<string, unknown> {
  const state: Record<string, unknown> = { ...inputs };
  if (args.type.startsWith("kubernetes:") && typeof inputs["metadata"] === "object" && inputs["metadata"]) {
    const metadata = { ...(inputs["metadata"] as Record<string, unknown>) };
    // The Kubernetes provider auto-names in Check, so the name is known in a preview.
    metadata["name"] ??= `${args.name}-${digest(`${ctx.project}/${ctx.stack}/${args.type}/${args.name}`, 8)}`;
    state["metadata"] = metadata;
  }
  return state;
}

/** What the cluster fills in that later resources consume: a LoadBalancer Service's address. */
function kubernetesComputed(type: string, inputs: Record<string, unknown>, key: string): Record<string, unknown> {
  const spec = (inputs["spec"] ?? {}) as Record<string, unknown>;
  if (type === "kubernetes:core/v1:Service" && spec["type"] === "LoadBalancer") {
    return { status: { loadBalancer: { ingress: [{ hostname: `offline-${digest(key, 24)}.elb.amazonaws.com` }] } } };
  }
  return {};
}

function kubernetesId(inputs: Record<string, unknown>, name: string): string {
  const metadata = (inputs["metadata"] ?? {}) as Record<string, unknown>;
  const objName = typeof metadata["name"] === "string" ? (metadata["name"] as string) : name;
  return typeof metadata["namespace"] === "string" ? `${metadata["namespace"]}/${objName}` : objName;
}

/** A deterministic RFC 4122-shaped UUID from a key. */
export function uuidFrom(key: string): string {
  const h = digest(key, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Computed outputs of AWS resources that later resources consume. */
function awsComputed(type: string, id: string, inputs: Record<string, unknown>, region: string): Record<string, unknown> {
  switch (type) {
    case "aws:eks/cluster:Cluster": {
      const name = (inputs["name"] as string) ?? id;
      return {
        name,
        endpoint: `https://${digest(id, 32).toUpperCase()}.gr7.${region}.eks.amazonaws.com`,
        certificateAuthority: { data: Buffer.from(`offline-ca-${id}`).toString("base64") },
        identities: [{ oidcs: [{ issuer: `https://oidc.eks.${region}.amazonaws.com/id/${digest(id, 32).toUpperCase()}` }] }],
        vpcConfig: { ...((inputs["vpcConfig"] as object) ?? {}), clusterSecurityGroupId: `sg-${digest(id + "cluster-sg", 17)}` },
        status: "ACTIVE",
      };
    }
    case "aws:iam/role:Role":
      return { name: inputs["name"] ?? id, arn: `arn:aws:iam::${OFFLINE_ACCOUNT_ID}:role/${inputs["name"] ?? id}` };
    case "aws:ec2/natGateway:NatGateway":
      return { privateIp: "10.255.0.1", publicIp: "198.51.100.1" };
    case "aws:ec2/eip:Eip":
      return { publicIp: "198.51.100.1", allocationId: id };
    case "aws:ec2/launchTemplate:LaunchTemplate":
      return { latestVersion: 1 };
    case "aws:ec2transitgateway/transitGateway:TransitGateway":
      return { associationDefaultRouteTableId: `tgw-rtb-${digest(id + "assoc", 17)}`, propagationDefaultRouteTableId: `tgw-rtb-${digest(id + "assoc", 17)}` };
    case "aws:ec2/vpc:Vpc":
      return { mainRouteTableId: `rtb-${digest(id + "main", 17)}`, defaultSecurityGroupId: `sg-${digest(id + "default", 17)}` };
    default:
      return {};
  }
}

/**
 * Answers a data-source lookup offline. Tokens without an offline answer fail loudly, naming the
 * token: silently inventing data would make synth output lie.
 */
export function answerInvoke(args: MockCallArgs, registered: SynthResource[], lookups: OfflineLookups): Record<string, unknown> {
  const inputs = (args.inputs ?? {}) as Record<string, unknown>;
  const region = providerRegion(args.provider, registered) ?? (inputs["region"] as string | undefined) ?? "us-east-1";
  switch (args.token) {
    case "aws:index/getAvailabilityZones:getAvailabilityZones": {
      const names = lookups.availabilityZones?.[region] ?? ["a", "b", "c", "d", "e", "f"].map((s) => `${region}${s}`);
      return { names, zoneIds: names.map((_, i) => `${region.replace(/-/g, "").slice(0, 4)}-az${i + 1}`), id: region, state: "available" };
    }
    case "aws:index/getRegion:getRegion":
      return { name: region, region, id: region, endpoint: `ec2.${region}.amazonaws.com` };
    case "aws:index/getCallerIdentity:getCallerIdentity": {
      const account = lookups.accountId ?? OFFLINE_ACCOUNT_ID;
      return { accountId: account, arn: `arn:aws:iam::${account}:user/offline`, userId: "OFFLINE", id: account };
    }
    case "aws:eks/getAddonVersion:getAddonVersion": {
      const addonName = String(inputs["addonName"]);
      const kubernetesVersion = String(inputs["kubernetesVersion"]);
      const version = lookups.addonVersions?.[`${addonName}@${kubernetesVersion}`] ?? offlineAddonVersion(kubernetesVersion);
      return { addonName, kubernetesVersion, version, id: addonName, region, mostRecent: inputs["mostRecent"] ?? false };
    }
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
    default:
      throw new Error(`offline synth has no answer for the lookup '${args.token}'; canalkit components must not depend on it`);
  }
}

/** The region an explicit AWS provider reference was configured with. */
function providerRegion(providerRef: string | undefined, registered: SynthResource[]): string | undefined {
  if (!providerRef) return undefined;
  const urn = providerRef.split("::").slice(0, -1).join("::");
  const provider = registered.find((r) => r.urn === urn);
  const region = provider?.inputs["region"];
  return typeof region === "string" ? region : undefined;
}
