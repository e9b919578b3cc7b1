import { describe, expect, it } from "vitest";
import { evaluationTable, measureEvaluation } from "../../bench/evaluation";

describe("benchmark smoke run (tiny sizes; no timing is asserted)", () => {
  it("evaluates the kit and the floor program with the same resource count", () => {
    const [sample] = measureEvaluation([1]);
    expect(sample!.resources).toBeGreaterThan(50);
    expect(sample!.kitMs).toBeGreaterThan(0);
    expect(sample!.floorMs).toBeGreaterThan(0);
    expect(evaluationTable([sample!])).toContain(`| 1 | ${sample!.resources} |`);
  }, 120_000);
});
