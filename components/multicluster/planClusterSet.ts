/**
 * Validation of a cluster set before anything is deployed: unique names, keys and ids, one
 * ErieCanal namespace for all (joins require it), and VPC ranges that do not overlap (the set's
 * clusters are routed to each other).
 */
import { CanalkitInputError } from "../errors";
import { cidrsOverlap, parseCidr } from "../network/cidr";
import { clusterKey, type ClusterSetMemberSpec } from "./clusterKey";

/** A member with what the set needs to know about it. */
export interface ClusterSetMemberPlanInput extends ClusterSetMemberSpec {
  /** The ErieCanal namespace in that cluster. */
  namespace: string;
  /** Unique id for the About API (`cluster.clusterset.k8s.io`). Default: the cluster key with `/` → `.`. */
  clusterId?: string;
  /** VPC CIDR, when the cluster is on AWS. */
  vpcCidr?: string;
}

/** A validated set. */
export interface ClusterSetPlan {
  name: string;
  controlPlane: string;
  namespace: string;
  members: (ClusterSetMemberPlanInput & { key: string; clusterId: string })[];
}

/**
 * Refuses two clusters of a set whose VPC ranges overlap (routes between them would be
 * ambiguous), naming both. `field` is the list's path, for example `clusterSet.members`.
 */
export function refuseOverlappingVpcs(field: string, clusters: { name: string; vpcCidr?: string | undefined }[]): void {
  for (let j = 0; j < clusters.length; j++) {
    const b = clusters[j]!;
    if (!b.vpcCidr) continue;
    const bCidr = parseCidr(`${field}[${j}].vpcCidr`, b.vpcCidr);
    for (let i = 0; i < j; i++) {
      const a = clusters[i]!;
      if (a.vpcCidr && cidrsOverlap(parseCidr(`${field}[${i}].vpcCidr`, a.vpcCidr), bCidr)) {
        throw new CanalkitInputError(`${field}[${j}].vpcCidr`, b.vpcCidr, `overlaps ${a.name}'s VPC ${a.vpcCidr}, so routes between the set's VPCs would be ambiguous`, `give ${b.name} a VPC range disjoint from ${a.name}'s`);
      }
    }
  }
}

/** Validates a cluster set; every error names both sides and the fix. */
export function planClusterSet(input: { name: string; controlPlane: string; members: ClusterSetMemberPlanInput[] }): ClusterSetPlan {
  if (!/^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/.test(input.name)) {
    throw new CanalkitInputError("clusterSet.name", input.name, "is not a valid cluster set name", "use lowercase letters, digits, '-' and '.'");
  }
  if (input.members.length === 0) throw new CanalkitInputError("clusterSet.members", [], "a cluster set needs members", "list the clusters that export or consume services");
  const byName = new Map<string, number>();
  const byKey = new Map<string, number>();
  const byId = new Map<string, number>();
  const members = input.members.map((m, i) => {
    const field = `clusterSet.members[${i}]`;
    const key = clusterKey(m, field);
    const clusterId = m.clusterId ?? key.replace(/\//g, ".");
    const seen = (map: Map<string, number>, value: string, what: string) => {
      const j = map.get(value);
      if (j !== undefined) {
        throw new CanalkitInputError(`${field}.${what}`, value, `is also the ${what} of clusterSet.members[${j}] (${input.members[j]!.name})`, `give every member a unique ${what}`);
      }
      map.set(value, i);
    };
    seen(byName, m.name, "name");
    seen(byKey, key, "key");
    seen(byId, clusterId, "clusterId");
    return { ...m, key, clusterId };
  });
  const namespace = members[0]!.namespace;
  for (const [i, m] of members.entries()) {
    if (m.namespace !== namespace) {
      throw new CanalkitInputError(
        `clusterSet.members[${i}].namespace`,
        m.namespace,
        `differs from ${members[0]!.name}'s ErieCanal namespace "${namespace}"; a control plane only joins members whose ErieCanal runs in a namespace named like its own`,
        `install ErieCanal in "${namespace}" in every cluster of the set`,
      );
    }
  }
  if (!byName.has(input.controlPlane)) {
    throw new CanalkitInputError("clusterSet.controlPlane", input.controlPlane, "is not a member of the set", `name one of ${members.map((m) => m.name).join(", ")}`);
  }
  refuseOverlappingVpcs("clusterSet.members", members);
  return { name: input.name, controlPlane: input.controlPlane, namespace, members };
}
