/**
 * The npm package as users get it: `npm pack` (of the build `npm ci` made), installed into an empty
 * project that has its own compatible Pulumi packages, then used every way the README describes:
 * the `canalkit` command on the dev stack, every example synthesized offline through
 * `canalkit/synth` (the multi-cluster ones serialize the controllers' dynamic providers), the
 * subpath exports under every TypeScript module resolution, and the policy pack loaded from
 * `node_modules/canalkit/policies` by the SDK's policy-pack runner over gRPC. One pack and one
 * install serve every case (`--offline`: `npm ci` filled the cache).
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPolicyPack, type RunningPolicyPack } from "../support/policyPackRunner";

const analyzerproto = require("@pulumi/pulumi/proto/analyzer_pb.js");
const structproto = require("google-protobuf/google/protobuf/struct_pb.js");
const emptyproto = require("google-protobuf/google/protobuf/empty_pb.js");
const semver = require("semver") as { satisfies(v: string, r: string): boolean; validRange(r: string): string | null; valid(v: string): string | null };

const root = resolve(__dirname, "../..");
const work = mkdtempSync(join(tmpdir(), "canalkit-pack-"));
const project = join(work, "consumer");
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const PEERS = ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/kubernetes", "@pulumi/kubernetes-cert-manager"];
let files: string[] = [];

const npm = (args: string[], cwd: string) => execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 600_000 });
const node = (args: string[], cwd = project) => execFileSync(process.execPath, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });

beforeAll(() => {
  // The build `npm ci` ran (prepare) is what gets packed; scripts are not run again.
  const packed = JSON.parse(npm(["pack", "--ignore-scripts", "--json", "--pack-destination", work], root))[0];
  files = packed.files.map((f: { path: string }) => f.path);
  mkdirSync(project, { recursive: true });
  // A consumer with its own versions of the Pulumi packages (the ones this repository tests with).
  const own = Object.fromEntries(PEERS.map((p) => [p, manifest.devDependencies[p]]));
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, dependencies: own }));
  npm(["install", join(work, packed.filename), "--offline", "--no-audit", "--no-fund", "--ignore-scripts"], project);
});

describe("the npm package", () => {
  it("contains the built JS, types, the policy pack directory and the allocator program, and nothing else", () => {
    for (const f of ["dist/components/index.js", "dist/components/index.d.ts", "dist/policies/api.js", "dist/policies/index.js", "dist/synth/engine.js", "dist/cli/canalkit.js", "policies/PulumiPolicy.yaml", "policies/package.json", "policies/index.js", "components/cni/assets/node-pod-cidr-allocator.js", "README.md", "CHANGELOG.md", "package.json"]) {
      expect(files).toContain(f);
    }
    const unexpected = files.filter((f) => /^(test|bench|examples|node_modules|docs|\.ci)\//.test(f) || /Pulumi\.(dev|staging|prod)\.yaml$/.test(f) || (/\.ts$/.test(f) && !/\.d\.ts$/.test(f)));
    expect(unexpected).toEqual([]);
  });

  it("takes the Pulumi packages as peers with ranges, so a consumer with its own ends with one copy of each", () => {
    for (const p of PEERS) {
      expect(manifest.dependencies[p]).toBeUndefined();
      expect(semver.valid(manifest.peerDependencies[p])).toBeNull();
      expect(semver.validRange(manifest.peerDependencies[p])).not.toBeNull();
      expect(semver.satisfies(manifest.devDependencies[p], manifest.peerDependencies[p])).toBe(true);
      const copies = npm(["ls", p, "--all", "--parseable"], project).trim().split("\n").filter(Boolean);
      expect(new Set(copies).size, `${p}: ${copies.join(", ")}`).toBe(1);
    }
  });

  it("synthesizes the dev stack with the installed canalkit command", () => {
    cpSync(join(root, "stacks/Pulumi.dev.yaml"), join(project, "Pulumi.dev.yaml"));
    const out = execFileSync(join(project, "node_modules/.bin/canalkit"), ["synth", "--config", "Pulumi.dev.yaml", "--out", "out", "--quiet"], { cwd: project, encoding: "utf8", timeout: 600_000 });
    expect(out).toMatch(/Wrote \d+ files/);
    const resources = JSON.parse(readFileSync(join(project, "out/dev/resources.json"), "utf8")) as { type: string }[];
    // The multi-cluster controllers are dynamic providers: their code went through the closure serializer.
    expect(resources.some((r) => r.type.startsWith("pulumi-nodejs:dynamic/"))).toBe(true);
    expect(existsSync(join(project, "out/dev/policy-report.json"))).toBe(true);
  });

  it("synthesizes every example from the installed package", () => {
    const examples = readdirSync(join(root, "examples"), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    const CONFIG: Record<string, Record<string, string>> = {
      "single-cluster": { "aws:region": "us-east-1" },
      "existing-cluster": {},
      "two-region-failover": {},
      "three-cluster-gateway": {},
    };
    expect(examples).toEqual(Object.keys(CONFIG).sort());
    const runs: string[] = [];
    for (const example of examples) {
      const source = readFileSync(join(root, "examples", example, "index.ts"), "utf8");
      writeFileSync(join(project, `${example}.js`), ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText);
      const projectName = /name:\s*(\S+)/.exec(readFileSync(join(root, "examples", example, "Pulumi.yaml"), "utf8"))![1]!;
      const config: Record<string, string> = { ...CONFIG[example] };
      // Config keys the examples read, given in their project's namespace.
      if (example === "two-region-failover") Object.assign(config, { [`${projectName}:westKubeconfig`]: "apiVersion: v1\nkind: Config\n", [`${projectName}:westApiServer`]: "https://west.example.com:6443", [`${projectName}:westCertificateAuthorityData`]: "Q0E=" });
      if (example === "existing-cluster") Object.assign(config, { [`${projectName}:kubeconfig`]: "apiVersion: v1\nkind: Config\n" });
      if (example !== "existing-cluster") Object.assign(config, { [`${projectName}:runnerCidrs`]: '["203.0.113.10/32"]' });
      const secretKeys = Object.keys(config).filter((k) => /kubeconfig$/i.test(k));
      runs.push(`[${JSON.stringify(example)}, ${JSON.stringify(projectName)}, ${JSON.stringify(config)}, ${JSON.stringify(secretKeys)}]`);
    }
    writeFileSync(
      join(project, "synth-examples.js"),
      `const { synthesize } = require("canalkit/synth");
(async () => {
  const out = {};
  for (const [example, project, config, secretKeys] of [${runs.join(", ")}]) {
    const r = await synthesize(() => require("./" + example + ".js"), { project, stack: "example", config, secretKeys });
    out[example] = { types: [...new Set(r.resources.map((x) => x.type))], outputs: r.outputs, kubeconfigInClear: JSON.stringify(r).includes("kind: Config") };
  }
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });`,
    );
    const result = JSON.parse(node(["synth-examples.js"]));
    expect(Object.keys(result).sort()).toEqual(examples);
    expect(result["single-cluster"].types).toEqual(expect.arrayContaining(["canalkit:network:ClusterNetwork", "canalkit:cluster:EksCluster", "canalkit:cni:Canal", "kubernetes:apps/v1:DaemonSet"]));
    expect(result["single-cluster"].outputs).toEqual({ kubeconfig: "[secret]", podMtu: 8951 });
    for (const example of ["two-region-failover", "three-cluster-gateway"]) {
      expect(result[example].types).toEqual(expect.arrayContaining(["canalkit:multicluster:ClusterSet", "kubernetes:flomesh.io/v1alpha1:GlobalTrafficPolicy"]));
      expect(result[example].types.some((t: string) => t.startsWith("pulumi-nodejs:dynamic/"))).toBe(true);
    }
    for (const example of examples) expect(result[example].kubeconfigInClear).toBe(false);
  });

  it("type-checks a consumer passing its own aws.Provider, and resolves canalkit/policies and canalkit/synth under node, node16 and bundler resolution", () => {
    mkdirSync(join(project, "tsc"), { recursive: true });
    for (const example of ["single-cluster", "three-cluster-gateway", "two-region-failover"]) cpSync(join(root, "examples", example, "index.ts"), join(project, "tsc", `${example}.ts`));
    writeFileSync(
      join(project, "tsc", "subpaths.ts"),
      `import { canalkitPolicies, runPolicies } from "canalkit/policies";
import { synthesize, type SynthResult } from "canalkit/synth";
export const count: number = canalkitPolicies.length;
export async function mandatory(program: () => unknown): Promise<number> {
  const result: SynthResult = await synthesize(program);
  return (await runPolicies(result, { environment: "prod" })).summary.mandatory;
}
`,
    );
    const tsc = (args: string[]) => {
      try {
        return node([join(root, "node_modules/typescript/bin/tsc"), "--noEmit", "--strict", "--skipLibCheck", "--target", "ES2022", "--types", "node", ...args]);
      } catch (e) {
        throw new Error(`tsc ${args.join(" ")}:\n${(e as { stdout?: string }).stdout ?? e}`);
      }
    };
    // The Pulumi TypeScript template's setting, with the examples' own providers passed to the kit.
    tsc(["--module", "commonjs", "--moduleResolution", "node", "--esModuleInterop", ...readdirSync(join(project, "tsc")).map((f) => join("tsc", f))]);
    tsc(["--module", "node16", "--moduleResolution", "node16", "tsc/subpaths.ts"]);
    tsc(["--module", "esnext", "--moduleResolution", "bundler", "tsc/subpaths.ts"]);
  });
});

describe("the policy pack from node_modules/canalkit/policies", () => {
  let pack: RunningPolicyPack;
  const call = <T>(method: string, request: unknown): Promise<T> => pack.call<T>(method, request);

  beforeAll(async () => {
    const dir = join(project, "node_modules/canalkit/policies");
    // What `pulumi preview --policy-pack DIR` runs: the SDK's runner, from DIR, with DIR as the program.
    pack = await startPolicyPack(join(project, "node_modules/@pulumi/pulumi/cmd/run-policy-pack/index.js"), dir, ".");
  });

  afterAll(async () => {
    await pack?.stop();
  });

  it("is a self-contained pack directory: PulumiPolicy.yaml, its own package.json with dependencies and version, an entry point in the tarball", () => {
    const pkg = JSON.parse(readFileSync(join(root, "policies/package.json"), "utf8"));
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(Object.keys(pkg.dependencies).sort()).toEqual(["@pulumi/policy", "@pulumi/pulumi", "canalkit"]);
    expect(files).toContain(`policies/${pkg.main}`);
    expect(readFileSync(join(root, "policies/PulumiPolicy.yaml"), "utf8")).toMatch(/^runtime: nodejs$/m);
  });

  it("describes every policy with its config schema, remediation steps and documentation link", async () => {
    const info = await call<any>("getAnalyzerInfo", new emptyproto.Empty());
    expect(info.getName()).toBe("canalkit");
    const policies = info.getPoliciesList();
    expect(policies.length).toBeGreaterThanOrEqual(21);
    const lb = policies.find((p: any) => p.getName() === "canalkit-internet-facing-load-balancers");
    expect(lb.getConfigschema().getProperties().toJavaScript()).toHaveProperty("allowInternetFacing");
    for (const p of policies) {
      expect(p.getRemediationSteps()).not.toBe("");
      expect(p.getUrl()).toMatch(/docs\/policies\.md#/);
    }
  });

  it("analyzes and remediates over gRPC", async () => {
    const options = () => {
      const o = new analyzerproto.AnalyzerResourceOptions();
      o.setCustomtimeouts(new analyzerproto.AnalyzerResourceOptions.CustomTimeouts());
      return o;
    };
    const req = new analyzerproto.AnalyzeRequest();
    req.setType("aws:ec2/launchTemplate:LaunchTemplate");
    req.setName("lt");
    req.setUrn("urn:pulumi:prod::canalkit::aws:ec2/launchTemplate:LaunchTemplate::lt");
    req.setProperties(structproto.Struct.fromJavaScript({ tags: { environment: "prod", owner: "me" }, metadataOptions: { httpTokens: "optional" } }));
    req.setOptions(options());
    const diags = (await call<any>("analyze", req)).getDiagnosticsList().map((d: any) => d.getPolicyname());
    expect(diags).toEqual(["canalkit-imdsv2-required"]);
    // Remediation runs only where the stack's policy config says "remediate".
    const configure = new analyzerproto.ConfigureAnalyzerRequest();
    const remediate = new analyzerproto.PolicyConfig();
    remediate.setEnforcementlevel(analyzerproto.EnforcementLevel.REMEDIATE);
    remediate.setProperties(structproto.Struct.fromJavaScript({}));
    configure.getPolicyconfigMap().set("canalkit-imdsv2-required", remediate);
    await call("configure", configure);
    const remediated = (await call<any>("remediate", req)).getRemediationsList();
    expect(remediated.map((r: any) => r.getPolicyname())).toEqual(["canalkit-imdsv2-required"]);
    expect(remediated[0].getProperties().toJavaScript().metadataOptions).toMatchObject({ httpTokens: "required" });
  });
});
