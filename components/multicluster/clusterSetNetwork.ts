/**
 * `ClusterSetNetwork`: connects the VPCs of a cluster set so consumers reach exporters' gateways
 * and the control plane reaches members' Kubernetes APIs — by VPC peering (same- and
 * inter-Region), by Transit Gateways (one per Region, peered across Regions), or not at all
 * (internet-facing gateways, chosen explicitly).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CanalkitInputError } from "../errors";
import type { PathMtuClass } from "../network/types";
import { refuseOverlappingVpcs } from "./planClusterSet";

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
}

/** Inputs of a `ClusterSetNetwork`. */
export interface ClusterSetNetworkArgs {
  connectivity: Connectivity;
  /** The cluster running the set's control plane (reaches every member's API on 443). */
  controlPlane: string;
  clusters: SetNetworkCluster[];
  /** The ErieCanal gateway port consumers connect to. Default 80. */
  gatewayPort?: number;
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
  constructor(name: string, args: ClusterSetNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    validateSetNetwork(args.clusters);
    if (!args.clusters.some((c) => c.clusterName === args.controlPlane)) {
      throw new CanalkitInputError("clusterSetNetwork.controlPlane", args.controlPlane, "is not one of the connected clusters", `use one of ${args.clusters.map((c) => c.clusterName).join(", ")}`);
    }
    const gatewayPort = args.gatewayPort ?? 80;
    // The facts stack policies read: registered as outputs too, since that is what the engine gives them.
    const facts = {
      connectivity: args.connectivity,
      controlPlane: args.controlPlane,
      gatewayPort,
      clusters: args.clusters.map((c) => ({ name: c.clusterName, region: c.region, vpcCidr: c.vpcCidr, underlay: underlayClassFor(c.clusterName, args.connectivity, args.clusters) })),
    };
    super("canalkit:multicluster:ClusterSetNetwork", name, facts, opts);
    const tags = args.tags ?? {};
    if (args.connectivity === "vpc-peering") this.peer(name, args.clusters, tags);
    if (args.connectivity === "transit-gateway") this.transitGateways(name, args.clusters, tags);
    if (args.connectivity !== "internet") this.admit(name, args, gatewayPort, tags);
    this.registerOutputs({ ...facts });
  }

  /** Full-mesh peering, accepted in the peer's Region, with routes both ways. */
  private peer(name: string, clusters: SetNetworkCluster[], tags: Record<string, string>): void {
    for (let i = 0; i < clusters.length; i++) {
      for (let j = i + 1; j < clusters.length; j++) {
        const a = clusters[i]!;
        const b = clusters[j]!;
        const pair = `${name}-${a.clusterName}-${b.clusterName}`;
        const sameRegion = a.region === b.region;
        const connection = new aws.ec2.VpcPeeringConnection(pair, {
          vpcId: a.vpcId,
          peerVpcId: b.vpcId,
          ...(sameRegion ? { autoAccept: true } : { peerRegion: b.region }),
          tags: { ...tags, Name: `${a.clusterName}-${b.clusterName}` },
        }, { parent: this, provider: a.provider });
        const ready: pulumi.Resource[] = [connection];
        if (!sameRegion) {
          ready.push(new aws.ec2.VpcPeeringConnectionAccepter(pair, { vpcPeeringConnectionId: connection.id, autoAccept: true, tags: { ...tags, Name: `${a.clusterName}-${b.clusterName}` } }, { parent: this, provider: b.provider }));
        }
        this.routes(`${pair}-a`, a, b.vpcCidr, { vpcPeeringConnectionId: connection.id }, ready);
        this.routes(`${pair}-b`, b, a.vpcCidr, { vpcPeeringConnectionId: connection.id }, ready);
      }
    }
  }

