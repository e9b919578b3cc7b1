/** AWS cluster networks for the Canal topologies: the pure planner and the `ClusterNetwork` component. */
export * from "./types";
export { parseCidr, cidrsOverlap, cidrContains, subBlock, cidrSize, addressAt, type Cidr } from "./cidr";
export { planMtu, UNDERLAY_MTU, ENCAPSULATION_OVERHEAD, WIREGUARD_OVERHEAD, MINIMUM_POD_MTU } from "./mtu";
export { planRouting, DEFAULT_ROUTE_TABLE_QUOTA, MAXIMUM_ROUTE_TABLE_QUOTA, ROUTES_RESERVED_PER_TABLE } from "./routing";
export { planSecurityGroupRules, admitsCniTraffic, isWorld, CNI_PORTS } from "./securityGroupRules";
export { planNetwork, MINIMUM_AZS, DEFAULT_VXLAN_PORT, NODE_POD_SUBNET_PREFIX, SMALLEST_AZ_BLOCK_PREFIX } from "./planNetwork";
export { ClusterNetwork, networkFacts, type ClusterNetworkArgs } from "./clusterNetwork";
export { resolveAvailabilityZones } from "./availabilityZones";
export { KNOWN_AVAILABILITY_ZONES, availabilityZoneTable, checkRegion, checkAvailabilityZones } from "./awsRegions";
