/**
 * `npm run bench`: runs the benchmarks and writes bench/RESULTS.md with the machine, the command
 * and the numbers. `--smoke` runs tiny sizes and writes nothing (used by the test suite so the
 * benchmarks never rot).
 */
import { cpus, totalmem } from "node:os";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { evaluationTable, measureEvaluation, type EvaluationSample } from "./evaluation";

/** What the numbers say: the kit/floor ratio range and whether cost per resource stays flat. */
function summarize(samples: EvaluationSample[]): string {
  const ratios = samples.map((s) => s.kitMs / s.floorMs);
  const perResource = samples.map((s) => s.kitMs / s.resources);
  const first = perResource[0]!;
  const last = perResource[perResource.length - 1]!;
  return [
    `Kit / floor ranges from ${Math.min(...ratios).toFixed(2)} to ${Math.max(...ratios).toFixed(2)} (target ≤ 1.5).`,
    `Cost per resource goes from ${first.toFixed(2)} ms to ${last.toFixed(2)} ms as the stack grows ${(samples[samples.length - 1]!.resources / samples[0]!.resources).toFixed(0)}×`,
    `(${last <= first * 1.25 ? "flat: growth is linear" : "rising: growth is worse than linear"}).`,
    "Not yet profiled or optimised: that, the policy, graph, controller and end-to-end benchmarks are issue 8's remaining work.",
  ].join(" ");
}

async function main(): Promise<void> {
  const smoke = process.argv.includes("--smoke");
  const sizes = smoke ? [1, 2] : [1, 5, 10, 25, 50];
  const samples = measureEvaluation(sizes);
  const table = evaluationTable(samples);
  if (smoke) {
    console.log(table);
    return;
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  const text = [
    "# Benchmark results",
    "",
    `Machine: ${machine}. Command: \`npm run bench\`. Each row is one fresh process per program.`,
    "",
    "## 1. Program evaluation under the SDK's mocks (kit vs floor)",
    "",
    "The kit evaluates the real `defineStack` for a generated stack of N clusters (network, EKS, Canal);",
    "the floor registers the same number of plain resources directly with the SDK.",
    "",
    table,
    "",
    summarize(samples),
    "",
  ].join("\n");
  writeFileSync(join(__dirname, "..", "..", "bench", "RESULTS.md"), text);
  console.log(text);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
