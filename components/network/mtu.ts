/**
 * Pod MTU arithmetic: the underlay MTU of the narrowest path a cluster's pod traffic may take,
 * minus the bytes its encapsulation adds. Canal must be given the result explicitly: left at 0,
 * Calico sizes pods to the host MTU (9001) while flannel.1 is 50 bytes smaller.
 */
import { CanalkitInputError } from "../errors";
import type { MtuPlan, PathMtuClass, Topology } from "./types";

/** Underlay MTU per path class (EC2 network MTU facts). */
export const UNDERLAY_MTU: Readonly<Record<PathMtuClass, number>> = {
  "intra-vpc": 9001,
  "inter-region": 8500,
  "vpn-or-internet": 1500,
};

/** Encapsulation overhead per topology (IPv4): VXLAN 50, IP-in-IP 20, none 0. */
export const ENCAPSULATION_OVERHEAD: Readonly<Record<Topology, number>> = {
  vxlan: 50,
  "ipip-crosssubnet": 20,
  "native-vpc": 0,
};

/** Extra overhead of WireGuard encryption (IPv4). */
export const WIREGUARD_OVERHEAD = 60;

/** The smallest MTU IPv6-capable stacks accept; anything below breaks pods. */
export const MINIMUM_POD_MTU = 1280;

/** Computes the pod MTU for a topology over a path class. */
export function planMtu(topology: Topology, pathMtuClass: PathMtuClass, wireguard: boolean): MtuPlan {
  const underlay = UNDERLAY_MTU[pathMtuClass];
  if (underlay === undefined) {
    throw new CanalkitInputError(
      "network.pathMtuClass",
      pathMtuClass,
      "is not a known path class",
      `use one of ${Object.keys(UNDERLAY_MTU).join(", ")}`,
    );
  }
  const overhead = ENCAPSULATION_OVERHEAD[topology] + (wireguard ? WIREGUARD_OVERHEAD : 0);
  return { pathMtuClass, underlay, overhead, pod: underlay - overhead };
}
