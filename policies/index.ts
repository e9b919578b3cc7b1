/**
 * The canalkit CrossGuard policy pack, for the Pulumi CLI:
 * `pulumi preview --policy-pack node_modules/canalkit/policies` (or `policies` in this repository
 * after `npm run build`). Its enforcement default is mandatory (the prod setting); give
 * `--policy-pack-config` with per-policy levels to relax it for dev, or `remediate` for the
 * policies that can fix a resource themselves (canalkit-imdsv2-required).
 */
import { PolicyPack } from "@pulumi/policy";
import { policyUrl } from "./docs";
import { canalkitPolicies } from "./rules";

new PolicyPack("canalkit", {
  description: "Catches broken or unsafe Canal topologies, CNI settings and cluster exposure before deploy.",
  enforcementLevel: "mandatory",
  // remediationSteps and url are CrossGuard's own fields: the CLI shows them with each violation.
  policies: canalkitPolicies.map((p) => ({ ...p, enforcementLevel: p.enforcementByEnvironment?.prod ?? "mandatory", remediationSteps: p.remediation, url: policyUrl(p.name) })),
});
