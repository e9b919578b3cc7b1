/**
 * Benchmark: `canalkit synth` as a user runs it — a fresh `node` process of the built command,
 * module loading, evaluation, manifests, diagram and policy report included — for a shipped stack
 * or a generated one (written to a stack file first). Reports wall time, CPU time and peak memory
 * of that process, and the machine's load when it ran (the machine may be shared).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { generatedStackConfig, type EnvironmentSize } from "./environments";

/** One cold run. */
export interface ColdSynthSample {
  /** `prod`, or `C×S` for a generated stack. */
  stack: string;
  resources: number;
  wallMs: number;
  cpuMs: number;
  peakMiB: number;
  /** The 1-minute load average when the run started. */
  load: number;
  /** The process's V8 heap limit (Node's default unless NODE_OPTIONS says otherwise). */
  heapLimitMiB: number;
}

const root = resolve(__dirname, "..", "..");

/** The built command, or undefined when the kit is not built (`npm run build`). */
export function builtCommand(): string | undefined {
  const cli = join(root, "dist/cli/canalkit.js");
  return existsSync(cli) && existsSync(join(__dirname, "exitUsage.js")) ? cli : undefined;
}

/** Runs the built command once in a fresh process for a shipped stack or a generated size. */
export function measureColdSynth(stack: "prod" | "dev" | "staging" | EnvironmentSize): ColdSynthSample {
  const cli = builtCommand();
  if (!cli) throw new Error("cold synth needs the built command: run npm run build first");
  const dir = mkdtempSync(join(tmpdir(), "canalkit-cold-"));
  try {
    const label = typeof stack === "string" ? stack : `${stack.clusters}x${stack.services}`;
    const target = typeof stack === "string" ? ["--stack", stack] : ["--config", writeStackFile(dir, stack)];
    const usageFile = join(dir, "usage.json");
    const load = loadavg()[0]!;
    const start = process.hrtime.bigint();
    execFileSync(process.execPath, ["-r", join(__dirname, "exitUsage.js"), cli, "synth", ...target, "--out", join(dir, "out"), "--quiet"], {
      cwd: root,
      env: { ...process.env, CANALKIT_EXIT_USAGE: usageFile },
      stdio: ["ignore", "ignore", "pipe"],
      maxBuffer: 1 << 24,
    });
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    const usage = JSON.parse(readFileSync(usageFile, "utf8")) as { cpuMs: number; peakMiB: number; heapLimitMiB: number };
    const stackName = typeof stack === "string" ? stack : "generated";
    const resources = (JSON.parse(readFileSync(join(dir, "out", stackName, "resources.json"), "utf8")) as unknown[]).length;
    return { stack: label, resources, wallMs, ...usage, load };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A generated environment as a Pulumi stack file the command reads with `--config`. */
function writeStackFile(dir: string, size: EnvironmentSize): string {
  const flat = generatedStackConfig(size);
  const config = Object.fromEntries(Object.entries(flat).map(([k, v]) => [k, k === "canalkit:environment" || k === "canalkit:owner" ? v : JSON.parse(v)]));
  const file = join(dir, "Pulumi.generated.yaml");
  writeFileSync(file, stringify({ config }));
  return file;
}

/** Cold runs as a Markdown table. */
export function coldSynthTable(samples: ColdSynthSample[]): string {
  return [
    "| stack | resources | wall ms | CPU ms | peak MiB | heap limit MiB | load (1 min) |",
    "|---|---|---|---|---|---|---|",
    ...samples.map((s) => `| ${s.stack} | ${s.resources} | ${s.wallMs.toFixed(0)} | ${s.cpuMs.toFixed(0)} | ${s.peakMiB.toFixed(0)} | ${s.heapLimitMiB.toFixed(0)} | ${s.load.toFixed(1)} |`),
  ].join("\n");
}
