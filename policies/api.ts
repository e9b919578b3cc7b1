/** `canalkit/policies`: the policy objects, the offline runner and the docs generator, without a pack. */
export * from "./rules/index";
export { runPolicies, toEngineResources, writePolicyReport, formatPolicySummary, type PolicyReport, type PolicyViolation, type PolicyRunOptions } from "./offline";
export { enforcementFor, type EnforcementOverrides } from "./enforcement";
export { renderPolicyDocs } from "./docs";
export { analyzeRequests, analyzeStackRequest } from "./analyzerRequests";
