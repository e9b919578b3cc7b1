/**
 * `canalkit synth --preview` runs a program as `pulumi preview` does: the SDK in dry-run mode, ids
 * and computed outputs unknown. Every shipped stack and every example must get through it: code
 * that throws inside an `apply` on a value only known after deployment fails here as it would
 * fail a real preview.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { main } from "../../cli/canalkit";
import { runPolicies } from "../../policies/offline";
import { engineResources, synthesize, UNKNOWN_PLACEHOLDER, type SynthResult } from "../../synth/engine";
import { evaluateStack, policyOptionsFor } from "../../synth/runStack";

const UNKNOWN_WIRE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** What a preview of a new stack looks like from the engine's side. */
function expectPreviewShape(result: SynthResult, computedInputs = true): void {
  const custom = result.resources.filter((r) => r.custom);
  expect(custom.length).toBeGreaterThan(0);
  // No id is known before the resources exist.
  expect(custom.filter((r) => r.id !== null)).toEqual([]);
  // Values computed by providers (ids, ARNs) reach later resources as unknowns.
  if (!computedInputs) return;
  expect(JSON.stringify(result.resources.map((r) => r.inputs))).toContain(UNKNOWN_PLACEHOLDER);
  expect(JSON.stringify(engineResources(result).map((r) => r.inputs))).toContain(UNKNOWN_WIRE);
}

describe("synth --preview", () => {
  it.each(["dev", "prod"])("runs the shipped %s stack, with no mandatory policy violation", async (stack) => {
    const { raw, result } = await evaluateStack({ stack, preview: true });
    expectPreviewShape(result);
    const report = await runPolicies(result, policyOptionsFor(raw));
    expect(report.violations.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
  });

  it("is the command's --preview flag: the staging stack written with unknown ids and outputs", async () => {
    const out = mkdtempSync(join(tmpdir(), "canalkit-preview-"));
    const lines: string[] = [];
    expect(await main(["synth", "--stack", "staging", "--out", out, "--preview", "--quiet"], (l) => lines.push(l), (l) => lines.push(l))).toBe(0);
    const rows = JSON.parse(readFileSync(join(out, "staging", "resources.json"), "utf8")) as { custom: boolean; outputs: Record<string, unknown>; inputs: Record<string, unknown> }[];
    const vpc = rows.find((r: any) => r.type === "aws:ec2/vpc:Vpc")!;
    expect(vpc.outputs["id"]).toBeUndefined();
    expect(JSON.stringify(rows.map((r) => r.inputs))).toContain(UNKNOWN_PLACEHOLDER);
    expect(lines.join("\n")).toMatch(/0 mandatory/);
  });

  const examples = join(__dirname, "../../examples");
  const EXAMPLES: [string, Record<string, string>, string[]][] = [
    ["single-cluster", { "aws:region": "us-east-1", runnerCidrs: '["203.0.113.10/32"]' }, []],
    ["existing-cluster", { kubeconfig: "apiVersion: v1\nkind: Config\n" }, ["kubeconfig"]],
    ["two-region-failover", { runnerCidrs: '["203.0.113.10/32"]', westKubeconfig: "apiVersion: v1\nkind: Config\n", westApiServer: "https://west.example.com:6443", westCertificateAuthorityData: "Q0E=" }, ["westKubeconfig"]],
    ["three-cluster-gateway", { runnerCidrs: '["203.0.113.10/32"]' }, []],
  ];
  it.each(EXAMPLES)("runs the %s example", async (example, config, secretKeys) => {
    const project = parse(readFileSync(join(examples, example, "Pulumi.yaml"), "utf8")).name as string;
    const result = await synthesize(async () => ({ ...(await import(join(examples, example, "index.ts"))) }), {
      project,
      stack: "example",
      preview: true,
      config: Object.fromEntries(Object.entries(config).map(([k, v]) => [k.includes(":") ? k : `${project}:${k}`, v])),
      secretKeys: secretKeys.map((k) => `${project}:${k}`),
    });
    // The existing cluster is only Kubernetes objects with inputs from config: nothing to wait for.
    expectPreviewShape(result, example !== "existing-cluster");
    expect(JSON.stringify(result)).not.toContain("kind: Config");
  });
});
