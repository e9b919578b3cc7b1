/**
 * The deployment graph of a synthesized stack as the engine would schedule it: custom resources
 * as nodes, an edge for every dependency (a dependency on a component stands for all the custom
 * resources under it, as in Pulumi). Reports the critical path (the longest dependency chain, which
 * bounds `pulumi up` however parallel the engine is), the width (most resources that can be
 * created at the same depth), and the chain itself so every step can be explained.
 */
import type { SynthResource } from "../synth/engine";

/** The layers a deployment must go through, in order; the minimum critical path is one step each. */
export const DEPLOYMENT_LAYERS = ["network", "cluster", "CNI", "multi-cluster controller", "custom resources"] as const;

/** One of `DEPLOYMENT_LAYERS`. */
export type DeploymentLayer = (typeof DEPLOYMENT_LAYERS)[number];

/** The layer of each kit component (a resource belongs to the layer of its nearest kit ancestor). */
const COMPONENT_LAYERS: Record<string, DeploymentLayer> = {
  "canalkit:network:ClusterNetwork": "network",
  "canalkit:multicluster:ClusterSetNetwork": "network",
  "canalkit:cluster:EksCluster": "cluster",
  "canalkit:cluster:ExistingCluster": "cluster",
  "canalkit:cni:Canal": "CNI",
  "canalkit:tls:CertManager": "multi-cluster controller",
  "canalkit:multicluster:ErieCanal": "multi-cluster controller",
  "canalkit:multicluster:OsmEdge": "multi-cluster controller",
  "canalkit:multicluster:ClusterSet": "custom resources",
  "canalkit:multicluster:MultiClusterService": "custom resources",
  "canalkit:multicluster:NorthSouthGateway": "custom resources",
};

/** The shape of a deployment graph. */
export interface GraphShape {
  resources: number;
  edges: number;
  criticalPath: number;
  width: number;
  /** The longest chain, first to last, as `type name`. */
  chain: string[];
  /** The layer of each step of the chain. */
  chainLayers: (DeploymentLayer | "other")[];
  /** The fewest steps the layers allow: one per layer. */
  minimum: number;
}

/** Measures a stack's deployment graph. */
export function graphShape(resources: SynthResource[]): GraphShape {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const children = new Map<string, string[]>();
  for (const r of resources) if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r.urn]);
  const customsUnder = new Map<string, string[]>();
  const expand = (urn: string): string[] => {
    const known = customsUnder.get(urn);
    if (known) return known;
    const r = byUrn.get(urn);
    const found = !r ? [] : r.custom ? [urn] : (children.get(urn) ?? []).flatMap(expand);
    customsUnder.set(urn, found);
    return found;
  };
  const customs = resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
  const deps = new Map<string, Set<string>>();
  let edges = 0;
  for (const r of customs) {
    const set = new Set<string>();
    for (const d of r.dependsOn) for (const c of expand(d)) if (c !== r.urn && byUrn.get(c)?.custom && !byUrn.get(c)!.type.startsWith("pulumi:providers:")) set.add(c);
    deps.set(r.urn, set);
    edges += set.size;
  }
  const depth = new Map<string, number>();
  const via = new Map<string, string | undefined>();
  const visit = (urn: string, stack: Set<string>): number => {
    const known = depth.get(urn);
    if (known !== undefined) return known;
    if (stack.has(urn)) throw new Error(`dependency cycle at ${urn}`);
    stack.add(urn);
    let best = 0;
    let from: string | undefined;
    for (const d of deps.get(urn) ?? []) {
      const dd = visit(d, stack);
      if (dd > best) [best, from] = [dd, d];
    }
    stack.delete(urn);
    depth.set(urn, best + 1);
    via.set(urn, from);
    return best + 1;
  };
  for (const r of customs) visit(r.urn, new Set());
  let end = customs[0]?.urn;
  for (const r of customs) if ((depth.get(r.urn) ?? 0) > (depth.get(end!) ?? 0)) end = r.urn;
  const chain: string[] = [];
  const chainLayers: (DeploymentLayer | "other")[] = [];
  for (let at: string | undefined = end; at; at = via.get(at)) {
    chain.unshift(`${byUrn.get(at)!.type} ${byUrn.get(at)!.name}`);
    chainLayers.unshift(layerOf(at, byUrn));
  }
  const perDepth = new Map<number, number>();
  for (const d of depth.values()) perDepth.set(d, (perDepth.get(d) ?? 0) + 1);
  return { resources: customs.length, edges, criticalPath: chain.length, width: Math.max(0, ...perDepth.values()), chain, chainLayers, minimum: DEPLOYMENT_LAYERS.length };
}

/** The layer of a resource: that of its nearest ancestor that is a kit component. */
function layerOf(urn: string, byUrn: Map<string, SynthResource>): DeploymentLayer | "other" {
  for (let at = byUrn.get(urn); at; at = at.parent ? byUrn.get(at.parent) : undefined) {
    const layer = COMPONENT_LAYERS[at.type];
    if (layer) return layer;
  }
  return "other";
}
