import { describe, expect, it } from "vitest";
import { ClusterNetwork, type ClusterNetworkArgs } from "../../components/network";
import { synthesize, type SynthResource, type SynthResult } from "../../synth/engine";

const args: ClusterNetworkArgs = {
  region: "us-east-1",
  vpcCidr: "10.10.0.0/16",
  availabilityZones: ["us-east-1a", "us-east-1b"],
  podCidr: "100.64.0.0/16",
  serviceCidr: "172.20.0.0/16",
  tags: { environment: "test", owner: "platform" },
};

async function synthNetwork(extra: Partial<ClusterNetworkArgs> = {}): Promise<SynthResult> {
  return synthesize(() => {
    new ClusterNetwork("east", { ...args, ...extra });
  });
}

const ofType = (r: SynthResult, type: string) => r.resources.filter((x) => x.type === type);
const byName = (r: SynthResult, name: string) => r.resources.find((x) => x.name === name)!;

/** The SG rules as "group<-peer proto:from-to", resolving SG ids back to their group. */
function ruleSummary(result: SynthResult): string[] {
  const groups = new Map<string, string>(ofType(result, "aws:ec2/securityGroup:SecurityGroup").map((sg) => [sg.id!, sg.name.endsWith("nodes-sg") ? "node" : "cp"]));
  return [...ofType(result, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"), ...ofType(result, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")]
    .map((r: SynthResource) => {
      const i = r.inputs as Record<string, unknown>;
      const peer = (i["cidrIpv4"] as string | undefined) ?? groups.get(i["referencedSecurityGroupId"] as string);
      const dir = r.type.includes("Egress") ? "->" : "<-";
      return `${groups.get(i["securityGroupId"] as string)}${dir}${peer} ${i["ipProtocol"]}:${i["fromPort"] ?? ""}-${i["toPort"] ?? ""}`;
    })
    .sort();
}

