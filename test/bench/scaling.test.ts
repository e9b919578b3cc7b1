/**
 * The stack is linear in clusters: every added cluster adds the same number of resources (the
 * generated environments of the benchmarks, through the real program).
 */
import { describe, expect, it } from "vitest";
import { generatedStackConfig } from "../../bench/environments";
import { resourcesPerCluster } from "../../bench/scaling";
import { defineStack } from "../../stacks/program";
import { synthesize } from "../../synth/engine";

describe("resources per added cluster", () => {
  it("states the formula when the slope is constant, and says so when it is not", () => {
    expect(resourcesPerCluster([1, 3, 4, 6].map((c) => ({ clusters: c, services: 10, resources: 100 + 50 * c + (c === 1 ? 7 : 0) })))).toMatch(/: 50\.0, 50\.0 .*constant: resources = 100 \+ 50·C\.$/);
    expect(resourcesPerCluster([3, 4, 6].map((c) => ({ clusters: c, services: 10, resources: 100 + 50 * c + 3 * c * c })))).toMatch(/not constant/);
  });

  it("is constant for the kit's cluster sets over Transit Gateways", async () => {
    const samples = [];
    for (const clusters of [3, 4, 5]) {
      const { resources } = await synthesize(defineStack, { stack: "bench", config: generatedStackConfig({ clusters, services: 3 }) });
      samples.push({ clusters, services: 3, resources: resources.length });
    }
    expect(resourcesPerCluster(samples)).toMatch(/constant: resources = \d+ \+ \d+·C\.$/);
  });
});
