/**
 * A Pulumi engine stand-in for tests: serves the `pulumirpc.ResourceMonitor` and `pulumirpc.Engine`
 * gRPC services the SDK's program runner and dynamic-provider host talk to, records every
 * registration and log message, and answers the lookups canalkit makes.
 */
import * as grpc from "@grpc/grpc-js";
import { offlineResourceState } from "../../synth/offlineAnswers";

/* eslint-disable @typescript-eslint/no-require-imports */
const resproto = require("@pulumi/pulumi/proto/resource_pb.js");
const resgrpc = require("@pulumi/pulumi/proto/resource_grpc_pb.js");
const engproto = require("@pulumi/pulumi/proto/engine_pb.js");
const enggrpc = require("@pulumi/pulumi/proto/engine_grpc_pb.js");
const provproto = require("@pulumi/pulumi/proto/provider_pb.js");
const emptyproto = require("google-protobuf/google/protobuf/empty_pb.js");
const structproto = require("google-protobuf/google/protobuf/struct_pb.js");

/** One registration as the engine received it. */
export interface RegisteredResource {
  urn: string;
  type: string;
  name: string;
  parent: string;
  custom: boolean;
  inputs: Record<string, unknown>;
}

/** A running fake engine. */
export interface FakeEngine {
  /** `127.0.0.1:port` of both services. */
  address: string;
  registrations: RegisteredResource[];
  logs: { severity: number; message: string }[];
  invokes: string[];
  close(): Promise<void>;
}

type Callback = (err: grpc.ServiceError | null, resp?: unknown) => void;

/** Starts the fake engine on a free loopback port. */
export async function startFakeEngine(answers: Record<string, (args: Record<string, unknown>) => Record<string, unknown>> = {}): Promise<FakeEngine> {
  const registrations: RegisteredResource[] = [];
  const logs: { severity: number; message: string }[] = [];
  const invokes: string[] = [];
  let rootUrn = "";
  const server = new grpc.Server();
  const unimplemented = (_call: unknown, cb: Callback) => cb({ code: grpc.status.UNIMPLEMENTED, details: "not in the fake engine" } as grpc.ServiceError);

  const monitor: Record<string, unknown> = {};
  for (const method of Object.keys(resgrpc.ResourceMonitorService)) monitor[method] = unimplemented;
  Object.assign(monitor, {
    supportsFeature(call: any, cb: Callback) {
      const resp = new resproto.SupportsFeatureResponse();
      resp.setHassupport(["secrets", "resourceReferences", "deletedWith", "aliasSpecs"].includes(call.request.getId()));
      cb(null, resp);
    },
    registerResource(call: any, cb: Callback) {
      const req = call.request;
      const parent: string = req.getParent();
      let type: string = req.getType();
      if (parent) type = `${parent.split("::")[2]!.split("$").pop()}$${type}`;
      const urn = `urn:pulumi:${process.env["FAKE_STACK"] ?? "dev"}::canalkit::${type}::${req.getName()}`;
      const inputs = req.getObject()?.toJavaScript() ?? {};
      registrations.push({ urn, type: req.getType(), name: req.getName(), parent, custom: req.getCustom(), inputs });
      // Answer with the computed outputs a real provider would return (ids, ARNs, endpoints).
      const state = offlineResourceState({ type: req.getType(), name: req.getName(), inputs, custom: req.getCustom() }, { stack: "dev", project: "canalkit" });
      const resp = new resproto.RegisterResourceResponse();
      resp.setUrn(urn);
      resp.setId(req.getCustom() ? state.id : "");
      resp.setObject(structproto.Struct.fromJavaScript(JSON.parse(JSON.stringify(state.state))));
      cb(null, resp);
    },
    registerResourceOutputs(_call: any, cb: Callback) {
      cb(null, new emptyproto.Empty());
    },
    invoke(call: any, cb: Callback) {
      const tok: string = call.request.getTok();
      invokes.push(tok);
      const answer = answers[tok];
      if (!answer) {
        cb({ code: grpc.status.UNKNOWN, details: `the fake engine has no answer for ${tok}` } as grpc.ServiceError);
        return;
      }
      const resp = new provproto.InvokeResponse();
      resp.setReturn(structproto.Struct.fromJavaScript(answer(call.request.getArgs()?.toJavaScript() ?? {})));
      cb(null, resp);
    },
    registerPackage(_call: any, cb: Callback) {
      const resp = new resproto.RegisterPackageResponse();
      resp.setRef("fake-package-ref");
      cb(null, resp);
    },
    signalAndWaitForShutdown(_call: any, cb: Callback) {
      cb(null, new emptyproto.Empty());
    },
  });
  server.addService(resgrpc.ResourceMonitorService, monitor as grpc.UntypedServiceImplementation);

  const engine: Record<string, unknown> = {};
  for (const method of Object.keys(enggrpc.EngineService)) engine[method] = unimplemented;
  Object.assign(engine, {
    log(call: any, cb: Callback) {
      logs.push({ severity: call.request.getSeverity(), message: call.request.getMessage() });
      cb(null, new emptyproto.Empty());
    },
    getRootResource(_call: any, cb: Callback) {
      const resp = new engproto.GetRootResourceResponse();
      resp.setUrn(rootUrn);
      cb(null, resp);
    },
    setRootResource(call: any, cb: Callback) {
      rootUrn = call.request.getUrn();
      cb(null, new engproto.SetRootResourceResponse());
    },
  });
  server.addService(enggrpc.EngineService, engine as grpc.UntypedServiceImplementation);

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    address: `127.0.0.1:${port}`,
    registrations,
    logs,
    invokes,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
