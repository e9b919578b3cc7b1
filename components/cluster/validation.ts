/**
 * Checks of cluster options that must fail before anything is created: node-group sizes, the
 * Kubernetes version, endpoint exposure, and node counts the network topology cannot carry.
 */
import { CanalkitInputError } from "../errors";
import type { RoutingFacts } from "../network/types";
import { nodeGroupAmiType, type NodeAmiType } from "./architecture";
import { validateNodeLabels, validateNodeTaints, type NodeTaint } from "./nodeLabels";

/** One managed node group. */
export interface NodeGroupOptions {
  /** Name, unique in the cluster. */
  name: string;
  /** EC2 instance types, most preferred first. */
  instanceTypes: string[];
  minSize: number;
  maxSize: number;
  desiredSize: number;
  /** Root volume size in GiB. Default 50. */
  diskSizeGiB?: number;
  /** Kubernetes labels for the nodes. */
  labels?: Record<string, string>;
  /** Taints for the nodes, as the EKS API takes them. */
  taints?: NodeTaint[];
  /** AMI type; default picked from the instance family (arm64 Graviton or x86_64). */
  amiType?: NodeAmiType;
  /** Pinned EKS AMI release version for the cluster's Kubernetes version. Default: the latest. */
  releaseVersion?: string;
}

/** Who can reach the Kubernetes API endpoint. */
export interface EndpointAccess {
  /** Private endpoint inside the VPC. Default true. */
  private?: boolean;
  /** Public endpoint. Default false. */
  public?: boolean;
  /** CIDRs allowed to the public endpoint; required when public. */
  publicAccessCidrs?: string[];
  /** Allow 0.0.0.0/0 on the public endpoint (refused unless set). */
  allowPublicFromAnywhere?: boolean;
}

/** Validates node groups and returns their total maximum node count. */
export function validateNodeGroups(field: string, groups: NodeGroupOptions[], routing: RoutingFacts | undefined): number {
  if (groups.length === 0) throw new CanalkitInputError(field, groups, "a cluster needs at least one node group", "add a node group, for example { name: general, instanceTypes: [m6i.large], minSize: 2, maxSize: 4, desiredSize: 2 }");
  const names = new Set<string>();
  groups.forEach((g, i) => {
    const at = `${field}[${i}]`;
    if (!/^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/.test(g.name)) throw new CanalkitInputError(`${at}.name`, g.name, "is not a valid node group name", "use up to 32 lowercase letters, digits and '-'");
    if (names.has(g.name)) throw new CanalkitInputError(`${at}.name`, g.name, "is used by another node group", "give every node group a unique name");
    names.add(g.name);
    if (g.instanceTypes.length === 0) throw new CanalkitInputError(`${at}.instanceTypes`, g.instanceTypes, "is empty", "name at least one instance type, for example m6i.large");
    nodeGroupAmiType(at, g.instanceTypes, g.amiType);
    validateNodeLabels(`${at}.labels`, g.labels ?? {});
    validateNodeTaints(`${at}.taints`, g.taints ?? []);
    for (const [k, v] of [["minSize", g.minSize], ["maxSize", g.maxSize], ["desiredSize", g.desiredSize]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new CanalkitInputError(`${at}.${k}`, v, "must be a whole number ≥ 0", "give a node count");
    }
    if (g.maxSize < 1) throw new CanalkitInputError(`${at}.maxSize`, g.maxSize, "must be at least 1", "allow at least one node");
    if (!(g.minSize <= g.desiredSize && g.desiredSize <= g.maxSize)) {
      throw new CanalkitInputError(`${at}.desiredSize`, g.desiredSize, `must lie between minSize (${g.minSize}) and maxSize (${g.maxSize})`, "order the sizes min ≤ desired ≤ max");
    }
  });
  const totalMax = groups.reduce((n, g) => n + g.maxSize, 0);
  if (routing?.maxNodes !== undefined && totalMax > routing.maxNodes) {
    throw new CanalkitInputError(
      field,
      groups.map((g) => `${g.name}: maxSize ${g.maxSize}`),
      `the node groups can grow to ${totalMax} nodes, but the ${routing.topology} network allows ${routing.maxNodes}${routing.topology === "native-vpc" ? ` (one route per node under a route quota of ${routing.routeTableQuota})` : ""}`,
      `lower the maxSize values to ${routing.maxNodes} nodes in total, or raise the network's maxNodes/routeTableQuota`,
    );
  }
  return totalMax;
}

/** Validates a Kubernetes minor version such as `1.33`. */
export function validateKubernetesVersion(field: string, version: string): void {
  if (!/^1\.\d{2}$/.test(version)) throw new CanalkitInputError(field, version, "is not a Kubernetes minor version", "write it as 1.NN, for example 1.33");
}

/** Validates endpoint exposure: public access only from named CIDRs unless explicitly opened. */
export function validateEndpointAccess(field: string, access: EndpointAccess): Required<Pick<EndpointAccess, "private" | "public">> & { publicAccessCidrs: string[] } {
  const priv = access.private ?? true;
  const pub = access.public ?? false;
  const cidrs = access.publicAccessCidrs ?? [];
  if (!priv && !pub) throw new CanalkitInputError(field, access, "turns off both the private and the public endpoint", "enable at least one of private or public");
  if (pub && cidrs.length === 0) throw new CanalkitInputError(`${field}.publicAccessCidrs`, cidrs, "is missing or empty: a public endpoint needs the CIDRs allowed to reach it", "list your office or VPN egress ranges, for example [203.0.113.0/24]");
  if (pub && cidrs.includes("0.0.0.0/0") && !access.allowPublicFromAnywhere) {
    throw new CanalkitInputError(`${field}.publicAccessCidrs`, cidrs, "opens the Kubernetes API to the whole internet", "list specific CIDRs, or set allowPublicFromAnywhere: true if that is really intended");
  }
  return { private: priv, public: pub, publicAccessCidrs: pub ? cidrs : [] };
}
