/**
 * The network planner: validates every input and computes the whole network of a cluster
 * (subnets per AZ, route tables, NAT placement, security-group rules, MTU, routing facts) as
 * plain data, before any resource exists. Pure: no Pulumi, no AWS.
 */
import { CanalkitInputError } from "../errors";
import { cidrContains, cidrsOverlap, parseCidr, subBlock, type Cidr } from "./cidr";
import { planMtu, UNDERLAY_MTU } from "./mtu";
import { DEFAULT_ROUTE_TABLE_QUOTA, MAXIMUM_ROUTE_TABLE_QUOTA, planRouting } from "./routing";
import { planSecurityGroupRules } from "./securityGroupRules";
import {
  TOPOLOGIES,
  type AzPlan,
  type NatStrategy,
  type NetworkPlan,
  type NetworkPlanInput,
  type PathMtuClass,
  type RouteTablePlan,
  type Topology,
} from "./types";

/** Fewest availability zones a cluster network may span (EKS needs subnets in two). */
export const MINIMUM_AZS = 2;
/** Smallest AZ block: its public subnet (a quarter) must still be a /28, the EKS minimum. */
export const SMALLEST_AZ_BLOCK_PREFIX = 26;
/** Prefix of the per-node pod subnet flannel and Calico host-local IPAM hand out. */
export const NODE_POD_SUBNET_PREFIX = 24;
/** Default flannel VXLAN port (the Linux kernel default flannel leaves in place). */
export const DEFAULT_VXLAN_PORT = 8472;

const NAT_STRATEGIES: readonly NatStrategy[] = ["none", "single", "one-per-az"];

function requireOneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== "string" || !allowed.includes(value as T)) {
    throw new CanalkitInputError(field, value, "is not allowed", `use one of ${allowed.join(", ")}`);
  }
  return value as T;
}

function requireInteger(field: string, value: unknown, min: number, max: number, fix: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new CanalkitInputError(field, value, `must be a whole number from ${min} to ${max}`, fix);
  }
  return value;
}

function refuseOverlap(aField: string, a: Cidr, bField: string, b: Cidr): void {
  if (cidrsOverlap(a, b)) {
    throw new CanalkitInputError(
      aField,
      a.text,
      `overlaps ${bField} (${b.text}); routing cannot tell the two apart`,
      `choose non-overlapping ranges, for example a VPC in 10.0.0.0/8 and pods in 100.64.0.0/10`,
    );
  }
}

/**
 * Subnets per AZ. AZ i always takes block i of size `azCidrMask`, so adding an AZ at the end
 * never re-addresses an existing subnet. Inside a block: private = first half (nodes need the
 * room), public = third quarter (load balancers, NAT), last quarter left free.
 */
function planAzs(vpc: Cidr, azNames: string[], azCidrMask: number): AzPlan[] {
  return azNames.map((name, index) => {
    const block = subBlock(vpc, azCidrMask, index);
    if (!block) {
      const fits = 2 ** (azCidrMask - vpc.prefix);
      throw new CanalkitInputError(
        "network.availabilityZones",
        azNames,
        `${azNames.length} AZ blocks of /${azCidrMask} do not fit the VPC ${vpc.text} (it holds ${fits})`,
        `use at most ${fits} AZs, a larger VPC CIDR, or a longer network.azCidrMask`,
      );
    }
    const privateSubnet = subBlock(block, azCidrMask + 1, 0)!;
    const publicSubnet = subBlock(block, azCidrMask + 2, 2)!;
    return { index, name, blockCidr: block.text, privateSubnetCidr: privateSubnet.text, publicSubnetCidr: publicSubnet.text };
  });
}

function planRouteTables(azs: AzPlan[], nat: NatStrategy): { routeTables: RouteTablePlan[]; natGatewayAzs: string[] } {
  const natGatewayAzs = nat === "one-per-az" ? azs.map((a) => a.name) : nat === "single" ? [azs[0]!.name] : [];
  const routeTables: RouteTablePlan[] = [
    { key: "public", tier: "public", associatedAzs: azs.map((a) => a.name), routes: [{ destinationCidr: "0.0.0.0/0", target: { kind: "internet-gateway" } }] },
  ];
  // One private table per AZ whatever the NAT strategy, so switching strategies only changes routes.
  for (const az of azs) {
    const natAz = nat === "one-per-az" ? az.name : natGatewayAzs[0];
    routeTables.push({
      key: `private-${az.index}`,
      tier: "private",
      associatedAzs: [az.name],
      routes: natAz ? [{ destinationCidr: "0.0.0.0/0", target: { kind: "nat-gateway", az: natAz } }] : [],
    });
  }
  return { routeTables, natGatewayAzs };
}

