/**
 * The pack as the Pulumi CLI runs it: `pulumi preview --policy-pack policies` starts the SDK's
 * policy-pack runner in the pack's folder, reads the port it prints, and talks to it over the
 * `pulumirpc.Analyzer` gRPC service. This test does the same, and feeds it what the engine would
 * send for the shipped stacks and the broken fixtures: the requests are built from the stacks' real
 * registrations (inputs for Analyze; outputs, i.e. registerOutputs for components, for
 * AnalyzeStack; secrets as secret objects). synth's policy report must say exactly what the pack says.
 */
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeRequests, analyzeStackRequest, canalkitPolicies, enforcementFor, runPolicies, type PolicyRunOptions, type PolicyViolation } from "../../policies/api";
import { engineResources } from "../../synth/engine";
import { evaluateStack, policyOptionsFor } from "../../synth/runStack";
import { startPolicyPack, type RunningPolicyPack } from "../support/policyPackRunner";

const analyzerproto = require("@pulumi/pulumi/proto/analyzer_pb.js");
const structproto = require("google-protobuf/google/protobuf/struct_pb.js");
const emptyproto = require("google-protobuf/google/protobuf/empty_pb.js");

const root = resolve(__dirname, "../..");
let pack: RunningPolicyPack;

function call<T>(method: string, request: unknown): Promise<T> {
  return pack.call<T>(method, request);
}

beforeAll(async () => {
  // The pack's sources (its package.json main is the built entry the npm package ships; test/package loads that).
  pack = await startPolicyPack(join(root, "node_modules/@pulumi/pulumi/cmd/run-policy-pack/index.js"), join(root, "policies"), "index.ts");
});

afterAll(async () => {
  await pack?.stop();
});

/** Resource options as the engine always sends them. */
function options() {
  const o = new analyzerproto.AnalyzerResourceOptions();
  o.setProtect(false);
  o.setCustomtimeouts(new analyzerproto.AnalyzerResourceOptions.CustomTimeouts());
  return o;
}

function resource(type: string, name: string, props: Record<string, unknown>) {
  const r = new analyzerproto.AnalyzerResource();
  r.setOptions(options());
  r.setType(type);
  r.setName(name);
  r.setUrn(`urn:pulumi:prod::canalkit::${type}::${name}`);
  r.setProperties(structproto.Struct.fromJavaScript(props));
  return r;
}

describe("the policy pack over the Analyzer protocol", () => {
  it("describes every policy with its enforcement", async () => {
    const info = await call<any>("getAnalyzerInfo", new emptyproto.Empty());
    expect(info.getName()).toBe("canalkit");
    expect(info.getPoliciesList().map((p: any) => p.getName()).sort()).toEqual(canalkitPolicies.map((p) => p.name).sort());
  });

  it("analyzes a resource and a stack, reporting mandatory violations", async () => {
    const req = new analyzerproto.AnalyzeRequest();
    req.setType("aws:ec2/launchTemplate:LaunchTemplate");
    req.setName("lt");
    req.setUrn("urn:pulumi:prod::canalkit::aws:ec2/launchTemplate:LaunchTemplate::lt");
    req.setProperties(structproto.Struct.fromJavaScript({ tags: { environment: "prod", owner: "me" } }));
    req.setOptions(options());
    const resp = await call<any>("analyze", req);
    const diags = resp.getDiagnosticsList().map((d: any) => [d.getPolicyname(), d.getEnforcementlevel(), d.getMessage()]);
    expect(diags).toEqual([["canalkit-imdsv2-required", analyzerproto.EnforcementLevel.MANDATORY, expect.stringMatching(/lt: instance metadata allows IMDSv1/)]]);

    const stack = new analyzerproto.AnalyzeStackRequest();
    const fact = { clusterName: "a", topology: "vxlan", vpcCidr: "10.0.0.0/16", podCidr: "100.64.0.0/16", serviceCidr: "172.20.0.0/16", podMtu: 8951, vxlanPort: 8472 };
    stack.setResourcesList([resource("canalkit:network:ClusterNetwork", "a", fact), resource("canalkit:network:ClusterNetwork", "b", { ...fact, clusterName: "b", podCidr: "100.65.0.0/16" })]);
    const stackResp = await call<any>("analyzeStack", stack);
    const names = stackResp.getDiagnosticsList().map((d: any) => d.getPolicyname());
    expect(names).toContain("canalkit-cidrs-do-not-overlap");
    expect(names).toContain("canalkit-sg-rules-match-topology");
  });

  it("applies config: a policy made advisory, another disabled", async () => {
    const configure = new analyzerproto.ConfigureAnalyzerRequest();
    const advisory = new analyzerproto.PolicyConfig();
    advisory.setEnforcementlevel(analyzerproto.EnforcementLevel.ADVISORY);
    advisory.setProperties(structproto.Struct.fromJavaScript({}));
    configure.getPolicyconfigMap().set("canalkit-imdsv2-required", advisory);
    const disabled = new analyzerproto.PolicyConfig();
    disabled.setEnforcementlevel(analyzerproto.EnforcementLevel.DISABLED);
    disabled.setProperties(structproto.Struct.fromJavaScript({}));
    configure.getPolicyconfigMap().set("canalkit-required-tags", disabled);
    await call("configure", configure);
    const req = new analyzerproto.AnalyzeRequest();
    req.setType("aws:ec2/launchTemplate:LaunchTemplate");
    req.setName("lt");
    req.setUrn("urn:pulumi:prod::canalkit::aws:ec2/launchTemplate:LaunchTemplate::lt");
    req.setProperties(structproto.Struct.fromJavaScript({}));
    req.setOptions(options());
    const diags = (await call<any>("analyze", req)).getDiagnosticsList().map((d: any) => [d.getPolicyname(), d.getEnforcementlevel()]);
    expect(diags).toEqual([["canalkit-imdsv2-required", analyzerproto.EnforcementLevel.ADVISORY]]);
  });
});

