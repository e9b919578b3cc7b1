/**
 * Renders a topology model as Graphviz DOT: regions contain VPCs, VPCs contain their AZ subnets,
 * the cluster and its gateway; edges show cluster-set membership, VPC connectivity and each
 * multi-cluster service from exporter to consumer with its mode.
 */
import type { TopologyCluster, TopologyModel, TopologyService } from "./model";

/** Escapes text for a DOT double-quoted string. */
function q(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** A DOT identifier derived from a name, safe for any input. */
function id(...parts: string[]): string {
  return q(parts.join("::"));
}

function clusterLines(c: TopologyCluster, indent: string): string[] {
  const lines: string[] = [];
  lines.push(`${indent}subgraph ${q(`cluster_vpc_${c.name}`)} {`);
  lines.push(`${indent}  label=${q(`VPC ${c.vpcCidr}  ·  cluster ${c.name}`)}; style="rounded"; color="#4a6fa5"; fontcolor="#1f3b63";`);
  const mtu = c.podMtu !== undefined ? `pod MTU ${c.podMtu}` : "pod MTU ?";
  lines.push(
    `${indent}  ${id("cluster", c.name)} [shape=box, style="rounded,filled,bold", fillcolor="#dbe8f7", label=${q(
      `${c.kind} ${c.name}\n${c.topology}  ·  ${mtu}\npods ${c.podCidr}  ·  services ${c.serviceCidr}`,
    )}];`,
  );
  for (const az of c.azs) {
    lines.push(
      `${indent}  ${id("az", c.name, az.name)} [shape=box, style="filled", fillcolor="#f4f6f8", fontsize=10, label=${q(
        `${az.name}\npublic ${az.publicSubnetCidr}\nprivate ${az.privateSubnetCidr}`,
      )}];`,
    );
    lines.push(`${indent}  ${id("az", c.name, az.name)} -> ${id("cluster", c.name)} [style=invis];`);
  }
  if (c.gateway) {
    const port = c.gateway.port !== undefined ? `:${c.gateway.port}` : "";
    lines.push(
      `${indent}  ${id("gateway", c.name)} [shape=hexagon, style="filled", fillcolor="#fde9c9", label=${q(
        `gateway${port}\nNLB ${c.gateway.scheme}\nns ${c.gateway.namespace}`,
      )}];`,
    );
    lines.push(`${indent}  ${id("cluster", c.name)} -> ${id("gateway", c.name)} [arrowhead=none, color="#999999"];`);
  }
  lines.push(`${indent}}`);
  return lines;
}

/** One line per service on an edge: name, mode, and the exporter's weight or FailOver rank. */
function serviceLabel(s: TopologyService, exporter: string): string {
  const weight = s.weights?.[exporter];
  const detail = s.mode === "FailOver" ? ` #${s.exporters.indexOf(exporter) + 1}` : weight !== undefined ? ` w=${weight}` : "";
  return `${s.namespace}/${s.name} ${s.mode}${detail}`;
}

/** Renders the model as a DOT digraph. */
export function renderTopologyDot(model: TopologyModel): string {
  const lines: string[] = [];
  lines.push(`digraph ${q(`canalkit ${model.stack}`)} {`);
  lines.push(`  graph [rankdir=LR, fontname="Helvetica", fontsize=12, nodesep=0.35, ranksep=0.9, compound=true, label=${q(`canalkit stack ${model.stack}`)}, labelloc=t];`);
  lines.push(`  node [fontname="Helvetica", fontsize=11, margin="0.25,0.12"];`);
  lines.push(`  edge [fontname="Helvetica", fontsize=10];`);
  const byRegion = new Map<string, TopologyCluster[]>();
  for (const c of model.clusters) byRegion.set(c.region, [...(byRegion.get(c.region) ?? []), c]);
  for (const [region, clusters] of byRegion) {
    lines.push(`  subgraph ${q(`cluster_region_${region}`)} {`);
    lines.push(`    label=${q(`Region ${region}`)}; style="dashed"; color="#888888";`);
    for (const c of clusters) lines.push(...clusterLines(c, "    "));
    lines.push("  }");
  }
  const known = new Set(model.clusters.map((c) => c.name));
  const anchor = (name: string) => (known.has(name) ? id("cluster", name) : id("external", name));
  for (const name of new Set(
    [...model.clusterSets.flatMap((s) => [s.controlPlane, ...s.members]), ...model.services.flatMap((s) => [...s.exporters, ...s.consumers])],
  )) {
    if (name && !known.has(name)) lines.push(`  ${id("external", name)} [shape=box, style=dashed, label=${q(name)}];`);
  }
  for (const link of model.links) {
    for (let i = 0; i < link.clusters.length; i++) {
      for (let j = i + 1; j < link.clusters.length; j++) {
        lines.push(`  ${anchor(link.clusters[i]!)} -> ${anchor(link.clusters[j]!)} [dir=both, color="#6c8ebf", style=bold, label=${q(link.kind)}];`);
      }
    }
  }
  for (const set of model.clusterSets) {
    for (const member of set.members) {
      if (member === set.controlPlane) continue;
      lines.push(`  ${anchor(set.controlPlane)} -> ${anchor(member)} [style=dashed, color="#7f7f7f", label=${q(`cluster set ${set.name}`)}];`);
    }
  }
  // One edge per exporter gateway → consumer, listing every service that takes it; a cluster that
  // exports and consumes a service serves itself locally, so it gets no edge from its own gateway.
  const serviceEdges = new Map<string, string[]>();
  for (const s of model.services) {
    for (const exporter of s.exporters) {
      const from = known.has(exporter) && model.clusters.find((c) => c.name === exporter)?.gateway ? id("gateway", exporter) : anchor(exporter);
      for (const consumer of s.consumers) {
        if (consumer === exporter) continue;
        const edge = `${from} -> ${anchor(consumer)}`;
        serviceEdges.set(edge, [...(serviceEdges.get(edge) ?? []), serviceLabel(s, exporter)]);
      }
    }
  }
  for (const [edge, labels] of serviceEdges) lines.push(`  ${edge} [color="#b85450", penwidth=1.5, label=${q(labels.join("\n"))}];`);
  lines.push("}");
  return lines.join("\n") + "\n";
}
