/**
 * What each topology requires of the layers above it, and the route-quota arithmetic that bounds
 * `native-vpc` clusters.
 */
import { CanalkitInputError } from "../errors";
import type { RoutingFacts, Topology } from "./types";

/** Default routes-per-route-table quota of an AWS account. */
export const DEFAULT_ROUTE_TABLE_QUOTA = 50;
/** The highest the routes-per-route-table quota can be raised to. */
export const MAXIMUM_ROUTE_TABLE_QUOTA = 1000;

/**
 * Routes the plan itself puts in every private route table: the local route and the default
 * route. Counted against the quota conservatively (AWS does not say whether the local route counts).
 */
export const ROUTES_RESERVED_PER_TABLE = 2;

/** Inputs of the routing facts. */
export interface RoutingInput {
  topology: Topology;
  vxlanPort: number;
  routeTableQuota: number;
  maxNodes: number | undefined;
}

/**
 * Routing facts per topology. For `native-vpc`, every node adds one route to every private route
 * table, so the node count is bounded by the quota; a larger `maxNodes` is refused.
 */
export function planRouting(input: RoutingInput): RoutingFacts {
  const { topology, routeTableQuota } = input;
  switch (topology) {
    case "vxlan":
      return {
        topology,
        encapsulation: "vxlan",
        vxlanPort: input.vxlanPort,
        disableSourceDestCheck: false,
        admitPodCidr: false,
        bgp: false,
        routeTableQuota,
        ...(input.maxNodes !== undefined ? { maxNodes: input.maxNodes } : {}),
      };
    case "ipip-crosssubnet":
      return {
        topology,
        encapsulation: "ipip-crosssubnet",
        disableSourceDestCheck: true,
        admitPodCidr: true,
        bgp: true,
        routeTableQuota,
        ...(input.maxNodes !== undefined ? { maxNodes: input.maxNodes } : {}),
      };
    case "native-vpc": {
      const capacity = routeTableQuota - ROUTES_RESERVED_PER_TABLE;
      const maxNodes = input.maxNodes ?? capacity;
      if (maxNodes > capacity) {
        throw new CanalkitInputError(
          "network.maxNodes",
          maxNodes,
          `native-vpc needs one route per node in every private route table: ${maxNodes} nodes + ${ROUTES_RESERVED_PER_TABLE} reserved routes = ${maxNodes + ROUTES_RESERVED_PER_TABLE} routes, over the routes-per-route-table quota of ${routeTableQuota}`,
          `lower maxNodes to at most ${capacity}, raise network.routeTableQuota (up to ${MAXIMUM_ROUTE_TABLE_QUOTA}, after raising the AWS quota L-93826ACB), or use the vxlan topology`,
        );
      }
      return { topology, encapsulation: "none", disableSourceDestCheck: true, admitPodCidr: true, bgp: false, maxNodes, routeTableQuota };
    }
  }
}
