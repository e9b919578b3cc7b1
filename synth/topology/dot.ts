/**
 * Renders a topology model as Graphviz DOT: regions contain VPCs, VPCs contain their AZ subnets,
 * the cluster and its gateway; edges show cluster-set membership, VPC connectivity as it is built
 * (a Transit Gateway hub per Region; peering pairs) and each multi-cluster service from exporter
 * to consumer with its mode. Past `DETAIL_LIMIT` clusters the drawing aggregates: one box per
 * cluster, one hub per Region, and connectivity, membership and services counted per Region pair,
 * so a 100-cluster, 1000-service stack stays a few hundred elements that Graphviz lays out fast.
 */
import type { TopologyCluster, TopologyLink, TopologyModel, TopologyService } from "./model";

/** Up to this many clusters, every VPC, AZ, gateway and service edge is drawn. */
export const DETAIL_LIMIT = 12;

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
  return model.clusters.length > DETAIL_LIMIT ? renderAggregated(model) : renderDetailed(model);
}

function header(model: TopologyModel, lines: string[]): void {
  lines.push(`digraph ${q(`canalkit ${model.stack}`)} {`);
  lines.push(`  graph [rankdir=LR, fontname="Helvetica", fontsize=12, nodesep=0.35, ranksep=0.9, compound=true, label=${q(`canalkit stack ${model.stack}`)}, labelloc=t];`);
  lines.push(`  node [fontname="Helvetica", fontsize=11, margin="0.25,0.12"];`);
  lines.push(`  edge [fontname="Helvetica", fontsize=10];`);
}

function byRegionOf(model: TopologyModel): Map<string, TopologyCluster[]> {
  const byRegion = new Map<string, TopologyCluster[]>();
  for (const c of model.clusters) byRegion.set(c.region, [...(byRegion.get(c.region) ?? []), c]);
  return byRegion;
}

const TGW_HUB = `shape=doublecircle, style="filled", fillcolor="#e1d5e7", color="#9673a6", fontsize=10`;

