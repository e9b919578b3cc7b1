/**
 * The offline engine: runs a Pulumi program in-process under the SDK's mocks and records every
 * resource registration as the real engine would see it (type, name, parent, inputs, dependencies),
 * with no credentials and no network.
 *
 * The SDK's own `MockMonitor` answers the registrations; a thin subclass records the raw gRPC
 * request first, because the mock's `newResource` callback is not told the parent, the
 * dependencies, or which inputs are secret.
 */
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { answerInvoke, offlineResourceState, type OfflineLookups } from "./offlineAnswers";

/** One resource as registered by the program, in the shape `resources.json` carries. */
export interface SynthResource {
  /** The resource's URN, built exactly as the engine builds it. */
  urn: string;
  /** Type token, for example `aws:ec2/vpc:Vpc` or `canalkit:network:ClusterNetwork`. */
  type: string;
  /** The logical name given to the constructor. */
  name: string;
  /** URN of the parent resource, or `null` for the stack itself. */
  parent: string | null;
  /** `true` for provider-managed resources, `false` for components. */
  custom: boolean;
  /** The explicit provider reference (`urn::id`), or `null` for the default provider. */
  provider: string | null;
  /** Resolved inputs; every secret value is replaced by the string `"[secret]"`. */
  inputs: Record<string, unknown>;
  /** URNs this resource depends on (explicit `dependsOn` and those implied by its inputs). */
  dependsOn: string[];
  /**
   * What the engine holds as the resource's outputs, secrets replaced by `"[secret]"` and values
   * only known after deployment by `"[unknown]"`: for a custom resource the provider's state, for a
   * component exactly what it passed to `registerOutputs` (stack policies read these).
   */
  outputs: Record<string, unknown>;
  /** The resource options that change what the engine does with the resource. */
  options: SynthResourceOptions;
  /** Deterministic fake id given by the offline engine (`null` for components and in preview). */
  id: string | null;
}

/** Resource options as the engine receives them. */
export interface SynthResourceOptions {
  ignoreChanges: string[];
  retainOnDelete: boolean;
  protect: boolean;
  deleteBeforeReplace: boolean;
  /** URN of the resource whose deletion also deletes this one, or `null`. */
  deletedWith: string | null;
  /** Aliases: URNs, or specs naming the parts of the old URN that differ. */
  aliases: (string | { name?: string; type?: string; stack?: string; project?: string; parent?: string | null })[];
  replaceOnChanges: string[];
  additionalSecretOutputs: string[];
}

/**
 * One resource in the engine's wire form (secrets as secret objects, unknowns as the unknown
 * sentinel), as the engine would hand it to a policy pack. Kept in memory only: it holds secret
 * values, so it is never written.
 */
export interface EngineResource {
  urn: string;
  type: string;
  name: string;
  parent: string;
  custom: boolean;
  /** `urn::id` of the explicit provider, or `""`. */
  provider: string;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  /** What `Analyze` (resource policies) gets: the inputs the program registered. */
  inputs: Record<string, unknown>;
  /** What `AnalyzeStack` (stack policies) gets: the outputs after registration. */
  outputs: Record<string, unknown>;
  options: SynthResourceOptions;
}

const engineViews = new WeakMap<SynthResult, EngineResource[]>();

/** The engine's view of a synth result (in memory only; carries secrets in their wire form). */
export function engineResources(result: SynthResult): EngineResource[] {
  const view = engineViews.get(result);
  if (!view) throw new Error("this synth result carries no engine view (it was not produced by synthesize in this process)");
  return view;
}

/** What a program run produced. */
export interface SynthResult {
  /** Every registration in order. */
  resources: SynthResource[];
  /** Stack outputs as returned by the program, secrets replaced by `"[secret]"`. */
  outputs: Record<string, unknown>;
  /** Messages the program logged through `pulumi.log` at warning level or above. */
  warnings: string[];
}