/** Validates the inputs and computes the network plan; throws `CanalkitInputError` on bad input. */
export function planNetwork(input: NetworkPlanInput): NetworkPlan {
  if (typeof input.clusterName !== "string" || !/^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/.test(input.clusterName)) {
    throw new CanalkitInputError("name", input.clusterName, "is not a valid cluster name", "use 1-40 lowercase letters, digits and '-', starting and ending with a letter or digit");
  }
  const topology = requireOneOf<Topology>("network.topology", input.topology ?? "vxlan", TOPOLOGIES);
  const pathMtuClass = requireOneOf<PathMtuClass>("network.pathMtuClass", input.pathMtuClass ?? "intra-vpc", Object.keys(UNDERLAY_MTU) as PathMtuClass[]);
  const natStrategy = requireOneOf<NatStrategy>("network.natStrategy", input.natStrategy ?? "one-per-az", NAT_STRATEGIES);
  const vxlanPort = requireInteger("network.vxlanPort", input.vxlanPort ?? DEFAULT_VXLAN_PORT, 1024, 65535, "use 8472 (the default) or 4789 (IANA)");
  for (const [port, use] of [[179, "BGP"], [5473, "Typha"], [10250, "kubelet"], [9099, "Felix health"]] as const) {
    if (vxlanPort === port) throw new CanalkitInputError("network.vxlanPort", vxlanPort, `collides with ${use}`, "use 8472 (the default) or 4789 (IANA)");
  }
  const routeTableQuota = requireInteger(
    "network.routeTableQuota",
    input.routeTableQuota ?? DEFAULT_ROUTE_TABLE_QUOTA,
    DEFAULT_ROUTE_TABLE_QUOTA,
    MAXIMUM_ROUTE_TABLE_QUOTA,
    "state the routes-per-route-table quota of the account: 50 unless raised, at most 1000",
  );
  const maxNodes = input.maxNodes === undefined ? undefined : requireInteger("network.maxNodes", input.maxNodes, 1, 100_000, "give the most nodes the cluster may ever have");

  const vpc = parseCidr("network.vpcCidr", input.vpcCidr);
  if (vpc.prefix < 16 || vpc.prefix > 24) {
    throw new CanalkitInputError("network.vpcCidr", input.vpcCidr, "AWS VPCs must be between /16 and /24", "use a /16 to /24 block, for example 10.10.0.0/16");
  }
  const pods = parseCidr("network.podCidr", input.podCidr);
  const services = parseCidr("network.serviceCidr", input.serviceCidr);
  refuseOverlap("network.podCidr", pods, "network.vpcCidr", vpc);
  refuseOverlap("network.serviceCidr", services, "network.vpcCidr", vpc);
  refuseOverlap("network.podCidr", pods, "network.serviceCidr", services);
  if (pods.prefix > NODE_POD_SUBNET_PREFIX - 1) {
    throw new CanalkitInputError("network.podCidr", input.podCidr, `each node takes a /${NODE_POD_SUBNET_PREFIX} of it, so it must be /${NODE_POD_SUBNET_PREFIX - 1} or larger`, "use a /16, for example 100.64.0.0/16");
  }
  const podSubnets = 2 ** (NODE_POD_SUBNET_PREFIX - pods.prefix);
  if (maxNodes !== undefined && maxNodes > podSubnets) {
    throw new CanalkitInputError("network.maxNodes", maxNodes, `the pod CIDR ${pods.text} holds only ${podSubnets} node subnets of /${NODE_POD_SUBNET_PREFIX}`, `use a larger network.podCidr or at most ${podSubnets} nodes`);
  }
  if (services.prefix < 12 || services.prefix > 24) {
    throw new CanalkitInputError("network.serviceCidr", input.serviceCidr, "Kubernetes service ranges on EKS must be between /12 and /24", "use for example 172.20.0.0/16");
  }

  const azNames = input.availabilityZones;
  if (!Array.isArray(azNames) || azNames.length < MINIMUM_AZS || azNames.some((n) => typeof n !== "string" || n.length === 0)) {
    throw new CanalkitInputError("network.availabilityZones", azNames, `a cluster network needs at least ${MINIMUM_AZS} availability zones`, "name two or more AZs of the region, for example [eu-west-1a, eu-west-1b]");
  }
  const duplicate = azNames.find((n, i) => azNames.indexOf(n) !== i);
  if (duplicate) {
    throw new CanalkitInputError("network.availabilityZones", azNames, `${duplicate} is listed twice`, "list each AZ once");
  }
  const azCidrMask = requireInteger(
    "network.azCidrMask",
    input.azCidrMask ?? Math.min(vpc.prefix + 2, SMALLEST_AZ_BLOCK_PREFIX),
    vpc.prefix,
    SMALLEST_AZ_BLOCK_PREFIX,
    `use a prefix from the VPC's /${vpc.prefix} to /${SMALLEST_AZ_BLOCK_PREFIX}; the default /${vpc.prefix + 2} leaves room for 4 AZs`,
  );
  const azs = planAzs(vpc, azNames, azCidrMask);
  for (const az of azs) {
    if (!cidrContains(vpc, parseCidr("subnet", az.privateSubnetCidr))) throw new Error(`canalkit bug: subnet ${az.privateSubnetCidr} outside ${vpc.text}`);
  }
  const { routeTables, natGatewayAzs } = planRouteTables(azs, natStrategy);
  const typha = input.typha ?? false;
  return {
    clusterName: input.clusterName,
    vpcCidr: vpc.text,
    podCidr: pods.text,
    serviceCidr: services.text,
    natStrategy,
    azs,
    routeTables,
    natGatewayAzs,
    securityGroupRules: planSecurityGroupRules({ topology, vpcCidr: vpc.text, podCidr: pods.text, vxlanPort, typha }),
    mtu: planMtu(topology, pathMtuClass, input.wireguard ?? false),
    routing: planRouting({ topology, vxlanPort, routeTableQuota, maxNodes }),
    typha,
  };
}
