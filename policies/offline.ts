/**
 * Runs the canalkit policies over a synthesized stack, offline, with the same policy objects the
 * CrossGuard pack uses, and reports every violation with its enforcement level.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { engineResources, type EngineResource, type SynthResource, type SynthResult } from "../synth/engine";
import { analyzeRequests, analyzeStackRequest } from "./analyzerRequests";
import { enforcementFor, type EnforcementOverrides } from "./enforcement";
import { canalkitPolicies } from "./rules";
import type { CanalkitPolicy, Enforcement, Environment } from "./rules/types";

/** One violation. */
export interface PolicyViolation {
  policy: string;
  severity: string;
  enforcementLevel: Enforcement;
  urn: string;
  message: string;
}

/** The outcome of a policy run. */
export interface PolicyReport {
  environment: Environment;
  violations: PolicyViolation[];
  summary: { policies: number; resources: number; advisory: number; mandatory: number };
}

/** How to run. */
export interface PolicyRunOptions {
  environment: Environment;
  overrides?: EnforcementOverrides;
  /** Per-policy config, by policy name. */
  config?: Record<string, Record<string, unknown>>;
  policies?: CanalkitPolicy[];
}

/**
 * The engine's view of resources given as synth records (for records edited by hand, as tests do
 * to model drift): a custom resource's outputs are its provider state with its inputs echoed over
 * it, a component's outputs what it registered. Secrets stay masked as `"[secret]"`.
 */
export function toEngineResources(resources: SynthResource[]): EngineResource[] {
  return resources.map((r) => ({
    urn: r.urn,
    type: r.type,
    name: r.name,
    parent: r.parent ?? "",
    custom: r.custom,
    provider: r.provider ?? "",
    dependencies: r.dependsOn,
    propertyDependencies: {},
    inputs: r.inputs,
    outputs: r.custom ? { ...(r.outputs ?? {}), ...r.inputs } : (r.outputs ?? r.inputs),
    options: r.options,
  }));
}

/** Calls one of the policy SDK's Analyzer handlers in process, as the gRPC server would. */
function callHandler(handler: (call: unknown, callback: (err: unknown, resp: any) => void) => unknown, request: unknown): Promise<any> {
  return new Promise((done, fail) => {
    handler({ request }, (err, resp) => (err ? fail(err) : done(resp)));
  });
}

const ENFORCEMENT_NAMES: Record<number, Enforcement | "remediate"> = { 0: "advisory", 1: "mandatory", 2: "disabled", 3: "remediate" };

/**
 * Runs every policy over the stack exactly as a policy pack under the Pulumi CLI would: the
 * engine's requests (`Analyze` per resource with inputs, `AnalyzeStack` with outputs; see
 * ./analyzerRequests) go through the policy SDK's own Analyzer handlers, which deserialize them,
 * unwrap secrets, guard unknowns and resolve enforcement. Config is what the CLI would send (schema
 * defaults, then the given values).
 */
