/** Network policies: security-group rules per topology, no CNI port to the world, src/dst check, quotas, CIDRs. */
import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import { cidrsOverlap, parseCidr } from "../../components/network/cidr";
import { ROUTES_RESERVED_PER_TABLE } from "../../components/network/routing";
import { indexStack, ofType, type IndexedCluster } from "./stackIndex";
import { violation, type CanalkitPolicy } from "./types";

const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const SG = "aws:ec2/securityGroup:SecurityGroup";

/** Whether an ingress rule admits CNI traffic (VXLAN 8472/4789, BGP 179, IPIP, Typha 5473). */
export function admitsCniPort(protocol: string, from: number | undefined, to: number | undefined): boolean {
  const p = String(protocol).toLowerCase();
  if (p === "-1" || p === "4" || p === "ipip" || p === "all") return true;
  const lo = from ?? 0;
  const hi = to ?? 65535;
  const hits = (port: number) => lo <= port && port <= hi;
  if (p === "udp" || p === "17") return hits(8472) || hits(4789);
  if (p === "tcp" || p === "6") return hits(179) || hits(5473);
  return false;
}

const world = (cidr: unknown) => cidr === "0.0.0.0/0" || cidr === "::/0";

/** No CNI port or protocol open to 0.0.0.0/0 or ::/0. */
export const cniPortsNotPublic: CanalkitPolicy = {
  name: "canalkit-cni-ports-not-public",
  description: "No CNI port (UDP 8472/4789, TCP 179, TCP 5473, IP protocol 4) is open to 0.0.0.0/0 or ::/0.",
  severity: "critical",
  area: "network",
  remediation: "admit CNI traffic only from the cluster's node and control-plane security groups.",
  enforcementByEnvironment: { dev: "mandatory", staging: "mandatory", prod: "mandatory" },
  validateResource: (args, report) => {
    if (args.type === INGRESS) {
      const p = args.props;
      if ((world(p["cidrIpv4"]) || world(p["cidrIpv6"])) && admitsCniPort(p["ipProtocol"], p["fromPort"], p["toPort"])) {
        const ports = p["fromPort"] !== undefined ? ` ${p["fromPort"]}-${p["toPort"]}` : "";
        report(violation(cniPortsNotPublic, `Ingress rule ${args.name} opens protocol ${p["ipProtocol"]}${ports} to the internet.`));
      }
    } else if (args.type === SG) {
      for (const rule of (args.props["ingress"] ?? []) as Record<string, any>[]) {
        const cidrs = [...(rule["cidrBlocks"] ?? []), ...(rule["ipv6CidrBlocks"] ?? [])];
        if (cidrs.some(world) && admitsCniPort(rule["protocol"], rule["fromPort"], rule["toPort"])) {
          report(violation(cniPortsNotPublic, `Security group ${args.name} has an inline rule opening ${rule["protocol"]} ${rule["fromPort"]}-${rule["toPort"]} to the internet.`));
        }
      }
    }
  },
};

function ingressRules(cluster: IndexedCluster): Record<string, any>[] {
  return ofType(cluster, INGRESS).map((r) => r.props);
}

