/**
 * The Analyzer requests the Pulumi engine sends a policy pack for a stack, built from a synth run's
 * engine view: `Analyze` once per resource with its inputs, `AnalyzeStack` once with every
 * resource's outputs (for a component, what it passed to `registerOutputs`). Properties are
 * marshalled as the engine marshals them for analyzers: secrets kept as secret objects (the policy
 * SDK unwraps them), unknowns kept as the unknown sentinel, internal `__` keys dropped.
 *
 * The offline runner hands these requests to the policy SDK's own handlers and the Analyzer gRPC
 * test sends them to the pack over the wire, so both see exactly one shape.
 */
import { dirname } from "node:path";
import type { EngineResource } from "../synth/engine";

const analyzerproto = require("@pulumi/pulumi/proto/analyzer_pb.js");
// The Struct class of the google-protobuf copy the SDK's generated messages use.
const structproto = require(require.resolve("google-protobuf/google/protobuf/struct_pb.js", { paths: [dirname(require.resolve("@pulumi/pulumi/proto/analyzer_pb.js"))] }));

function struct(props: Record<string, unknown>): unknown {
  return structproto.Struct.fromJavaScript(props);
}

/** `AnalyzerResourceOptions` as `marshalResourceOptions` fills it. */
function resourceOptions(r: EngineResource): unknown {
  const o = new analyzerproto.AnalyzerResourceOptions();
  o.setProtect(r.options.protect);
  o.setIgnorechangesList(r.options.ignoreChanges);
  o.setDeletebeforereplace(r.options.deleteBeforeReplace);
  o.setDeletebeforereplacedefined(r.options.deleteBeforeReplace);
  o.setAdditionalsecretoutputsList(r.options.additionalSecretOutputs);
  o.setAliasesList(r.options.aliases.filter((a): a is string => typeof a === "string"));
  o.setCustomtimeouts(new analyzerproto.AnalyzerResourceOptions.CustomTimeouts());
  o.setParent(r.parent);
  return o;
}

function providerOf(r: EngineResource, byUrn: Map<string, EngineResource>, which: "inputs" | "outputs"): unknown {
  if (!r.provider) return undefined;
  const urn = r.provider.split("::").slice(0, -1).join("::");
  const p = byUrn.get(urn);
  if (!p) return undefined;
  const pr = new analyzerproto.AnalyzerProviderResource();
  pr.setType(p.type);
  pr.setName(p.name);
  pr.setUrn(p.urn);
  pr.setProperties(struct(p[which]));
  return pr;
}

/** One `AnalyzeRequest` per resource: what `validateResource` policies see (inputs). */
export function analyzeRequests(resources: EngineResource[]): unknown[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  return resources.map((r) => {
    const req = new analyzerproto.AnalyzeRequest();
    req.setUrn(r.urn);
    req.setType(r.type);
    req.setName(r.name);
    req.setProperties(struct(r.inputs));
    req.setOptions(resourceOptions(r));
    const provider = providerOf(r, byUrn, "inputs");
    if (provider) req.setProvider(provider);
    return req;
  });
}

/** The `AnalyzeStackRequest`: what `validateStack` policies see (outputs, parents, dependencies). */
export function analyzeStackRequest(resources: EngineResource[]): unknown {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const req = new analyzerproto.AnalyzeStackRequest();
  req.setResourcesList(
    resources.map((r) => {
      const ar = new analyzerproto.AnalyzerResource();
      ar.setUrn(r.urn);
      ar.setType(r.type);
      ar.setName(r.name);
      ar.setProperties(struct(r.outputs));
      ar.setOptions(resourceOptions(r));
      const provider = providerOf(r, byUrn, "outputs");
      if (provider) ar.setProvider(provider);
      ar.setParent(r.parent);
      ar.setDependenciesList(r.dependencies);
      for (const [key, urns] of Object.entries(r.propertyDependencies)) {
        const deps = new analyzerproto.AnalyzerPropertyDependencies();
        deps.setUrnsList(urns);
        ar.getPropertydependenciesMap().set(key, deps);
      }
      return ar;
    }),
  );
  return req;
}
