/**
 * One evaluation in its own process, so peak memory belongs to that run alone:
 * - `kit C S FILE` synthesizes a generated stack of C clusters and S services with the real
 *   program and records the registrations in FILE (after the clock stops);
 * - `floor R` registers R resources in all (the stack included), each minimal, directly with the SDK;
 * - `replay FILE` registers the recorded resources again, directly with the SDK (`replay.ts`).
 * With `WARM=1` in the environment the program is evaluated once unmeasured first, so the numbers
 * leave out what only a process's first evaluation pays (module loading, compiling, the SDK's
 * serialization of dynamic providers). Prints `{ ms, resources, peakMiB }` as the last line.
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { synthesize, type SynthResource } from "../synth/engine";
import { defineStack } from "../stacks/program";
import { generatedStackConfig } from "./environments";
import { replayResources } from "./replay";
import { withoutPromiseStacks } from "../synth/promiseStacks";

/** A resource with no provider behind it, as cheap as registration gets. */
class FloorResource extends pulumi.CustomResource {
  constructor(name: string, props: Record<string, unknown>) {
    super("bench:index:Floor", name, props);
  }
}

async function evaluate(mode: string | undefined, args: string[], recorded: SynthResource[]): Promise<SynthResource[]> {
  let resources: SynthResource[];
  if (mode === "kit") {
    resources = (await synthesize(defineStack, { stack: "bench", config: generatedStackConfig({ clusters: Number(args[0]), services: Number(args[1]) }) })).resources;
  } else if (mode === "replay") {
    resources = (await synthesize(() => void replayResources(recorded), { stack: "bench" })).resources;
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

async function main(): Promise<void> {
  const [mode, ...args] = process.argv.slice(2);
  // As `canalkit synth` runs: without the SDK's per-promise stack capture (every program alike).
  if (process.env["PROMISE_STACKS"] !== "1") withoutPromiseStacks();
  const recorded: SynthResource[] = mode === "replay" ? JSON.parse(readFileSync(args[0]!, "utf8")) : [];
  if (process.env["WARM"] === "1") await evaluate(mode, args, recorded);
  const start = process.hrtime.bigint();
  const resources = await evaluate(mode, args, recorded);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  if (mode === "kit" && args[2]) writeFileSync(args[2], JSON.stringify(resources));
  console.log(JSON.stringify({ ms, resources: resources.length, peakMiB }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
