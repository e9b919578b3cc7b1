import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { ClusterNetwork } from "../../components/network";
import { ClusterSetNetwork, underlayClassFor, type Connectivity } from "../../components/multicluster";
import { synthesize, type SynthResult } from "../../synth/engine";

const CLUSTERS = [
  { name: "hub", region: "us-east-1", cidr: "10.30.0.0/16" },
  { name: "east", region: "us-east-1", cidr: "10.31.0.0/16" },
  { name: "west", region: "us-west-2", cidr: "10.40.0.0/16" },
];

async function synthSet(connectivity: Connectivity): Promise<SynthResult> {
  return synthesize(() => {
    const providers = new Map(["us-east-1", "us-west-2"].map((r) => [r, new aws.Provider(`aws-${r}`, { region: r as aws.Region })]));
    const clusters = CLUSTERS.map((c) => {
      const provider = providers.get(c.region)!;
      const net = new ClusterNetwork(c.name, { region: c.region, vpcCidr: c.cidr, availabilityZones: [`${c.region}a`, `${c.region}b`], podCidr: "100.64.0.0/16", serviceCidr: "172.20.0.0/16", natStrategy: "single" }, { provider });
      return { clusterName: c.name, region: c.region, vpcId: net.vpcId, vpcCidr: c.cidr, privateSubnetIds: net.privateSubnetIds, privateRouteTableIds: net.privateRouteTableIds, nodeSecurityGroupId: net.nodeSecurityGroupId, controlPlaneSecurityGroupId: net.controlPlaneSecurityGroupId, provider };
    });
    new ClusterSetNetwork("set", { connectivity, controlPlane: "hub", clusters, gatewayPort: 8091 });
  });
}

const ofType = (r: SynthResult, t: string) => r.resources.filter((x) => x.type === t);
const setRoutes = (r: SynthResult) => ofType(r, "aws:ec2/route:Route").filter((x) => x.name.startsWith("set-"));

