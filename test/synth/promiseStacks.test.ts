import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { ClusterNetwork } from "../../components/network";
import { synthesize } from "../../synth/engine";
import { withoutPromiseStacks } from "../../synth/promiseStacks";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const debuggable = require("@pulumi/pulumi/runtime/debuggable");

function tracked(): string {
  const p = Promise.resolve(1);
  void debuggable.debuggablePromise(p, "probe");
  return (p as unknown as { _debugStackTrace: string })._debugStackTrace;
}

function failingProgram(): void {
  new ClusterNetwork("bad", { region: "us-east-1", vpcCidr: "10.0.0.0/33", availabilityZones: ["us-east-1a"], podCidr: "100.64.0.0/16", serviceCidr: "172.20.0.0/16" });
}

describe("promise stack capture off", () => {
  it("records no frames for the SDK's tracked promises, and turns back on", () => {
    expect(tracked().split("\n").length).toBeGreaterThan(1);
    const restore = withoutPromiseStacks();
    try {
      expect(tracked().split("\n")).toHaveLength(1);
      expect(Error.stackTraceLimit).toBeGreaterThan(0);
    } finally {
      restore();
    }
    expect(tracked().split("\n").length).toBeGreaterThan(1);
  });

  it("keeps the errors a program raises as useful: same message, a stack through the program", async () => {
    const before = await synthesize(failingProgram).then(() => undefined, (e: Error) => e);
    const restore = withoutPromiseStacks();
    let after: Error | undefined;
    let inApply: Error | undefined;
    try {
      after = await synthesize(failingProgram).then(() => undefined, (e: Error) => e);
      inApply = await synthesize(() => {
        pulumi.output("x").apply(() => {
          throw new Error("thrown in an apply");
        });
      }).then(() => undefined, (e: Error) => e);
    } finally {
      restore();
    }
    expect(after!.message).toBe(before!.message);
    expect(after!.stack).toContain("failingProgram");
    // The same frames through the program (Node's own scheduling frames vary from run to run).
    const frames = (e: Error) => e.stack!.split("\n").filter((l) => !l.includes("node:internal"));
    expect(frames(after!)).toEqual(frames(before!));
    expect(inApply?.message ?? "").toContain("thrown in an apply");
    expect(inApply!.stack).toContain("promiseStacks.test.ts");
  });

  it("changes nothing when the SDK's promise-leak debugging is on", () => {
    process.env["PULUMI_DEBUG_PROMISE_LEAKS"] = "1";
    try {
      const restore = withoutPromiseStacks();
      expect(tracked().split("\n").length).toBeGreaterThan(1);
      restore();
    } finally {
      delete process.env["PULUMI_DEBUG_PROMISE_LEAKS"];
    }
  });
});