/** How to run a program offline. */
export interface SynthOptions {
  /** Pulumi project name (namespaces config keys). Default `canalkit`. */
  project?: string;
  /** Stack name. Default `dev`. */
  stack?: string;
  /** Fully-qualified config (`project:key` → string value), as `PULUMI_CONFIG` would carry it. */
  config?: Record<string, string>;
  /** Config keys whose values are secret. */
  secretKeys?: string[];
  /** Answers for data-source lookups (availability zones and the like). */
  lookups?: OfflineLookups;
  /** Run as a preview (`pulumi preview`) rather than an update. Default false. */
  preview?: boolean;
  /**
   * Names the config key a refused registration comes from, if any (for example the two service
   * entries that give two resources one URN). Returns text to append to the error, or undefined.
   */
  explainRegistration?: (resource: { type: string; name: string; urn: string }) => string | undefined;
  /**
   * For the bench's same-resources floor: record each secret as `{ "[secret]": filler }`, the
   * secret's shape with every string replaced by as many `x` and every number by 0, instead of the
   * placeholder, so that a replay registers as many bytes as the program did. No secret content is
   * recorded, only its shape and lengths. Default false.
   */
  recordSecretShapes?: boolean;
}

/** A program the engine would refuse: duplicate URNs, unknown parents, providers or dependencies. */
export class EngineRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EngineRefusal";
  }
}

/** The key of the signature Pulumi marks special values with, on the wire and in state. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
/** The signature of a secret. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The placeholder written wherever a secret value would appear. */
export const SECRET_PLACEHOLDER = "[secret]";
/** The placeholder written for values only known after deployment. */
export const UNKNOWN_PLACEHOLDER = "[unknown]";

/** A secret's shape with its content gone: strings become as many `x`, numbers 0 (`recordSecretShapes`). */
function secretShape(value: unknown): unknown {
  if (typeof value === "string") return "x".repeat(value.length);
  if (typeof value === "number") return 0;
  if (Array.isArray(value)) return value.map(secretShape);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, secretShape(v)]));
}

/**
 * Turns the wire form of a property value into plain JSON, masking secrets. Resource references
 * become their URN; assets and archives their path, text or URI. With `shapes`, a secret becomes
 * `{ "[secret]": <its shape> }` (see `SynthOptions.recordSecretShapes`) rather than the placeholder.
 */
export function maskWireValue(value: unknown, shapes = false): unknown {
  if (value === UNKNOWN) return UNKNOWN_PLACEHOLDER;
  if (Array.isArray(value)) return value.map((v) => maskWireValue(v, shapes));
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  const masked = (secret: unknown) => (shapes ? { [SECRET_PLACEHOLDER]: secretShape(maskWireValue(secret)) } : SECRET_PLACEHOLDER);
  switch (obj[SIG_KEY]) {
    case SECRET_SIG:
      return masked(obj["value"]);
    case RESOURCE_SIG:
      return obj["urn"];
    case OUTPUT_SIG:
      if (obj["secret"]) return masked(obj["value"]);
      return "value" in obj ? maskWireValue(obj["value"], shapes) : UNKNOWN_PLACEHOLDER;
    case ASSET_SIG:
    case ARCHIVE_SIG:
      return obj["path"] ?? obj["uri"] ?? obj["text"] ?? "[asset]";
    default: {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(obj)) {
        if (v !== undefined) out[k] = maskWireValue(v, shapes);
      }
      return out;
    }
  }
}

/** Drops the engine's internal keys (`__provider`, …) at every level, as it does for analyzers. */
function withoutInternalKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutInternalKeys);
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  if (obj[SIG_KEY] !== undefined) {
    return obj[SIG_KEY] === SECRET_SIG ? { ...obj, value: withoutInternalKeys(obj["value"]) } : obj;
  }
  return Object.fromEntries(Object.entries(obj).filter(([k, v]) => !k.startsWith("__") && v !== undefined).map(([k, v]) => [k, withoutInternalKeys(v)]));
}

const isWireSecret = (v: unknown) => typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;

