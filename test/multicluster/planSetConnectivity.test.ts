import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AWS_QUOTAS, collapseCidrs, planSetConnectivity, setNetworkResourceCount, type ConnectivityCluster, type ConnectivityPlan } from "../../components/multicluster";
import type { Connectivity } from "../../components/multicluster";

const clusters = (n: number, extra: Partial<ConnectivityCluster> = {}): ConnectivityCluster[] =>
  Array.from({ length: n }, (_, i) => ({ clusterName: `c${i}`, region: i % 2 === 0 ? "us-east-1" : "us-west-2", vpcCidr: `10.${i}.0.0/16`, routeTables: 2, ...extra }));

const raised = { routeTableQuota: 1000, nodeSecurityGroupRules: 12, controlPlaneSecurityGroupRules: 3 };
const plan = (connectivity: Connectivity, n: number, extra: Partial<ConnectivityCluster> = raised, securityGroupRuleQuota = 1000) =>
  planSetConnectivity({ connectivity, controlPlane: "c0", clusters: clusters(n, extra), securityGroupRuleQuota, peeringQuota: AWS_QUOTAS.peeringsPerVpcMaximum });

/** Every planned item that names a cluster, keyed by what it is (for "what did adding a cluster change"). */
function itemsOf(p: ConnectivityPlan, cluster: string): string[] {
  return [
    ...p.vpcRoutes.filter((r) => r.cluster === cluster).map((r) => `route ${JSON.stringify(r)}`),
    ...p.peerings.filter((x) => x.a === cluster || x.b === cluster).map((x) => `peering ${x.a}-${x.b}`),
    ...p.gatewayRules.filter((r) => r.cluster === cluster).map((r) => `gw ${r.prefixListRegion}`),
    ...p.apiRules.filter((r) => r.cluster === cluster).map((r) => `api ${r.cidr}`),
  ];
}

const addresses = (cidrs: string[]): Set<number> => {
  const all = new Set<number>();
  for (const c of cidrs) {
    const [ip, bits] = c.split("/");
    const start = ip!.split(".").reduce((n, o) => n * 256 + Number(o), 0);
    for (let a = start; a < start + 2 ** (32 - Number(bits)); a++) all.add(a);
  }
  return all;
};

describe("collapseCidrs", () => {
  it("merges adjacent halves and drops contained ranges", () => {
    expect(collapseCidrs(["10.1.0.0/16", "10.0.0.0/16", "10.2.0.0/16", "10.2.4.0/24"])).toEqual(["10.0.0.0/15", "10.2.0.0/16"]);
    // 10.1/16 and 10.2/16 are adjacent but not halves of one block: they stay apart.
    expect(collapseCidrs(["10.1.0.0/16", "10.2.0.0/16"])).toEqual(["10.1.0.0/16", "10.2.0.0/16"]);
    expect(collapseCidrs(["10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"])).toEqual(["10.0.0.0/14"]);
  });

  it("covers exactly the input's addresses, never one more", () => {
    const block = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 25, max: 28 })).map(([n, bits]) => {
      const size = 2 ** (32 - bits);
      const start = Math.floor((n * 4) / size) * size; // within 10.0.0.0/22, aligned
      return `10.0.${Math.floor(start / 256)}.${start % 256}/${bits}`;
    });
    fc.assert(fc.property(fc.array(block, { minLength: 1, maxLength: 12 }), (cidrs) => {
      const out = collapseCidrs(cidrs);
      expect([...addresses(out)].sort()).toEqual([...addresses(cidrs)].sort());
      expect(out.length).toBeLessThanOrEqual(new Set(cidrs).size);
    }), { numRuns: 200 });
  });
});

