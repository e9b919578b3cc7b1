/**
 * One measured evaluation of a benchmark program:
 * - `kit C S [FILE]` synthesizes a generated stack of C clusters and S services with the real
 *   program and, given FILE, records the registrations there (after the clock stops);
 * - `floor R` registers R resources in all (the stack included), each minimal, directly with the SDK;
 * - `replay FILE` registers the recorded resources again, directly with the SDK (`replay.ts`).
 * With `warm` the program is evaluated once unmeasured first and its garbage collected, so the
 * numbers leave out what only a process's first evaluation pays (module loading, compiling, the
 * SDK's serialization of dynamic providers) and the collection of that evaluation's garbage. `evaluationWorker.ts` runs it in a fresh process; the smoke test runs it in its own.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as pulumi from "@pulumi/pulumi";
import { synthesize, type SynthResource } from "../synth/engine";
import { defineStack } from "../stacks/program";
import { generatedStackConfig } from "./environments";
import { replayResources, replayStackOutputs } from "./replay";

/** A resource with no provider behind it, as cheap as registration gets. */
class FloorResource extends pulumi.CustomResource {
  constructor(name: string, props: Record<string, unknown>) {
    super("bench:index:Floor", name, props);
  }
}

async function evaluate(mode: string | undefined, args: string[], recorded: SynthResource[]): Promise<SynthResource[]> {
  let resources: SynthResource[];
  if (mode === "kit") {
    // Secrets are recorded by shape (a cost the kit pays, not the floor) for the replay to send as many bytes.
    resources = (await synthesize(defineStack, { stack: "bench", config: generatedStackConfig({ clusters: Number(args[0]), services: Number(args[1]) }), recordSecretShapes: true })).resources;
  } else if (mode === "replay") {
    resources = (
      await synthesize(() => {
        replayResources(recorded);
        return replayStackOutputs(recorded);
      }, { stack: "bench" })
    ).resources;
  } else if (mode === "floor") {
    const count = Number(args[0]);
    resources = (
      await synthesize(() => {
        // The stack itself is the first registration, as in the kit's count.
        for (let i = 1; i < count; i++) new FloorResource(`r${i}`, { index: i, tags: { owner: "bench" } });
      }, { stack: "bench" })
    ).resources;
  } else {
    throw new Error(`unknown mode ${mode}: use kit, floor or replay`);
  }
  return resources;
}

/** A full collection, through V8's `gc` made available for this call (no process flag needed). */
function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

/** One run's wall time, CPU time, registrations and the process's peak memory (maxRSS) so far. */
export interface MeasuredRun {
  ms: number;
  /** User + system CPU of the process during the evaluation (all threads: the collector's too). */
  cpuMs: number;
  resources: number;
  peakMiB: number;
}

/** Measures one evaluation: `[mode, ...args]` as in the module comment. */
export async function measureRun([mode, ...args]: string[], warm: boolean): Promise<MeasuredRun> {
  const recorded: SynthResource[] = mode === "replay" ? JSON.parse(readFileSync(args[0]!, "utf8")) : [];
  if (warm) {
    await evaluate(mode, args, recorded);
    // The first evaluation's garbage is collected before the clock starts (as benchmark harnesses
    // do between iterations): the measured run pays for its own collection, not for the previous one's.
    collectGarbage();
  }
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const resources = await evaluate(mode, args, recorded);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpuStart);
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  if (mode === "kit" && args[2]) writeFileSync(args[2], JSON.stringify(resources));
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, resources: resources.length, peakMiB };
}