/** Alias specs and URNs as the request carries them. */
function aliasesOf(req: any): SynthResourceOptions["aliases"] {
  const out: SynthResourceOptions["aliases"] = [];
  for (const a of req.getAliasesList?.() ?? []) {
    if (a.hasUrn?.() && a.getUrn()) {
      out.push(a.getUrn());
      continue;
    }
    const spec = a.getSpec?.();
    if (!spec) continue;
    const entry: { name?: string; type?: string; stack?: string; project?: string; parent?: string | null } = {};
    if (spec.getName()) entry.name = spec.getName();
    if (spec.getType()) entry.type = spec.getType();
    if (spec.getStack()) entry.stack = spec.getStack();
    if (spec.getProject()) entry.project = spec.getProject();
    if (spec.getNoparent?.()) entry.parent = null;
    else if (spec.getParenturn?.()) entry.parent = spec.getParenturn();
    out.push(entry);
  }
  return out;
}

/**
 * Records every registration before the SDK's mock monitor answers it, and refuses what the
 * engine refuses: a URN registered twice, a parent, provider or dependency that was never
 * registered.
 */
class RecordingMonitor extends MockMonitor {
  readonly records: SynthResource[] = [];
  readonly engine: EngineResource[] = [];
  private readonly byUrn = new Map<string, { record: SynthResource; engine: EngineResource }>();
  /** Refusals, in order; the first one fails the run. */
  readonly refusals: EngineRefusal[] = [];
  /** Stack transforms (`pulumi.runtime.registerResourceTransform`), in registration order. */
  private readonly stackTransforms: any[] = [];
  /** Each registered resource's own transforms, which the engine also applies to its descendants. */
  private readonly resourceTransforms = new Map<string, any[]>();
  /** Called on the first refusal: the refused resource's children would otherwise wait forever. */
  onRefusal: (refusal: EngineRefusal) => void = () => undefined;

  constructor(
    mocks: ConstructorParameters<typeof MockMonitor>[0],
    private readonly explain: SynthOptions["explainRegistration"],
    private readonly secretShapes = false,
  ) {
    super(mocks);
  }

  private refuse(message: string, resource: { type: string; name: string; urn: string }): EngineRefusal {
    const hint = this.explain?.(resource);
    const refusal = new EngineRefusal(hint ? `${message} ${hint}` : message);
    this.refusals.push(refusal);
    if (this.refusals.length === 1) this.onRefusal(refusal);
    return refusal;
  }

  /** The engine's checks on a registration, before it is answered. */
  private check(req: any, urn: string): EngineRefusal | undefined {
    const resource = { type: req.getType(), name: req.getName(), urn };
    if (this.byUrn.has(urn)) {
      return this.refuse(`Duplicate resource URN '${urn}': two resources of type ${resource.type} are named '${resource.name}' under the same parent; the engine refuses this at preview. Give each a distinct name.`, resource);
    }
    const parent: string = req.getParent();
    if (parent && !this.byUrn.has(parent)) return this.refuse(`Resource '${urn}' names a parent that was never registered: '${parent}'.`, resource);
    const provider: string = req.getProvider();
    if (provider) {
      const providerUrn = provider.split("::").slice(0, -1).join("::");
      const known = this.byUrn.get(providerUrn);
      if (!known) return this.refuse(`Resource '${urn}' uses a provider that was never registered: '${providerUrn}'.`, resource);
      if (!known.record.type.startsWith("pulumi:providers:")) return this.refuse(`Resource '${urn}' uses '${providerUrn}' as its provider, but that is a ${known.record.type}, not a provider.`, resource);
    }
    for (const dep of req.getDependenciesList() as string[]) {
      if (!this.byUrn.has(dep)) return this.refuse(`Resource '${urn}' depends on a resource that was never registered: '${dep}'.`, resource);
    }
    const deletedWith: string = req.getDeletedwith?.() ?? "";
    if (deletedWith && !this.byUrn.has(deletedWith)) return this.refuse(`Resource '${urn}' is deletedWith a resource that was never registered: '${deletedWith}'.`, resource);
    return undefined;
  }

  /** The engine's side of `pulumi.runtime.registerResourceTransform`: remember the callback. */
  registerStackTransform(req: any, callback: (err: any, resp: any) => void): void {
    this.stackTransforms.push(req);
    callback(null, {});
  }

