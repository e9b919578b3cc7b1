/**
 * The SDK's dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider`) driven the way the engine
 * drives it: started with the engine's address, it prints a port and serves
 * `pulumirpc.ResourceProvider`; each call carries the resource's properties including the
 * serialized provider (`__provider`) the SDK produced when the program registered the resource.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join, resolve } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { startFakeEngine, type FakeEngine } from "./fakeEngine";

/* eslint-disable @typescript-eslint/no-require-imports */
const provproto = require("@pulumi/pulumi/proto/provider_pb.js");
const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb.js");
const structproto = require("google-protobuf/google/protobuf/struct_pb.js");

const root = resolve(__dirname, "../..");
type Props = Record<string, unknown>;

/** A running host and a client for it. */
export interface DynamicProviderHost {
  check(urn: string, olds: Props, news: Props): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }>;
  diff(urn: string, id: string, olds: Props, news: Props): Promise<{ changes: "none" | "some" | "unknown"; replaces: string[] }>;
  create(urn: string, props: Props): Promise<{ id: string; props: Props }>;
  read(urn: string, id: string, props: Props): Promise<{ id: string; props: Props }>;
  update(urn: string, id: string, olds: Props, news: Props): Promise<Props>;
  delete(urn: string, id: string, props: Props): Promise<void>;
  stderr(): string;
  /** Log messages the providers sent to the engine. */
  logs(): { severity: number; message: string }[];
  close(): Promise<void>;
}

/** Where the host runs and which controllers' code it loads. */
export interface DynamicProviderHostOptions {
  /**
   * The program's directory (the engine starts provider plugins there). Default: the project
   * root, where the controllers are loaded from their TypeScript source through ts-node, as in
   * development; a consumer project directory loads them from its installed canalkit instead.
   */
  cwd?: string;
  /** The SDK's host script. Default: the project's `@pulumi/pulumi`. */
  sdkRoot?: string;
}

/** Starts the SDK's dynamic-provider host, as the engine does. */
export async function startDynamicProviderHost(options: DynamicProviderHostOptions = {}): Promise<DynamicProviderHost> {
  const engine: FakeEngine = await startFakeEngine();
  const cwd = options.cwd ?? root;
  const fromSource = cwd === root ? { CANALKIT_CONTROLLERS_MODULE: join(root, "components/controllers/engineEntry.ts"), NODE_OPTIONS: `${process.env["NODE_OPTIONS"] ?? ""} -r ts-node/register/transpile-only`.trim() } : {};
  const script = join(options.sdkRoot ?? join(root, "node_modules/@pulumi/pulumi"), "cmd/dynamic-provider/index.js");
  const host: ChildProcess = spawn(process.execPath, [script, engine.address], { cwd, env: { ...process.env, ...fromSource } });
  let stderr = "";
  host.stderr!.on("data", (d) => (stderr += d));
  const port = await new Promise<string>((done, fail) => {
    let out = "";
    host.stdout!.on("data", (d) => {
      out += d;
      const m = /^(\d+)\s*$/m.exec(out);
      if (m) done(m[1]!);
    });
    host.on("exit", (code) => fail(new Error(`dynamic-provider host exited ${code}: ${stderr}`)));
  });
  const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const call = <T>(method: string, request: unknown): Promise<T> => new Promise((done, fail) => client[method](request, (err: Error | null, resp: T) => (err ? fail(err) : done(resp))));
  const struct = (p: Props) => structproto.Struct.fromJavaScript(p);
  const configure = new provproto.ConfigureRequest();
  configure.setArgs(struct({}));
  await call("configure", configure);
  const changes = ["unknown", "none", "some"] as const;
  return {
    async check(urn, olds, news) {
      const req = new provproto.CheckRequest();
      req.setUrn(urn);
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      const resp: any = await call("check", req);
      return { inputs: resp.getInputs().toJavaScript(), failures: resp.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })) };
    },
    async diff(urn, id, olds, news) {
      const req = new provproto.DiffRequest();
      req.setUrn(urn);
      req.setId(id);
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      const resp: any = await call("diff", req);
      return { changes: changes[resp.getChanges()]!, replaces: resp.getReplacesList() };
    },
    async create(urn, props) {
      const req = new provproto.CreateRequest();
      req.setUrn(urn);
      req.setProperties(struct(props));
      const resp: any = await call("create", req);
      return { id: resp.getId(), props: resp.getProperties().toJavaScript() };
    },
    async read(urn, id, props) {
      const req = new provproto.ReadRequest();
      req.setUrn(urn);
      req.setId(id);
      req.setProperties(struct(props));
      const resp: any = await call("read", req);
      return { id: resp.getId(), props: resp.getProperties().toJavaScript() };
    },
    async update(urn, id, olds, news) {
      const req = new provproto.UpdateRequest();
      req.setUrn(urn);
      req.setId(id);
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      const resp: any = await call("update", req);
      return resp.getProperties().toJavaScript();
    },
    async delete(urn, id, props) {
      const req = new provproto.DeleteRequest();
      req.setUrn(urn);
      req.setId(id);
      req.setProperties(struct(props));
      await call("delete", req);
    },
    stderr: () => stderr,
    logs: () => engine.logs,
    async close() {
      client.close();
      host.kill();
      await engine.close();
    },
  };
}
