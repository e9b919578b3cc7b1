/**
 * `ClusterSetNetwork`: connects the VPCs of a cluster set so consumers reach exporters' gateways
 * and the control plane reaches members' Kubernetes APIs — by Transit Gateways (one per Region,
 * peered across Regions; linear in clusters), by VPC peering (same- and inter-Region; one
 * peering per pair), or not at all (internet-facing gateways, chosen explicitly). What to create
 * comes from `planSetConnectivity`, which checks the AWS quotas first.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CanalkitInputError } from "../errors";
import type { PathMtuClass } from "../network/types";
import { refuseOverlappingVpcs } from "./planClusterSet";
import { planSetConnectivity, type ConnectivityPlan } from "./planSetConnectivity";

/** How the set's VPCs are connected. */
export type Connectivity = "vpc-peering" | "transit-gateway" | "internet";

/** One cluster's network, as the set network needs it (a `ClusterNetwork` provides these). */
export interface SetNetworkCluster {
  clusterName: string;
  region: string;
  vpcId: pulumi.Input<string>;
  vpcCidr: string;
  privateSubnetIds: pulumi.Input<string>[];
  privateRouteTableIds: pulumi.Input<string>[];
  nodeSecurityGroupId: pulumi.Input<string>;
  controlPlaneSecurityGroupId: pulumi.Input<string>;
  /** The AWS provider of the cluster's region. */
  provider: aws.Provider;
  /** The account's routes-per-route-table quota (the network plan's `routeTableQuota`). Default 50. */
  routeTableQuota?: number;
  /** Routes the cluster keeps in each private table itself (reserved, node routes). Default 2. */
  routesInUse?: number;
  /** Inbound rules the cluster already has on its node / control-plane security groups. Default 0. */
  nodeSecurityGroupRules?: number;
  controlPlaneSecurityGroupRules?: number;
}

/** Inputs of a `ClusterSetNetwork`. */
export interface ClusterSetNetworkArgs {
  connectivity: Connectivity;
  /** The cluster running the set's control plane (reaches every member's API on 443). */
  controlPlane: string;
  clusters: SetNetworkCluster[];
  /** The ErieCanal gateway port consumers connect to. Default 80. */
  gatewayPort?: number;
  /** The accounts' inbound-rules-per-security-group quota. Default 60 (AWS's default). */
  securityGroupRuleQuota?: number;
  tags?: Record<string, string>;
}

/**
 * The underlay MTU class a cluster's pods must be sized for, given how the set is connected:
 * traffic to another Region over peering, or over any Transit Gateway, is limited to 8500 bytes.
 * Same-Region peering keeps jumbo frames (AWS lists only inter-Region peering under the 8500
 * limit). Internet connectivity means `vpn-or-internet` (1500): the set's traffic crosses the
 * internet, and the stack docs promise that connectivity fixes the class; a stack that wants
 * jumbo pods anyway cannot state a wider class than the derived one.
 */
export function underlayClassFor(clusterName: string, connectivity: Connectivity, clusters: { clusterName: string; region: string }[]): PathMtuClass {
  const self = clusters.find((c) => c.clusterName === clusterName);
  if (!self) throw new CanalkitInputError("clusterSetNetwork.clusters", clusterName, "is not in the set network", "add the cluster to the set");
  if (connectivity === "transit-gateway") return clusters.length > 1 ? "inter-region" : "intra-vpc";
  if (connectivity === "vpc-peering") return clusters.some((c) => c.region !== self.region) ? "inter-region" : "intra-vpc";
  // Internet: the set's traffic leaves the VPC through internet and NAT gateways (1500 bytes).
  return clusters.length > 1 ? "vpn-or-internet" : "intra-vpc";
}

