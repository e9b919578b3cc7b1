import { describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { controllerTable, measureControllerSet } from "../../bench/controllers";
import { evaluationTable, measureEvaluation, measureWarm, warmTable } from "../../bench/evaluation";
import { measureRun } from "../../bench/evaluationRun";
import { DEPLOYMENT_LAYERS, graphShape } from "../../bench/graph";
import { measurePolicies, policyTable } from "../../bench/policyScaling";
import { runSynth } from "../../synth/runStack";

// The benchmarks' own measurement code at tiny sizes, each evaluation in this process (the bench
// proper starts a process per evaluation to own its peak memory; this only proves it still runs
// and counts the same resources).
describe("benchmark smoke run (tiny sizes; no timing is asserted)", () => {
  it("evaluates the kit and both floors with the same resource count", async () => {
    const [sample] = await measureEvaluation([{ clusters: 1, services: 1 }], { runner: measureRun, runs: 1 });
    expect(sample!.resources).toBeGreaterThan(50);
    for (const cost of [sample!.kit, sample!.sameResources, sample!.minimal]) expect(cost.ms).toBeGreaterThan(0);
    expect(evaluationTable([sample!])).toContain(`| 1 | 1 | ${sample!.resources} |`);
    // The second evaluation in one process registers the same stack again.
    const warm = await measureWarm({ clusters: 1, services: 1 }, { runner: measureRun, runs: 1 });
    expect(warm.resources).toBe(sample!.resources);
    expect(warmTable([warm])).toContain(`| 1 | 1 | ${sample!.resources} |`);
  });

  it("runs the policy pack over generated stacks with and without services", async () => {
    const samples = await measurePolicies([{ clusters: 1, services: 0 }, { clusters: 2, services: 2 }]);
    expect(samples[1]!.resources).toBeGreaterThan(samples[0]!.resources);
    expect(policyTable(samples)).toContain(`| 2 | 2 | ${samples[1]!.resources} |`);
  });

  it("counts the controllers' requests: no-op up asks nothing, refresh only reads, one change writes once per exporter", async () => {
    const sample = await measureControllerSet(6, 3);
    expect(sample.firstUp.writes).toBe(0);
    expect(sample.noOpUp.reads + sample.noOpUp.writes).toBe(0);
    // One import per service, two reads per member other than the control plane.
    expect(sample.refresh).toMatchObject({ reads: 6 + 2 * 2, writes: 0 });
    expect(sample.oneChanged).toMatchObject({ updated: 1, writes: 2 });
    expect(controllerTable([sample])).toContain("| 6 | 3 |");
    // A controller's own state — inputs and outputs, the lean provider in both — stays small; the
    // credentials come on top, encrypted: two EKS kubeconfigs per join, three per service here, twice.
    expect(sample.largestStateBytes.ClusterJoin.own).toBeLessThan(2048);
    expect(sample.largestStateBytes.ExportReconciler.own).toBeLessThan(2048);
    expect(sample.largestStateBytes.ClusterJoin.withCredentials - sample.largestStateBytes.ClusterJoin.own).toBeGreaterThan(2 * 2 * 2000);
    expect(sample.largestStateBytes.ExportReconciler.withCredentials - sample.largestStateBytes.ExportReconciler.own).toBeGreaterThan(2 * 3 * 2000);
  });

  it("measures the prod deployment graph: layers in order, no step back to an earlier layer, no cycle", async () => {
    const run = await runSynth({ stack: "prod", outDir: mkdtempSync(join(tmpdir(), "canalkit-graph-")) });
    const shape = graphShape(run.result.resources);
    expect(shape.criticalPath).toBe(shape.chain.length);
    expect(shape.minimum).toBe(DEPLOYMENT_LAYERS.length);
    // The prod stack probes its services from inside the mesh after they are verified.
    expect(shape.chain.slice(-2).join(" → ")).toMatch(/ExportReconciler.* → .*MeshProbe/);
    const order = shape.chainLayers.map((layer) => DEPLOYMENT_LAYERS.indexOf(layer as (typeof DEPLOYMENT_LAYERS)[number]));
    expect(order).not.toContain(-1);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    // Declarations wait for the control plane only: no namespace, CRD or RBAC object is on the path.
    expect(shape.chain.some((step) => /CustomResourceDefinition|Namespace |ClusterRole|erie-canal-namespace/.test(step))).toBe(false);
    expect(shape.width).toBeGreaterThan(10);
  });
});
