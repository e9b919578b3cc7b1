/**
 * The topology a diagram shows, extracted from a synthesized stack. It reads only the facts every
 * canalkit component records as its inputs (see `components/facts.ts`), so the diagram shows what
 * the program declared, not what a renderer guessed.
 */
import type { SynthResource } from "../engine";

/** One availability zone of a cluster network. */
export interface TopologyAz {
  name: string;
  publicSubnetCidr: string;
  privateSubnetCidr: string;
}

/** One cluster with its network. */
export interface TopologyCluster {
  name: string;
  region: string;
  kind: string;
  topology: string;
  vpcCidr: string;
  podCidr: string;
  serviceCidr: string;
  podMtu: number | undefined;
  natStrategy: string | undefined;
  azs: TopologyAz[];
  /** The ErieCanal gateway, when the cluster runs one. */
  gateway?: { scheme: string; port: number | undefined; namespace: string };
}

/** A multi-cluster service: who serves it, who consumes it, how. */
export interface TopologyService {
  name: string;
  namespace: string;
  mode: string;
  exporters: string[];
  consumers: string[];
  weights?: Record<string, number>;
}

/** A cluster set: its control plane and members. */
export interface TopologyClusterSet {
  name: string;
  controlPlane: string;
  members: string[];
}

/** How cluster VPCs are connected. */
export interface TopologyLink {
  kind: string;
  clusters: string[];
}

/** Everything the diagram draws. */
export interface TopologyModel {
  stack: string;
  clusters: TopologyCluster[];
  clusterSets: TopologyClusterSet[];
  services: TopologyService[];
  links: TopologyLink[];
}

function str(v: unknown, fallback = ""): string {
  return typeof v === "string" ? v : fallback;
}

function num(v: unknown): number | undefined {
  return typeof v === "number" ? v : undefined;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/** Builds the diagram model from a stack's resources, in one pass over them. */
export function buildTopologyModel(stack: string, resources: SynthResource[]): TopologyModel {
  const clusters = new Map<string, TopologyCluster>();
  const kinds = new Map<string, string>();
  const gateways = new Map<string, TopologyCluster["gateway"]>();
  const clusterSets: TopologyClusterSet[] = [];
  const services: TopologyService[] = [];
  const links: TopologyLink[] = [];

  for (const r of resources) {
    const f = r.inputs;
    switch (r.type) {
      case "canalkit:network:ClusterNetwork": {
        const name = str(f["clusterName"], r.name);
        clusters.set(name, {
          name,
          region: str(f["region"], "unknown region"),
          kind: "cluster",
          topology: str(f["topology"], "vxlan"),
          vpcCidr: str(f["vpcCidr"]),
          podCidr: str(f["podCidr"]),
          serviceCidr: str(f["serviceCidr"]),
          podMtu: num(f["podMtu"]),
          natStrategy: typeof f["natStrategy"] === "string" ? (f["natStrategy"] as string) : undefined,
          azs: Array.isArray(f["availabilityZones"])
            ? (f["availabilityZones"] as Record<string, unknown>[]).map((az) => ({
                name: str(az["name"]),
                publicSubnetCidr: str(az["publicSubnetCidr"]),
                privateSubnetCidr: str(az["privateSubnetCidr"]),
              }))
            : [],
        });
        break;
      }
      case "canalkit:cluster:EksCluster":
        kinds.set(str(f["clusterName"], r.name), "EKS");
        break;
      case "canalkit:cluster:ExistingCluster":
        kinds.set(str(f["clusterName"], r.name), "existing");
        break;
      case "canalkit:multicluster:ErieCanal":
        gateways.set(str(f["clusterName"], r.name), {
          scheme: str(f["gatewayScheme"], "internal"),
          port: num(f["gatewayPort"]),
          namespace: str(f["namespace"]),
        });
        break;
      case "canalkit:multicluster:ClusterSet":
        clusterSets.push({
          name: str(f["name"], r.name),
          controlPlane: str(f["controlPlane"]),
          members: Array.isArray(f["members"])
            ? (f["members"] as Record<string, unknown>[]).map((m) => str(m["name"]))
            : [],
        });
        break;
      case "canalkit:multicluster:MultiClusterService": {
        const weights = f["weights"];
        services.push({
          name: str(f["name"], r.name),
          namespace: str(f["namespace"], "default"),
          mode: str(f["mode"]),
          exporters: strings(f["exporters"]),
          consumers: strings(f["consumers"]),
          ...(weights && typeof weights === "object" ? { weights: weights as Record<string, number> } : {}),
        });
        break;
      }
      case "canalkit:multicluster:ClusterSetNetwork":
        links.push({
          kind: str(f["connectivity"]),
          clusters: Array.isArray(f["clusters"])
            ? (f["clusters"] as Record<string, unknown>[]).map((c) => str(c["name"]))
            : [],
        });
        break;
      default:
        break;
    }
  }
  for (const [name, cluster] of clusters) {
    cluster.kind = kinds.get(name) ?? cluster.kind;
    const gateway = gateways.get(name);
    if (gateway) cluster.gateway = gateway;
  }
  return { stack, clusters: [...clusters.values()], clusterSets, services, links };
}