describe("ClusterSetNetwork", () => {
  it("peers every pair, accepting inter-Region peerings in the peer's Region, with routes in every private table", async () => {
    const result = await synthSet("vpc-peering");
    const peerings = ofType(result, "aws:ec2/vpcPeeringConnection:VpcPeeringConnection");
    expect(peerings.map((p) => p.name).sort()).toEqual(["set-east-west", "set-hub-east", "set-hub-west"]);
    expect(peerings.find((p) => p.name === "set-hub-east")!.inputs).toMatchObject({ autoAccept: true });
    expect(peerings.find((p) => p.name === "set-hub-west")!.inputs).toMatchObject({ peerRegion: "us-west-2" });
    const accepters = ofType(result, "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter");
    expect(accepters.map((a) => a.name).sort()).toEqual(["set-east-west", "set-hub-west"]);
    expect(accepters.every((a) => a.provider!.includes("aws-us-west-2"))).toBe(true);
    // 3 pairs × 2 directions × 2 private tables.
    expect(setRoutes(result)).toHaveLength(12);
    expect(setRoutes(result).filter((r) => r.inputs["destinationCidrBlock"] === "10.40.0.0/16")).toHaveLength(4);
  });

  it("admits exactly the gateway port from the set's VPCs through one prefix list per Region, and the API from the control plane's VPC", async () => {
    const result = await synthSet("vpc-peering");
    const lists = ofType(result, "aws:ec2/managedPrefixList:ManagedPrefixList");
    expect(lists.map((l) => [l.name, l.provider!.includes("aws-us-west-2") ? "us-west-2" : "us-east-1"]).sort()).toEqual([["set-vpcs-us-east-1", "us-east-1"], ["set-vpcs-us-west-2", "us-west-2"]]);
    for (const l of lists) {
      expect(l.inputs).toMatchObject({ addressFamily: "IPv4", maxEntries: 3 });
      expect((l.inputs["entries"] as { cidr: string }[]).map((e) => e.cidr)).toEqual(["10.30.0.0/16", "10.31.0.0/16", "10.40.0.0/16"]);
    }
    const rules = ofType(result, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.name.startsWith("set-"));
    const gateway = rules.filter((r) => r.inputs["fromPort"] === 8091);
    // One rule per cluster, whatever the set's size; the list is the one of the cluster's Region.
    expect(gateway.map((r) => r.name).sort()).toEqual(["set-east-gw-from-set", "set-hub-gw-from-set", "set-west-gw-from-set"]);
    expect(gateway.every((r) => r.inputs["cidrIpv4"] === undefined && r.inputs["ipProtocol"] === "tcp")).toBe(true);
    const listId = (region: string) => lists.find((l) => l.name === `set-vpcs-${region}`)!.id;
    expect(gateway.find((r) => r.name === "set-west-gw-from-set")!.inputs["prefixListId"]).toBe(listId("us-west-2"));
    expect(gateway.find((r) => r.name === "set-hub-gw-from-set")!.inputs["prefixListId"]).toBe(listId("us-east-1"));
    const api = rules.filter((r) => r.inputs["fromPort"] === 443);
    expect(api.map((r) => [r.name, r.inputs["cidrIpv4"]])).toEqual([["set-east-api-from-hub", "10.30.0.0/16"], ["set-west-api-from-hub", "10.30.0.0/16"]]);
    expect(rules.every((r) => r.inputs["fromPort"] === r.inputs["toPort"])).toBe(true);
  });

  it("uses one Transit Gateway per Region, peered across Regions, one route per private table to the set's prefix list, collapsed routes between Regions", async () => {
    const result = await synthSet("transit-gateway");
    expect(ofType(result, "aws:ec2transitgateway/transitGateway:TransitGateway")).toHaveLength(2);
    expect(ofType(result, "aws:ec2transitgateway/vpcAttachment:VpcAttachment")).toHaveLength(3);
    expect(ofType(result, "aws:ec2transitgateway/peeringAttachment:PeeringAttachment")).toHaveLength(1);
    // us-east-1's 10.30/16 and 10.31/16 are the two halves of 10.30/15: one route from us-west-2.
    expect(ofType(result, "aws:ec2transitgateway/route:Route").map((r) => r.inputs["destinationCidrBlock"]).sort()).toEqual(["10.30.0.0/15", "10.40.0.0/16"]);
    const routes = setRoutes(result);
    expect(routes).toHaveLength(6);
    const lists = ofType(result, "aws:ec2/managedPrefixList:ManagedPrefixList");
    for (const r of routes) {
      expect(r.inputs["destinationCidrBlock"]).toBeUndefined();
      expect(lists.map((l) => l.id)).toContain(r.inputs["destinationPrefixListId"]);
    }
    expect(ofType(result, "aws:ec2/vpcPeeringConnection:VpcPeeringConnection")).toHaveLength(0);
  });

  it("creates nothing for internet connectivity", async () => {
    const result = await synthSet("internet");
    expect(result.resources.filter((r) => r.name.startsWith("set-") && r.type.startsWith("aws:"))).toHaveLength(0);
  });

  it("derives each cluster's underlay MTU class from the connectivity", () => {
    const clusters = CLUSTERS.map((c) => ({ clusterName: c.name, region: c.region }));
    expect(underlayClassFor("hub", "vpc-peering", clusters)).toBe("inter-region");
    expect(underlayClassFor("hub", "vpc-peering", clusters.slice(0, 2))).toBe("intra-vpc");
    expect(underlayClassFor("hub", "transit-gateway", clusters.slice(0, 2))).toBe("inter-region");
    // Internet: the set's traffic crosses the internet (1500), as the stack docs say connectivity fixes the class.
    expect(underlayClassFor("hub", "internet", clusters)).toBe("vpn-or-internet");
    expect(underlayClassFor("hub", "internet", [clusters[0]!])).toBe("intra-vpc");
  });

  it("refuses overlapping VPCs, naming both clusters", async () => {
    await expect(
      synthesize(() => {
        const p = new aws.Provider("p", { region: "us-east-1" });
        const c = (n: string, cidr: string) => ({ clusterName: n, region: "us-east-1", vpcId: "v", vpcCidr: cidr, privateSubnetIds: [], privateRouteTableIds: [], nodeSecurityGroupId: "sg", controlPlaneSecurityGroupId: "sg", provider: p });
        new ClusterSetNetwork("s", { connectivity: "vpc-peering", controlPlane: "a", clusters: [c("a", "10.0.0.0/16"), c("b", "10.0.0.0/20")] });
      }),
    ).rejects.toThrow(/clusters\[1\]\.vpcCidr = "10\.0\.0\.0\/20": overlaps a's VPC 10\.0\.0\.0\/16.*Fix: give b a VPC range disjoint from a's/);
  });
});