export async function runPolicies(stack: SynthResult | SynthResource[], options: PolicyRunOptions): Promise<PolicyReport> {
  const policies = options.policies ?? canalkitPolicies;
  const resources = Array.isArray(stack) ? toEngineResources(stack) : engineResources(stack);
  const levels = new Map(policies.map((p) => [p.name, enforcementFor(p, options.environment, options.overrides)]));
  // The pack as the engine would have configured it: each policy at its stack's level, with its config.
  const configured = policies
    .filter((p) => levels.get(p.name) !== "disabled")
    .map((p) => withConfig({ ...p, enforcementLevel: levels.get(p.name)! } as CanalkitPolicy, { ...defaultsOf(p), ...(options.config?.[p.name] ?? {}) }));
  const server = require("@pulumi/policy/server") as {
    makeAnalyzeRpcFun(name: string, version: string, level: string, policies: unknown[]): any;
    makeAnalyzeStackRpcFun(name: string, version: string, level: string, policies: unknown[]): any;
  };
  const analyze = server.makeAnalyzeRpcFun(PACK_NAME, PACK_VERSION, "advisory", configured);
  const analyzeStack = server.makeAnalyzeStackRpcFun(PACK_NAME, PACK_VERSION, "advisory", configured);
  const byName = new Map(policies.map((p) => [p.name, p]));
  const violations: PolicyViolation[] = [];
  const collect = (resp: any, urn: string) => {
    for (const d of resp.getDiagnosticsList()) {
      const policy = byName.get(d.getPolicyname());
      const description: string = d.getDescription();
      const message: string = d.getMessage();
      violations.push({
        policy: d.getPolicyname(),
        severity: policy?.severity ?? "low",
        enforcementLevel: (ENFORCEMENT_NAMES[d.getEnforcementlevel()] === "remediate" ? "mandatory" : ENFORCEMENT_NAMES[d.getEnforcementlevel()]) as Enforcement,
        urn: d.getUrn() || urn,
        // The SDK prefixes the policy's description; the report keeps the violation's own text.
        message: message.startsWith(`${description}\n`) ? message.slice(description.length + 1) : message,
      });
    }
  };
  // Stack policies first, then each resource, as the report has always listed them.
  const stackResp = await callHandler(analyzeStack, analyzeStackRequest(resources));
  const resourceRequests = analyzeRequests(resources);
  const perResource: PolicyViolation[][] = [];
  for (let i = 0; i < resourceRequests.length; i++) {
    const before = violations.length;
    collect(await callHandler(analyze, resourceRequests[i]), resources[i]!.urn);
    perResource.push(violations.splice(before));
  }
  collect(stackResp, "");
  // Order by policy (the pack's order), then resource, so reports stay stable.
  const order = new Map(policies.map((p, i) => [p.name, i]));
  const all = [...violations, ...perResource.flat()].sort((a, b) => order.get(a.policy)! - order.get(b.policy)!);
  return {
    environment: options.environment,
    violations: all,
    summary: {
      policies: policies.length,
      resources: resources.length,
      advisory: all.filter((v) => v.enforcementLevel === "advisory").length,
      mandatory: all.filter((v) => v.enforcementLevel === "mandatory").length,
    },
  };
}

/** The pack name and version the engine reports diagnostics under. */
export const PACK_NAME = "canalkit";
const PACK_VERSION = packageVersion();

/** The kit's version, from its package.json (found from sources and from `dist/`). */
function packageVersion(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "canalkit" && pkg.version) return pkg.version;
    }
    if (dirname(dir) === dir) return "0.0.0";
  }
}

/** A policy whose validators read `config` through getConfig, as the CLI's Configure would set it. */
function withConfig(policy: CanalkitPolicy, config: Record<string, unknown>): CanalkitPolicy {
  const getConfig = <T>() => config as T;
  const out: any = { ...policy };
  if ("validateStack" in policy && policy.validateStack) {
    const validate = policy.validateStack;
    out.validateStack = (args: any, report: any) => validate({ ...args, getConfig }, report);
  }
  if ("validateResource" in policy && policy.validateResource) {
    const validators = asArray(policy.validateResource);
    out.validateResource = validators.map((v) => (args: any, report: any) => v({ ...args, getConfig }, report));
  }
  return out;
}

function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Defaults from a policy's config schema, as the CLI would apply them. */
function defaultsOf(policy: CanalkitPolicy): Record<string, unknown> {
  const props = (policy.configSchema?.properties ?? {}) as Record<string, { default?: unknown }>;
  return Object.fromEntries(Object.entries(props).filter(([, s]) => s.default !== undefined).map(([k, s]) => [k, s.default]));
}

/** Writes `policy-report.json`. */
export function writePolicyReport(stackDir: string, report: PolicyReport): string {
  writeFileSync(join(stackDir, "policy-report.json"), JSON.stringify(report, null, 2) + "\n");
  return "policy-report.json";
}

/** A short human summary: counts, then each mandatory violation. */
export function formatPolicySummary(report: PolicyReport): string {
  const lines = [`Policies (${report.environment}): ${report.summary.policies} policies over ${report.summary.resources} resources: ${report.summary.mandatory} mandatory, ${report.summary.advisory} advisory violations`];
  for (const v of report.violations) lines.push(`  [${v.enforcementLevel}] ${v.policy}: ${v.message}`);
  return lines.join("\n");
}
