/**
 * synth refuses, from a stack file, what the engine would refuse at preview, naming the config
 * entries the refused resource comes from; and resources.json records the resource options that
 * change what the engine does.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseDocument } from "yaml";
import { describe, expect, it } from "vitest";
import { main } from "../../cli/canalkit";
import { explainDuplicateName } from "../../synth/configOrigin";

const root = resolve(__dirname, "../..");
const work = mkdtempSync(join(tmpdir(), "canalkit-refusals-"));

describe("synth refuses duplicate URNs from config", () => {
  it("a service declared twice fails naming both config entries, before anything is registered", async () => {
    const doc = parseDocument(readFileSync(join(root, "stacks/Pulumi.dev.yaml"), "utf8"));
    const services = doc.getIn(["config", "canalkit:clusterSet", "services"]) as any;
    services.items.push(services.items[0].clone());
    const file = join(work, "Pulumi.dup.yaml");
    writeFileSync(file, doc.toString());
    const lines: string[] = [];
    const code = await main(["synth", "--config", file, "--out", join(work, "out"), "--quiet"], (s) => lines.push(s), (s) => lines.push(s));
    expect(code).toBe(1);
    const text = lines.join("\n");
    // The config check sees the repetition before any resource is registered; the engine-level
    // refusal of the duplicate URN behind it is tested in engine.test.ts.
    expect(text).toContain("canalkit:clusterSet.services[1].name");
    expect(text).toContain("canalkit:clusterSet.services[0]");
    expect(text).not.toMatch(/\n\s+at /);
  });

  it("explains only names the repeated entries make up", () => {
    const raw = { clusterSet: { services: [{ name: "echo", namespace: "demo" }, { name: "web", namespace: "demo" }, { name: "echo", namespace: "demo" }] } };
    expect(explainDuplicateName(raw, "demo-echo")).toContain("clusterSet.services[2] repeats canalkit:clusterSet.services[0]");
    expect(explainDuplicateName(raw, "demo-web")).toBeUndefined();
  });
});

describe("resources.json", () => {
  it("records protect, retainOnDelete, deletedWith, deleteBeforeReplace, aliases and outputs for every resource", async () => {
    const out = join(work, "opts");
    expect(await main(["synth", "--stack", "staging", "--out", out, "--quiet"], () => undefined, () => undefined)).toBe(0);
    const rows = JSON.parse(readFileSync(join(out, "staging", "resources.json"), "utf8")) as Record<string, unknown>[];
    for (const row of rows) {
      for (const key of ["protect", "retainOnDelete", "deletedWith", "deleteBeforeReplace", "aliases", "outputs"]) expect(row).toHaveProperty(key);
    }
    const network = rows.find((r) => r["type"] === "canalkit:network:ClusterNetwork")!;
    expect(network["outputs"]).toMatchObject({ vpcId: expect.stringMatching(/^vpc-/), vpcCidr: expect.any(String) });
    expect(JSON.stringify(rows)).not.toMatch(/client-key-data|kind: Config/);
  });
});
