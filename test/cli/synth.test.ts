import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../cli/canalkit";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, o: (s: string) => out.push(s), e: (s: string) => err.push(s) };
}

describe("canalkit synth", () => {
  it("writes resources.json for the dev stack offline and prints the tree and counts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "canalkit-"));
    const io = capture();
    expect(await main(["synth", "--out", dir], io.o, io.e)).toBe(0);
    const resources = JSON.parse(readFileSync(join(dir, "dev/resources.json"), "utf8")) as Record<string, unknown>[];
    expect(resources[0]).toMatchObject({ type: "pulumi:pulumi:Stack", parent: null });
    for (const r of resources) expect(Object.keys(r)).toEqual(expect.arrayContaining(["urn", "type", "name", "parent", "inputs", "dependsOn"]));
    expect(resources.filter((r) => r["type"] === "canalkit:network:ClusterNetwork")).toHaveLength(2);
    const subnet = resources.find((r) => r["type"] === "aws:ec2/subnet:Subnet")!;
    expect(resources.some((r) => r["urn"] === subnet["parent"])).toBe(true);
    expect(io.out.join("\n")).toMatch(/aws:ec2\/vpc:Vpc\s+2/);
    expect(io.out.join("\n")).toContain("canalkit:network:ClusterNetwork  dev-east");
    // Synth says how the runner reaches each API server (issue 18).
    expect(io.out.join("\n")).toContain("API server access from the pulumi up runner:\n  dev-east  public endpoint from 203.0.113.10/32 (runner on the internet)\n  dev-west  public endpoint from 203.0.113.10/32");
    expect(existsSync(join(dir, "dev/topology.svg"))).toBe(true);
  });

  it("synthesizes any file in the stack format with --config and names bad keys on failure", async () => {
    const dir = mkdtempSync(join(tmpdir(), "canalkit-"));
    const file = join(dir, "Pulumi.broken.yaml");
    writeFileSync(file, "config:\n  canalkit:environment: dev\n  canalkit:owner: me\n  canalkit:runner: { location: vpc, cidrs: [10.99.0.0/24] }\n  canalkit:clusters:\n    - name: x\n      region: us-east-1\n      network:\n        vpcCidr: 10.0.0.0/16\n        podCidr: 10.0.0.0/12\n      eks:\n        nodeGroups: [{ name: general }]\n");
    const io = capture();
    expect(await main(["synth", "--config", file, "--out", dir], io.o, io.e)).toBe(1);
    expect(io.err.join("\n")).toContain('canalkit:clusters[0].network.podCidr = "10.0.0.0/12"');
    expect(io.err.join("\n")).not.toMatch(/\n\s+at /);
    writeFileSync(file, "config:\n  canalkit:environment: dev\n  canalkit:owner: me\n  canalkit:runner: { location: vpc, cidrs: [10.99.0.0/24] }\n  canalkit:clusters:\n    - name: x\n      region: eu-west-1\n      availabilityZones: 3\n      network:\n        vpcCidr: 10.0.0.0/16\n      eks:\n        nodeGroups: [{ name: general }]\n");
    expect(await main(["synth", "--config", file, "--out", dir, "--quiet"], io.o, io.e)).toBe(0);
    const resources = JSON.parse(readFileSync(join(dir, "broken/resources.json"), "utf8")) as { type: string; inputs: Record<string, unknown> }[];
    expect(resources.filter((r) => r.type === "aws:ec2/subnet:Subnet").map((r) => r.inputs["availabilityZone"]).sort()).toEqual(["eu-west-1a", "eu-west-1a", "eu-west-1b", "eu-west-1b", "eu-west-1c", "eu-west-1c"]);
  });

  it("rejects unknown stacks and options with usage", async () => {
    const io = capture();
    expect(await main(["synth", "--stack", "nope"], io.o, io.e)).toBe(1);
    expect(io.err.join("\n")).toContain("no stack 'nope'");
    expect(await main(["synth", "--bogus"], io.o, io.e)).toBe(2);
    expect(await main(["frobnicate"], io.o, io.e)).toBe(2);
  });
});
