/**
 * The npm package as users get it: `npm pack` (of the build `npm ci` made), installed into an empty
 * project from the tarball, then used the three ways the README describes — the components (an
 * example synthesized offline through `canalkit/synth`), the policies (`canalkit/policies`) and
 * the `canalkit` command.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";

const root = resolve(__dirname, "../..");
const work = mkdtempSync(join(tmpdir(), "canalkit-pack-"));
const project = join(work, "consumer");
let files: string[] = [];

const npm = (args: string[], cwd: string) => execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 240_000 });

beforeAll(() => {
  // The build `npm ci` ran (prepare) is what gets packed; scripts are not run again.
  const packed = JSON.parse(npm(["pack", "--ignore-scripts", "--json", "--pack-destination", work], root))[0];
  files = packed.files.map((f: { path: string }) => f.path);
  execFileSync("mkdir", ["-p", project]);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  npm(["install", join(work, packed.filename), "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], project);
}, 300_000);

describe("the npm package", () => {
  it("contains the built JS, types, policy pack files and the allocator program, and nothing else", () => {
    for (const f of ["dist/components/index.js", "dist/components/index.d.ts", "dist/policies/api.js", "dist/synth/engine.js", "dist/cli/canalkit.js", "policies/PulumiPolicy.yaml", "components/cni/assets/node-pod-cidr-allocator.js", "README.md", "CHANGELOG.md", "package.json"]) {
      expect(files).toContain(f);
    }
    const unexpected = files.filter((f) => /^(test|bench|examples|node_modules|docs|\.ci)\//.test(f) || /Pulumi\.(dev|staging|prod)\.yaml$/.test(f) || (/\.ts$/.test(f) && !/\.d\.ts$/.test(f)));
    expect(unexpected).toEqual([]);
  });

  it("synthesizes an example offline from the installed package", () => {
    const example = readFileSync(join(root, "examples/single-cluster/index.ts"), "utf8");
    writeFileSync(join(project, "index.js"), ts.transpileModule(example, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText);
    writeFileSync(
      join(project, "synth.js"),
      `const { synthesize } = require("canalkit/synth");
synthesize(() => require("./index.js"), { project: "canalkit-single-cluster", stack: "example", config: { "aws:region": "us-east-1" } })
  .then((r) => console.log(JSON.stringify({ types: [...new Set(r.resources.map((x) => x.type))], outputs: r.outputs })));`,
    );
    const result = JSON.parse(execFileSync(process.execPath, ["synth.js"], { cwd: project, encoding: "utf8", timeout: 120_000 }));
    expect(result.types).toEqual(expect.arrayContaining(["canalkit:network:ClusterNetwork", "canalkit:cluster:EksCluster", "canalkit:cni:Canal", "kubernetes:apps/v1:DaemonSet"]));
    expect(result.outputs).toEqual({ kubeconfig: "[secret]", podMtu: 8951 });
  });

  it("exports the policies and installs the canalkit command", () => {
    const count = execFileSync(process.execPath, ["-e", 'console.log(require("canalkit/policies").canalkitPolicies.length)'], { cwd: project, encoding: "utf8" });
    expect(Number(count)).toBeGreaterThanOrEqual(21);
    expect(execFileSync(join(project, "node_modules/.bin/canalkit"), ["help"], { cwd: project, encoding: "utf8" })).toMatch(/canalkit synth/);
  });
});
