/**
 * What `canalkit synth` writes for a stack. Each artifact is a writer over the same synth result,
 * so new outputs (the policy report, say) are one more entry in `ARTIFACT_WRITERS`.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SynthResult } from "./engine";
import { manifestYaml, renderManifests } from "./manifests";
import { renderTopologyDot } from "./topology/dot";
import { buildTopologyModel } from "./topology/model";
import { renderSvg } from "./topology/svg";

/** Where and for which stack artifacts are written. */
export interface ArtifactContext {
  /** `DIR/<stack>`. */
  stackDir: string;
  stack: string;
  result: SynthResult;
}

/** Writes one artifact and returns the paths it wrote (relative to the stack folder). */
export type ArtifactWriter = (ctx: ArtifactContext) => Promise<string[]>;

/** `resources.json`: one object per registered resource. */
export const writeResources: ArtifactWriter = async ({ stackDir, result }) => {
  const rows = result.resources.map((r) => ({
    urn: r.urn,
    type: r.type,
    name: r.name,
    parent: r.parent,
    inputs: r.inputs,
    dependsOn: r.dependsOn,
    custom: r.custom,
    provider: r.provider,
    ignoreChanges: r.options.ignoreChanges,
    // The options that change what the engine does on update and delete.
    protect: r.options.protect,
    retainOnDelete: r.options.retainOnDelete,
    deletedWith: r.options.deletedWith,
    deleteBeforeReplace: r.options.deleteBeforeReplace,
    aliases: r.options.aliases,
    outputs: r.outputs,
  }));
  writeFileSync(join(stackDir, "resources.json"), JSON.stringify(rows, null, 2) + "\n");
  writeFileSync(join(stackDir, "outputs.json"), JSON.stringify(result.outputs, null, 2) + "\n");
  return ["resources.json", "outputs.json"];
};

/** `manifests/<cluster>/NNN-<kind>-<namespace>-<name>.yaml`, one object per file. */
export const writeManifests: ArtifactWriter = async ({ stackDir, result }) => {
  const root = join(stackDir, "manifests");
  rmSync(root, { recursive: true, force: true });
  const written: string[] = [];
  for (const m of renderManifests(result.resources)) {
    mkdirSync(join(root, m.cluster), { recursive: true });
    writeFileSync(join(root, m.cluster, m.file), manifestYaml(m.object));
    written.push(join("manifests", m.cluster, m.file));
  }
  return written;
};

/** `topology.dot` and `topology.svg`: the stack drawn as regions, VPCs, clusters and services. */
export const writeTopology: ArtifactWriter = async ({ stackDir, stack, result }) => {
  const dot = renderTopologyDot(buildTopologyModel(stack, result.resources));
  writeFileSync(join(stackDir, "topology.dot"), dot);
  writeFileSync(join(stackDir, "topology.svg"), await renderSvg(dot));
  return ["topology.dot", "topology.svg"];
};

/** Every artifact synth writes, in order. */
export const ARTIFACT_WRITERS: readonly ArtifactWriter[] = [writeResources, writeManifests, writeTopology];

/** Writes all artifacts of a synth result into `outDir/<stack>/`. */
export async function writeArtifacts(outDir: string, stack: string, result: SynthResult, writers: readonly ArtifactWriter[] = ARTIFACT_WRITERS): Promise<string[]> {
  const stackDir = join(outDir, stack);
  mkdirSync(stackDir, { recursive: true });
  const written: string[] = [];
  for (const write of writers) written.push(...(await write({ stackDir, stack, result })));
  return written;
}