  /**
   * Runs the transforms the engine would run on a registration, in the engine's order: the
   * resource's own, then each ancestor's, then the stack's. Each is the SDK's own callback, invoked
   * through the SDK's callback server in process, exactly as the engine invokes it over gRPC.
   */
  private async applyTransforms(req: any): Promise<void> {
    const chain: any[] = [...(req.getTransformsList?.() ?? [])];
    for (let parent: string = req.getParent(); parent; parent = this.byUrn.get(parent)?.record.parent ?? "") chain.push(...(this.resourceTransforms.get(parent) ?? []));
    chain.push(...this.stackTransforms);
    if (chain.length === 0) return;
    const resproto = require("@pulumi/pulumi/proto/resource_pb.js");
    const callbackproto = require("@pulumi/pulumi/proto/callback_pb.js");
    const server = (require("@pulumi/pulumi/runtime/settings") as { getCallbacks(): any }).getCallbacks();
    for (const transform of chain) {
      const treq = new resproto.TransformRequest();
      treq.setType(req.getType());
      treq.setName(req.getName());
      treq.setCustom(req.getCustom());
      treq.setParent(req.getParent());
      treq.setProperties(req.getObject());
      const o = new resproto.TransformResourceOptions();
      o.setDependsOnList(req.getDependenciesList());
      o.setProtect(Boolean(req.getProtect?.()));
      o.setIgnoreChangesList(req.getIgnorechangesList());
      o.setReplaceOnChangesList(req.getReplaceonchangesList?.() ?? []);
      o.setAliasesList(req.getAliasesList?.() ?? []);
      o.setProvider(req.getProvider());
      o.setDeleteBeforeReplace(Boolean(req.getDeletebeforereplace?.()));
      o.setAdditionalSecretOutputsList(req.getAdditionalsecretoutputsList?.() ?? []);
      o.setRetainOnDelete(Boolean(req.getRetainondelete?.()));
      o.setDeletedWith(req.getDeletedwith?.() ?? "");
      treq.setOptions(o);
      const invoke = new callbackproto.CallbackInvokeRequest();
      invoke.setToken(transform.getToken());
      invoke.setRequest(treq.serializeBinary());
      const resp: any = await new Promise((done, fail) => server.invoke({ request: invoke }, (err: unknown, r: unknown) => (err ? fail(err) : done(r))));
      const tresp = resproto.TransformResponse.deserializeBinary(resp.getResponse_asU8());
      if (tresp.getProperties()) req.setObject(tresp.getProperties());
      const opts = tresp.getOptions();
      if (!opts) continue;
      req.setProtect(opts.getProtect());
      req.setIgnorechangesList(opts.getIgnoreChangesList());
      req.setReplaceonchangesList(opts.getReplaceOnChangesList());
      req.setAliasesList(opts.getAliasesList());
      req.setDeletebeforereplace(opts.getDeleteBeforeReplace());
      req.setAdditionalsecretoutputsList(opts.getAdditionalSecretOutputsList());
      req.setRetainondelete(opts.getRetainOnDelete());
      req.setDeletedwith(opts.getDeletedWith());
      if (opts.getProvider()) req.setProvider(opts.getProvider());
      req.setDependenciesList([...new Set<string>([...req.getDependenciesList(), ...opts.getDependsOnList()])]);
    }
  }

