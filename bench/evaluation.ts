/**
 * Benchmark 1: what evaluating a stack costs before any cloud call — the kit's program under the
 * SDK's mocks against a floor program that registers the same number of plain resources directly.
 * Each measurement runs in a fresh process so peak memory (maxRSS) belongs to that run alone.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

/** One measurement. */
export interface EvaluationSample {
  clusters: number;
  resources: number;
  kitMs: number;
  floorMs: number;
  kitPeakMiB: number;
  floorPeakMiB: number;
}

/** The worker: compiled JavaScript when built, else the TypeScript source through ts-node. */
function workerCommand(): string[] {
  const built = join(__dirname, "evaluationWorker.js");
  return existsSync(built) ? [built] : ["-r", "ts-node/register/transpile-only", join(__dirname, "evaluationWorker.ts")];
}

function runWorker(mode: "kit" | "floor", clusters: number, resources: number): { ms: number; resources: number; peakMiB: number } {
  const out = execFileSync(process.execPath, [...workerCommand(), mode, String(clusters), String(resources)], { encoding: "utf8", maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split("\n").pop()!);
}

/** Measures the kit and the floor for each cluster count. */
export function measureEvaluation(clusterCounts: number[]): EvaluationSample[] {
  return clusterCounts.map((clusters) => {
    const kit = runWorker("kit", clusters, 0);
    const floor = runWorker("floor", clusters, kit.resources);
    return { clusters, resources: kit.resources, kitMs: kit.ms, floorMs: floor.ms, kitPeakMiB: kit.peakMiB, floorPeakMiB: floor.peakMiB };
  });
}

/** The results as a Markdown table with the kit/floor ratio. */
export function evaluationTable(samples: EvaluationSample[]): string {
  const rows = samples.map((s) => `| ${s.clusters} | ${s.resources} | ${s.kitMs.toFixed(0)} | ${s.floorMs.toFixed(0)} | ${(s.kitMs / s.floorMs).toFixed(2)} | ${(s.kitMs / s.resources).toFixed(2)} | ${s.kitPeakMiB.toFixed(0)} | ${s.floorPeakMiB.toFixed(0)} |`);
  return ["| clusters | resources | kit ms | floor ms | kit / floor | kit ms per resource | kit peak MiB | floor peak MiB |", "|---|---|---|---|---|---|---|---|", ...rows].join("\n");
}
