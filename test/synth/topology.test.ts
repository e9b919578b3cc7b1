import { describe, expect, it } from "vitest";
import { ClusterNetwork } from "../../components/network";
import { synthesize } from "../../synth/engine";
import { DETAIL_LIMIT, renderTopologyDot } from "../../synth/topology/dot";
import { buildTopologyModel } from "../../synth/topology/model";
import { renderSvg } from "../../synth/topology/svg";
import { servicePlacement } from "../../bench/environments";
import type { TopologyModel } from "../../synth/topology/model";

describe("topology diagram", () => {
  it("draws every cluster with its VPC, AZ subnets, topology and MTU", async () => {
    const result = await synthesize(() => {
      new ClusterNetwork("east", { region: "us-east-1", vpcCidr: "10.10.0.0/16", availabilityZones: ["us-east-1a", "us-east-1b"], podCidr: "100.64.0.0/16", serviceCidr: "172.20.0.0/16" });
      new ClusterNetwork("west", { region: "us-west-2", vpcCidr: "10.20.0.0/16", availabilityZones: ["us-west-2a", "us-west-2b"], podCidr: "100.65.0.0/16", serviceCidr: "172.20.0.0/16", topology: "ipip-crosssubnet", pathMtuClass: "inter-region" });
    });
    const model = buildTopologyModel("t", result.resources);
    expect(model.clusters.map((c) => [c.name, c.region, c.topology, c.podMtu])).toEqual([
      ["east", "us-east-1", "vxlan", 8951],
      ["west", "us-west-2", "ipip-crosssubnet", 8480],
    ]);
    // Graphviz escapes '-' and doubled spaces as XML entities; compare the text a reader sees.
    const svg = (await renderSvg(renderTopologyDot(model))).replace(/&#45;/g, "-").replace(/&#160;/g, " ");
    expect(svg.startsWith("<?xml")).toBe(true);
    for (const text of ["Region us-east-1", "Region us-west-2", "VPC 10.10.0.0/16", "cluster west", "ipip-crosssubnet", "pod MTU 8480", "private 10.20.64.0/19"]) {
      expect(svg).toContain(text);
    }
  });

  it("aggregates a large set by Region: one hub per Region, connectivity as built, services counted per Region pair", async () => {
    const C = 100;
    const clusters = Array.from({ length: C }, (_, i) => ({ name: `c${i}`, region: i % 2 ? "us-west-2" : "us-east-1", kind: "EKS", topology: "vxlan", vpcCidr: `10.${i}.0.0/16`, podCidr: "100.64.0.0/16", serviceCidr: "172.20.0.0/16", podMtu: 8451, natStrategy: "single", azs: [], gateway: { scheme: "internal", port: 80, namespace: "erie-canal" } }));
    const services = Array.from({ length: 1000 }, (_, i) => {
      const p = servicePlacement(i, C);
      return { name: p.name, namespace: p.namespace, mode: p.mode, exporters: p.exporters, consumers: [p.consumer] };
    });
    const model: TopologyModel = { stack: "big", clusters, clusterSets: [{ name: "bench", controlPlane: "c0", members: clusters.map((c) => c.name) }], services, links: [{ kind: "transit-gateway", clusters: clusters.map((c) => c.name) }] };
    const dot = renderTopologyDot(model);
    const edges = dot.split("\n").filter((l) => l.includes(" -> "));
    // One edge per cluster to its hub, one gateway peering, membership and services per Region pair.
    expect(edges.filter((e) => e.includes('"#9673a6"') && !e.includes("TGW peering"))).toHaveLength(C);
    expect(edges.filter((e) => e.includes("TGW peering"))).toHaveLength(1);
    expect(edges.filter((e) => e.includes("cluster set bench")).map((e) => /label="([^"]+)"/.exec(e)![1]).sort()).toEqual(["cluster set bench: 49 members", "cluster set bench: 50 members"]);
    const serviceEdges = edges.filter((e) => e.includes("service"));
    expect(serviceEdges.length).toBeLessThanOrEqual(4);
    // Every service crossing Regions is counted once per Region pair it crosses.
    const counted = serviceEdges.map((e) => Number(/label="(\d+) services/.exec(e)![1])).reduce((a, b) => a + b, 0);
    const expected = services.reduce((n, s) => n + new Set(s.exporters.flatMap((e) => s.consumers.filter((c) => c !== e).map((c) => `${Number(e.slice(1)) % 2}|${Number(c.slice(1)) % 2}`))).size, 0);
    expect(counted).toBe(expected);
    expect(edges.length).toBeLessThan(C + 10);
    const svg = (await renderSvg(dot)).replace(/&#45;/g, "-").replace(/&#160;/g, " ");
    for (const text of ["Region us-east-1  ·  50 clusters", "Transit Gateway", "EKS c99  ·  10.99.0.0/16", "control plane of bench"]) expect(svg).toContain(text);
  });

  it("keeps the detailed drawing up to the limit, with a Transit Gateway hub per Region", () => {
    const clusters = Array.from({ length: DETAIL_LIMIT }, (_, i) => ({ name: `c${i}`, region: i % 2 ? "us-west-2" : "us-east-1", kind: "EKS", topology: "vxlan", vpcCidr: `10.${i}.0.0/16`, podCidr: "100.64.0.0/16", serviceCidr: "172.20.0.0/16", podMtu: 8451, natStrategy: "single", azs: [] }));
    const dot = renderTopologyDot({ stack: "s", clusters, clusterSets: [], services: [], links: [{ kind: "transit-gateway", clusters: clusters.map((c) => c.name) }] });
    expect(dot).toContain('"cluster_vpc_c0"');
    expect(dot.split("\n").filter((l) => l.includes('label="attachment"'))).toHaveLength(DETAIL_LIMIT);
    expect(dot.split("\n").filter((l) => l.includes("TGW peering"))).toHaveLength(1);
  });
});
