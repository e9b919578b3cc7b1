import { describe, expect, it } from "vitest";
import { validateStackConfig } from "../../stacks/config/validate";
import { pathMtuClassFor } from "../../stacks/program";

const config = (connectivity: string, regions: string[], pathMtuClass?: string) =>
  validateStackConfig({
    environment: "prod",
    owner: "p",
    clusterSet: { name: "s", controlPlane: "c0", connectivity },
    clusters: regions.map((region, i) => ({ name: `c${i}`, region, network: { vpcCidr: `10.${i}.0.0/16`, ...(pathMtuClass ? { pathMtuClass } : {}) }, eks: { nodeGroups: [{ name: "g" }] } })),
  });

describe("the underlay MTU class of a stack's clusters", () => {
  it("follows from the cluster set's connectivity", () => {
    expect(pathMtuClassFor(0, config("vpc-peering", ["us-east-1", "us-west-2"]))).toBe("inter-region");
    expect(pathMtuClassFor(0, config("vpc-peering", ["us-east-1", "us-east-1"]))).toBe("intra-vpc");
    expect(pathMtuClassFor(1, config("transit-gateway", ["us-east-1", "us-east-1"]))).toBe("inter-region");
    expect(pathMtuClassFor(0, config("internet", ["us-east-1", "us-west-2"], "vpn-or-internet"))).toBe("vpn-or-internet");
  });

  it("refuses an explicit class wider than the connectivity carries", () => {
    expect(() => pathMtuClassFor(0, config("transit-gateway", ["us-east-1", "us-east-1"], "intra-vpc"))).toThrow(
      /canalkit:clusters\[0\]\.network\.pathMtuClass = "intra-vpc": allows 9001-byte packets, but transit-gateway between the set's clusters carries at most 8500/,
    );
  });
});
