import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderApiReference } from "../../docs/apiReference";

describe("docs/api.md", () => {
  const rendered = renderApiReference();

  it("is what the exported symbols' TSDoc generates (regenerate with the command in docs/apiReference.ts)", () => {
    expect(readFileSync(join(__dirname, "../../docs/api.md"), "utf8")).toBe(rendered);
  });

  it("has a TSDoc summary for every exported symbol", () => {
    expect(rendered.split("\n").filter((l) => l.includes("(no summary)"))).toEqual([]);
    for (const symbol of ["EksCluster", "Canal", "ErieCanal", "ClusterJoin", "VpcRouteReconciler", "planNetwork", "canalkitPolicies", "synthesize"]) expect(rendered).toContain(`\`${symbol}\``);
  });
});
