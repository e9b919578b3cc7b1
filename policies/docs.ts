/** Generates `docs/policies.md` from the policy objects, so the docs cannot drift from the pack. */
import { canalkitPolicies } from "./rules";
import { DEFAULT_ENFORCEMENT, type CanalkitPolicy, type Environment } from "./rules/types";

const ENVIRONMENTS: Environment[] = ["dev", "staging", "prod"];

/** The enforcement of a policy per environment, as a cell. */
function levels(policy: CanalkitPolicy): string {
  return ENVIRONMENTS.map((e) => `${e}: ${policy.enforcementByEnvironment?.[e] ?? DEFAULT_ENFORCEMENT[e]}`).join(", ");
}

/**
 * Where a policy is documented: its row of docs/policies.md in the canalkit repository (the
 * package declares no repository URL, so the link is relative to the repository root).
 */
export function policyUrl(name: string): string {
  return `docs/policies.md#${name}`;
}

/** Renders the policy reference. */
export function renderPolicyDocs(policies: CanalkitPolicy[] = canalkitPolicies): string {
  const lines = [
    "# canalkit policies",
    "",
    "Generated from `policies/rules/` by `renderPolicyDocs()`; `test/policies/docs.test.ts` keeps this file in sync.",
    "",
    "The same policies run three ways: `pulumi preview --policy-pack node_modules/canalkit/policies` with the Pulumi CLI, offline in",
    "`canalkit synth` (which writes `policy-report.json` and exits 3 on a mandatory violation), and from",
    "`canalkit/policies` in other Pulumi projects. Override a level per stack with",
    "`canalkit:policy.overrides.<policy>: advisory | mandatory | disabled`.",
    "",
    "| policy | area | severity | default enforcement | what it checks |",
    "|---|---|---|---|---|",
  ];
  for (const p of policies) lines.push(`| <a id="${p.name}"></a>\`${p.name}\` | ${p.area} | ${p.severity} | ${levels(p)} | ${p.description} Fix: ${p.remediation} |`);
  return lines.join("\n") + "\n";
}