const LEVELS: Record<string, number> = { advisory: analyzerproto.EnforcementLevel.ADVISORY, mandatory: analyzerproto.EnforcementLevel.MANDATORY, disabled: analyzerproto.EnforcementLevel.DISABLED };
const LEVEL_NAMES = Object.fromEntries(Object.entries(LEVELS).map(([k, v]) => [v, k]));

/** Configures the pack as the CLI would for a stack: every policy's level and config (schema defaults applied). */
async function configureFor(options: PolicyRunOptions): Promise<void> {
  const configure = new analyzerproto.ConfigureAnalyzerRequest();
  for (const p of canalkitPolicies) {
    const c = new analyzerproto.PolicyConfig();
    c.setEnforcementlevel(LEVELS[enforcementFor(p, options.environment, options.overrides)]);
    const defaults = Object.fromEntries(Object.entries((p.configSchema?.properties ?? {}) as Record<string, { default?: unknown }>).filter(([, s]) => s.default !== undefined).map(([k, s]) => [k, s.default]));
    c.setProperties(structproto.Struct.fromJavaScript({ ...defaults, ...(options.config?.[p.name] ?? {}) }));
    configure.getPolicyconfigMap().set(p.name, c);
  }
  await call("configure", configure);
}

/** Sends the engine's requests for a stack over gRPC; returns the pack's diagnostics in report form. */
async function analyzeOverGrpc(requests: { stack: unknown; resources: unknown[] }, urns: string[]): Promise<Omit<PolicyViolation, "severity">[]> {
  const out: Omit<PolicyViolation, "severity">[] = [];
  const collect = (resp: any, urn: string) => {
    for (const d of resp.getDiagnosticsList()) {
      const prefix = `${d.getDescription()}\n`;
      const message: string = d.getMessage();
      out.push({ policy: d.getPolicyname(), enforcementLevel: LEVEL_NAMES[d.getEnforcementlevel()] as any, urn: d.getUrn() || urn, message: message.startsWith(prefix) ? message.slice(prefix.length) : message });
    }
  };
  collect(await call("analyzeStack", requests.stack), "");
  // The engine analyzes resources as it registers them, many at once.
  const responses = await Promise.all(requests.resources.map((r) => call("analyze", r)));
  responses.forEach((resp, i) => collect(resp, urns[i]!));
  return out;
}

const key = (v: Omit<PolicyViolation, "severity">) => `${v.policy} ${v.enforcementLevel} ${v.urn} ${v.message}`;
const fixtures = join(root, "test/fixtures");

/** Each stack, and the mandatory policies it must be stopped by (none for the shipped stacks). */
const STACKS: [string, { stack?: string; configFile?: string }, string[]][] = [
  ["dev", { stack: "dev" }, []],
  ["staging", { stack: "staging" }, []],
  ["prod", { stack: "prod" }, []],
  ["overlapping-vpcs", { configFile: join(fixtures, "Pulumi.overlapping-vpcs.yaml") }, ["canalkit-cidrs-do-not-overlap"]],
  ["dev-override-mandatory", { configFile: join(fixtures, "Pulumi.dev-override-mandatory.yaml") }, ["canalkit-cidrs-do-not-overlap"]],
  ["prod-plain-gateways", { configFile: join(fixtures, "Pulumi.prod-plain-gateways.yaml") }, ["canalkit-gateway-tls"]],
  ["prod-internet-gateways", { configFile: join(fixtures, "Pulumi.prod-internet-gateways.yaml") }, ["canalkit-internet-facing-load-balancers"]],
];

describe("the pack, fed what the engine sends for real stacks, agrees with synth's policy report", () => {
  it.each(STACKS)("%s", async (_name, request, mandatory) => {
    const { raw, result } = await evaluateStack(request);
    const options = policyOptionsFor(raw);
    const resources = engineResources(result);
    // Components reach AnalyzeStack with their registered outputs, not their inputs.
    const network = resources.find((r) => r.type === "canalkit:network:ClusterNetwork");
    expect(network?.outputs).toHaveProperty("vpcId");
    expect(network?.outputs).toHaveProperty("vpcCidr");
    await configureFor(options);
    const fromPack = await analyzeOverGrpc({ stack: analyzeStackRequest(resources), resources: analyzeRequests(resources) }, resources.map((r) => r.urn));
    const report = await runPolicies(result, options);
    expect(report.violations.map(key).sort()).toEqual(fromPack.map(key).sort());
    // The pack sees secrets unwrapped, as the engine sends them; nothing of them reaches the report.
    expect(JSON.stringify(report)).not.toMatch(/client-key-data|kind: Config|"kind":"Config"/);
    const stoppedBy = [...new Set(fromPack.filter((v) => v.enforcementLevel === "mandatory").map((v) => v.policy))].sort();
    expect(stoppedBy).toEqual([...mandatory].sort());
  });
});
