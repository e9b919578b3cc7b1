/**
 * One evaluation in its own process: `kit N` synthesizes a generated N-cluster stack with the real
 * program; `floor N R` registers R plain resources directly with the SDK under the same engine.
 * Prints `{ ms, resources, peakMiB }` as the last line.
 */
import * as pulumi from "@pulumi/pulumi";
import { synthesize } from "../synth/engine";
import { defineStack } from "../stacks/program";
import { generatedStackConfig } from "./environments";

/** A resource with no provider behind it, as cheap as registration gets. */
class FloorResource extends pulumi.CustomResource {
  constructor(name: string, props: Record<string, unknown>) {
    super("bench:index:Floor", name, props);
  }
}

async function main(): Promise<void> {
  const [mode, clustersText, resourcesText] = process.argv.slice(2);
  const clusters = Number(clustersText);
  const start = process.hrtime.bigint();
  let registered = 0;
  if (mode === "kit") {
    registered = (await synthesize(defineStack, { stack: "bench", config: generatedStackConfig(clusters) })).resources.length;
  } else {
    const count = Number(resourcesText);
    registered = (
      await synthesize(() => {
        for (let i = 0; i < count; i++) new FloorResource(`r${i}`, { index: i, tags: { owner: "bench" } });
      }, { stack: "bench" })
    ).resources.length;
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(JSON.stringify({ ms, resources: registered, peakMiB: process.resourceUsage().maxRSS / 1024 }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
