/**
 * The route plan of the `native-vpc` topology, as data: one route per node pod CIDR in every
 * managed route table, pointing at that node's primary network interface. Only routes the
 * controller created before (its recorded ownership) are ever replaced or deleted; a route it did
 * not create is never touched, and a plan that would exceed a table's route quota is refused
 * before any write.
 */

/** A node as the routes need it. */
export interface RouteNode {
  name: string;
  podCidr: string;
  networkInterfaceId: string;
}

/** A route in a table as EC2 reports it. */
export interface ExistingRoute {
  destination: string;
  /** The target (ENI, gateway, …) or undefined. */
  target?: string;
  /** `blackhole` when the target (for example a deleted interface) is gone. */
  state?: string;
}

/** A route the controller created and therefore owns. */
export interface OwnedRoute {
  routeTableId: string;
  destination: string;
  networkInterfaceId: string;
  node: string;
}

/** One change to make. */
export interface RouteChange {
  action: "create" | "replace" | "delete";
  routeTableId: string;
  destination: string;
  networkInterfaceId?: string;
  node?: string;
}

/** What to do, and what will be owned afterwards. */
export interface RoutePlan {
  changes: RouteChange[];
  owned: OwnedRoute[];
}

/** Refused plans: names the table, the destination and the fix. */
export class RoutePlanError extends Error {}

const key = (table: string, destination: string) => `${table} ${destination}`;

/**
 * Plans the changes that make `tables` hold exactly the node routes. `keep` lists the pod CIDRs
 * of nodes that are still in the cluster but could not be resolved this time (their instance not
 * listed yet, or gone): their owned routes are neither changed nor removed.
 */
export function planVpcRoutes(input: { nodes: RouteNode[]; tables: Map<string, ExistingRoute[]>; owned: OwnedRoute[]; quota: number; keep?: string[] }): RoutePlan {
  const owned = new Map(input.owned.map((o) => [key(o.routeTableId, o.destination), o]));
  const changes: RouteChange[] = [];
  const nextOwned: OwnedRoute[] = [];
  for (const [table, routes] of input.tables) {
    const existing = new Map(routes.map((r) => [r.destination, r]));
    const wanted = new Set<string>();
    for (const node of [...input.nodes].sort((a, b) => a.podCidr.localeCompare(b.podCidr))) {
      wanted.add(node.podCidr);
      const route = existing.get(node.podCidr);
      const mine = owned.get(key(table, node.podCidr));
      // Owned means created by canalkit and recorded; a route it finds, even an identical one, is
      // someone else's: adopting it would delete it at destroy.
      if (route && (!mine || mine.networkInterfaceId !== route.target)) {
        throw new RoutePlanError(
          `route table ${table} already routes ${node.podCidr} to ${route.target ?? "another target"}, and canalkit did not create that route; it will not take it over. ` +
            `Remove that route, or give the cluster a pod CIDR that no other route uses`,
        );
      }
      if (!route) changes.push({ action: "create", routeTableId: table, destination: node.podCidr, networkInterfaceId: node.networkInterfaceId, node: node.name });
      else if (route.target !== node.networkInterfaceId) changes.push({ action: "replace", routeTableId: table, destination: node.podCidr, networkInterfaceId: node.networkInterfaceId, node: node.name });
      nextOwned.push({ routeTableId: table, destination: node.podCidr, networkInterfaceId: node.networkInterfaceId, node: node.name });
    }
    for (const cidr of input.keep ?? []) {
      const mine = owned.get(key(table, cidr));
      if (mine && !wanted.has(cidr) && existing.get(cidr)?.target === mine.networkInterfaceId) {
        wanted.add(cidr);
        nextOwned.push(mine);
      }
    }
    for (const o of input.owned.filter((o) => o.routeTableId === table && !wanted.has(o.destination))) {
      // A node that left: its route goes, but only while it still is the route canalkit made.
      const route = existing.get(o.destination);
      if (route && route.target === o.networkInterfaceId) changes.push({ action: "delete", routeTableId: table, destination: o.destination });
    }
    const count = routes.length + changes.filter((c) => c.routeTableId === table && c.action === "create").length - changes.filter((c) => c.routeTableId === table && c.action === "delete").length;
    if (count > input.quota) {
      throw new RoutePlanError(
        `route table ${table} would hold ${count} routes, over its quota of ${input.quota} (native-vpc needs one route per node). ` +
          `Raise the "Routes per route table" quota (up to 1000) and set network.routeTableQuota, use fewer nodes, or use the vxlan or ipip-crosssubnet topology`,
      );
    }
  }
  return { changes, owned: nextOwned.sort((a, b) => key(a.routeTableId, a.destination).localeCompare(key(b.routeTableId, b.destination))) };
}
