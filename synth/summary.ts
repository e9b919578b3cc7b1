/** The human-readable account of a synth run: the resource tree and counts per type. */
import type { SynthResult } from "./engine";

/** Renders the parent/child tree of resources, one line each: `type name`. */
export function renderResourceTree(result: SynthResult): string {
  const children = new Map<string | null, typeof result.resources>();
  for (const r of result.resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  const lines: string[] = [];
  const walk = (parent: string | null, prefix: string) => {
    const kids = children.get(parent) ?? [];
    kids.forEach((r, i) => {
      const last = i === kids.length - 1;
      lines.push(`${prefix}${parent === null ? "" : last ? "└─ " : "├─ "}${r.type}  ${r.name}`);
      walk(r.urn, parent === null ? "" : prefix + (last ? "   " : "│  "));
    });
  };
  walk(null, "");
  return lines.join("\n");
}

/** Counts of resources per type, most frequent first. */
export function countByType(result: SynthResult): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of result.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** The counts as aligned text lines plus a total. */
export function renderCounts(result: SynthResult): string {
  const counts = countByType(result);
  const width = Math.max(...counts.map(([t]) => t.length), 5);
  return [...counts.map(([t, n]) => `  ${t.padEnd(width)}  ${n}`), `  ${"total".padEnd(width)}  ${result.resources.length}`].join("\n");
}

/**
 * One line per multi-cluster service: where it is exported from, where it is consumed and in
 * which mode (with the weights for ActiveActive, and for FailOver who answers each consumer, in
 * order), read from the `MultiClusterService` components.
 */
export function renderServices(result: SynthResult): string {
  const services = result.resources.filter((r) => r.type === "canalkit:multicluster:MultiClusterService");
  return services
    .map((r) => {
      const i = r.inputs as { name: string; namespace: string; mode: string; exporters: string[]; consumers: string[]; weights?: Record<string, number>; failover?: Record<string, string[]> };
      const exporters = i.exporters.map((e) => (i.mode === "ActiveActive" && i.weights ? `${e} (${i.weights[e] ?? 0})` : e));
      const consumers = i.consumers.map((c) => (i.failover?.[c] ? `${c} (${i.failover[c]!.join(" → ")})` : c));
      return `  ${i.namespace}/${i.name}  ${i.mode}: exported from ${exporters.join(", ")}; consumed in ${consumers.join(", ")}`;
    })
    .join("\n");
}

/**
 * One line per EKS cluster: how the machine running `pulumi up` reaches its API server, as the
 * `EksCluster` components record it.
 */
export function renderApiAccess(result: SynthResult): string {
  return result.resources
    .filter((r) => r.type === "canalkit:cluster:EksCluster")
    .map((r) => `  ${String(r.inputs["clusterName"])}  ${String(r.inputs["apiAccess"])}`)
    .join("\n");
}
