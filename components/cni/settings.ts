/**
 * Canal settings derived from a cluster's network facts and the user's options, validated before
 * any object is built. The topology decides which half of Canal does networking:
 * - `vxlan`: Canal as shipped — flannel VXLAN, Calico for policy only (backend `none`).
 * - `ipip-crosssubnet`: Calico networking — BIRD, an IPIP CrossSubnet pool with natOutgoing,
 *   Calico IPAM; flannel is not deployed; Felix disables source/destination check.
 * - `native-vpc`: no encapsulation and no flannel — host-local IPAM from each node's podCIDR,
 *   VPC routes carry pod traffic between nodes (reconciled by `VpcRouteReconciler`), Calico for
 *   policy and masquerading pod traffic to outside the pool; Felix disables source/dest check.
 */
import { CanalkitInputError } from "../errors";
import { parseCidr } from "../network/cidr";
import { MINIMUM_POD_MTU } from "../network/mtu";
import type { ClusterNetworkFacts } from "../cluster/types";
import type { Topology } from "../network/types";
import { resolveCanalImages, type CanalImageName, type CanalImageOptions } from "./versions";

/** User options of the Canal CNI. */
export interface CanalOptions extends CanalImageOptions {
  /** Interface flannel/Calico use for node traffic (multi-ENI nodes), for example `ens5`. */
  interface?: string;
  /** Regular expression selecting that interface instead of a name. */
  interfaceRegex?: string;
  /**
   * Where Felix puts its iptables chains. `insert` (default) keeps flannel's FORWARD accept rules
   * from bypassing network policy; `append` is refused unless `allowAppendChainInsertMode`.
   */
  chainInsertMode?: "insert" | "append";
  /** Opt-in for `append` (only for hosts whose own firewall must run first). */
  allowAppendChainInsertMode?: boolean;
  /** Typha replicas when Typha is on. Default 3. */
  typhaReplicas?: number;
  /**
   * Prefix length of each node's pod CIDR where nodes get one (vxlan, native-vpc). Default 24.
   * Only settable when the kit allocates node CIDRs (the control plane does not, as on EKS);
   * otherwise the control plane's `--node-cidr-mask-size` decides.
   */
  nodeCidrPrefixLength?: number;
  /** Most nodes the cluster may have; checked against what the pod CIDR and topology allow. */
  maxNodes?: number;
}

/** Everything the builders need, validated. */
export interface CanalSettings {
  topology: Topology;
  podCidr: string;
  podMtu: number;
  vxlanPort: number;
  typha: boolean;
  typhaReplicas: number;
  images: Record<CanalImageName, string>;
  iface: string;
  ifaceRegex: string | undefined;
  /** Whether the flannel container runs. */
  flannel: boolean;
  /** Whether Calico IPAM (not host-local) hands out pod addresses. */
  calicoIpam: boolean;
  /** `CALICO_NETWORKING_BACKEND`. */
  calicoBackend: "none" | "bird";
  /** `FELIX_AWSSRCDSTCHECK`. */
  awsSrcDstCheck: "DoNothing" | "Disable";
  chainInsertMode: "insert" | "append";
  /** Whether the kit's node pod-CIDR allocator runs (host-local IPAM and no control-plane allocation). */
  nodePodCidrAllocator: boolean;
  /** Prefix length of each node's pod CIDR (host-local IPAM topologies). */
  nodeCidrPrefixLength: number;
}

