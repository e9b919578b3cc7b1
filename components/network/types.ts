/**
 * The vocabulary of canalkit networks: topologies, path-MTU classes, NAT strategies and the plan
 * the pure planner produces. Every later layer (cluster, CNI, multi-cluster, policies, diagram)
 * reads these plain data types rather than re-deriving network facts.
 */

/**
 * How pod traffic crosses the VPC.
 * - `vxlan`: flannel VXLAN between all nodes (Canal as shipped). Default.
 * - `ipip-crosssubnet`: Calico routes natively inside a subnet and uses IP-in-IP across subnets.
 * - `native-vpc`: no encapsulation; one VPC route per node pod CIDR (bounded by the route quota).
 */
export type Topology = "vxlan" | "ipip-crosssubnet" | "native-vpc";

/** Every topology, in documentation order. */
export const TOPOLOGIES: readonly Topology[] = ["vxlan", "ipip-crosssubnet", "native-vpc"];

/**
 * The narrowest path pod traffic of a cluster may take, which fixes the underlay MTU.
 * - `intra-vpc`: every node path stays in one VPC (9001).
 * - `inter-region`: some path crosses inter-Region VPC peering or a Transit Gateway (8500).
 * - `vpn-or-internet`: some path crosses a VPN or the internet (1500).
 */
export type PathMtuClass = "intra-vpc" | "inter-region" | "vpn-or-internet";

/** NAT gateways for private subnets: none, one shared, or one per AZ (production). */
export type NatStrategy = "none" | "single" | "one-per-az";

/** Inputs to the network planner. All values are plain: the plan is computed before any resource. */
export interface NetworkPlanInput {
  /** Cluster name; used in resource names and Kubernetes subnet tags. */
  clusterName: string;
  /** The VPC's IPv4 CIDR, for example `10.10.0.0/16`. */
  vpcCidr: string;
  /** Availability zone names, in order; index i always gets the same subnets. */
  availabilityZones: string[];
  /** The pod CIDR (flannel `Network`, Calico pool). Must not overlap the VPC or service CIDR. */
  podCidr: string;
  /** The Kubernetes service CIDR. Must not overlap the VPC or pod CIDR. */
  serviceCidr: string;
  /** Default `vxlan`. */
  topology?: Topology;
  /** Default `intra-vpc`. */
  pathMtuClass?: PathMtuClass;
  /** WireGuard encryption of pod traffic (adds 60 bytes of overhead). Default false. */
  wireguard?: boolean;
  /** Default `one-per-az`. */
  natStrategy?: NatStrategy;
  /** flannel VXLAN UDP port; must equal net-conf.json `Backend.Port`. Default 8472. */
  vxlanPort?: number;
  /** Whether Calico Typha runs (opens TCP 5473 node→node). Default false. */
  typha?: boolean;
  /** The most nodes the cluster may ever have (native-vpc checks it against the route quota). */
  maxNodes?: number;
  /** Routes-per-route-table quota of the account (default 50, adjustable up to 1000). */
  routeTableQuota?: number;
  /** Prefix length of each AZ's block; fixed so adding an AZ never re-addresses others. */
  azCidrMask?: number;
}

/** The subnets of one availability zone. */
export interface AzPlan {
  /** Position in `availabilityZones`; names and CIDRs derive from it. */
  index: number;
  /** Availability zone name, for example `eu-west-1a`. */
  name: string;
  /** The AZ's block of the VPC CIDR. */
  blockCidr: string;
  /** Public subnet (load balancers, NAT gateways). */
  publicSubnetCidr: string;
  /** Private subnet (nodes). */
  privateSubnetCidr: string;
}

/** Where a route sends traffic. */
export type RouteTarget =
  | { kind: "internet-gateway" }
  | { kind: "nat-gateway"; az: string };

/** A route table and what uses it. */
export interface RouteTablePlan {
  /** Stable logical name suffix, for example `public` or `private-0`. */
  key: string;
  /** Which subnets it serves. */
  tier: "public" | "private";
  /** AZ names whose subnet of this tier is associated with the table. */
  associatedAzs: string[];
  /** Routes besides the implicit local route. */
  routes: { destinationCidr: string; target: RouteTarget }[];
}

/** The security groups the plan defines rules for. */
export type SecurityGroupRole = "node" | "controlPlane";

/** Who a rule admits. */
export type RulePeer =
  | { kind: "security-group"; role: SecurityGroupRole }
  | { kind: "cidr"; cidr: string };

/** Why a rule exists; policies and docs group rules by it. */
export type RulePurpose = "cni" | "kubernetes" | "pmtud" | "egress";

/** One security-group rule. Protocol is `tcp`, `udp`, `icmp`, an IP protocol number (`4`) or `-1`. */
export interface SecurityGroupRulePlan {
  /** Stable logical name suffix, unique within the plan. */
  key: string;
  /** The group the rule belongs to. */
  group: SecurityGroupRole;
  direction: "ingress" | "egress";
  protocol: string;
  /** For icmp: the ICMP type; -1 where ports do not apply. */
  fromPort: number;
  /** For icmp: the ICMP code; -1 where ports do not apply. */
  toPort: number;
  peer: RulePeer;
  purpose: RulePurpose;
  description: string;
}

/** The MTU arithmetic, kept whole so every layer can explain the number it uses. */
export interface MtuPlan {
  pathMtuClass: PathMtuClass;
  /** Underlay MTU of the narrowest path: 9001, 8500 or 1500. */
  underlay: number;
  /** Bytes of encapsulation: VXLAN 50, IPIP 20, none 0, plus WireGuard 60 when on. */
  overhead: number;
  /** The pod (veth) MTU the CNI must be given: underlay − overhead. */
  pod: number;
}

/** What later layers must do for pod routing to work under the topology. */
export interface RoutingFacts {
  topology: Topology;
  /** Encapsulation on the wire between nodes. */
  encapsulation: "vxlan" | "ipip-crosssubnet" | "none";
  /** flannel VXLAN port (vxlan only). */
  vxlanPort?: number;
  /** Whether EC2 source/destination check must be disabled on node ENIs. */
  disableSourceDestCheck: boolean;
  /** Whether the pod CIDR must be admitted on node security groups. */
  admitPodCidr: boolean;
  /** Whether BGP (TCP 179) runs between nodes. */
  bgp: boolean;
  /** Most nodes the topology allows (native-vpc: the route quota); undefined = no VPC limit. */
  maxNodes?: number;
  /** Routes-per-route-table quota the plan was checked against. */
  routeTableQuota: number;
}

/** The complete, validated network plan of one cluster. */
export interface NetworkPlan {
  clusterName: string;
  vpcCidr: string;
  podCidr: string;
  serviceCidr: string;
  natStrategy: NatStrategy;
  azs: AzPlan[];
  routeTables: RouteTablePlan[];
  /** AZ names that get a NAT gateway (in their public subnet). */
  natGatewayAzs: string[];
  securityGroupRules: SecurityGroupRulePlan[];
  mtu: MtuPlan;
  routing: RoutingFacts;
  typha: boolean;
}