  /** One Transit Gateway per Region, VPC attachments, peering between Regions, static routes. */
  private transitGateways(name: string, clusters: SetNetworkCluster[], tags: Record<string, string>): void {
    const regions = [...new Set(clusters.map((c) => c.region))];
    const gateways = new Map<string, { tgw: aws.ec2transitgateway.TransitGateway; provider: aws.Provider }>();
    for (const region of regions) {
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
    const peerings = new Map<string, pulumi.Resource[]>();
    for (let i = 0; i < regions.length; i++) {
      for (let j = i + 1; j < regions.length; j++) {
        const a = gateways.get(regions[i]!)!;
        const b = gateways.get(regions[j]!)!;
        const pair = `${name}-${regions[i]}-${regions[j]}`;
        const peering = new aws.ec2transitgateway.PeeringAttachment(pair, { transitGatewayId: a.tgw.id, peerTransitGatewayId: b.tgw.id, peerRegion: regions[j]!, tags: { ...tags, Name: pair } }, { parent: this, provider: a.provider });
        const accepter = new aws.ec2transitgateway.PeeringAttachmentAccepter(pair, { transitGatewayAttachmentId: peering.id, tags: { ...tags, Name: pair } }, { parent: this, provider: b.provider });
        peerings.set(`${regions[i]}|${regions[j]}`, [peering, accepter]);
        // Static routes for the other Region's VPCs in each TGW's default route table.
        for (const [from, to, via] of [[a, regions[j]!, peering], [b, regions[i]!, peering]] as const) {
          for (const remote of clusters.filter((c) => c.region === to)) {
            new aws.ec2transitgateway.Route(`${pair}-${from === a ? "a" : "b"}-${remote.clusterName}`, {
              destinationCidrBlock: remote.vpcCidr,
              transitGatewayAttachmentId: via.id,
              transitGatewayRouteTableId: from.tgw.associationDefaultRouteTableId,
            }, { parent: this, provider: from.provider, dependsOn: [accepter] });
          }
        }
      }
    }
    for (const c of clusters) {
      const { tgw } = gateways.get(c.region)!;
      for (const other of clusters) {
        if (other.clusterName === c.clusterName) continue;
        const regionPair = [c.region, other.region].sort().join("|");
        this.routes(`${name}-${c.clusterName}-to-${other.clusterName}`, c, other.vpcCidr, { transitGatewayId: tgw.id }, [attachments.get(c.clusterName)!, ...(peerings.get(regionPair) ?? [])]);
      }
    }
  }

  /** A route to `destination` in every private route table of `cluster`. */
  private routes(prefix: string, cluster: SetNetworkCluster, destination: string, target: { vpcPeeringConnectionId?: pulumi.Input<string>; transitGatewayId?: pulumi.Input<string> }, dependsOn: pulumi.Resource[]): void {
    cluster.privateRouteTableIds.forEach((routeTableId, i) => {
      new aws.ec2.Route(`${prefix}-rt${i}`, { routeTableId, destinationCidrBlock: destination, ...target }, { parent: this, provider: cluster.provider, dependsOn });
    });
  }

  /** Exactly the gateway port from peer VPCs, and the Kubernetes API from the control plane's VPC. */
  private admit(name: string, args: ClusterSetNetworkArgs, gatewayPort: number, tags: Record<string, string>): void {
    const control = args.clusters.find((c) => c.clusterName === args.controlPlane)!;
    for (const c of args.clusters) {
      for (const peer of args.clusters) {
        if (peer.clusterName === c.clusterName) continue;
        new aws.vpc.SecurityGroupIngressRule(`${name}-${c.clusterName}-gw-from-${peer.clusterName}`, {
          securityGroupId: c.nodeSecurityGroupId,
          ipProtocol: "tcp",
          fromPort: gatewayPort,
          toPort: gatewayPort,
          cidrIpv4: peer.vpcCidr,
          description: `ErieCanal gateway from ${peer.clusterName}`,
          tags: { ...tags, "canalkit.io/purpose": "clusterset" },
        }, { parent: this, provider: c.provider });
      }
      if (c.clusterName !== control.clusterName) {
        new aws.vpc.SecurityGroupIngressRule(`${name}-${c.clusterName}-api-from-${control.clusterName}`, {
          securityGroupId: c.controlPlaneSecurityGroupId,
          ipProtocol: "tcp",
          fromPort: 443,
          toPort: 443,
          cidrIpv4: control.vpcCidr,
          description: `Kubernetes API from the cluster-set control plane ${control.clusterName}`,
          tags: { ...tags, "canalkit.io/purpose": "clusterset" },
        }, { parent: this, provider: c.provider });
      }
    }
  }
}