/** Validates the set's clusters: distinct names and non-overlapping VPC ranges (both named). */
export function validateSetNetwork(clusters: { clusterName: string; vpcCidr: string }[]): void {
  clusters.forEach((c, i) => {
    const j = clusters.findIndex((o) => o.clusterName === c.clusterName);
    if (j !== i) throw new CanalkitInputError(`clusterSetNetwork.clusters[${i}].clusterName`, c.clusterName, `is also clusters[${j}]`, "list each cluster once");
  });
  refuseOverlappingVpcs("clusterSetNetwork.clusters", clusters.map((c) => ({ name: c.clusterName, vpcCidr: c.vpcCidr })));
}

/** The connections between a cluster set's VPCs. */
export class ClusterSetNetwork extends pulumi.ComponentResource {
  /** What the set network creates and how much of each quota every cluster uses. */
  readonly plan: ConnectivityPlan;

  constructor(name: string, args: ClusterSetNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    validateSetNetwork(args.clusters);
    if (!args.clusters.some((c) => c.clusterName === args.controlPlane)) {
      throw new CanalkitInputError("clusterSetNetwork.controlPlane", args.controlPlane, "is not one of the connected clusters", `use one of ${args.clusters.map((c) => c.clusterName).join(", ")}`);
    }
    const plan = planSetConnectivity({
      connectivity: args.connectivity,
      controlPlane: args.controlPlane,
      ...(args.securityGroupRuleQuota !== undefined ? { securityGroupRuleQuota: args.securityGroupRuleQuota } : {}),
      clusters: args.clusters.map((c) => ({
        clusterName: c.clusterName,
        region: c.region,
        vpcCidr: c.vpcCidr,
        routeTables: c.privateRouteTableIds.length,
        ...(c.routeTableQuota !== undefined ? { routeTableQuota: c.routeTableQuota } : {}),
        ...(c.routesInUse !== undefined ? { routesInUse: c.routesInUse } : {}),
        ...(c.nodeSecurityGroupRules !== undefined ? { nodeSecurityGroupRules: c.nodeSecurityGroupRules } : {}),
        ...(c.controlPlaneSecurityGroupRules !== undefined ? { controlPlaneSecurityGroupRules: c.controlPlaneSecurityGroupRules } : {}),
      })),
    });
    const gatewayPort = args.gatewayPort ?? 80;
    // The facts stack policies read: registered as outputs too, since that is what the engine gives them.
    const facts = {
      connectivity: args.connectivity,
      controlPlane: args.controlPlane,
      gatewayPort,
      clusters: args.clusters.map((c) => ({ name: c.clusterName, region: c.region, vpcCidr: c.vpcCidr, underlay: underlayClassFor(c.clusterName, args.connectivity, args.clusters) })),
    };
    super("canalkit:multicluster:ClusterSetNetwork", name, facts, opts);
    this.plan = plan;
    const tags = args.tags ?? {};
    const byName = new Map(args.clusters.map((c) => [c.clusterName, c]));
    if (args.connectivity !== "internet") {
      const lists = this.prefixLists(name, plan, args.clusters, tags);
      if (args.connectivity === "vpc-peering") this.peer(name, plan, byName, tags);
      if (args.connectivity === "transit-gateway") this.transitGateways(name, plan, args.clusters, lists, tags);
      this.admit(name, plan, byName, lists, gatewayPort, tags);
    }
    this.registerOutputs({ ...facts });
  }

  /** One managed prefix list per Region holding every VPC range of the set. */
  private prefixLists(name: string, plan: ConnectivityPlan, clusters: SetNetworkCluster[], tags: Record<string, string>): Map<string, aws.ec2.ManagedPrefixList> {
    const lists = new Map<string, aws.ec2.ManagedPrefixList>();
    for (const list of plan.prefixLists) {
      const provider = clusters.find((c) => c.region === list.region)!.provider;
      lists.set(list.region, new aws.ec2.ManagedPrefixList(`${name}-vpcs-${list.region}`, {
        name: `${name}-vpcs`,
        addressFamily: "IPv4",
        maxEntries: list.maxEntries,
        entries: list.entries,
        tags: { ...tags, Name: `${name}-vpcs`, "canalkit.io/purpose": "clusterset" },
      }, { parent: this, provider }));
    }
    return lists;
  }

