/**
 * `canalkit synth` as a function: loads a stack's config, runs the stacks program offline and
 * writes its artifacts.
 */
import { existsSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { runPolicies, writePolicyReport, type PolicyReport, type PolicyRunOptions } from "../policies/offline";
import { canalkitConfigObject, validateStackConfig } from "../stacks/config/validate";
import { defineStack } from "../stacks/program";
import { writeArtifacts } from "./artifacts";
import { explainDuplicateName } from "./configOrigin";
import { synthesize, type SynthResult } from "./engine";
import { readStackConfigFile } from "./stackConfig";
import { availabilityZoneTable } from "../components/network/awsRegions";

/** The Pulumi project name, as in Pulumi.yaml. */
export const PROJECT = "canalkit";

/** What to synthesize and where. */
export interface SynthRequest {
  /** Stack name; its config is `stacks/Pulumi.<stack>.yaml`. Default `dev`. */
  stack?: string;
  /** A config file in the stack-file format, instead of a named stack. */
  configFile?: string;
  /** Output folder. Default `out`. */
  outDir?: string;
  /** Repository root holding `stacks/`. Default: this package's root. */
  root?: string;
  /** Run as `pulumi preview` does: ids and computed outputs unknown. Default false. */
  preview?: boolean;
}

/** The outcome of a synth run. */
export interface SynthRun {
  stack: string;
  stackDir: string;
  result: SynthResult;
  written: string[];
  /** The policy pack's verdict on the stack. */
  policyReport: PolicyReport;
}

/** The package root (works from sources and from `dist/`). */
export function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, "Pulumi.yaml")) && dir !== resolve(dir, "..")) dir = resolve(dir, "..");
  return dir;
}

/** Resolves which config file a request means and the stack name to write under. */
export function resolveStackConfig(request: SynthRequest): { stack: string; file: string } {
  if (request.configFile) {
    const stack = request.stack ?? basename(request.configFile).replace(/^Pulumi\./, "").replace(/\.ya?ml$/, "");
    return { stack, file: resolve(request.configFile) };
  }
  const stack = request.stack ?? "dev";
  const file = join(request.root ?? packageRoot(), "stacks", `Pulumi.${stack}.yaml`);
  if (!existsSync(file)) throw new Error(`no stack '${stack}': ${file} does not exist (use --config FILE for other files)`);
  return { stack, file };
}

/**
 * Offline AZ answers: the kit's Region table (so offline synth never invents zones a Region does
 * not have), the stack's `canalkit:awsRegions` additions, then `canalkit:synth.availabilityZones`.
 */
function offlineAvailabilityZones(raw: Record<string, unknown>): Record<string, string[]> {
  const synth = raw["synth"] as { availabilityZones?: Record<string, string[]> } | undefined;
  const given = raw["awsRegions"];
  const added = given && typeof given === "object" && !Array.isArray(given) ? (given as Record<string, string[]>) : {};
  const table = Object.fromEntries(Object.entries(availabilityZoneTable(added)).map(([r, z]) => [r, [...z]]));
  return { ...table, ...(synth?.availabilityZones ?? {}) };
}

/** Runs the stacks program for one stack offline, writing nothing. */
export async function evaluateStack(request: SynthRequest): Promise<{ stack: string; raw: Record<string, unknown>; result: SynthResult }> {
  const { stack, file } = resolveStackConfig(request);
  const config = readStackConfigFile(file, PROJECT);
  const raw = canalkitConfigObject(config.values);
  const result = await synthesize(defineStack, {
    project: PROJECT,
    stack,
    config: config.values,
    secretKeys: config.secretKeys,
    lookups: { availabilityZones: offlineAvailabilityZones(raw) },
    preview: request.preview ?? false,
    explainRegistration: (r) => explainDuplicateName(raw, r.name),
  });
  return { stack, raw, result };
}

/**
 * How the stack's policy settings configure the pack: its environment, per-policy overrides and
 * per-policy config (what `--policy-pack-config` would carry for the CLI).
 */
export function policyOptionsFor(raw: Record<string, unknown>): PolicyRunOptions {
  // The program already validated the config; this reads the validated values back.
  const validated = validateStackConfig(raw);
  return {
    environment: validated.environment,
    overrides: validated.policy.overrides,
    config: { "canalkit-internet-facing-load-balancers": { allowInternetFacing: validated.policy.allowInternetFacingLoadBalancers } },
  };
}

/** Runs the stacks program for one stack offline and writes its artifacts. */
export async function runSynth(request: SynthRequest): Promise<SynthRun> {
  const { stack, raw, result } = await evaluateStack(request);
  const outDir = resolve(request.outDir ?? "out");
  const written = await writeArtifacts(outDir, stack, result);
  const policyReport = await runPolicies(result, policyOptionsFor(raw));
  written.push(writePolicyReport(join(outDir, stack), policyReport));
  return { stack, stackDir: join(outDir, stack), result, written, policyReport };
}
