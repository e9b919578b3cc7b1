/**
 * What every canalkit policy declares besides its validation: severity, area, the remediation a
 * violation message ends with, and its enforcement per environment.
 */
import type { ResourceValidationPolicy, Severity, StackValidationPolicy } from "@pulumi/policy";

/** The environments a stack can be (see the stack config's `environment`). */
export type Environment = "dev" | "staging" | "prod";

/** Enforcement levels canalkit uses. */
export type Enforcement = "advisory" | "mandatory" | "disabled";

/** A canalkit policy: a CrossGuard policy plus its metadata. */
export type CanalkitPolicy = (ResourceValidationPolicy | StackValidationPolicy) & {
  severity: Severity;
  /** Which layer it guards. */
  area: "network" | "cni" | "multicluster" | "security";
  /** How to fix a violation; appended to every message. */
  remediation: string;
  /**
   * Enforcement per environment. Default: advisory in dev, mandatory in staging and prod —
   * staging is where a broken topology must stop, before prod.
   */
  enforcementByEnvironment?: Partial<Record<Environment, Enforcement>>;
};

/** Default enforcement per environment. */
export const DEFAULT_ENFORCEMENT: Record<Environment, Enforcement> = { dev: "advisory", staging: "mandatory", prod: "mandatory" };

/** The message of a violation: what is wrong, then the fix. */
export function violation(policy: Pick<CanalkitPolicy, "remediation">, message: string): string {
  return `${message} Remediation: ${policy.remediation}`;
}
