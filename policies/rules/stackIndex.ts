/**
 * One pass over a stack's resources that tells, for each resource, which canalkit cluster it
 * belongs to, and collects the facts the kit's components record. Stack policies use it so they
 * stay linear in the number of resources.
 *
 * Stack policies receive each resource's outputs (AnalyzeStack); for a component those are exactly
 * what it passed to `registerOutputs`, so every fact read here is one the component registers.
 */
import type { PolicyResource } from "@pulumi/policy";
import { clusterOfKubernetesProvider } from "../../components/cluster/providerName";

/** The network facts a `ClusterNetwork` registers as outputs. */
export interface NetworkFacts {
  clusterName: string;
  region: string | null;
  topology: "vxlan" | "ipip-crosssubnet" | "native-vpc";
  vpcCidr: string;
  podCidr: string;
  serviceCidr: string;
  podMtu: number;
  vxlanPort: number | null;
  disableSourceDestCheck: boolean;
  admitPodCidr: boolean;
  routeTableQuota: number;
  maxNodes: number | null;
}

/** A cluster as the stack declares it. */
export interface IndexedCluster {
  name: string;
  network?: { resource: PolicyResource; facts: NetworkFacts };
  /** Every resource that belongs to the cluster. */
  resources: PolicyResource[];
}

/** Component types that carry a `clusterName` fact. */
const CLUSTER_COMPONENTS = new Set(["canalkit:network:ClusterNetwork", "canalkit:cluster:EksCluster", "canalkit:cluster:ExistingCluster", "canalkit:cni:Canal"]);

/** Builds the index in one pass (parent lookups are memoized). */
export function indexStack(resources: PolicyResource[]): Map<string, IndexedCluster> {
  const clusters = new Map<string, IndexedCluster>();
  const memo = new Map<string, string | null>();
  const cluster = (name: string) => {
    let c = clusters.get(name);
    if (!c) clusters.set(name, (c = { name, resources: [] }));
    return c;
  };
  const owner = (r: PolicyResource): string | null => {
    const known = memo.get(r.urn);
    if (known !== undefined) return known;
    let found: string | null = null;
    if (CLUSTER_COMPONENTS.has(r.type) && typeof r.props["clusterName"] === "string") found = r.props["clusterName"];
    else if (r.provider?.type === "pulumi:providers:kubernetes" && clusterOfKubernetesProvider(r.provider.name)) found = clusterOfKubernetesProvider(r.provider.name)!;
    else if (r.parent) found = owner(r.parent);
    memo.set(r.urn, found);
    return found;
  };
  for (const r of resources) {
    const name = owner(r);
    if (name === null) continue;
    const c = cluster(name);
    c.resources.push(r);
    if (r.type === "canalkit:network:ClusterNetwork") c.network = { resource: r, facts: r.props as NetworkFacts };
  }
  return clusters;
}

/** The cluster's resources of one type. */
export function ofType(cluster: IndexedCluster, type: string): PolicyResource[] {
  return cluster.resources.filter((r) => r.type === type);
}
