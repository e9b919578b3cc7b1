/**
 * The command's cold start: the SDK's serializer-only modules are compiled only when a closure is
 * serialized. Checked in a fresh Node process (the module cache is per process), by watching which
 * files Node compiles.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";

const root = resolve(__dirname, "../..");
// Plain JavaScript in a fresh process: ts-node would load TypeScript itself before the test starts.
const compiled = join(root, "node_modules/.cache/canalkit-test/deferredModules.js");

beforeAll(() => {
  const source = readFileSync(join(root, "cli/deferredModules.ts"), "utf8");
  mkdirSync(join(compiled, ".."), { recursive: true });
  writeFileSync(compiled, ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText);
});

function run(script: string): Record<string, unknown> {
  const out = execFileSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").pop()!);
}

const PRELUDE = `
  const Module = require("node:module");
  const compiled = [];
  const compile = Module.prototype._compile;
  Module.prototype._compile = function (content, filename) { compiled.push(filename); return compile.apply(this, arguments); };
  const seen = (pattern) => compiled.some((f) => pattern.test(f));
`;

describe("deferred serializer modules", () => {
  it("loads @pulumi/pulumi without compiling TypeScript or Arborist, and loads them when a closure is serialized", () => {
    const result = run(`${PRELUDE}
      require(${JSON.stringify(compiled)}).deferSerializerModules();
      const pulumi = require("@pulumi/pulumi");
      const before = { typescript: seen(/node_modules[\\/]typescript[\\/]/), arborist: seen(/@npmcli[\\/]arborist[\\/]/) };
      pulumi.runtime.serializeFunction(() => 40 + 2).then((f) => {
        console.log(JSON.stringify({ before, after: { typescript: seen(/node_modules[\\/]typescript[\\/]/) }, text: f.text.includes("40 + 2") }));
      });
    `);
    expect(result).toEqual({ before: { typescript: false, arborist: false }, after: { typescript: true }, text: true });
  });

  it("changes nothing for a module already loaded, or one that does not resolve", () => {
    const result = run(`${PRELUDE}
      require("typescript");
      const { deferModule } = require(${JSON.stringify(compiled)});
      console.log(JSON.stringify({ loaded: deferModule("typescript", require.resolve("@pulumi/pulumi")), missing: deferModule("no-such-module-anywhere", require.resolve("@pulumi/pulumi")) }));
    `);
    expect(result).toEqual({ loaded: false, missing: false });
  });
});
