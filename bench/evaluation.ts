/**
 * Benchmark 1: what evaluating a stack costs before any cloud call — the kit's program under the
 * SDK's mocks against two floors that register the same number of resources directly with the SDK:
 * - the minimal floor: resources of a bare type with two small inputs (what registration itself costs);
 * - the same-resources floor: the kit's own resources — same `@pulumi/aws` / `@pulumi/kubernetes`
 *   classes, names, parents and inputs — replayed with no kit code (`replay.ts`).
 * Each measurement runs in a fresh process so peak memory (maxRSS) belongs to that run alone; the
 * smoke test runs them in its own process instead (`EvaluationOptions.runner`).
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { EnvironmentSize } from "./environments";

/** One program's best run. */
export interface ProgramCost {
  ms: number;
  /** CPU time of that run (user + system, all threads). */
  cpuMs: number;
  peakMiB: number;
}

/** One measurement of a generated environment. */
export interface EvaluationSample extends EnvironmentSize {
  resources: number;
  /** How many runs of each program the numbers are the best of. */
  runs: number;
  kit: ProgramCost;
  sameResources: ProgramCost;
  minimal: ProgramCost;
}

/** The worker: compiled JavaScript when built, else the TypeScript source through ts-node. */
function workerCommand(): string[] {
  const built = join(__dirname, "evaluationWorker.js");
  return existsSync(built) ? [built] : ["-r", "ts-node/register/transpile-only", join(__dirname, "evaluationWorker.ts")];
}

/**
 * Runs one measured evaluation (`measureRun` in `evaluationRun.ts`: `[mode, ...args]`, warm or
 * not) and returns its cost and resource count.
 */
export type EvaluationRunner = (args: string[], warm: boolean) => Promise<ProgramCost & { resources: number }>;

/** Each evaluation in a fresh process (`evaluationWorker.ts`), so its peak memory is its own. */
export const inFreshProcess: EvaluationRunner = async (args, warm) => {
  const env = { ...process.env, WARM: warm ? "1" : "0" };
  const { stdout } = await promisify(execFile)(process.execPath, [...workerCommand(), ...args], { encoding: "utf8", maxBuffer: 1 << 20, env });
  return JSON.parse(stdout.trim().split("\n").pop()!);
};

/** How to measure: where each evaluation runs, and how many runs each number is the best of. */
export interface EvaluationOptions {
  /** Default: a fresh process per evaluation. */
  runner?: EvaluationRunner;
  /** How many runs each number is the best of. Default 3. */
  runs?: number;
}

/** The faster of two runs (with its own peak memory). */
const faster = <T extends ProgramCost>(a: T, b: T): T => (b.ms < a.ms ? b : a);

type Run = ProgramCost & { resources: number };

/**
 * The best of `runs` runs of each program, the programs taking turns — kit, same-resources floor,
 * minimal floor, then again — so a change in the machine's load falls on all three. The first kit
 * run records its resources (after its clock stops) for the replay.
 */
async function inTurns({ clusters, services }: EnvironmentSize, recorded: string, runs: number, warm: boolean, runner: EvaluationRunner): Promise<{ kit: Run; sameResources: Run; minimal: Run }> {
  let kit = await runner(["kit", String(clusters), String(services), recorded], warm);
  let sameResources = await runner(["replay", recorded], warm);
  let minimal = await runner(["floor", String(kit.resources)], warm);
  for (let run = 1; run < runs; run++) {
    kit = faster(kit, await runner(["kit", String(clusters), String(services)], warm));
    sameResources = faster(sameResources, await runner(["replay", recorded], warm));
    minimal = faster(minimal, await runner(["floor", String(kit.resources)], warm));
  }
  return { kit, sameResources, minimal };
}

/** Large stacks' warm runs (each evaluates twice) are measured twice instead of three times. */
export const WARM_REPEAT_BELOW_RESOURCES = 3000;

