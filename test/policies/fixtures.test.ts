import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../cli/canalkit";
import { runSynth } from "../../synth/runStack";

const out = mkdtempSync(join(tmpdir(), "canalkit-policy-"));
const fixtures = join(__dirname, "../fixtures");

/** Each broken environment and the policies synth must reject it with. */
const BROKEN: Record<string, string[]> = {
  "Pulumi.overlapping-vpcs.yaml": ["canalkit-cidrs-do-not-overlap"],
  "Pulumi.dev-override-mandatory.yaml": ["canalkit-cidrs-do-not-overlap"],
  "Pulumi.prod-plain-gateways.yaml": ["canalkit-gateway-tls"],
  "Pulumi.prod-internet-gateways.yaml": ["canalkit-internet-facing-load-balancers"],
};

describe("policy corpus", () => {
  it("covers every fixture file", () => {
    expect(readdirSync(fixtures).filter((f) => f.endsWith(".yaml")).sort()).toEqual(Object.keys(BROKEN).sort());
  });

  it.each(Object.entries(BROKEN))("synth rejects %s with %j", async (file, policies) => {
    const lines: string[] = [];
    const code = await main(["synth", "--config", join(fixtures, file), "--out", out, "--quiet"], (s) => lines.push(s), (s) => lines.push(s));
    expect(code).toBe(3);
    const stack = file.replace(/^Pulumi\./, "").replace(/\.yaml$/, "");
    const report = JSON.parse(readFileSync(join(out, stack, "policy-report.json"), "utf8"));
    const mandatory = [...new Set(report.violations.filter((v: any) => v.enforcementLevel === "mandatory").map((v: any) => v.policy))];
    expect(mandatory.sort()).toEqual([...policies].sort());
    expect(lines.join("\n")).toContain("mandatory policy violation");
  });

  it.each(["dev", "staging", "prod"])("the shipped %s stack has zero mandatory violations", async (stack) => {
    const run = await runSynth({ stack, outDir: out });
    expect(run.policyReport.violations.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
    expect(readdirSync(run.stackDir)).toContain("policy-report.json");
  });
});
