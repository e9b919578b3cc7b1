/**
 * The connectivity plan of a cluster set, pure: which prefix lists, peerings, routes and rules
 * connect the VPCs, and whether they fit the AWS quotas. Computed before any resource exists, so a
 * set that would exceed a quota fails at preview, naming the quota and the way out.
 *
 * Linear by construction where AWS allows it. Each Region gets one managed prefix list holding
 * every VPC range of the set; a security-group rule or a VPC route that references it replaces one
 * rule or route per peer. AWS counts a referenced prefix list as its `maxEntries` against the
 * rules-per-group and routes-per-table quotas, so the quota checks count those entries, not the
 * one resource. Transit Gateways route between Regions with static routes to the remote Region's
 * VPC ranges, collapsed losslessly (adjacent equal halves merge) so they never cover an address
 * outside the set. VPC peering stays per pair by nature (a route's target is one peering), so it
 * is quadratic and bounded by the peering quota; the error points at transit-gateway.
 */
import { CanalkitInputError } from "../errors";
import type { Connectivity } from "./clusterSetNetwork";

/** AWS defaults (Service Quotas), used unless the caller states raised values. */
export const AWS_QUOTAS = {
  /** Inbound rules per security group (L-0EA8095F), adjustable up to 1000. */
  rulesPerSecurityGroup: 60,
  /** Active VPC peering connections per VPC, adjustable up to 125. */
  peeringsPerVpc: 50,
  /** Hard maximum of peering connections per VPC. */
  peeringsPerVpcMaximum: 125,
  /** Entries of a customer-managed prefix list (hard). */
  prefixListEntries: 1000,
  /** Routes per Transit Gateway route table. */
  transitGatewayRoutesPerTable: 10_000,
  /** Transit Gateway attachments per gateway. */
  attachmentsPerTransitGateway: 5000,
  /** Peering attachments per Transit Gateway. */
  peeringAttachmentsPerTransitGateway: 50,
} as const;

/** One cluster as the plan needs it. */
export interface ConnectivityCluster {
  clusterName: string;
  region: string;
  vpcCidr: string;
  /** How many private route tables the set's routes go into. */
  routeTables: number;
  /** The routes-per-route-table quota of the cluster's account (default 50). */
  routeTableQuota?: number;
  /** Routes the cluster itself keeps in each of those tables (its own, node routes). Default 2. */
  routesInUse?: number;
  /** Inbound rules the cluster already has on its node / control-plane security groups. */
  nodeSecurityGroupRules?: number;
  controlPlaneSecurityGroupRules?: number;
}

/** What the plan is asked to connect. */
export interface ConnectivityInput {
  connectivity: Connectivity;
  controlPlane: string;
  clusters: ConnectivityCluster[];
  /** The accounts' inbound-rules-per-security-group quota. Default 60. */
  securityGroupRuleQuota?: number;
  /** The accounts' peering-connections-per-VPC quota. Default 50. */
  peeringQuota?: number;
}

/** A managed prefix list in one Region with every VPC range of the set. */
export interface PrefixListPlan {
  region: string;
  entries: { cidr: string; description: string }[];
  maxEntries: number;
}

/** A VPC route in every private table of `cluster`. */
export interface VpcRoutePlan {
  cluster: string;
  /** A CIDR (peering: the peer's VPC) or the Region's set prefix list (Transit Gateway). */
  destination: { cidr: string } | { prefixListRegion: string };
  via: { peering: { a: string; b: string } } | { transitGatewayRegion: string };
}

/** The connectivity plan. */
export interface ConnectivityPlan {
  connectivity: Connectivity;
  regions: string[];
  prefixLists: PrefixListPlan[];
  peerings: { a: string; b: string; sameRegion: boolean }[];
  transitGatewayPeerings: { a: string; b: string }[];
  /** Static routes in `from`'s Transit Gateway to `to`'s VPC ranges over their peering. */
  transitGatewayRoutes: { from: string; to: string; cidr: string }[];
  vpcRoutes: VpcRoutePlan[];
  /** The gateway port on each cluster's node group from its Region's set prefix list. */
  gatewayRules: { cluster: string; prefixListRegion: string }[];
  /** The Kubernetes API on each member from the control plane's VPC. */
  apiRules: { cluster: string; from: string; cidr: string }[];
  /** What each cluster uses of its quotas, entries of referenced prefix lists included. */
  usage: { cluster: string; routesPerTable: number; nodeSecurityGroupRules: number; controlPlaneSecurityGroupRules: number; peerings: number }[];
}

function toInt(cidr: string): { start: number; bits: number } {
  const [ip, bits] = cidr.split("/");
  const start = ip!.split(".").reduce((n, o) => n * 256 + Number(o), 0);
  return { start, bits: Number(bits) };
}

function toCidr(start: number, bits: number): string {
  return `${[24, 16, 8, 0].map((s) => Math.floor(start / 2 ** s) % 256).join(".")}/${bits}`;
}

/**
 * The same addresses in as few CIDRs as possible without adding any: contained ranges drop, two
 * adjacent halves of one block merge, repeatedly. Never covers an address outside the input.
 */
