/**
 * The security-group rule matrix of a cluster network: exactly the CNI rules its topology needs,
 * the Kubernetes control-plane ports, the host-network ports kit components serve between nodes,
 * ICMP for path-MTU discovery, and egress.
 */
import type { RulePeer, SecurityGroupRole, SecurityGroupRulePlan, Topology } from "./types";

/** The ports and protocols of node-to-node CNI traffic; never to be opened to the world. */
export const CNI_PORTS = { vxlanDefault: 8472, vxlanIana: 4789, bgp: 179, typha: 5473, ipipProtocol: "4" } as const;

/** A port a host-network pod serves to pods or nodes elsewhere in the cluster. */
export interface HostNetworkPeerPort {
  /** Short name used in the rule key. */
  name: string;
  protocol: "tcp" | "udp";
  port: number;
  description: string;
}

/**
 * The host-network ports the kit's own components serve to other nodes (pods elsewhere reach
 * them through a Service; their source is the node's address once masqueraded). Only these are
 * admitted between nodes; webhook ports are reached by the control plane alone. Typha's port has
 * its own rule.
 */
export const KIT_HOST_NETWORK_PEER_PORTS: readonly HostNetworkPeerPort[] = [
  // The ErieCanal manager on the host network (EKS): the ingress's wait-manager init container
  // polls its health endpoint through the erie-canal-manager Service.
  { name: "eriecanal-manager-health", protocol: "tcp", port: 9444, description: "ErieCanal manager health on the host network (TCP 9444)" },
];

/** Inputs of the rule matrix. */
export interface RuleMatrixInput {
  topology: Topology;
  vpcCidr: string;
  podCidr: string;
  vxlanPort: number;
  typha: boolean;
  /** Host-network ports served between nodes. Default `KIT_HOST_NETWORK_PEER_PORTS`. */
  hostNetworkPeerPorts?: readonly HostNetworkPeerPort[];
}

const node: RulePeer = { kind: "security-group", role: "node" };
const controlPlane: RulePeer = { kind: "security-group", role: "controlPlane" };

/** Name suffix of a peer in rule keys. */
function peerKey(peer: RulePeer): string {
  return peer.kind === "cidr" ? "cidr" : peer.role === "node" ? "nodes" : "cp";
}

/**
 * A CNI rule between cluster members in every direction the data plane uses: node↔node and
 * node↔control plane, so the control plane's ENIs take part like any node.
 */
function betweenMembers(name: string, protocol: string, fromPort: number, toPort: number, description: string): SecurityGroupRulePlan[] {
  const pairs: [SecurityGroupRole, RulePeer][] = [
    ["node", node],
    ["node", controlPlane],
    ["controlPlane", node],
  ];
  return pairs.map(([group, peer]) => ({
    key: `${group === "node" ? "nodes" : "cp"}-from-${peerKey(peer)}-${name}`,
    group,
    direction: "ingress",
    protocol,
    fromPort,
    toPort,
    peer,
    purpose: "cni",
    description,
  }));
}

/** The CNI rules of a topology. */
export function cniRules(input: RuleMatrixInput): SecurityGroupRulePlan[] {
  const rules: SecurityGroupRulePlan[] = [];
  switch (input.topology) {
    case "vxlan":
      rules.push(...betweenMembers("vxlan", "udp", input.vxlanPort, input.vxlanPort, `flannel VXLAN (UDP ${input.vxlanPort})`));
      break;
    case "ipip-crosssubnet":
      rules.push(...betweenMembers("ipip", CNI_PORTS.ipipProtocol, -1, -1, "Calico IP-in-IP across subnets (IP protocol 4)"));
      rules.push(...betweenMembers("bgp", "tcp", CNI_PORTS.bgp, CNI_PORTS.bgp, "Calico BGP route exchange (TCP 179)"));
      break;
    case "native-vpc":
      break;
  }
  if (input.topology !== "vxlan") {
    // Un-encapsulated pod packets carry pod source addresses, which SG references may not match.
    rules.push({
      key: "nodes-from-pods-all",
      group: "node",
      direction: "ingress",
      protocol: "-1",
      fromPort: -1,
      toPort: -1,
      peer: { kind: "cidr", cidr: input.podCidr },
      purpose: "cni",
      description: `un-encapsulated pod traffic from the pod CIDR ${input.podCidr}`,
    });
  }
  if (input.typha) {
    rules.push({
      key: "nodes-from-nodes-typha",
      group: "node",
      direction: "ingress",
      protocol: "tcp",
      fromPort: CNI_PORTS.typha,
      toPort: CNI_PORTS.typha,
      peer: node,
      purpose: "cni",
      description: "Felix to Calico Typha (TCP 5473)",
    });
  }
  return rules;
}

