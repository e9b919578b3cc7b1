import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../cli/canalkit";

const out = mkdtempSync(join(tmpdir(), "canalkit-diagram-"));
const text = (svg: string) => svg.replace(/&#45;/g, "-").replace(/&gt;/g, ">");

describe("canalkit diagram", () => {
  it("draws every cluster, gateway and multi-cluster service of the prod stack, and nothing else is written", async () => {
    const lines: string[] = [];
    const file = join(out, "prod.svg");
    expect(await main(["diagram", "--stack", "prod", "--out", file], (s) => lines.push(s), (s) => lines.push(s))).toBe(0);
    expect(lines).toEqual([`Wrote ${file}`]);
    const svg = text(readFileSync(file, "utf8"));
    for (const cluster of ["prod-use1-a", "prod-use1-b", "prod-usw2"]) expect(svg).toContain(`EKS ${cluster}`);
    expect(svg).toContain("Region us-west-2");
    expect(svg.match(/NLB internal/g)).toHaveLength(3);
    expect(svg).toContain("payments/payments FailOver #1");
    expect(svg).toContain("payments/payments FailOver #2");
    expect(svg).toContain("shop/catalog ActiveActive w=70");
    expect(readFileSync(join(out, "prod.dot"), "utf8")).toMatch(/^digraph "canalkit prod"/);
  });

  it("keeps the README picture (docs/images/dev-topology.svg) the dev stack's current drawing", async () => {
    const file = join(out, "dev.svg");
    expect(await main(["diagram", "--out", file], () => {}, () => {})).toBe(0);
    expect(readFileSync(join(__dirname, "../../docs/images/dev-topology.svg"), "utf8")).toBe(readFileSync(file, "utf8"));
  });
});
