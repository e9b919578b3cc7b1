/**
 * The canalkit CrossGuard policy pack, for the Pulumi CLI:
 * `pulumi preview --policy-pack policies`. Its enforcement default is mandatory (the prod
 * setting); give `--policy-pack-config` with per-policy levels to relax it for dev.
 */
import { PolicyPack } from "@pulumi/policy";
import { canalkitPolicies } from "./rules";

new PolicyPack("canalkit", {
  description: "Catches broken or unsafe Canal topologies, CNI settings and cluster exposure before deploy.",
  enforcementLevel: "mandatory",
  policies: canalkitPolicies.map((p) => ({ ...p, enforcementLevel: p.enforcementByEnvironment?.prod ?? "mandatory" })),
});