export function collapseCidrs(cidrs: string[]): string[] {
  let blocks = cidrs.map(toInt).sort((x, y) => x.start - y.start || x.bits - y.bits);
  for (let changed = true; changed; ) {
    changed = false;
    const next: { start: number; bits: number }[] = [];
    for (const b of blocks) {
      const last = next[next.length - 1];
      if (last && b.start >= last.start && b.start + 2 ** (32 - b.bits) <= last.start + 2 ** (32 - last.bits)) {
        changed = true;
        continue;
      }
      const size = 2 ** (32 - b.bits);
      if (last && last.bits === b.bits && last.start + size === b.start && last.start % (size * 2) === 0) {
        next[next.length - 1] = { start: last.start, bits: b.bits - 1 };
        changed = true;
        continue;
      }
      next.push(b);
    }
    blocks = next;
  }
  return blocks.map((b) => toCidr(b.start, b.bits));
}

/** Plans the set's connectivity; throws when a quota would be exceeded. */
export function planSetConnectivity(input: ConnectivityInput): ConnectivityPlan {
  const { connectivity, clusters } = input;
  const regions = [...new Set(clusters.map((c) => c.region))];
  const plan: ConnectivityPlan = { connectivity, regions, prefixLists: [], peerings: [], transitGatewayPeerings: [], transitGatewayRoutes: [], vpcRoutes: [], gatewayRules: [], apiRules: [], usage: [] };
  if (connectivity === "internet") return plan;
  if (clusters.length > AWS_QUOTAS.prefixListEntries) {
    throw new CanalkitInputError("clusterSetNetwork.clusters", clusters.length, `a set's prefix list holds every VPC range, and a prefix list holds at most ${AWS_QUOTAS.prefixListEntries} entries`, `split the clusters into sets of at most ${AWS_QUOTAS.prefixListEntries}`);
  }
  // Exactly the set's ranges: AWS counts maxEntries against every referencing rule and route.
  const entries = clusters.map((c) => ({ cidr: c.vpcCidr, description: `cluster ${c.clusterName}` }));
  plan.prefixLists = regions.map((region) => ({ region, entries, maxEntries: entries.length }));
  const listWeight = entries.length;

  if (connectivity === "vpc-peering") {
    for (let i = 0; i < clusters.length; i++) {
      for (let j = i + 1; j < clusters.length; j++) {
        const a = clusters[i]!;
        const b = clusters[j]!;
        const pair = { a: a.clusterName, b: b.clusterName };
        plan.peerings.push({ ...pair, sameRegion: a.region === b.region });
        plan.vpcRoutes.push({ cluster: a.clusterName, destination: { cidr: b.vpcCidr }, via: { peering: pair } });
        plan.vpcRoutes.push({ cluster: b.clusterName, destination: { cidr: a.vpcCidr }, via: { peering: pair } });
      }
    }
  } else {
    for (let i = 0; i < regions.length; i++) {
      for (let j = i + 1; j < regions.length; j++) plan.transitGatewayPeerings.push({ a: regions[i]!, b: regions[j]! });
    }
    for (const from of regions) {
      for (const to of regions) {
        if (from === to) continue;
        for (const cidr of collapseCidrs(clusters.filter((c) => c.region === to).map((c) => c.vpcCidr))) plan.transitGatewayRoutes.push({ from, to, cidr });
      }
    }
    for (const c of clusters) plan.vpcRoutes.push({ cluster: c.clusterName, destination: { prefixListRegion: c.region }, via: { transitGatewayRegion: c.region } });
  }
  const control = clusters.find((c) => c.clusterName === input.controlPlane);
  for (const c of clusters) {
    plan.gatewayRules.push({ cluster: c.clusterName, prefixListRegion: c.region });
    if (control && c.clusterName !== control.clusterName) plan.apiRules.push({ cluster: c.clusterName, from: control.clusterName, cidr: control.vpcCidr });
  }
  checkQuotas(input, plan, listWeight);
  return plan;
}

