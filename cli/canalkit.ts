#!/usr/bin/env node
/**
 * The `canalkit` command: `synth` evaluates a stack offline and writes its resource graph,
 * Kubernetes manifests and topology diagram; `diagram` draws the topology alone.
 */
// First: decides what the SDK may defer loading before the SDK is loaded.
import "./startup";
import { mkdirSync, writeFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { CanalkitInputError } from "../components/errors";
import { StackConfigError } from "../stacks/config/validate";
import { formatPolicySummary } from "../policies/offline";
import { withoutPromiseStacks } from "../synth/promiseStacks";
import { renderApiAccess, renderCounts, renderResourceTree, renderServices } from "../synth/summary";
import { EngineRefusal } from "../synth/engine";
import { evaluateStack, runSynth, type SynthRequest } from "../synth/runStack";
import { buildTopologyModel } from "../synth/topology/model";
import { renderTopologyDot } from "../synth/topology/dot";
import { renderSvg } from "../synth/topology/svg";

const USAGE = `usage:
  canalkit synth [--stack NAME | --config FILE] [--out DIR] [--preview] [--quiet]
      Evaluate a stack offline (no cloud account, no network) and write DIR/<stack>/:
      resources.json, outputs.json, manifests/<cluster>/*.yaml, topology.svg, policy-report.json.
      Exits 3 when a mandatory policy is violated. --preview runs the program as \`pulumi preview\`
      does: ids and computed outputs unknown (written as "[unknown]").
      Defaults: --stack dev, --out out. With --config Pulumi.<stack>.yaml the output is named
      after that stack; a different --stack is refused.
  canalkit diagram [--stack NAME | --config FILE] [--out FILE.svg]
      Draw the stack's topology alone (regions, VPCs, clusters, gateways, cluster-set links and
      multi-cluster services) to FILE.svg and FILE.dot. Default --out out/<stack>-topology.svg.
  canalkit help`;

/** Parsed command line. */
interface Command {
  name: string;
  request: SynthRequest;
  quiet: boolean;
}

function parseArgs(argv: string[]): Command {
  const [name = "help", ...rest] = argv;
  const request: SynthRequest = {};
  let quiet = false;
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i]!;
    const value = () => {
      const v = rest[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === "--stack") request.stack = value();
    else if (flag === "--config") request.configFile = value();
    else if (flag === "--out") request.outDir = value();
    else if (flag === "--quiet") quiet = true;
    else if (flag === "--preview") request.preview = true;
    else throw new UsageError(`unknown option ${flag}`);
  }
  if (request.stack && request.configFile) {
    // A stack file names its stack (Pulumi.<stack>.yaml): writing it under another stack's name
    // would put prod's resources in out/dev/. Other file names take --stack as the output name.
    const named = /^Pulumi\.(.+)\.ya?ml$/.exec(basename(request.configFile))?.[1];
    if (named !== undefined && named !== request.stack) {
      throw new UsageError(`--stack ${request.stack} does not match --config ${request.configFile}, which is the stack file of '${named}'; drop --stack (the output goes to <out>/${named}/) or use --stack ${named}`);
    }
  }
  return { name, request, quiet };
}

class UsageError extends Error {}

/** Runs the command line; returns the process exit code. */
export async function main(argv: string[], out: (s: string) => void = console.log, err: (s: string) => void = console.error): Promise<number> {
  let command: Command;
  try {
    command = parseArgs(argv);
  } catch (e) {
    err(`canalkit: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (command.name === "help" || command.name === "--help" || command.name === "-h") {
    out(USAGE);
    return 0;
  }
  if (command.name !== "synth" && command.name !== "diagram") {
    err(`canalkit: unknown command '${command.name}'\n${USAGE}`);
    return 2;
  }
  // The kit runs this process: the SDK's per-promise stack capture is off (errors keep theirs).
  const restorePromiseStacks = withoutPromiseStacks();
  try {
    if (command.name === "diagram") return await diagram(command.request, out);
    const run = await runSynth(command.request);
    if (!command.quiet) {
      out(`Stack ${run.stack}: ${run.result.resources.length} resources would be created\n`);
      out(renderResourceTree(run.result));
      out(`\nResources by type:\n${renderCounts(run.result)}`);
    }
    const access = renderApiAccess(run.result);
    if (access) out(`\nAPI server access from the pulumi up runner:\n${access}`);
    const services = renderServices(run.result);
    if (services) out(`\nMulti-cluster services:\n${services}`);
    for (const w of run.result.warnings) err(`warning: ${w}`);
    out(`\n${formatPolicySummary(run.policyReport)}`);
    out(`\nWrote ${run.written.length} files to ${run.stackDir}`);
    if (run.policyReport.summary.mandatory > 0) {
      err(`canalkit synth: ${run.policyReport.summary.mandatory} mandatory policy violation(s); see ${run.stackDir}/policy-report.json`);
      return 3;
    }
    return 0;
  } catch (e) {
    // Bad input is the user's to fix: say what and where, without a stack trace.
    if (e instanceof StackConfigError || e instanceof CanalkitInputError || e instanceof EngineRefusal) {
      err(`canalkit ${command.name}: ${e.message}`);
    } else if (e instanceof Error && /^(no stack|cannot read|.*not valid YAML|.*'config' must be)/.test(e.message)) {
      err(`canalkit ${command.name}: ${e.message}`);
    } else {
      err(`canalkit ${command.name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
    return 1;
  } finally {
    restorePromiseStacks();
  }
}

/** `canalkit diagram`: evaluates the stack offline and writes only its topology drawing. */
async function diagram(request: SynthRequest, out: (s: string) => void): Promise<number> {
  const { outDir, ...evaluate } = request;
  const { stack, result } = await evaluateStack(evaluate);
  const svgFile = resolve(outDir ?? `out/${stack}-topology.svg`);
  const dot = renderTopologyDot(buildTopologyModel(stack, result.resources));
  mkdirSync(dirname(svgFile), { recursive: true });
  writeFileSync(svgFile.replace(/\.svg$/, "") + ".dot", dot);
  writeFileSync(svgFile, await renderSvg(dot));
  out(`Wrote ${svgFile}`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