/** Measures the kit and both floors for each environment size, best of `runs` (default 3), in turns. */
export async function measureEvaluation(sizes: EnvironmentSize[], { runner = inFreshProcess, runs = 3 }: EvaluationOptions = {}): Promise<EvaluationSample[]> {
  const dir = mkdtempSync(join(tmpdir(), "canalkit-bench-"));
  const samples: EvaluationSample[] = [];
  try {
    for (const [i, { clusters, services }] of sizes.entries()) {
      const recorded = join(dir, `resources-${i}.json`);
      const { kit, sameResources, minimal } = await inTurns({ clusters, services }, recorded, runs, false, runner);
      if (sameResources.resources !== kit.resources || minimal.resources !== kit.resources) {
        throw new Error(`floors registered ${sameResources.resources} and ${minimal.resources} resources, the kit ${kit.resources}`);
      }
      const cost = (c: ProgramCost): ProgramCost => ({ ms: c.ms, cpuMs: c.cpuMs, peakMiB: c.peakMiB });
      samples.push({ clusters, services, resources: kit.resources, runs, kit: cost(kit), sameResources: cost(sameResources), minimal: cost(minimal) });
    }
    return samples;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A second evaluation in the same process: what is left once first-run costs are paid. */
export interface WarmSample extends EnvironmentSize {
  resources: number;
  /** How many runs of each program the numbers are the best of. */
  runs: number;
  kitMs: number;
  sameResourcesMs: number;
  minimalMs: number;
}

/** Measures each program's second evaluation in one process (best of `runs`, programs taking turns) for one size. */
export async function measureWarm({ clusters, services }: EnvironmentSize, { runner = inFreshProcess, runs = 3 }: EvaluationOptions = {}): Promise<WarmSample> {
  const dir = mkdtempSync(join(tmpdir(), "canalkit-bench-"));
  try {
    const recorded = join(dir, "resources.json");
    const { kit, sameResources, minimal } = await inTurns({ clusters, services }, recorded, runs, true, runner);
    return { clusters, services, resources: kit.resources, runs, kitMs: kit.ms, sameResourcesMs: sameResources.ms, minimalMs: minimal.ms };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The warm measurements as a Markdown table, one row per size. */
export function warmTable(samples: WarmSample[]): string {
  return [
    "| clusters | services | resources | runs | kit ms | same-resources floor ms | minimal floor ms | kit / same-resources | kit / minimal |",
    "|---|---|---|---|---|---|---|---|---|",
    ...samples.map((s) => `| ${s.clusters} | ${s.services} | ${s.resources} | ${s.runs} | ${s.kitMs.toFixed(0)} | ${s.sameResourcesMs.toFixed(0)} | ${s.minimalMs.toFixed(0)} | **${(s.kitMs / s.sameResourcesMs).toFixed(2)}** | ${(s.kitMs / s.minimalMs).toFixed(2)} |`),
  ].join("\n");
}

/** The results as a Markdown table with both ratios. */
export function evaluationTable(samples: EvaluationSample[]): string {
  const rows = samples.map(
    (s) =>
      `| ${s.clusters} | ${s.services} | ${s.resources} | ${s.runs} | ${s.kit.ms.toFixed(0)} | ${s.sameResources.ms.toFixed(0)} | ${s.minimal.ms.toFixed(0)} | **${(s.kit.ms / s.sameResources.ms).toFixed(2)}** | ${(s.kit.cpuMs / s.sameResources.cpuMs).toFixed(2)} | ${(s.kit.ms / s.minimal.ms).toFixed(2)} | ${(s.kit.ms / s.resources).toFixed(2)} | ${s.kit.peakMiB.toFixed(0)} | ${s.sameResources.peakMiB.toFixed(0)} | ${s.minimal.peakMiB.toFixed(0)} |`,
  );
  return [
    "| clusters | services | resources | runs | kit ms | same-resources floor ms | minimal floor ms | kit / same-resources | same, CPU time | kit / minimal | kit ms per resource | kit peak MiB | same-resources peak MiB | minimal peak MiB |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}
