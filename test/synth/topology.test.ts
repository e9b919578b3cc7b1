import { describe, expect, it } from "vitest";
import { ClusterNetwork } from "../../components/network";
import { synthesize } from "../../synth/engine";
import { renderTopologyDot } from "../../synth/topology/dot";
import { buildTopologyModel } from "../../synth/topology/model";
import { renderSvg } from "../../synth/topology/svg";

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
});