/** Node-to-node rules for exactly the host-network ports served between nodes. */
export function hostNetworkPeerRules(input: RuleMatrixInput): SecurityGroupRulePlan[] {
  const rules: SecurityGroupRulePlan[] = [];
  for (const served of input.hostNetworkPeerPorts ?? KIT_HOST_NETWORK_PEER_PORTS) {
    // Exactly the served port, between nodes only (the control plane already reaches nodes).
    rules.push({
      key: `nodes-from-nodes-${served.name}`,
      group: "node",
      direction: "ingress",
      protocol: served.protocol,
      fromPort: served.port,
      toPort: served.port,
      peer: node,
      purpose: "kubernetes",
      description: served.description,
    });
  }
  return rules;
}

/** The Kubernetes control-plane ports, ICMP for path-MTU discovery, and egress. */
export function baseRules(input: RuleMatrixInput): SecurityGroupRulePlan[] {
  const vpc: RulePeer = { kind: "cidr", cidr: input.vpcCidr };
  return [
    { key: "cp-from-nodes-api", group: "controlPlane", direction: "ingress", protocol: "tcp", fromPort: 443, toPort: 443, peer: node, purpose: "kubernetes", description: "Kubernetes API from nodes" },
    { key: "nodes-from-cp-kubelet", group: "node", direction: "ingress", protocol: "tcp", fromPort: 10250, toPort: 10250, peer: controlPlane, purpose: "kubernetes", description: "kubelet API from the control plane" },
    { key: "nodes-from-nodes-kubelet", group: "node", direction: "ingress", protocol: "tcp", fromPort: 10250, toPort: 10250, peer: node, purpose: "kubernetes", description: "kubelet API between nodes (metrics)" },
    // Webhook servers run with host networking on free ports (the control plane cannot reach pods).
    { key: "nodes-from-cp-webhooks", group: "node", direction: "ingress", protocol: "tcp", fromPort: 1025, toPort: 65535, peer: controlPlane, purpose: "kubernetes", description: "control plane to host-network webhook servers" },
    { key: "nodes-from-vpc-pmtud", group: "node", direction: "ingress", protocol: "icmp", fromPort: 3, toPort: 4, peer: vpc, purpose: "pmtud", description: "ICMP fragmentation-needed for path-MTU discovery" },
    { key: "cp-from-vpc-pmtud", group: "controlPlane", direction: "ingress", protocol: "icmp", fromPort: 3, toPort: 4, peer: vpc, purpose: "pmtud", description: "ICMP fragmentation-needed for path-MTU discovery" },
    { key: "nodes-egress-all", group: "node", direction: "egress", protocol: "-1", fromPort: -1, toPort: -1, peer: { kind: "cidr", cidr: "0.0.0.0/0" }, purpose: "egress", description: "all outbound traffic" },
    { key: "cp-egress-all", group: "controlPlane", direction: "egress", protocol: "-1", fromPort: -1, toPort: -1, peer: { kind: "cidr", cidr: "0.0.0.0/0" }, purpose: "egress", description: "all outbound traffic" },
  ];
}

/** Whether an ingress rule admits a node-to-node CNI port or protocol. */
export function admitsCniTraffic(rule: Pick<SecurityGroupRulePlan, "protocol" | "fromPort" | "toPort">): boolean {
  if (rule.protocol === "-1" || rule.protocol === CNI_PORTS.ipipProtocol) return true;
  const inRange = (port: number) => rule.fromPort <= port && port <= rule.toPort;
  if (rule.protocol === "udp") return inRange(CNI_PORTS.vxlanDefault) || inRange(CNI_PORTS.vxlanIana);
  if (rule.protocol === "tcp") return inRange(CNI_PORTS.bgp) || inRange(CNI_PORTS.typha);
  return false;
}

/** Whether a peer is the whole IPv4 or IPv6 internet. */
export function isWorld(peer: RulePeer): boolean {
  return peer.kind === "cidr" && (peer.cidr === "0.0.0.0/0" || peer.cidr === "::/0");
}

/**
 * The full rule matrix. Checked before it is returned: no ingress rule may open a CNI port to
 * the world, whatever the inputs were.
 */
export function planSecurityGroupRules(input: RuleMatrixInput): SecurityGroupRulePlan[] {
  const rules = [...cniRules(input), ...hostNetworkPeerRules(input), ...baseRules(input)];
  for (const rule of rules) {
    if (rule.direction === "ingress" && isWorld(rule.peer) && admitsCniTraffic(rule)) {
      throw new Error(`canalkit bug: rule ${rule.key} would open a CNI port to ${JSON.stringify(rule.peer)}`);
    }
  }
  const keys = new Set<string>();
  for (const rule of rules) {
    if (keys.has(rule.key)) throw new Error(`canalkit bug: duplicate security-group rule key ${rule.key}`);
    keys.add(rule.key);
  }
  return rules;
}
