/**
 * Generated environments for benchmarks: N clusters (spread over two regions) joined into one
 * cluster set with S multi-cluster services, as a stack config, so the real `defineStack` program
 * evaluates them.
 */

/** The shape of a generated environment. */
export interface EnvironmentSize {
  /** Clusters, each with its own VPC and EKS cluster. */
  clusters: number;
  /** Multi-cluster services; 0 leaves the clusters out of any cluster set. */
  services: number;
}

const MODES = ["ActiveActive", "FailOver", "Locality"] as const;

/** Where generated service `i` runs: its mode, exporting clusters and consuming cluster. */
export interface ServicePlacement {
  name: string;
  namespace: string;
  mode: (typeof MODES)[number];
  exporters: string[];
  consumer: string;
}

/**
 * Service `i` of a set of `clusters` clusters: exported from two neighbouring clusters and
 * consumed in the next one (the same cluster when there are fewer than three), rotating over the
 * traffic modes and over ten namespaces so namespaces are shared as in a real set. A FailOver
 * service is consumed in its first exporter, which prefers its own copy and fails over to the
 * other: osm-edge cannot order two remote exporters, so the kit refuses that placement.
 */
export function servicePlacement(i: number, clusters: number): ServicePlacement {
  const at = (offset: number): string => `c${(i + offset) % clusters}`;
  const mode = MODES[i % MODES.length]!;
  return { name: `svc${i}`, namespace: `team${i % 10}`, mode, exporters: [...new Set([at(0), at(1)])], consumer: mode === "FailOver" ? at(0) : at(2) };
}

function generatedService(i: number, clusters: number): Record<string, unknown> {
  const { name, namespace, mode, exporters, consumer } = servicePlacement(i, clusters);
  return {
    name,
    namespace,
    mode,
    ports: [{ port: 8080 }],
    selector: { app: name },
    exporters: exporters.map((cluster) => (mode === "ActiveActive" ? { cluster, weight: 50 } : { cluster })),
    consumers: [consumer],
    ...(mode === "Locality" ? { localityTarget: exporters[0] } : {}),
  };
}

/** Above this many clusters a generated set states raised route and rule quotas. */
export const RAISE_QUOTAS_ABOVE = 30;
/** The raised routes-per-table and rules-per-group quotas (both adjustable to 1000). */
const RAISED_QUOTA = 1000;

/** A stack config (flat `canalkit:` map) of the given size. */
export function generatedStackConfig(size: EnvironmentSize | number): Record<string, string> {
  const { clusters, services } = typeof size === "number" ? { clusters: size, services: 0 } : size;
  // Past what AWS's default quotas hold (a route to the set's prefix list counts one route per
  // cluster, and a rule referencing it one rule per cluster), the accounts have raised quotas.
  const raised = services > 0 && clusters > RAISE_QUOTAS_ABOVE;
  const list = Array.from({ length: clusters }, (_, i) => ({
    name: `c${i}`,
    region: i % 2 === 0 ? "us-east-1" : "us-west-2",
    availabilityZones: i % 2 === 0 ? ["us-east-1a", "us-east-1b"] : ["us-west-2a", "us-west-2b"],
    // 10.<i>.0.0/16 keeps every VPC distinct up to 250 clusters; pod CIDRs must differ too once
    // the clusters are joined.
    network: { vpcCidr: `10.${i}.0.0/16`, podCidr: `100.${64 + (i % 64)}.0.0/16`, serviceCidr: "172.20.0.0/16", natStrategy: "single", ...(raised ? { routeTableQuota: RAISED_QUOTA } : {}) },
    eks: { endpoint: { public: true }, nodeGroups: [{ name: "general", minSize: 1, maxSize: 3, desiredSize: 1 }] },
  }));
  const config: Record<string, string> = {
    "canalkit:environment": "dev",
    "canalkit:owner": "bench",
    // Every API server must be reachable from the runner (issue 18): public endpoints open to it.
    "canalkit:runner": JSON.stringify({ location: "internet", cidrs: ["198.51.100.0/28"] }),
    "canalkit:clusters": JSON.stringify(list),
  };
  if (services > 0) {
    // A Transit Gateway keeps the network linear in the number of clusters (peering is a mesh).
    config["canalkit:clusterSet"] = JSON.stringify({
      name: "bench",
      controlPlane: "c0",
      connectivity: "transit-gateway",
      ...(raised ? { securityGroupRuleQuota: RAISED_QUOTA } : {}),
      services: Array.from({ length: services }, (_, i) => generatedService(i, clusters)),
    });
  }
  return config;
}
