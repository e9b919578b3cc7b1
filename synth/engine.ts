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
  /** Options the engine would honour that policies and diffs care about. */
  options: { ignoreChanges: string[]; retainOnDelete: boolean; protect: boolean; deleteBeforeReplace: boolean };
  /** Deterministic fake id given by the offline engine (`null` for components). */
  id: string | null;
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
}

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The placeholder written wherever a secret value would appear. */
export const SECRET_PLACEHOLDER = "[secret]";
/** The placeholder written for values only known after deployment. */
export const UNKNOWN_PLACEHOLDER = "[unknown]";

/**
 * Turns the wire form of a property value into plain JSON, masking secrets. Resource references
 * become their URN; assets and archives their path, text or URI.
 */
export function maskWireValue(value: unknown): unknown {
  if (value === UNKNOWN) return UNKNOWN_PLACEHOLDER;
  if (Array.isArray(value)) return value.map(maskWireValue);
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  switch (obj[SIG_KEY]) {
    case SECRET_SIG:
      return SECRET_PLACEHOLDER;
    case RESOURCE_SIG:
      return obj["urn"];
    case OUTPUT_SIG:
      if (obj["secret"]) return SECRET_PLACEHOLDER;
      return "value" in obj ? maskWireValue(obj["value"]) : UNKNOWN_PLACEHOLDER;
    case ASSET_SIG:
    case ARCHIVE_SIG:
      return obj["path"] ?? obj["uri"] ?? obj["text"] ?? "[asset]";
    default: {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(obj)) {
        if (v !== undefined) out[k] = maskWireValue(v);
      }
      return out;
    }
  }
}

/** Records every registration before the SDK's mock monitor answers it. */
class RecordingMonitor extends MockMonitor {
  readonly records: SynthResource[] = [];

  override async registerResource(req: any, callback: (err: any, resp: any) => void): Promise<void> {
    const inputs = maskWireValue(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
    const parent: string = req.getParent();
    const provider: string = req.getProvider();
    return super.registerResource(req, (err: any, resp: any) => {
      if (!err) {
        const custom: boolean = req.getCustom();
        const id: string = resp.getId();
        this.records.push({
          urn: resp.getUrn(),
          type: req.getType(),
          name: req.getName(),
          parent: parent || null,
          custom,
          provider: provider || null,
          inputs,
          dependsOn: [...new Set<string>(req.getDependenciesList())],
          options: {
            ignoreChanges: req.getIgnorechangesList(),
            retainOnDelete: Boolean(req.getRetainondelete?.()),
            protect: Boolean(req.getProtect?.()),
            deleteBeforeReplace: Boolean(req.getDeletebeforereplace?.()),
          },
          id: custom && id ? id : null,
        });
      }
      callback(err, resp);
    });
  }
}

/** Resolves every Output in a value, masking secrets, so stack outputs can be written as JSON. */
async function resolvePlain(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    const o = value as pulumi.Output<unknown>;
    if (await pulumi.isSecret(o)) return SECRET_PLACEHOLDER;
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

  const monitor: RecordingMonitor = new RecordingMonitor({
    newResource: (args) => offlineResourceState(args, { stack, project }),
    call: (args): Record<string, unknown> => {
      try {
        return answerInvoke(args, monitor.records, lookups);
      } catch (err) {
        // The SDK turns a failed invoke into an error without a message; keep the real one.
        failures.push(err);
        throw err;
      }
    },
  });
  pulumi.runtime.setMockOptions(monitor, project, stack, options.preview ?? false);
  // The same feature set `pulumi.runtime.setMocks` enables.
  const store = (pulumi.runtime as any).getStore?.() ?? (globalThis as any).globalStore;
  if (store) {
    store.supportsSecrets = true;
    store.supportsResourceReferences = true;
    store.supportsOutputValues = false;
    store.supportsDeletedWith = true;
    store.supportsAliasSpecs = true;
    store.supportsTransforms = false;
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
      await pulumi.runtime.runInPulumiStack(async () => (returned = await program()));
    } catch (err) {
      // Some SDK failures reject with an empty error after logging the real one.
      await settle();
      throw err instanceof Error && !err.message && failures.length > 0 ? failures[0] : err;
    }
    await (require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> }).waitForRPCs();
    await settle();
    if (failures.length > 0) throw failures[0];
    const plainOutputs = ((await resolvePlain(returned ?? {})) ?? {}) as Record<string, unknown>;
    return { resources: [...monitor.records], outputs: plainOutputs, warnings };
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
