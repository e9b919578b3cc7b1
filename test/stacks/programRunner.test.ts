/**
 * The path the real `pulumi up` takes: the Node language host starts the SDK's program runner
 * (`@pulumi/pulumi/cmd/run`) with the project's TypeScript enabled, the stack config in
 * `PULUMI_CONFIG`, and the engine's monitor and engine addresses. This test starts the same
 * runner the same way, against a fake engine served here, and checks that `stacks/` loads through
 * ts-node with the project's own TypeScript and registers the stack, and that a bad stack file is
 * reported as the kit's message alone (see `stacks/runnerError.ts` for why that also decides how
 * long the user waits).
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseStackConfig } from "../../synth/stackConfig";
import { startFakeEngine, type FakeEngine } from "../support/fakeEngine";

const root = resolve(__dirname, "../..");
/** `pulumirpc.LogSeverity.ERROR`. */
const ERROR = 3;
let engine: FakeEngine;

beforeAll(async () => {
  engine = await startFakeEngine({
    "aws:index/getAvailabilityZones:getAvailabilityZones": () => ({ names: ["us-east-1a", "us-east-1b", "us-east-1c"], zoneIds: [] }),
    "aws:eks/getAddonVersion:getAddonVersion": (args: Record<string, unknown>) => ({ addonName: args["addonName"], kubernetesVersion: args["kubernetesVersion"], version: `v${args["kubernetesVersion"]}.0-eksbuild.1` }),
  });
});
afterAll(async () => engine.close());

function runProgram(config: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(
      process.execPath,
      [
        join(root, "node_modules/@pulumi/pulumi/cmd/run/index.js"),
        `--monitor=${engine.address}`,
        `--engine=${engine.address}`,
        "--project=canalkit",
        "--stack=dev",
        `--pwd=${root}`,
        `--root-directory=${root}`,
        "stacks/",
      ],
      {
        cwd: root,
        env: { ...process.env, PULUMI_NODEJS_TYPESCRIPT: "true", PULUMI_CONFIG: JSON.stringify(config), PULUMI_CONFIG_SECRET_KEYS: "[]", FAKE_STACK: "dev" },
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

describe("the program as the real CLI loads it", () => {
  it("runs stacks/ through the SDK's runner with ts-node and registers the dev stack", async () => {
    const config = parseStackConfig(readFileSync(join(root, "stacks/Pulumi.dev.yaml"), "utf8"), "canalkit", "Pulumi.dev.yaml");
    const run = await runProgram(config.values);
    expect(run.code, `${run.stdout}\n${run.stderr}\n${engine.logs.map((l) => l.message).join("\n")}`).toBe(0);
    const types = engine.registrations.map((r) => r.type);
    expect(types[0]).toBe("pulumi:pulumi:Stack");
    expect(types).toContain("pulumi:providers:aws");
    const networks = engine.registrations.filter((r) => r.type === "canalkit:network:ClusterNetwork");
    expect(networks.map((n) => n.name).sort()).toEqual(["dev-east", "dev-west"]);
    expect(types.filter((t) => t === "aws:ec2/vpc:Vpc")).toHaveLength(2);
  });

  it("fails with the config key named when the config is wrong", async () => {
    const config = parseStackConfig(readFileSync(join(root, "stacks/Pulumi.dev.yaml"), "utf8"), "canalkit", "Pulumi.dev.yaml");
    const clusters = JSON.parse(config.values["canalkit:clusters"]!);
    clusters[1].network.topology = "geneve";
    const before = engine.registrations.length;
    const logsBefore = engine.logs.length;
    const run = await runProgram({ ...config.values, "canalkit:clusters": JSON.stringify(clusters) });
    // 32: the runner logged the error itself, so the CLI adds nothing.
    expect(run.code, run.stderr).toBe(32);
    const errors = engine.logs.slice(logsBefore).filter((l) => l.severity === ERROR).map((l) => l.message);
    // The kit's message alone, once: not the runner's rendering of an unhandled exception (that
    // path formats the error with Node's coloured inspect, which took minutes on a busy machine).
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^invalid stack config:\n/);
    expect(errors[0]).toContain('canalkit:clusters[1].network.topology = "geneve": is not allowed');
    expect(errors[0]).not.toMatch(/unhandled exception|\n\s+at /);
    expect(engine.registrations.slice(before).filter((r) => r.type.startsWith("aws:ec2"))).toHaveLength(0);
  });
});
