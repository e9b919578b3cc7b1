/**
 * Runs the canalkit policies over a synthesized stack, offline, with the same policy objects the
 * CrossGuard pack uses, and reports every violation with its enforcement level.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { SynthResource } from "../synth/engine";
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

/** Turns synth resources into the `PolicyResource` graph the analyzer would hand to policies. */
export function toPolicyResources(resources: SynthResource[]): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  const out: PolicyResource[] = [];
  for (const r of resources) {
    const providerUrn = r.provider ? r.provider.split("::").slice(0, -1).join("::") : undefined;
    const provider = providerUrn ? byUrn.get(providerUrn) : undefined;
    const pr: PolicyResource = {
      type: r.type,
      props: r.inputs,
      urn: r.urn,
      name: r.name,
      opts: { protect: r.options.protect, ignoreChanges: r.options.ignoreChanges, aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] } as any,
      ...(provider ? { provider: { type: provider.type, props: provider.props, urn: provider.urn, name: provider.name } } : {}),
      ...(r.parent && byUrn.get(r.parent) ? { parent: byUrn.get(r.parent)! } : {}),
      dependencies: r.dependsOn.map((u) => byUrn.get(u)).filter((x): x is PolicyResource => x !== undefined),
      propertyDependencies: {},
      isType: () => false,
      asType: () => undefined,
    } as PolicyResource;
    byUrn.set(r.urn, pr);
    out.push(pr);
  }
  return out;
}

function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Runs every policy over the stack. Stack-level policies run once; resource policies per resource. */
export async function runPolicies(resources: SynthResource[], options: PolicyRunOptions): Promise<PolicyReport> {
  const policies = options.policies ?? canalkitPolicies;
  const policyResources = toPolicyResources(resources);
  const violations: PolicyViolation[] = [];
  for (const policy of policies) {
    const level = enforcementFor(policy, options.environment, options.overrides);
    if (level === "disabled") continue;
    const config = { ...defaultsOf(policy), ...(options.config?.[policy.name] ?? {}) };
    const record = (urn: string) => (message: string, reportedUrn?: string) =>
      violations.push({ policy: policy.name, severity: policy.severity, enforcementLevel: level, urn: reportedUrn ?? urn, message });
    if ("validateStack" in policy) {
      await (policy as StackValidationPolicy).validateStack({ resources: policyResources, getConfig: <T>() => config as T, stackTags: new Map() } as any, record(""));
    }
    if ("validateResource" in policy && policy.validateResource) {
      const validators = asArray((policy as ResourceValidationPolicy).validateResource);
      const getConfig = <T>() => config as T;
      const stackTags = new Map();
      for (const r of policyResources) {
        const args = { ...r, getConfig, notApplicable: () => undefined, stackTags } as unknown as ResourceValidationArgs;
        const report = record(r.urn);
        for (const validate of validators) {
          // The rules are synchronous; awaiting each of them costs a microtask per resource and rule.
          const pending = validate(args, report) as unknown;
          if (pending && typeof (pending as Promise<void>).then === "function") await pending;
        }
      }
    }
  }
  return {
    environment: options.environment,
    violations,
    summary: {
      policies: policies.length,
      resources: resources.length,
      advisory: violations.filter((v) => v.enforcementLevel === "advisory").length,
      mandatory: violations.filter((v) => v.enforcementLevel === "mandatory").length,
    },
  };
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