/** The security groups carry the CNI rules the topology needs. */
export const sgRulesMatchTopology: CanalkitPolicy = {
  name: "canalkit-sg-rules-match-topology",
  description: "Node security groups open what the topology's data plane uses: the VXLAN port for vxlan; IP protocol 4 and TCP 179 for ipip-crosssubnet; the pod CIDR for un-encapsulated topologies.",
  severity: "high",
  area: "network",
  remediation: "keep the security-group rules the ClusterNetwork plans for the topology; do not remove or narrow them.",
  validateStack: (args, report) => {
    for (const cluster of indexStack(args.resources).values()) {
      if (!cluster.network) continue;
      const f = cluster.network.facts;
      const rules = ingressRules(cluster);
      const has = (pred: (r: Record<string, any>) => boolean) => rules.some(pred);
      const missing: string[] = [];
      if (f.topology === "vxlan" && !has((r) => r["ipProtocol"] === "udp" && r["fromPort"] <= (f.vxlanPort ?? 8472) && (f.vxlanPort ?? 8472) <= r["toPort"] && "referencedSecurityGroupId" in r)) missing.push(`UDP ${f.vxlanPort ?? 8472} between nodes`);
      if (f.topology === "ipip-crosssubnet") {
        if (!has((r) => r["ipProtocol"] === "4")) missing.push("IP protocol 4 between nodes");
        if (!has((r) => r["ipProtocol"] === "tcp" && r["fromPort"] <= 179 && 179 <= r["toPort"])) missing.push("TCP 179 between nodes");
      }
      if (f.topology !== "vxlan" && !has((r) => r["cidrIpv4"] === f.podCidr && r["ipProtocol"] === "-1")) missing.push(`all traffic from the pod CIDR ${f.podCidr}`);
      if (missing.length > 0) report(violation(sgRulesMatchTopology, `Cluster ${cluster.name} (${f.topology}) lacks ${missing.join(", ")}.`), cluster.network.resource.urn);
    }
  },
};

/** Source/destination check is disabled by some mechanism wherever the topology needs it. */
export const sourceDestCheckDisabled: CanalkitPolicy = {
  name: "canalkit-source-dest-check-disabled",
  description: "Un-encapsulated topologies (ipip-crosssubnet, native-vpc) disable EC2 source/destination check: Felix with FELIX_AWSSRCDSTCHECK=Disable and node-role permission, or sourceDestCheck=false on instances and interfaces.",
  severity: "high",
  area: "network",
  remediation: "run Canal with FELIX_AWSSRCDSTCHECK=Disable and grant the node role ec2:DescribeInstances and ec2:ModifyNetworkInterfaceAttribute.",
  validateStack: (args, report) => {
    for (const cluster of indexStack(args.resources).values()) {
      const f = cluster.network?.facts;
      if (!f || !f.disableSourceDestCheck) continue;
      const felix = ofType(cluster, "kubernetes:apps/v1:DaemonSet").some((ds) =>
        (ds.props["spec"]?.["template"]?.["spec"]?.["containers"] ?? []).some((c: any) => (c.env ?? []).some((e: any) => e.name === "FELIX_AWSSRCDSTCHECK" && e.value === "Disable")),
      );
      const iam = ofType(cluster, "aws:iam/rolePolicy:RolePolicy").some((p) => {
        const text = typeof p.props["policy"] === "string" ? p.props["policy"] : JSON.stringify(p.props["policy"] ?? "");
        return text.includes("ec2:ModifyNetworkInterfaceAttribute") && text.includes("ec2:DescribeInstances");
      });
      const hasNodes = ofType(cluster, "aws:eks/nodeGroup:NodeGroup").length > 0;
      const direct = [...ofType(cluster, "aws:ec2/instance:Instance"), ...ofType(cluster, "aws:ec2/networkInterface:NetworkInterface")];
      const directOk = direct.length > 0 && direct.every((r) => r.props["sourceDestCheck"] === false);
      if (directOk) continue;
      const problems: string[] = [];
      if (!felix) problems.push("no Canal DaemonSet sets FELIX_AWSSRCDSTCHECK=Disable");
      if (hasNodes && !iam) problems.push("the node role lacks ec2:DescribeInstances/ec2:ModifyNetworkInterfaceAttribute");
      if (problems.length > 0) report(violation(sourceDestCheckDisabled, `Cluster ${cluster.name} (${f.topology}) needs source/destination check off, but ${problems.join(" and ")}.`), cluster.network!.resource.urn);
    }
  },
};

