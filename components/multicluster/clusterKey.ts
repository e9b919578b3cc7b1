/**
 * ErieCanal's cluster identity: a locality (region, zone, group) and a name, joined into the key
 * `<region>/<zone>/<group>/<name>` that ServiceImport endpoints and GlobalTrafficPolicy targets use.
 */
import { CanalkitInputError } from "../errors";
import { DNS_LABEL } from "../dnsLabel";

/** Where a cluster sits, as ErieCanal's Cluster resource records it (each defaults to `default`). */
export interface ClusterLocality {
  region?: string;
  zone?: string;
  group?: string;
}

/** A member of a cluster set, as the set's planning sees it. */
export interface ClusterSetMemberSpec extends ClusterLocality {
  /** The member's name (the `Cluster` object's name on the control plane). */
  name: string;
}


/** The cluster key of a member; every part must be a DNS label (the key is split on `/`). */
export function clusterKey(member: ClusterSetMemberSpec, field = "member"): string {
  const parts = { region: member.region ?? "default", zone: member.zone ?? "default", group: member.group ?? "default", name: member.name };
  for (const [part, value] of Object.entries(parts)) {
    if (!DNS_LABEL.test(value)) throw new CanalkitInputError(`${field}.${part}`, value, "is not a DNS label, so the cluster key would be ambiguous", "use lowercase letters, digits and '-'");
  }
  return `${parts.region}/${parts.zone}/${parts.group}/${parts.name}`;
}