function renderDetailed(model: TopologyModel): string {
  const lines: string[] = [];
  header(model, lines);
  const byRegion = byRegionOf(model);
  const tgwRegions = new Set(model.links.filter((l) => l.kind === "transit-gateway").flatMap((l) => l.clusters.map((c) => model.clusters.find((x) => x.name === c)?.region ?? "")));
  for (const [region, clusters] of byRegion) {
    lines.push(`  subgraph ${q(`cluster_region_${region}`)} {`);
    lines.push(`    label=${q(`Region ${region}`)}; style="dashed"; color="#888888";`);
    if (tgwRegions.has(region)) lines.push(`    ${id("hub", region)} [${TGW_HUB}, label=${q(`Transit Gateway\n${region}`)}];`);
    for (const c of clusters) lines.push(...clusterLines(c, "    "));
    lines.push("  }");
  }
  const known = new Map(model.clusters.map((c) => [c.name, c]));
  const anchor = (name: string) => (known.has(name) ? id("cluster", name) : id("external", name));
  for (const name of new Set(
    [...model.clusterSets.flatMap((s) => [s.controlPlane, ...s.members]), ...model.services.flatMap((s) => [...s.exporters, ...s.consumers])],
  )) {
    if (name && !known.has(name)) lines.push(`  ${id("external", name)} [shape=box, style=dashed, label=${q(name)}];`);
  }
  for (const link of model.links) {
    if (link.kind === "transit-gateway") {
      // As built: each VPC attaches to its Region's gateway; gateways peer across Regions.
      for (const c of link.clusters) if (known.has(c)) lines.push(`  ${anchor(c)} -> ${id("hub", known.get(c)!.region)} [dir=none, color="#9673a6", label="attachment"];`);
      const regions = [...new Set(link.clusters.map((c) => known.get(c)?.region).filter((r): r is string => !!r))];
      for (let i = 0; i < regions.length; i++) for (let j = i + 1; j < regions.length; j++) lines.push(`  ${id("hub", regions[i]!)} -> ${id("hub", regions[j]!)} [dir=both, color="#9673a6", style=bold, label="TGW peering"];`);
      continue;
    }
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
      const from = known.get(exporter)?.gateway ? id("gateway", exporter) : anchor(exporter);
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

/** Counts into a map keyed by an ordered Region pair. */
function bump(counts: Map<string, number>, key: string, by = 1): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function renderAggregated(model: TopologyModel): string {
  const lines: string[] = [];
  header(model, lines);
  const byRegion = byRegionOf(model);
  const regionOf = new Map(model.clusters.map((c) => [c.name, c.region]));
  const region = (name: string) => regionOf.get(name) ?? "outside the stack";
  const kinds = new Map<string, string>();
  for (const link of model.links) for (const c of link.clusters) kinds.set(region(c), link.kind);
  const controlPlanes = new Map(model.clusterSets.map((s) => [s.controlPlane, s]));
  const regions = [...new Set([...byRegion.keys(), ...model.services.flatMap((s) => [...s.exporters, ...s.consumers]).map(region), ...model.clusterSets.flatMap((s) => s.members).map(region)])];
  for (const r of regions) {
    const clusters = byRegion.get(r) ?? [];
    lines.push(`  subgraph ${q(`cluster_region_${r}`)} {`);
    lines.push(`    label=${q(`Region ${r}  ·  ${plural(clusters.length, "cluster")}`)}; style="dashed"; color="#888888";`);
    const kind = kinds.get(r);
    const hubLabel = kind === "transit-gateway" ? `Transit Gateway\n${r}` : kind === "vpc-peering" ? `VPC peering\n${r}` : r;
    lines.push(`    ${id("hub", r)} [${kind === "transit-gateway" ? TGW_HUB : `shape=circle, style="filled", fillcolor="#f4f6f8", fontsize=10`}, label=${q(hubLabel)}];`);
    for (const c of clusters) {
      const mtu = c.podMtu !== undefined ? `MTU ${c.podMtu}` : "MTU ?";
      const gateway = c.gateway ? `  ·  gw:${c.gateway.port ?? "?"}` : "";
      const set = controlPlanes.get(c.name);
      const role = set ? `\ncontrol plane of ${set.name}` : "";
      lines.push(`    ${id("cluster", c.name)} [shape=box, style="rounded,filled", fillcolor=${set ? `"#c7dcf2"` : `"#dbe8f7"`}, fontsize=10, label=${q(`${c.kind} ${c.name}  ·  ${c.vpcCidr}\n${c.topology}  ·  ${mtu}${gateway}${role}`)}];`);
      // Each cluster hangs off its Region's hub: the attachment (Transit Gateway) or its place in the mesh.
      lines.push(`    ${id("hub", r)} -> ${id("cluster", c.name)} [dir=none, color=${kind === "transit-gateway" ? `"#9673a6"` : `"#c0c0c0"`}];`);
    }
    lines.push("  }");
  }
  // Connectivity between Regions, as built: gateway peering, or the count of VPC peerings.
  for (const link of model.links) {
    const count = new Map<string, number>();
    const perRegion = new Map<string, number>();
    for (const c of link.clusters) bump(perRegion, region(c));
    const rs = [...perRegion.keys()];
    for (let i = 0; i < rs.length; i++) {
      for (let j = i + 1; j < rs.length; j++) {
        if (link.kind === "transit-gateway") lines.push(`  ${id("hub", rs[i]!)} -> ${id("hub", rs[j]!)} [dir=both, color="#9673a6", style=bold, label="TGW peering"];`);
        else if (link.kind === "vpc-peering") bump(count, `${rs[i]}|${rs[j]}`, perRegion.get(rs[i]!)! * perRegion.get(rs[j]!)!);
      }
    }
    for (const [key, n] of count) {
      const [a, b] = key.split("|");
      lines.push(`  ${id("hub", a!)} -> ${id("hub", b!)} [dir=both, color="#6c8ebf", style=bold, label=${q(`${plural(n, "VPC peering")}`)}];`);
    }
  }
  for (const set of model.clusterSets) {
    const members = new Map<string, number>();
    for (const m of set.members) if (m !== set.controlPlane) bump(members, region(m));
    for (const [r, n] of members) lines.push(`  ${id("cluster", set.controlPlane)} -> ${id("hub", r)} [style=dashed, color="#7f7f7f", label=${q(`cluster set ${set.name}: ${plural(n, "member")}`)}];`);
  }
  // Services per exporter Region → consumer Region: how many, and the first few by name.
  const services = new Map<string, string[]>();
  for (const s of model.services) {
    const pairs = new Set<string>();
    for (const e of s.exporters) for (const c of s.consumers) if (c !== e) pairs.add(`${region(e)}|${region(c)}`);
    for (const pair of pairs) services.set(pair, [...(services.get(pair) ?? []), `${s.namespace}/${s.name}`]);
  }
  for (const [pair, names] of services) {
    const [a, b] = pair.split("|");
    const shown = names.slice(0, 3).join(", ") + (names.length > 3 ? ", …" : "");
    lines.push(`  ${id("hub", a!)} -> ${id("hub", b!)} [color="#b85450", penwidth=1.5, label=${q(`${plural(names.length, "service")}\n${shown}`)}];`);
  }
  lines.push("}");
  return lines.join("\n") + "\n";
}
