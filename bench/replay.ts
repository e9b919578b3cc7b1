/**
 * The "same resources" floor: replays a recorded synth result as a hand-written program would
 * register it — the same resource classes of `@pulumi/aws` and `@pulumi/kubernetes`, names,
 * parents, explicit providers, dependencies, resource options and secret inputs (as secrets of the
 * recorded shape and length, so as many bytes go to the engine), with resolved plain values
 * otherwise, each component with the inputs and outputs it registers and the stack with the
 * outputs the program exported — with no kit code: no planning, no validation, no components'
 * logic and no Output plumbing between resources. The kit's evaluation time over this floor's is
 * what the kit itself adds.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import { SECRET_PLACEHOLDER, type SynthResource } from "../synth/engine";

type ResourceClass = new (name: string, args: Record<string, unknown>, opts: pulumi.CustomResourceOptions) => pulumi.Resource;

/** Kubernetes API groups whose SDK namespace is not the group's first label. */
const KUBERNETES_GROUP_NAMESPACES: Record<string, string> = { "rbac.authorization.k8s.io": "rbac" };

/** The SDK class registering `type`, or undefined when no typed class exists for it. */
function classFor(type: string): ResourceClass | undefined {
  if (type === "pulumi:providers:aws") return aws.Provider as unknown as ResourceClass;
  if (type === "pulumi:providers:kubernetes") return k8s.Provider as unknown as ResourceClass;
  const [pkg, module, className] = type.split(":");
  if (!module || !className) return undefined;
  const [group, version] = module.split("/");
  if (pkg === "aws") return (aws as unknown as Record<string, Record<string, ResourceClass>>)[group!]?.[className];
  if (pkg === "kubernetes" && group && version) {
    const namespace = KUBERNETES_GROUP_NAMESPACES[group] ?? group.split(".")[0]!;
    return (k8s as unknown as Record<string, Record<string, Record<string, ResourceClass>>>)[namespace]?.[version]?.[className];
  }
  return undefined;
}

/** A component with the inputs it registered and the outputs it published (for policies and other stacks). */
class RecordedComponent extends pulumi.ComponentResource {
  constructor(type: string, name: string, inputs: pulumi.Inputs, outputs: pulumi.Inputs, opts: pulumi.ComponentResourceOptions) {
    super(type, name, inputs, opts);
    if (Object.keys(outputs).length > 0) this.registerOutputs(outputs);
  }
}

/** Custom resources of kinds without a typed class (flomesh.io, multicluster.x-k8s.io, …). */
class UntypedKubernetesObject extends k8s.apiextensions.CustomResource {}

/** Any other custom resource (dynamic ones: their recorded inputs carry the serialized provider). */
class RecordedCustomResource extends pulumi.CustomResource {
  constructor(type: string, name: string, props: Record<string, unknown>, opts: pulumi.CustomResourceOptions) {
    super(type, name, props, opts);
  }
}

/** A provider's recorded inputs as its constructor takes them (it JSON-encodes non-string values itself). */
function providerArgs(inputs: Record<string, unknown>): Record<string, unknown> {
  const decode = (v: unknown): unknown => {
    if (typeof v !== "string") return v;
    try {
      const parsed: unknown = JSON.parse(v);
      return typeof parsed === "string" ? v : parsed;
    } catch {
      return v;
    }
  };
  return Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, decode(v)]));
}

/**
 * The recorded inputs with every value recorded as a secret registered as a secret again: the
 * secret's recorded shape (`recordSecretShapes`: as many bytes as the program sent) or, in a record
 * without shapes, the placeholder.
 */
function withSecrets(inputs: Record<string, unknown>): Record<string, unknown> {
  const walk = (value: unknown): unknown => {
    if (value === SECRET_PLACEHOLDER) return pulumi.secret(value);
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === "object") {
      const entries = Object.entries(value);
      if (entries.length === 1 && entries[0]![0] === SECRET_PLACEHOLDER) return pulumi.secret(entries[0]![1]);
      return Object.fromEntries(entries.map(([k, v]) => [k, walk(v)]));
    }
    return value;
  };
  return walk(inputs) as Record<string, unknown>;
}

/** A custom resource's inputs as the replay passes them to its class. */
export function replayInputs(resource: Pick<SynthResource, "type" | "inputs">): Record<string, unknown> {
  return withSecrets(resource.type.startsWith("pulumi:providers:") ? providerArgs(resource.inputs) : resource.inputs);
}

/** The stack outputs the recorded program exported (secrets as secrets again), for the replay to export. */
export function replayStackOutputs(resources: SynthResource[]): Record<string, unknown> {
  const stack = resources.find((r) => r.type === "pulumi:pulumi:Stack");
  return stack ? withSecrets(stack.outputs) : {};
}

/** Registers every recorded resource again, directly with the SDK. Returns how many. */
export function replayResources(resources: SynthResource[]): number {
  const byUrn = new Map<string, pulumi.Resource>();
  let registered = 0;
  for (const resource of resources) {
    if (resource.type === "pulumi:pulumi:Stack") continue;
    const parent = resource.parent ? byUrn.get(resource.parent) : undefined;
    const dependsOn = resource.dependsOn.map((urn) => byUrn.get(urn)).filter((r): r is pulumi.Resource => r !== undefined);
    const { ignoreChanges, retainOnDelete, protect, deleteBeforeReplace, deletedWith, replaceOnChanges, additionalSecretOutputs } = resource.options;
    const deletedWithResource = deletedWith ? byUrn.get(deletedWith) : undefined;
    const common: pulumi.ResourceOptions = {
      ...(parent ? { parent } : {}),
      ...(dependsOn.length > 0 ? { dependsOn } : {}),
      ...(protect ? { protect } : {}),
      ...(retainOnDelete ? { retainOnDelete } : {}),
      ...(deletedWithResource ? { deletedWith: deletedWithResource } : {}),
      ...(replaceOnChanges.length > 0 ? { replaceOnChanges } : {}),
    };
    let created: pulumi.Resource;
    if (!resource.custom) {
      created = new RecordedComponent(resource.type, resource.name, withSecrets(resource.inputs), withSecrets(resource.outputs), common);
    } else {
      const provider = resource.provider ? byUrn.get(resource.provider.split("::").slice(0, -1).join("::")) : undefined;
      const opts: pulumi.CustomResourceOptions = {
        ...common,
        ...(provider ? { provider: provider as pulumi.ProviderResource } : {}),
        ...(ignoreChanges.length > 0 ? { ignoreChanges } : {}),
        ...(deleteBeforeReplace ? { deleteBeforeReplace } : {}),
      };
      const inputs = replayInputs(resource);
      const typed = classFor(resource.type);
      // A typed class adds its own secret outputs (the recorded list already holds them).
      const untypedOpts = additionalSecretOutputs.length > 0 ? { ...opts, additionalSecretOutputs } : opts;
      if (typed) created = new typed(resource.name, inputs, opts);
      else if (resource.type.startsWith("kubernetes:")) created = new UntypedKubernetesObject(resource.name, inputs as k8s.apiextensions.CustomResourceArgs, untypedOpts);
      else created = new RecordedCustomResource(resource.type, resource.name, inputs, untypedOpts);
    }
    byUrn.set(resource.urn, created);
    registered++;
  }
  return registered;
}
