/**
 * A policy pack as `pulumi preview --policy-pack DIR` runs it: the SDK's policy-pack runner
 * (`cmd/run-policy-pack`) started in DIR against a fake engine, its printed port read, and a
 * `pulumirpc.Analyzer` gRPC client on that port.
 */
import { spawn } from "node:child_process";
import * as grpc from "@grpc/grpc-js";
import { startFakeEngine } from "./fakeEngine";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const analyzerrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb.js");

/** A running policy pack. */
export interface RunningPolicyPack {
  /** Calls one Analyzer method. */
  call<T>(method: string, request: unknown): Promise<T>;
  /** Stops the runner and the fake engine. */
  stop(): Promise<void>;
}

/**
 * Starts `runner` (a `cmd/run-policy-pack/index.js`) in `dir` with `program` as the pack's
 * program, as the CLI does; fails with the runner's stderr when it exits before printing its port.
 */
export async function startPolicyPack(runner: string, dir: string, program: string): Promise<RunningPolicyPack> {
  const engine = await startFakeEngine();
  const pack = spawn(process.execPath, [runner, engine.address, program], { cwd: dir });
  let stderr = "";
  pack.stderr!.on("data", (d) => (stderr += d));
  const port = await new Promise<string>((done, fail) => {
    let out = "";
    pack.stdout!.on("data", (d) => {
      out += d;
      const m = /^(\d+)\s*$/m.exec(out);
      if (m) done(m[1]!);
    });
    pack.on("exit", (code) => fail(new Error(`policy pack exited ${code}: ${stderr}`)));
  });
  const client = new analyzerrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return {
    call: <T>(method: string, request: unknown) => new Promise<T>((done, fail) => client[method](request, (err: Error | null, resp: T) => (err ? fail(err) : done(resp)))),
    stop: async () => {
      pack.kill();
      await engine.close();
    },
  };
}
