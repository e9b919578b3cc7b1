/**
 * A handful of stack-config mistakes and variations through the real `canalkit synth` command
 * line: refusals exit 1 before anything is written, naming the key and never the credential;
 * accepted variations reach the resources (ARM AMI, 1500-byte class over the internet).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { main } from "../../cli/canalkit";

/* eslint-disable @typescript-eslint/no-explicit-any */
type Cfg = Record<string, any>;
const ROOT = join(__dirname, "../..");

/** Writes a changed copy of a shipped stack file as `Pulumi.<name>.yaml` in a fresh folder. */
function variant(stack: string, name: string, change: (c: Cfg) => void): { dir: string; file: string } {
  const doc = parse(readFileSync(join(ROOT, `stacks/Pulumi.${stack}.yaml`), "utf8")) as { config: Cfg };
  change(doc.config);
  const dir = mkdtempSync(join(tmpdir(), "canalkit-mistake-"));
  const file = join(dir, `Pulumi.${name}.yaml`);
  writeFileSync(file, stringify(doc));
  return { dir, file };
}

async function synth(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["synth", "--quiet", ...args], (s) => out.push(s), (s) => err.push(s));
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("stack-config mistakes through canalkit synth", () => {
  it("refuses a plain kubeconfig by key, without showing it, and writes nothing", async () => {
    const secret = "client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpTRUNSRVQ=";
    const { dir, file } = variant("dev", "leaky", (c) => (c["kubernetes:kubeconfig"] = `apiVersion: v1\nkind: Config\nusers:\n- name: a\n  user:\n    ${secret}\n`));
    const run = await synth(["--config", file, "--out", dir]);
    expect(run.code).toBe(1);
    expect(run.err).toContain("kubernetes:kubeconfig = \"(not shown)\": holds a kubeconfig in clear");
    expect(run.err).toContain("pulumi config set --secret kubernetes:kubeconfig");
    expect(run.err + run.out).not.toContain("LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpTRUNSRVQ=");
    expect(existsSync(join(dir, "leaky"))).toBe(false);
  });

  it("refuses AZs of another Region before any resource, naming the entry", async () => {
    const { dir, file } = variant("staging", "wrongzones", (c) => (c["canalkit:clusters"][1]["availabilityZones"] = ["us-east-1a", "us-east-1b"]));
    const run = await synth(["--config", file, "--out", dir]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/canalkit:clusters\[1\]\.availabilityZones\[0\] = "us-east-1a": is a zone of us-east-1, but the cluster is in us-west-2/);
    expect(existsSync(join(dir, "wrongzones"))).toBe(false);
  });

  it("names the probe's switch, not a component path, when the probe is asked for without osm-edge", async () => {
    // osm-edge itself runs on EKS now (issue 17); what remains refusable from the stack file is
    // a probe through a mesh that is not there.
    const { dir, file } = variant("dev", "osm", (c) => {
      c["canalkit:clusterSet"]["erieCanal"] = { osmEdge: false };
      c["canalkit:clusterSet"]["probe"] = { enabled: true };
    });
    const run = await synth(["--config", file, "--out", dir]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/canalkit synth: canalkit:clusterSet\.probe\.enabled = true: .*osmEdge is off\. Fix: .*probe\.enabled: false/);
  });

  it("refuses --stack naming another stack than the --config file's", async () => {
    const run = await synth(["--stack", "dev", "--config", join(ROOT, "stacks/Pulumi.prod.yaml")]);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/--stack dev does not match --config .*Pulumi\.prod\.yaml, which is the stack file of 'prod'; drop --stack .* or use --stack prod/);
  });

  it("synthesizes a Graviton group on the ARM AMI and 1500-byte pods over the internet, warning about an unused encrypted kubeconfig", async () => {
    const { dir, file } = variant("dev", "graviton", (c) => {
      c["canalkit:clusters"][0]["eks"]["nodeGroups"][0]["instanceTypes"] = ["m7g.large", "m6g.large"];
      c["canalkit:clusterSet"]["connectivity"] = "internet";
      c["kubernetes:kubeconfig"] = { secure: "AAABAKtEk8h1ZXk=" };
    });
    const run = await synth(["--config", file, "--out", dir]);
    expect(run.err).toContain("warning: kubernetes:kubeconfig is set, but canalkit never uses it");
    expect(run.code).toBe(0);
    const resources = JSON.parse(readFileSync(join(dir, "graviton/resources.json"), "utf8")) as { type: string; inputs: Record<string, unknown> }[];
    const amis = resources.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup").map((r) => r.inputs["amiType"]);
    expect(amis.sort()).toEqual(["AL2023_ARM_64_STANDARD", "AL2023_x86_64_STANDARD"]);
    const outputs = JSON.parse(readFileSync(join(dir, "graviton/outputs.json"), "utf8")) as Record<string, { podMtu?: number }>;
    expect([outputs["dev-east"]?.podMtu, outputs["dev-west"]?.podMtu]).toEqual([1450, 1450]);
  });
});
