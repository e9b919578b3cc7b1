import { describe, expect, it } from "vitest";
import { CanalkitInputError } from "../../components/errors";
import { planNetwork, type NetworkPlanInput } from "../../components/network";

const base: NetworkPlanInput = {
  clusterName: "east",
  vpcCidr: "10.10.0.0/16",
  availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"],
  podCidr: "100.64.0.0/16",
  serviceCidr: "172.20.0.0/16",
};

function rulesOf(input: Partial<NetworkPlanInput>) {
  return planNetwork({ ...base, ...input }).securityGroupRules;
}

function cniRuleSummary(input: Partial<NetworkPlanInput>) {
  return rulesOf(input)
    .filter((r) => r.purpose === "cni")
    .map((r) => `${r.group}<-${r.peer.kind === "cidr" ? r.peer.cidr : r.peer.role} ${r.protocol}:${r.fromPort}-${r.toPort}`)
    .sort();
}

describe("planNetwork", () => {
  it("lays out fixed AZ blocks with private and public subnets", () => {
    const plan = planNetwork(base);
    expect(plan.azs.map((a) => [a.name, a.blockCidr, a.privateSubnetCidr, a.publicSubnetCidr])).toEqual([
      ["us-east-1a", "10.10.0.0/18", "10.10.0.0/19", "10.10.32.0/20"],
      ["us-east-1b", "10.10.64.0/18", "10.10.64.0/19", "10.10.96.0/20"],
      ["us-east-1c", "10.10.128.0/18", "10.10.128.0/19", "10.10.160.0/20"],
    ]);
  });

  it("vxlan: UDP 8472 between nodes and the control plane, source/dest check untouched", () => {
    expect(cniRuleSummary({})).toEqual(["controlPlane<-node udp:8472-8472", "node<-controlPlane udp:8472-8472", "node<-node udp:8472-8472"]);
    const plan = planNetwork(base);
    expect(plan.routing).toMatchObject({ encapsulation: "vxlan", vxlanPort: 8472, disableSourceDestCheck: false, admitPodCidr: false });
    expect(plan.mtu.pod).toBe(8951);
  });

  it("vxlan follows a configured port", () => {
    expect(cniRuleSummary({ vxlanPort: 4789 })).toContain("node<-node udp:4789-4789");
  });

  it("ipip-crosssubnet: protocol 4 and TCP 179 between members, pod CIDR admitted, src/dst off", () => {
    expect(cniRuleSummary({ topology: "ipip-crosssubnet" })).toEqual([
      "controlPlane<-node 4:-1--1",
      "controlPlane<-node tcp:179-179",
      "node<-100.64.0.0/16 -1:-1--1",
      "node<-controlPlane 4:-1--1",
      "node<-controlPlane tcp:179-179",
      "node<-node 4:-1--1",
      "node<-node tcp:179-179",
    ]);
    const plan = planNetwork({ ...base, topology: "ipip-crosssubnet" });
    expect(plan.routing).toMatchObject({ disableSourceDestCheck: true, admitPodCidr: true, bgp: true });
    expect(plan.mtu.pod).toBe(8981);
  });

  it("native-vpc: only the pod CIDR, no encapsulation, src/dst off, nodes bounded by the quota", () => {
    expect(cniRuleSummary({ topology: "native-vpc" })).toEqual(["node<-100.64.0.0/16 -1:-1--1"]);
    const plan = planNetwork({ ...base, topology: "native-vpc" });
    expect(plan.routing).toMatchObject({ encapsulation: "none", disableSourceDestCheck: true, maxNodes: 48, routeTableQuota: 50 });
    expect(plan.mtu.pod).toBe(9001);
    expect(planNetwork({ ...base, topology: "native-vpc", routeTableQuota: 200, maxNodes: 150 }).routing.maxNodes).toBe(150);
  });

  it("typha opens TCP 5473 between nodes only", () => {
    expect(cniRuleSummary({ typha: true })).toContain("node<-node tcp:5473-5473");
  });

  it("carries the control-plane ports, PMTUD ICMP and egress", () => {
    const keys = rulesOf({}).filter((r) => r.purpose !== "cni").map((r) => r.key);
    expect(keys).toEqual(expect.arrayContaining(["cp-from-nodes-api", "nodes-from-cp-kubelet", "nodes-from-vpc-pmtud", "cp-from-vpc-pmtud", "nodes-egress-all"]));
    const pmtud = rulesOf({}).find((r) => r.key === "nodes-from-vpc-pmtud")!;
    expect(pmtud).toMatchObject({ protocol: "icmp", fromPort: 3, toPort: 4, peer: { kind: "cidr", cidr: "10.10.0.0/16" } });
  });

  it("uses the WireGuard overhead and the path class", () => {
    expect(planNetwork({ ...base, wireguard: true }).mtu).toEqual({ pathMtuClass: "intra-vpc", underlay: 9001, overhead: 110, pod: 8891 });
    expect(planNetwork({ ...base, pathMtuClass: "inter-region" }).mtu.pod).toBe(8450);
    expect(planNetwork({ ...base, pathMtuClass: "vpn-or-internet", topology: "ipip-crosssubnet" }).mtu.pod).toBe(1480);
  });

  const bad: [string, Partial<NetworkPlanInput>, string, RegExp][] = [
    ["an invalid CIDR", { vpcCidr: "10.10.0.0/33" }, "network.vpcCidr", /a\.b\.c\.d\/n/],
    ["host bits set", { vpcCidr: "10.10.1.0/16" }, "network.vpcCidr", /10\.10\.0\.0\/16/],
    ["a pod CIDR overlapping the VPC", { podCidr: "10.10.128.0/17" }, "network.podCidr", /overlaps network\.vpcCidr/],
    ["a service CIDR overlapping the VPC", { serviceCidr: "10.10.0.0/20" }, "network.serviceCidr", /overlaps/],
    ["pods overlapping services", { podCidr: "172.20.0.0/16" }, "network.podCidr", /overlaps network\.serviceCidr/],
    ["too few AZs", { availabilityZones: ["us-east-1a"] }, "network.availabilityZones", /at least 2/],
    ["a duplicate AZ", { availabilityZones: ["us-east-1a", "us-east-1a"] }, "network.availabilityZones", /listed twice/],
    ["subnets that do not fit", { availabilityZones: ["a", "b", "c", "d", "e"] }, "network.availabilityZones", /do not fit/],
    ["an unknown topology", { topology: "geneve" as never }, "network.topology", /vxlan, ipip-crosssubnet, native-vpc/],
    ["an unknown MTU class", { pathMtuClass: "satellite" as never }, "network.pathMtuClass", /intra-vpc/],
    ["a quota above 1000", { routeTableQuota: 5000 }, "network.routeTableQuota", /50 to 1000/],
    ["native-vpc over the quota", { topology: "native-vpc", maxNodes: 60 }, "network.maxNodes", /60 nodes \+ 2 reserved routes = 62 routes, over the routes-per-route-table quota of 50/],
    ["a VXLAN port colliding with BGP", { vxlanPort: 179 }, "network.vxlanPort", /1024 to 65535/],
    ["a pod CIDR too small for the nodes", { podCidr: "100.64.0.0/22", maxNodes: 10 }, "network.maxNodes", /holds only 4 node subnets/],
  ];
  it.each(bad)("refuses %s, naming the field, the value and the fix", (_label, change, field, message) => {
    let error: unknown;
    try {
      planNetwork({ ...base, ...change });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CanalkitInputError);
    const e = error as CanalkitInputError;
    expect(e.field).toBe(field);
    expect(e.message).toMatch(message);
    expect(e.message).toContain("Fix:");
  });
});
