import { describe, expect, it } from "vitest";
import { evaluationTable, measureEvaluation } from "../../bench/evaluation";
import { graphShape } from "../../bench/graph";
import { measurePolicies, policyTable } from "../../bench/policyScaling";
import { runSynth } from "../../synth/runStack";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

describe("benchmark smoke run (tiny sizes; no timing is asserted)", () => {
  it("evaluates the kit and the floor program with the same resource count", () => {
    const [sample] = measureEvaluation([1]);
    expect(sample!.resources).toBeGreaterThan(50);
    expect(sample!.kitMs).toBeGreaterThan(0);
    expect(sample!.floorMs).toBeGreaterThan(0);
    expect(evaluationTable([sample!])).toContain(`| 1 | ${sample!.resources} |`);
  }, 120_000);

  it("runs the policy pack over generated stacks", async () => {
    const samples = await measurePolicies([1]);
    expect(samples[0]!.resources).toBeGreaterThan(50);
    expect(policyTable(samples)).toContain(`| 1 | ${samples[0]!.resources} |`);
  }, 120_000);

  it("measures the prod deployment graph: a chain from IAM to the service verification, no cycle", async () => {
    const run = await runSynth({ stack: "prod", outDir: mkdtempSync(join(tmpdir(), "canalkit-graph-")) });
    const shape = graphShape(run.result.resources);
    expect(shape.criticalPath).toBe(shape.chain.length);
    expect(shape.chain[0]).toMatch(/^aws:/);
    expect(shape.chain.at(-1)).toMatch(/ExportReconciler/);
    // The declarations of ErieCanal do not wait for the CNI any more.
    expect(shape.chain.some((step) => step.includes("erie-canal-namespace"))).toBe(false);
    expect(shape.width).toBeGreaterThan(10);
  }, 120_000);
});