/** Derives and validates Canal's settings. */
export function canalSettings(facts: ClusterNetworkFacts, options: CanalOptions = {}): CanalSettings {
  parseCidr("cni.podCidr", facts.podCidr);
  if (!Number.isInteger(facts.podMtu) || facts.podMtu < MINIMUM_POD_MTU || facts.podMtu > 9001) {
    throw new CanalkitInputError("cni.vethMtu", facts.podMtu, `must be a whole number from ${MINIMUM_POD_MTU} to 9001 (never 0: auto-detection gives pods the host MTU while flannel.1 is 50 bytes smaller)`, "take the pod MTU from the network plan");
  }
  if (!Number.isInteger(facts.vxlanPort) || facts.vxlanPort < 1024 || facts.vxlanPort > 65535) {
    throw new CanalkitInputError("cni.vxlanPort", facts.vxlanPort, "must be a port from 1024 to 65535 equal to the security-group rule", "take it from the network plan (default 8472)");
  }
  if (facts.topology === "vxlan" && facts.disableSourceDestCheck) {
    throw new CanalkitInputError("cni.topology", facts.topology, "vxlan does not need source/destination check disabled, but the facts say it must be", "state the topology the network was planned for");
  }
  if (facts.topology !== "vxlan" && !facts.disableSourceDestCheck) {
    throw new CanalkitInputError("cni.topology", facts.topology, `${facts.topology} routes un-encapsulated pod traffic, which EC2 drops unless source/destination check is disabled`, "plan the network with this topology so its facts carry disableSourceDestCheck: true");
  }
  const chainInsertMode = options.chainInsertMode ?? "insert";
  if (chainInsertMode === "append" && !options.allowAppendChainInsertMode) {
    throw new CanalkitInputError("cni.chainInsertMode", "append", "lets flannel's FORWARD accept rules run before Calico policy, so policy can be bypassed", "keep insert, or set allowAppendChainInsertMode: true if the host firewall must run first");
  }
  if (options.interface && options.interfaceRegex) {
    throw new CanalkitInputError("cni.interfaceRegex", options.interfaceRegex, "cannot be combined with cni.interface", "give either an interface name or a regular expression");
  }
  if (options.interfaceRegex) {
    try {
      new RegExp(options.interfaceRegex);
    } catch {
      throw new CanalkitInputError("cni.interfaceRegex", options.interfaceRegex, "is not a valid regular expression", "for example ^ens[0-9]+");
    }
  }
  const ipip = facts.topology === "ipip-crosssubnet";
  // Host-local IPAM (vxlan, native-vpc) reads the node's spec.podCIDR; Calico IPAM does not.
  const nodePodCidrAllocator = !ipip && !facts.nodePodCidrsAllocated;
  const pods = parseCidr("cni.podCidr", facts.podCidr);
  if (options.nodeCidrPrefixLength !== undefined && !nodePodCidrAllocator) {
    throw new CanalkitInputError("cni.nodeCidrPrefixLength", options.nodeCidrPrefixLength, ipip ? "has no effect with ipip-crosssubnet (Calico IPAM hands out /26 blocks)" : "has no effect: this cluster's control plane allocates node CIDRs itself", ipip ? "remove it" : "remove it and set the control plane's --node-cidr-mask-size instead");
  }
  const nodeCidrPrefixLength = options.nodeCidrPrefixLength ?? 24;
  if (!Number.isInteger(nodeCidrPrefixLength) || nodeCidrPrefixLength < pods.prefix || nodeCidrPrefixLength > 28) {
    throw new CanalkitInputError("cni.nodeCidrPrefixLength", nodeCidrPrefixLength, `must be a whole number from ${pods.prefix} (the pod CIDR ${facts.podCidr}) to 28`, "use 24 (256 addresses per node) unless nodes run very many or very few pods");
  }
  if (options.maxNodes !== undefined) {
    const perNode = ipip ? 26 : nodeCidrPrefixLength;
    const capacity = 2 ** Math.max(0, perNode - pods.prefix);
    if (options.maxNodes > capacity) {
      throw new CanalkitInputError("cni.maxNodes", options.maxNodes, `the pod CIDR ${facts.podCidr} gives at most ${capacity} nodes their /${perNode}`, `use a larger pod CIDR or at most ${capacity} nodes`);
    }
  }
  const typhaReplicas = options.typhaReplicas ?? 3;
  if (!Number.isInteger(typhaReplicas) || typhaReplicas < 1) throw new CanalkitInputError("cni.typhaReplicas", typhaReplicas, "must be at least 1", "use 3 for production");
  return {
    topology: facts.topology,
    podCidr: facts.podCidr,
    podMtu: facts.podMtu,
    vxlanPort: facts.vxlanPort,
    typha: facts.typha,
    typhaReplicas,
    images: resolveCanalImages(options),
    iface: options.interface ?? "",
    ifaceRegex: options.interfaceRegex,
    flannel: facts.topology === "vxlan",
    calicoIpam: ipip,
    calicoBackend: ipip ? "bird" : "none",
    awsSrcDstCheck: facts.disableSourceDestCheck ? "Disable" : "DoNothing",
    chainInsertMode,
    nodePodCidrAllocator,
    nodeCidrPrefixLength,
  };
}