  /** Peering per pair, accepted in the peer's Region, with routes both ways. */
  private peer(name: string, plan: ConnectivityPlan, byName: Map<string, SetNetworkCluster>, tags: Record<string, string>): void {
    const ready = new Map<string, { id: pulumi.Output<string>; resources: pulumi.Resource[] }>();
    for (const p of plan.peerings) {
      const a = byName.get(p.a)!;
      const b = byName.get(p.b)!;
      const pair = `${name}-${a.clusterName}-${b.clusterName}`;
      const connection = new aws.ec2.VpcPeeringConnection(pair, {
        vpcId: a.vpcId,
        peerVpcId: b.vpcId,
        ...(p.sameRegion ? { autoAccept: true } : { peerRegion: b.region }),
        tags: { ...tags, Name: `${a.clusterName}-${b.clusterName}` },
      }, { parent: this, provider: a.provider });
      const resources: pulumi.Resource[] = [connection];
      if (!p.sameRegion) {
        resources.push(new aws.ec2.VpcPeeringConnectionAccepter(pair, { vpcPeeringConnectionId: connection.id, autoAccept: true, tags: { ...tags, Name: `${a.clusterName}-${b.clusterName}` } }, { parent: this, provider: b.provider }));
      }
      ready.set(`${p.a}|${p.b}`, { id: connection.id, resources });
    }
    for (const route of plan.vpcRoutes) {
      if (!("peering" in route.via) || !("cidr" in route.destination)) continue;
      const { a, b } = route.via.peering;
      const peering = ready.get(`${a}|${b}`)!;
      this.routes(`${name}-${a}-${b}-${route.cluster === a ? "a" : "b"}`, byName.get(route.cluster)!, { destinationCidrBlock: route.destination.cidr, vpcPeeringConnectionId: peering.id }, peering.resources);
    }
  }

  /** One Transit Gateway per Region, VPC attachments, peering between Regions, collapsed static routes. */
  private transitGateways(name: string, plan: ConnectivityPlan, clusters: SetNetworkCluster[], lists: Map<string, aws.ec2.ManagedPrefixList>, tags: Record<string, string>): void {
    const gateways = new Map<string, { tgw: aws.ec2transitgateway.TransitGateway; provider: aws.Provider }>();
    for (const region of plan.regions) {
      const provider = clusters.find((c) => c.region === region)!.provider;
      gateways.set(region, {
        provider,
        tgw: new aws.ec2transitgateway.TransitGateway(`${name}-${region}`, { description: `canalkit ${name} ${region}`, tags: { ...tags, Name: `${name}-${region}` } }, { parent: this, provider }),
      });
    }
    const attachments = new Map<string, aws.ec2transitgateway.VpcAttachment>();
    for (const c of clusters) {
      const { tgw, provider } = gateways.get(c.region)!;
      attachments.set(c.clusterName, new aws.ec2transitgateway.VpcAttachment(`${name}-${c.clusterName}`, { transitGatewayId: tgw.id, vpcId: c.vpcId, subnetIds: c.privateSubnetIds, tags: { ...tags, Name: `${name}-${c.clusterName}` } }, { parent: this, provider }));
    }
    const peerings = new Map<string, { peering: aws.ec2transitgateway.PeeringAttachment; accepter: aws.ec2transitgateway.PeeringAttachmentAccepter }>();
    for (const { a, b } of plan.transitGatewayPeerings) {
      const pair = `${name}-${a}-${b}`;
      const peering = new aws.ec2transitgateway.PeeringAttachment(pair, { transitGatewayId: gateways.get(a)!.tgw.id, peerTransitGatewayId: gateways.get(b)!.tgw.id, peerRegion: b, tags: { ...tags, Name: pair } }, { parent: this, provider: gateways.get(a)!.provider });
      const accepter = new aws.ec2transitgateway.PeeringAttachmentAccepter(pair, { transitGatewayAttachmentId: peering.id, tags: { ...tags, Name: pair } }, { parent: this, provider: gateways.get(b)!.provider });
      peerings.set(`${a}|${b}`, { peering, accepter });
    }
    // Static routes to the other Regions' VPC ranges (peering attachments do not propagate).
    for (const route of plan.transitGatewayRoutes) {
      const key = plan.transitGatewayPeerings.some((p) => p.a === route.from && p.b === route.to) ? `${route.from}|${route.to}` : `${route.to}|${route.from}`;
      const { peering, accepter } = peerings.get(key)!;
      const from = gateways.get(route.from)!;
      new aws.ec2transitgateway.Route(`${name}-${route.from}-to-${route.to}-${route.cidr.replace(/[./]/g, "-")}`, {
        destinationCidrBlock: route.cidr,
        transitGatewayAttachmentId: peering.id,
        transitGatewayRouteTableId: from.tgw.associationDefaultRouteTableId,
      }, { parent: this, provider: from.provider, dependsOn: [accepter] });
    }
    const inRegion = (region: string) => [...peerings.entries()].filter(([k]) => k.split("|").includes(region)).flatMap(([, p]) => [p.peering, p.accepter]);
    for (const route of plan.vpcRoutes) {
      if (!("transitGatewayRegion" in route.via) || !("prefixListRegion" in route.destination)) continue;
      const c = clusters.find((x) => x.clusterName === route.cluster)!;
      this.routes(`${name}-${c.clusterName}-to-set`, c, { destinationPrefixListId: lists.get(route.destination.prefixListRegion)!.id, transitGatewayId: gateways.get(route.via.transitGatewayRegion)!.tgw.id }, [attachments.get(c.clusterName)!, ...inRegion(c.region)]);
    }
  }

