import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  admitsCniTraffic,
  cidrContains,
  cidrsOverlap,
  ENCAPSULATION_OVERHEAD,
  isWorld,
  parseCidr,
  planNetwork,
  TOPOLOGIES,
  UNDERLAY_MTU,
  WIREGUARD_OVERHEAD,
  type NetworkPlanInput,
  type PathMtuClass,
} from "../../components/network";

const azLetters = ["a", "b", "c", "d", "e", "f"];

/** Random valid inputs: a /16–/22 VPC in 10/8, pods in 100.64/10, services in 172.16/12. */
const inputs = fc
  .record({
    secondOctet: fc.integer({ min: 0, max: 255 }),
    vpcPrefix: fc.integer({ min: 16, max: 22 }),
    azCount: fc.integer({ min: 2, max: 4 }),
    topology: fc.constantFrom(...TOPOLOGIES),
    pathMtuClass: fc.constantFrom<PathMtuClass>("intra-vpc", "inter-region", "vpn-or-internet"),
    wireguard: fc.boolean(),
    natStrategy: fc.constantFrom("none" as const, "single" as const, "one-per-az" as const),
    typha: fc.boolean(),
  })
  .map((r): NetworkPlanInput => ({
    clusterName: "prop",
    vpcCidr: `10.${r.secondOctet}.0.0/${r.vpcPrefix}`,
    availabilityZones: azLetters.slice(0, r.azCount).map((l) => `eu-west-1${l}`),
    podCidr: "100.64.0.0/16",
    serviceCidr: "172.20.0.0/16",
    topology: r.topology,
    pathMtuClass: r.pathMtuClass,
    wireguard: r.wireguard,
    natStrategy: r.natStrategy,
    typha: r.typha,
  }));

describe("network planner properties", () => {
  it("subnets never overlap and all lie inside the VPC", () => {
    fc.assert(
      fc.property(inputs, (input) => {
        const plan = planNetwork(input);
        const vpc = parseCidr("vpc", plan.vpcCidr);
        const subnets = plan.azs.flatMap((az) => [az.publicSubnetCidr, az.privateSubnetCidr]).map((c) => parseCidr("subnet", c));
        for (const s of subnets) expect(cidrContains(vpc, s)).toBe(true);
        for (let i = 0; i < subnets.length; i++) {
          for (let j = i + 1; j < subnets.length; j++) expect(cidrsOverlap(subnets[i]!, subnets[j]!)).toBe(false);
        }
      }),
    );
  });

  it("adding an AZ never re-addresses an existing subnet", () => {
    fc.assert(
      fc.property(inputs.filter((i) => i.availabilityZones.length < 4), (input) => {
        const before = planNetwork(input);
        const after = planNetwork({ ...input, availabilityZones: [...input.availabilityZones, "eu-west-1f"] });
        expect(after.azs.slice(0, before.azs.length)).toEqual(before.azs);
      }),
    );
  });

  it("pod MTU = underlay − encapsulation overhead for every topology, path class and encryption", () => {
    fc.assert(
      fc.property(inputs, (input) => {
        const plan = planNetwork(input);
        const expected = UNDERLAY_MTU[input.pathMtuClass!] - ENCAPSULATION_OVERHEAD[input.topology!] - (input.wireguard ? WIREGUARD_OVERHEAD : 0);
        expect(plan.mtu.pod).toBe(expected);
        expect(plan.mtu.underlay - plan.mtu.overhead).toBe(plan.mtu.pod);
      }),
    );
  });

  it("never opens a CNI port to the world", () => {
    fc.assert(
      fc.property(inputs, (input) => {
        for (const rule of planNetwork(input).securityGroupRules) {
          if (rule.direction === "ingress" && isWorld(rule.peer)) expect(admitsCniTraffic(rule)).toBe(false);
        }
      }),
    );
  });

  it("gives every AZ a NAT gateway only with one-per-az, and routes private tables accordingly", () => {
    fc.assert(
      fc.property(inputs, (input) => {
        const plan = planNetwork(input);
        const expectedNat = { none: 0, single: 1, "one-per-az": plan.azs.length }[plan.natStrategy];
        expect(plan.natGatewayAzs).toHaveLength(expectedNat);
        for (const table of plan.routeTables.filter((t) => t.tier === "private")) {
          expect(table.routes.length).toBe(plan.natStrategy === "none" ? 0 : 1);
        }
      }),
    );
  });
});