describe("planSetConnectivity", () => {
  it("transit-gateway: adding a cluster changes nothing planned for the existing clusters, and adds a constant number of resources", () => {
    const T = 2;
    for (const n of [3, 10, 50, 99]) {
      const before = plan("transit-gateway", n);
      const after = plan("transit-gateway", n + 1);
      for (const c of before.usage.map((u) => u.cluster)) expect(itemsOf(after, c)).toEqual(itemsOf(before, c));
      const added = setNetworkResourceCount(after, () => T) - setNetworkResourceCount(before, () => T);
      // T routes + attachment + gateway rule + API rule, and at most one route per other Region.
      expect(added).toBeGreaterThanOrEqual(T + 3);
      expect(added).toBeLessThanOrEqual(T + 3 + (after.regions.length - 1));
    }
    // The formula, stated: with 10.<i>/16 alternating over two Regions nothing collapses.
    const p = plan("transit-gateway", 100);
    expect(setNetworkResourceCount(p, () => T)).toBe(2 + 2 + 100 + 2 + 100 + 100 * T + 100 + 99);
  });

  it("vpc-peering stays a mesh (one peering and T routes per pair and direction) but needs one gateway rule per cluster", () => {
    const p = plan("vpc-peering", 10);
    expect(p.peerings).toHaveLength(45);
    expect(p.vpcRoutes).toHaveLength(90);
    expect(p.gatewayRules).toHaveLength(10);
    expect(p.vpcRoutes.filter((r) => r.cluster === "c3").map((r) => ("cidr" in r.destination ? r.destination.cidr : "")).sort()).toEqual(
      clusters(10).filter((c) => c.clusterName !== "c3").map((c) => c.vpcCidr).sort(),
    );
  });

  it("counts a referenced prefix list as its entries against the quotas", () => {
    const p = plan("transit-gateway", 100);
    const c5 = p.usage.find((u) => u.cluster === "c5")!;
    expect(c5).toEqual({ cluster: "c5", routesPerTable: 2 + 100, nodeSecurityGroupRules: 12 + 100, controlPlaneSecurityGroupRules: 3 + 1, peerings: 0 });
    expect(p.prefixLists).toHaveLength(2);
    expect(p.prefixLists[0]!.maxEntries).toBe(100);
  });

  it("refuses at preview what AWS would refuse, naming the quota, the key and the way out", () => {
    // Default route quota (50): 2 own routes + a 49-entry list is 51.
    expect(() => planSetConnectivity({ connectivity: "transit-gateway", controlPlane: "c0", clusters: clusters(49) })).toThrow(
      /^clusters\.c0\.network\.routeTableQuota = 50: cluster c0 needs 51 routes in each private route table \(2 of its own \+ a route to the set's prefix list, which counts as its 49 entries\).*raise the AWS quota L-93826ACB and network\.routeTableQuota to at least 51/,
    );
    expect(() => planSetConnectivity({ connectivity: "transit-gateway", controlPlane: "c0", clusters: clusters(60, { routeTableQuota: 1000, nodeSecurityGroupRules: 12 }) })).toThrow(
      /^clusterSet\.securityGroupRuleQuota = 60: cluster c0's node security group needs 72 inbound rules .*raise the AWS quota L-0EA8095F and clusterSet\.securityGroupRuleQuota to at least 72/,
    );
    expect(() => planSetConnectivity({ connectivity: "vpc-peering", controlPlane: "c0", clusters: clusters(52, { routeTableQuota: 1000 }), securityGroupRuleQuota: 1000 })).toThrow(
      /^clusterSet\.connectivity = "vpc-peering": vpc-peering connects every pair: cluster c0 needs 51 peering connections, over the peering-connections-per-VPC quota of 50.*use connectivity: transit-gateway/,
    );
    expect(() => planSetConnectivity({ connectivity: "vpc-peering", controlPlane: "c0", clusters: clusters(10), securityGroupRuleQuota: 1000 })).not.toThrow();
    expect(() => planSetConnectivity({ connectivity: "vpc-peering", controlPlane: "c0", clusters: clusters(10, { routesInUse: 45 }) })).toThrow(/needs 54 routes .*\(45 of its own \+ one route per peer \(9\)\).*or use connectivity: transit-gateway/);
  });

  it("fits 100 clusters over two Regions once the two adjustable quotas are raised", () => {
    expect(() => plan("transit-gateway", 100, { routeTableQuota: 200, nodeSecurityGroupRules: 12 }, 200)).not.toThrow();
  });

  it("plans nothing for internet connectivity", () => {
    expect(setNetworkResourceCount(plan("internet", 5), () => 2)).toBe(0);
  });
});