describe("ClusterNetwork", () => {
  it("creates exactly the vxlan rules plus control-plane, PMTUD and egress rules", async () => {
    expect(ruleSummary(await synthNetwork())).toEqual([
      "cp->0.0.0.0/0 -1:-",
      "cp<-10.10.0.0/16 icmp:3-4",
      "cp<-node tcp:443-443",
      "cp<-node udp:8472-8472",
      "node->0.0.0.0/0 -1:-",
      "node<-10.10.0.0/16 icmp:3-4",
      "node<-cp tcp:10250-10250",
      "node<-cp tcp:1025-65535",
      "node<-cp udp:8472-8472",
      "node<-node tcp:10250-10250",
      "node<-node tcp:9444-9444",
      "node<-node udp:8472-8472",
    ].sort());
  });

  it("creates protocol-4, BGP and pod-CIDR rules for ipip-crosssubnet, without ports on protocol 4", async () => {
    const rules = ruleSummary(await synthNetwork({ topology: "ipip-crosssubnet" }));
    expect(rules).toEqual(expect.arrayContaining(["node<-node 4:-", "node<-node tcp:179-179", "node<-100.64.0.0/16 -1:-", "cp<-node 4:-"]));
    expect(rules.some((r) => r.includes("udp:8472"))).toBe(false);
  });

  it("admits only the pod CIDR for native-vpc", async () => {
    const rules = ruleSummary(await synthNetwork({ topology: "native-vpc" }));
    expect(rules.filter((r) => r.includes("100.64.0.0/16"))).toEqual(["node<-100.64.0.0/16 -1:-"]);
    expect(rules.some((r) => / (udp|4|tcp:179)/.test(r) && !r.includes("10250"))).toBe(false);
  });

  it("places NAT gateways per strategy and routes each private table through its own AZ's NAT", async () => {
    const perAz = await synthNetwork({ natStrategy: "one-per-az" });
    const nats = ofType(perAz, "aws:ec2/natGateway:NatGateway");
    expect(nats.map((n) => n.inputs["subnetId"])).toEqual([byName(perAz, "east-public-0").id, byName(perAz, "east-public-1").id]);
    expect(byName(perAz, "east-rt-private-1-default").inputs["natGatewayId"]).toBe(byName(perAz, "east-nat-1").id);
    expect(byName(perAz, "east-rt-public-default").inputs["gatewayId"]).toBe(byName(perAz, "east-igw").id);

    const single = await synthNetwork({ natStrategy: "single" });
    expect(ofType(single, "aws:ec2/natGateway:NatGateway")).toHaveLength(1);
    expect(byName(single, "east-rt-private-1-default").inputs["natGatewayId"]).toBe(byName(single, "east-nat-0").id);

    const none = await synthNetwork({ natStrategy: "none" });
    expect(ofType(none, "aws:ec2/natGateway:NatGateway")).toHaveLength(0);
    expect(ofType(none, "aws:ec2/route:Route").map((r) => r.name)).toEqual(["east-rt-public-default"]);
  });

  it("associates each subnet with its tier's table and keeps route tables free of inline routes", async () => {
    const result = await synthNetwork();
    const assoc = ofType(result, "aws:ec2/routeTableAssociation:RouteTableAssociation").map((a) => [a.inputs["subnetId"], a.inputs["routeTableId"]]);
    expect(assoc).toHaveLength(4);
    expect(assoc).toEqual(expect.arrayContaining([
      [byName(result, "east-public-0").id, byName(result, "east-rt-public").id],
      [byName(result, "east-public-1").id, byName(result, "east-rt-public").id],
      [byName(result, "east-private-0").id, byName(result, "east-rt-private-0").id],
      [byName(result, "east-private-1").id, byName(result, "east-rt-private-1").id],
    ]));
    for (const rt of ofType(result, "aws:ec2/routeTable:RouteTable")) expect(rt.inputs["routes"]).toBeUndefined();
  });

  it("tags subnets for Kubernetes load balancers and every resource with the stack tags", async () => {
    const result = await synthNetwork();
    expect(byName(result, "east-public-0").inputs["tags"]).toMatchObject({ "kubernetes.io/role/elb": "1", "kubernetes.io/cluster/east": "shared", environment: "test", owner: "platform" });
    expect(byName(result, "east-private-1").inputs["tags"]).toMatchObject({ "kubernetes.io/role/internal-elb": "1", "kubernetes.io/cluster/east": "shared" });
    expect(byName(result, "east-private-1").inputs).toMatchObject({ availabilityZone: "us-east-1b", cidrBlock: "10.10.64.0/19" });
    const vpc = byName(result, "east-vpc");
    expect(vpc.inputs).toMatchObject({ cidrBlock: "10.10.0.0/16", enableDnsHostnames: true, tags: { environment: "test", owner: "platform" } });
  });

  it("records the network facts in the component's inputs and parents every child under it", async () => {
    const result = await synthNetwork({ topology: "ipip-crosssubnet" });
    const component = ofType(result, "canalkit:network:ClusterNetwork")[0]!;
    expect(component.inputs).toMatchObject({ clusterName: "east", region: "us-east-1", topology: "ipip-crosssubnet", podMtu: 8981, disableSourceDestCheck: true, vpcCidr: "10.10.0.0/16" });
    const descendants = new Set([component.urn]);
    for (const r of result.resources) if (r.parent && descendants.has(r.parent)) descendants.add(r.urn);
    expect(result.resources.filter((r) => r.type.startsWith("aws:")).every((r) => descendants.has(r.urn))).toBe(true);
  });

  it("adds flow logs only when asked", async () => {
    expect(ofType(await synthNetwork(), "aws:ec2/flowLog:FlowLog")).toHaveLength(0);
    const result = await synthNetwork({ flowLogs: { enabled: true } });
    expect(ofType(result, "aws:ec2/flowLog:FlowLog")[0]!.inputs).toMatchObject({ trafficType: "ALL", logDestinationType: "cloud-watch-logs" });
  });

  it("refuses bad input before registering any resource", async () => {
    let registered = 0;
    await expect(
      synthesize(() => {
        try {
          new ClusterNetwork("bad", { ...args, podCidr: "10.10.0.0/20" });
        } finally {
          registered = 0;
        }
      }).then((r) => (registered = r.resources.length)),
    ).rejects.toThrow(/network\.podCidr = "10\.10\.0\.0\/20": overlaps network\.vpcCidr/);
    expect(registered).toBe(0);
  });
});