  /** A route in every private route table of `cluster`. */
  private routes(prefix: string, cluster: SetNetworkCluster, route: { destinationCidrBlock?: string; destinationPrefixListId?: pulumi.Input<string>; vpcPeeringConnectionId?: pulumi.Input<string>; transitGatewayId?: pulumi.Input<string> }, dependsOn: pulumi.Resource[]): void {
    cluster.privateRouteTableIds.forEach((routeTableId, i) => {
      new aws.ec2.Route(`${prefix}-rt${i}`, { routeTableId, ...route }, { parent: this, provider: cluster.provider, dependsOn });
    });
  }

  /** Exactly the gateway port from the set's VPCs (one rule, the prefix list), and the Kubernetes API from the control plane's VPC. */
  private admit(name: string, plan: ConnectivityPlan, byName: Map<string, SetNetworkCluster>, lists: Map<string, aws.ec2.ManagedPrefixList>, gatewayPort: number, tags: Record<string, string>): void {
    for (const rule of plan.gatewayRules) {
      const c = byName.get(rule.cluster)!;
      new aws.vpc.SecurityGroupIngressRule(`${name}-${c.clusterName}-gw-from-set`, {
        securityGroupId: c.nodeSecurityGroupId,
        ipProtocol: "tcp",
        fromPort: gatewayPort,
        toPort: gatewayPort,
        prefixListId: lists.get(rule.prefixListRegion)!.id,
        description: `ErieCanal gateway from the cluster set's VPCs`,
        tags: { ...tags, "canalkit.io/purpose": "clusterset" },
      }, { parent: this, provider: c.provider });
    }
    for (const rule of plan.apiRules) {
      const c = byName.get(rule.cluster)!;
      new aws.vpc.SecurityGroupIngressRule(`${name}-${c.clusterName}-api-from-${rule.from}`, {
        securityGroupId: c.controlPlaneSecurityGroupId,
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: rule.cidr,
        description: `Kubernetes API from the cluster-set control plane ${rule.from}`,
        tags: { ...tags, "canalkit.io/purpose": "clusterset" },
      }, { parent: this, provider: c.provider });
    }
  }
}