  override async registerResource(req: any, callback: (err: any, resp: any) => void): Promise<void> {
    try {
      await this.applyTransforms(req);
    } catch (err) {
      callback(err, undefined);
      return;
    }
    const urn: string = (this as any).newUrn(req.getParent(), req.getType(), req.getName());
    const own = req.getTransformsList?.() ?? [];
    if (own.length > 0) this.resourceTransforms.set(urn, own);
    const refusal = this.check(req, urn);
    if (refusal) {
      callback(refusal, undefined);
      return;
    }
    const wireInputs = withoutInternalKeys(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
    const inputs = maskWireValue(req.getObject()?.toJavaScript() ?? {}, this.secretShapes) as Record<string, unknown>;
    const parent: string = req.getParent();
    const provider: string = req.getProvider();
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap?.().forEach((deps: any, key: string) => {
      const urns = deps.getUrnsList() as string[];
      if (urns.length > 0) propertyDependencies[key] = urns;
    });
    const options: SynthResourceOptions = {
      ignoreChanges: req.getIgnorechangesList(),
      retainOnDelete: Boolean(req.getRetainondelete?.()),
      protect: Boolean(req.getProtect?.()),
      deleteBeforeReplace: Boolean(req.getDeletebeforereplace?.()),
      deletedWith: req.getDeletedwith?.() || null,
      aliases: aliasesOf(req),
      replaceOnChanges: req.getReplaceonchangesList?.() ?? [],
      additionalSecretOutputs: req.getAdditionalsecretoutputsList?.() ?? [],
    };
    // Registered before the answer so that a second registration of the URN is refused even while
    // the first is still being answered.
    const custom: boolean = req.getCustom();
    const record: SynthResource = {
      urn,
      type: req.getType(),
      name: req.getName(),
      parent: parent || null,
      custom,
      provider: provider || null,
      inputs,
      outputs: {},
      dependsOn: [...new Set<string>(req.getDependenciesList())],
      options,
      id: null,
    };
    const engine: EngineResource = {
      urn,
      type: record.type,
      name: record.name,
      parent: parent ?? "",
      custom,
      provider: provider ?? "",
      dependencies: record.dependsOn,
      propertyDependencies,
      inputs: wireInputs,
      outputs: custom ? {} : wireInputs,
      options,
    };
    this.byUrn.set(urn, { record, engine });
    return super.registerResource(req, (err: any, resp: any) => {
      if (!err) {
        const id: string = resp.getId();
        record.id = custom && id ? id : null;
        if (custom) {
          // The provider's state; a property that was a secret input stays a secret output.
          const state = withoutInternalKeys(resp.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
          for (const [k, v] of Object.entries(wireInputs)) {
            if (isWireSecret(v) && k in state && !isWireSecret(state[k])) state[k] = { [SIG_KEY]: SECRET_SIG, value: state[k] };
          }
          engine.outputs = state;
          record.outputs = maskWireValue(state, this.secretShapes) as Record<string, unknown>;
        } else {
          // Until registerOutputs arrives a component's outputs are its inputs, as the engine has them.
          record.outputs = inputs;
        }
        this.records.push(record);
        this.engine.push(engine);
      } else {
        this.byUrn.delete(urn);
      }
      callback(err, resp);
    });
  }

  override registerResourceOutputs(req: any, callback: (err: any, resp: any) => void): void {
    // The engine replaces a component's outputs with exactly what registerOutputs passed.
    const known = this.byUrn.get(req.getUrn());
    if (known) {
      const wire = req.getOutputs()?.toJavaScript() ?? {};
      known.engine.outputs = withoutInternalKeys(wire) as Record<string, unknown>;
      known.record.outputs = maskWireValue(wire, this.secretShapes) as Record<string, unknown>;
    }
    super.registerResourceOutputs(req, callback);
  }
}

/** Resolves every Output in a value, masking secrets, so stack outputs can be written as JSON. */
async function resolvePlain(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    const o = value as pulumi.Output<unknown>;
    if (await pulumi.isSecret(o)) return SECRET_PLACEHOLDER;
    // An apply on an unknown never runs (preview): waiting on it would never end.
    if (!(await (o as unknown as { isKnown: Promise<boolean> }).isKnown)) return UNKNOWN_PLACEHOLDER;
    return resolvePlain(await new Promise((resolve) => o.apply(resolve)));
  }
  if (value instanceof Promise) return resolvePlain(await value);
  if (pulumi.Resource.isInstance(value)) return resolvePlain((value as pulumi.Resource).urn);
  if (Array.isArray(value)) return Promise.all(value.map(resolvePlain));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await resolvePlain(v);
    return out;
  }
  return value;
}

/** Lets queued promise rejections reach their handlers. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs `program` as the body of a Pulumi stack under the SDK's mocks and returns every resource
 * it registered. Errors thrown by the program, or by any resource registration, reject the
 * returned promise with the original error. One run at a time per process: the SDK's runtime
 * state is global.
 */