function checkQuotas(input: ConnectivityInput, plan: ConnectivityPlan, listWeight: number): void {
  const ruleQuota = input.securityGroupRuleQuota ?? AWS_QUOTAS.rulesPerSecurityGroup;
  const peeringQuota = input.peeringQuota ?? AWS_QUOTAS.peeringsPerVpc;
  const index = new Map(input.clusters.map((c, i) => [c.clusterName, i]));
  for (const c of input.clusters) {
    const at = `clusterSetNetwork.clusters[${index.get(c.clusterName)}]`;
    const routes = plan.vpcRoutes.filter((r) => r.cluster === c.clusterName).reduce((n, r) => n + ("cidr" in r.destination ? 1 : listWeight), 0);
    const routesPerTable = (c.routesInUse ?? 2) + routes;
    const peerings = plan.peerings.filter((p) => p.a === c.clusterName || p.b === c.clusterName).length;
    const nodeRules = (c.nodeSecurityGroupRules ?? 0) + listWeight;
    const controlPlaneRules = (c.controlPlaneSecurityGroupRules ?? 0) + plan.apiRules.filter((r) => r.cluster === c.clusterName).length;
    plan.usage.push({ cluster: c.clusterName, routesPerTable, nodeSecurityGroupRules: nodeRules, controlPlaneSecurityGroupRules: controlPlaneRules, peerings });

    if (peerings > peeringQuota) {
      throw new CanalkitInputError(
        "clusterSet.connectivity",
        input.connectivity,
        `vpc-peering connects every pair: cluster ${c.clusterName} needs ${peerings} peering connections, over the peering-connections-per-VPC quota of ${peeringQuota} (at most ${AWS_QUOTAS.peeringsPerVpcMaximum} after an increase)`,
        `use connectivity: transit-gateway (linear in clusters), or fewer clusters per set`,
      );
    }
    const routeQuota = c.routeTableQuota ?? 50;
    if (routesPerTable > routeQuota) {
      const how = input.connectivity === "vpc-peering" ? `one route per peer (${routes})` : `a route to the set's prefix list, which counts as its ${listWeight} entries`;
      throw new CanalkitInputError(
        `clusters.${c.clusterName}.network.routeTableQuota`,
        routeQuota,
        `cluster ${c.clusterName} needs ${routesPerTable} routes in each private route table (${c.routesInUse ?? 2} of its own + ${how}), over the routes-per-route-table quota`,
        `raise the AWS quota L-93826ACB and network.routeTableQuota to at least ${routesPerTable} (at most 1000)${input.connectivity === "vpc-peering" ? ", or use connectivity: transit-gateway" : ""}`,
      );
    }
    for (const [group, used] of [["node", nodeRules], ["control-plane", controlPlaneRules]] as const) {
      if (used > ruleQuota) {
        throw new CanalkitInputError(
          "clusterSet.securityGroupRuleQuota",
          ruleQuota,
          `cluster ${c.clusterName}'s ${group} security group needs ${used} inbound rules (the set's prefix list counts as its ${listWeight} entries), over the inbound-rules-per-security-group quota`,
          `raise the AWS quota L-0EA8095F and clusterSet.securityGroupRuleQuota to at least ${used} (rules per group × groups per interface stays at most 1000), or split the set`,
        );
      }
    }
  }
  for (const region of plan.regions) {
    const tgwRoutes = plan.transitGatewayRoutes.filter((r) => r.from === region).length + input.clusters.filter((c) => c.region === region).length;
    if (tgwRoutes > AWS_QUOTAS.transitGatewayRoutesPerTable) {
      throw new CanalkitInputError("clusterSet.connectivity", input.connectivity, `the Transit Gateway in ${region} needs ${tgwRoutes} routes, over ${AWS_QUOTAS.transitGatewayRoutesPerTable} per route table`, "allocate each Region's VPC ranges from one block so the routes collapse, or split the set");
    }
    if (input.clusters.filter((c) => c.region === region).length > AWS_QUOTAS.attachmentsPerTransitGateway) {
      throw new CanalkitInputError("clusterSet.connectivity", input.connectivity, `more than ${AWS_QUOTAS.attachmentsPerTransitGateway} VPC attachments on the Transit Gateway in ${region}`, "split the set");
    }
  }
  if (plan.transitGatewayPeerings.length > 0 && plan.regions.length - 1 > AWS_QUOTAS.peeringAttachmentsPerTransitGateway) {
    throw new CanalkitInputError("clusterSet.connectivity", input.connectivity, `${plan.regions.length} Regions need ${plan.regions.length - 1} peering attachments per Transit Gateway, over ${AWS_QUOTAS.peeringAttachmentsPerTransitGateway}`, "split the set by Region group");
  }
}

/**
 * Resources the set network registers, by connectivity (C clusters, R Regions, T private route
 * tables per cluster, Rt Transit Gateway routes after collapsing, P inter-Region peerings):
 * - transit-gateway: R prefix lists + R gateways + C attachments + 2·R(R−1)/2 peering/accepters
 *   + Rt + C·T VPC routes + C gateway rules + (C−1) API rules — linear in C; an added cluster adds
 *   T+3 resources plus at most R−1 Transit Gateway routes, and none to any existing cluster.
 * - vpc-peering: R prefix lists + C(C−1)/2 peerings + P accepters + C(C−1)·T routes + C + (C−1)
 *   rules — an added cluster adds one peering and T routes to each existing cluster.
 */
export function setNetworkResourceCount(plan: ConnectivityPlan, routeTablesPerCluster: (cluster: string) => number): number {
  if (plan.connectivity === "internet") return 0;
  const routes = plan.vpcRoutes.reduce((n, r) => n + routeTablesPerCluster(r.cluster), 0);
  const rules = plan.gatewayRules.length + plan.apiRules.length;
  if (plan.connectivity === "vpc-peering") {
    return plan.prefixLists.length + plan.peerings.length + plan.peerings.filter((p) => !p.sameRegion).length + routes + rules;
  }
  const attachments = plan.gatewayRules.length;
  return plan.prefixLists.length + plan.regions.length + attachments + 2 * plan.transitGatewayPeerings.length + plan.transitGatewayRoutes.length + routes + rules;
}