/** native-vpc clusters fit the routes-per-route-table quota. */
export const nativeVpcRouteQuota: CanalkitPolicy = {
  name: "canalkit-native-vpc-route-quota",
  description: "A native-vpc cluster's node groups can never need more routes than the routes-per-route-table quota allows (one route per node, plus the table's own).",
  severity: "high",
  area: "network",
  remediation: "lower the node groups' maxSize, raise the route quota (up to 1000) and network.routeTableQuota, or use the vxlan topology.",
  validateStack: (args, report) => {
    for (const cluster of indexStack(args.resources).values()) {
      const f = cluster.network?.facts;
      if (!f || f.topology !== "native-vpc") continue;
      const maxNodes = ofType(cluster, "aws:eks/nodeGroup:NodeGroup").reduce((n, g) => n + Number(g.props["scalingConfig"]?.["maxSize"] ?? 0), 0);
      const routes = maxNodes + ROUTES_RESERVED_PER_TABLE;
      if (routes > f.routeTableQuota) {
        report(violation(nativeVpcRouteQuota, `Cluster ${cluster.name} can grow to ${maxNodes} nodes = ${routes} routes per table, over the quota of ${f.routeTableQuota}.`), cluster.network!.resource.urn);
      }
    }
  },
};

function overlaps(a: string, b: string): boolean {
  try {
    return cidrsOverlap(parseCidr("a", a), parseCidr("b", b));
  } catch {
    return false;
  }
}

/** CIDRs do not overlap within a cluster, nor VPC CIDRs across connected clusters. */
export const cidrsDoNotOverlap: CanalkitPolicy = {
  name: "canalkit-cidrs-do-not-overlap",
  description: "Within a cluster the VPC, pod and service CIDRs are disjoint; across clusters that are peered or share a Transit Gateway the VPC CIDRs are disjoint.",
  severity: "critical",
  area: "network",
  remediation: "give each cluster a distinct VPC CIDR and keep pod and service ranges outside every VPC range.",
  validateStack: (args, report) => {
    const networks = [...indexStack(args.resources).values()].flatMap((c) => (c.network ? [c.network] : []));
    for (const { resource, facts: f } of networks) {
      for (const [a, an, b, bn] of [[f.vpcCidr, "VPC", f.podCidr, "pod"], [f.vpcCidr, "VPC", f.serviceCidr, "service"], [f.podCidr, "pod", f.serviceCidr, "service"]] as const) {
        if (overlaps(a, b)) report(violation(cidrsDoNotOverlap, `Cluster ${f.clusterName}: the ${an} CIDR ${a} overlaps the ${bn} CIDR ${b}.`), resource.urn);
      }
    }
    const connected = connectedPairs(args.resources);
    // Sorting by the range start makes the cross-cluster check n·log n instead of n².
    const sorted = networks.map((n) => ({ n, c: parseCidr("vpc", n.facts.vpcCidr) })).sort((x, y) => (x.c.first < y.c.first ? -1 : x.c.first > y.c.first ? 1 : 0));
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length && sorted[j]!.c.first <= sorted[i]!.c.last; j++) {
        const a = sorted[i]!.n.facts;
        const b = sorted[j]!.n.facts;
        if (connected(a.clusterName, b.clusterName)) {
          report(violation(cidrsDoNotOverlap, `Clusters ${a.clusterName} (${a.vpcCidr}) and ${b.clusterName} (${b.vpcCidr}) are connected but their VPC CIDRs overlap.`), sorted[j]!.n.resource.urn);
        }
      }
    }
  },
};

/**
 * Which clusters are connected. A `ClusterSetNetwork` records its clusters; without one, every
 * cluster of the stack is assumed connected (the safe reading for a stack that will join them).
 */
function connectedPairs(resources: PolicyResource[]): (a: string, b: string) => boolean {
  const sets = resources.filter((r) => r.type === "canalkit:multicluster:ClusterSetNetwork");
  if (sets.length === 0) return () => true;
  const groups = sets.map((s) => new Set(((s.props["clusters"] ?? []) as { name: string }[]).map((c) => c.name)));
  return (a, b) => groups.some((g) => g.has(a) && g.has(b));
}

/** Every network policy. */
export const networkPolicies: CanalkitPolicy[] = [cniPortsNotPublic, sgRulesMatchTopology, sourceDestCheckDisabled, nativeVpcRouteQuota, cidrsDoNotOverlap];

export type { ReportViolation };
