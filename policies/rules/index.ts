/**
 * Every canalkit policy, importable without constructing a policy pack (the `canalkit/policies`
 * export, synth, and other Pulumi projects use these).
 */
import { cniPolicies } from "./cni";
import { multiclusterPolicies } from "./multicluster";
import { networkPolicies } from "./network";
import { securityPolicies } from "./security";
import type { CanalkitPolicy } from "./types";

export * from "./types";
export * from "./network";
export * from "./cni";
export * from "./security";
export * from "./multicluster";
export { indexStack } from "./stackIndex";

/** All policies, in documentation order. */
export const canalkitPolicies: CanalkitPolicy[] = [...networkPolicies, ...cniPolicies, ...multiclusterPolicies, ...securityPolicies];
