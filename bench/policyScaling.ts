/**
 * The policy pack over generated stacks of growing size: time per resource must stay flat as the
 * stack grows 10× (stack-level rules must not be quadratic).
 */
import { runPolicies } from "../policies/offline";
import { synthesize } from "../synth/engine";
import { defineStack } from "../stacks/program";
import { generatedStackConfig, type EnvironmentSize } from "./environments";

/** One measurement. */
export interface PolicySample extends EnvironmentSize {
  resources: number;
  ms: number;
  violations: number;
}

/**
 * Synthesizes every size first, warms the pack up on each, then times it over each (best of five,
 * each run from a collected heap when `--expose-gc` is on), so no size is charged for JIT warm-up or
 * for the garbage of another.
 */
export async function measurePolicies(sizes: EnvironmentSize[]): Promise<PolicySample[]> {
  const stacks = [];
  for (const size of sizes) stacks.push({ ...size, resources: (await synthesize(defineStack, { stack: "bench", config: generatedStackConfig(size) })).resources });
  for (const { resources } of stacks) for (let warm = 0; warm < 2; warm++) await runPolicies(resources, { environment: "prod" });
  const samples: PolicySample[] = [];
  for (const { clusters, services, resources } of stacks) {
    let best = Infinity;
    let violations = 0;
    for (let run = 0; run < 5; run++) {
      (globalThis as { gc?: () => void }).gc?.();
      const start = process.hrtime.bigint();
      const report = await runPolicies(resources, { environment: "prod" });
      best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
      violations = report.violations.length;
    }
    samples.push({ clusters, services, resources: resources.length, ms: best, violations });
  }
  return samples;
}

/** The samples as a Markdown table. */
export function policyTable(samples: PolicySample[]): string {
  return [
    "| clusters | services | resources | pack ms | µs per resource | violations |",
    "|---|---|---|---|---|---|",
    ...samples.map((s) => `| ${s.clusters} | ${s.services} | ${s.resources} | ${s.ms.toFixed(1)} | ${((s.ms * 1000) / s.resources).toFixed(1)} | ${s.violations} |`),
  ].join("\n");
}
