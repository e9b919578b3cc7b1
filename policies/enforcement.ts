/**
 * Which enforcement level a policy has in a stack: an explicit override, else the policy's level
 * for the environment, else advisory in dev and mandatory in staging and prod.
 */
import { DEFAULT_ENFORCEMENT, type CanalkitPolicy, type Enforcement, type Environment } from "./rules/types";

/** Per-policy enforcement overrides, by policy name. */
export type EnforcementOverrides = Record<string, Enforcement>;

/** Resolves a policy's enforcement for an environment. */
export function enforcementFor(policy: CanalkitPolicy, environment: Environment, overrides: EnforcementOverrides = {}): Enforcement {
  return overrides[policy.name] ?? policy.enforcementByEnvironment?.[environment] ?? DEFAULT_ENFORCEMENT[environment];
}
