import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { canalkitPolicies, renderPolicyDocs } from "../../policies/api";

describe("docs/policies.md", () => {
  it("is the generator's output (regenerate with: npx ts-node -T -e 'process.stdout.write(require(\"./policies/docs\").renderPolicyDocs())' > docs/policies.md)", () => {
    expect(readFileSync(join(__dirname, "../../docs/policies.md"), "utf8")).toBe(renderPolicyDocs());
  });

  it("lists every policy with severity and enforcement", () => {
    const text = renderPolicyDocs();
    for (const p of canalkitPolicies) expect(text).toContain(`| <a id="${p.name}"></a>\`${p.name}\` | ${p.area} | ${p.severity} |`);
    expect(new Set(canalkitPolicies.map((p) => p.name)).size).toBe(canalkitPolicies.length);
  });
});