export async function synthesize(
  program: () => unknown,
  options: SynthOptions = {},
): Promise<SynthResult> {
  const project = options.project ?? "canalkit";
  const stack = options.stack ?? "dev";
  const lookups = options.lookups ?? {};
  const warnings: string[] = [];
  const failures: unknown[] = [];

  const monitor: RecordingMonitor = new RecordingMonitor(
    {
    newResource: (args) => offlineResourceState(args, { stack, project, preview: options.preview ?? false }),
    call: (args): Record<string, unknown> => {
      try {
        return answerInvoke(args, monitor.records, lookups);
      } catch (err) {
        // The SDK turns a failed invoke into an error without a message; keep the real one.
        failures.push(err);
        throw err;
      }
    },
  },
    options.explainRegistration,
    options.recordSecretShapes ?? false,
  );
  pulumi.runtime.setMockOptions(monitor, project, stack, options.preview ?? false);
  // The SDK keeps one callback server per process, bound to the monitor it was created with: give
  // this run its own, so stack transforms reach this run's monitor.
  const callbackStore = (pulumi.runtime as any).getStore?.() ?? (globalThis as any).globalStore;
  if (callbackStore?.callbacks) {
    callbackStore.callbacks.shutdown?.();
    callbackStore.callbacks = undefined;
  }
  // The same feature set `pulumi.runtime.setMocks` enables.
  const store = (pulumi.runtime as any).getStore?.() ?? (globalThis as any).globalStore;
  if (store) {
    store.supportsSecrets = true;
    store.supportsResourceReferences = true;
    store.supportsOutputValues = false;
    store.supportsDeletedWith = true;
    store.supportsAliasSpecs = true;
    // Transforms run here as the engine runs them (RecordingMonitor.applyTransforms).
    store.supportsTransforms = true;
  }
  pulumi.runtime.setAllConfig(options.config ?? {}, options.secretKeys ?? []);

  // Errors inside Output callbacks surface as unhandled rejections in a real run too.
  const onRejection = (reason: unknown) => failures.push(reason);
  process.on("unhandledRejection", onRejection);
  const originalWarn = pulumi.log.warn;
  const originalError = pulumi.log.error;
  (pulumi.log as any).warn = (msg: string) => {
    warnings.push(msg);
    return Promise.resolve();
  };
  (pulumi.log as any).error = (msg: string) => {
    failures.push(new Error(msg));
    return Promise.resolve();
  };
  try {
    // Keep the program's own return value: the stack's resolved outputs no longer say what is secret.
    let returned: unknown;
    try {
      // The engine stops the deployment at its first refusal; so does synth.
      const refused = new Promise<never>((_, reject) => (monitor.onRefusal = reject));
      refused.catch(() => undefined);
      const run = async () => {
        await pulumi.runtime.runInPulumiStack(async () => (returned = await program()));
        await (require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> }).waitForRPCs();
      };
      await Promise.race([run(), refused]);
    } catch (err) {
      // Some SDK failures reject with an empty error after logging the real one.
      await settle();
      if (monitor.refusals.length > 0) throw monitor.refusals[0];
      throw err instanceof Error && !err.message && failures.length > 0 ? failures[0] : err;
    }
    await settle();
    if (monitor.refusals.length > 0) throw monitor.refusals[0];
    if (failures.length > 0) throw failures[0];
    const plainOutputs = ((await resolvePlain(returned ?? {})) ?? {}) as Record<string, unknown>;
    const result: SynthResult = { resources: [...monitor.records], outputs: plainOutputs, warnings };
    engineViews.set(result, [...monitor.engine]);
    return result;
  } finally {
    // A failed stack also rejects promises the SDK holds; let them land here, not in the next run.
    await settle();
    process.off("unhandledRejection", onRejection);
    (pulumi.log as any).warn = originalWarn;
    (pulumi.log as any).error = originalError;
  }
}

/** Finds the resources of one type token in a synth result. */
export function resourcesOfType(result: SynthResult, type: string): SynthResource[] {
  return result.resources.filter((r) => r.type === type);
}
