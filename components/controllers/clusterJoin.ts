/**
 * `ClusterJoin`: proof that a member really joined its cluster set. ErieCanal marks a `Cluster`
 * `Managed` as soon as it starts connecting, before the connection works, so this controller
 * waits (bounded) until the member's own mesh config says `isManaged: true` with the control
 * plane's UID (the UID of the control plane's ErieCanal namespace). Refresh reports drift: a
 * member that left, or that another control plane took.
 */
import * as pulumi from "@pulumi/pulumi";
import { ControllerResource } from "./engineLoader";
import { connectKubernetes, readOrUndefined, type KubernetesApis } from "./kubernetesApi";
import { waitFailures } from "./checks";
import { withDeadline } from "./deadline";
import { withoutCredentials } from "./redact";
import { readOrKeepLast } from "./refresh";
import { isTransient, retryTransient } from "./retry";

/** Bumped whenever what the controller checks changes, so existing joins are verified again. */
export const CLUSTER_JOIN_VERSION = "cluster-join/1";

/** The inputs a `ClusterJoin` registers as secrets (its kubeconfigs); state holds them encrypted. */
export const CLUSTER_JOIN_SECRET_INPUTS = ["controlPlaneKubeconfig", "memberKubeconfig"] as const;

/** The ConfigMap ErieCanal keeps its mesh config in (the control plane rewrites it on join). */
const MESH_CONFIG = "erie-canal-mesh-config";

/** Inputs as the provider receives them (resolved). */
export interface ClusterJoinInputs {
  memberName: string;
  clusterKey: string;
  namespace: string;
  controlPlaneName: string;
  controlPlaneKubeconfig: string;
  memberKubeconfig: string;
  timeoutSeconds: number;
  pollSeconds: number;
  controllerVersion: string;
}

/** Outputs: the inputs plus what was verified. */
export interface ClusterJoinOutputs extends ClusterJoinInputs {
  managed: boolean;
  controlPlaneUid: string;
  /** The control plane the member's mesh config names (differs from `controlPlaneUid` on drift). */
  memberControlPlaneUid: string;
  verifiedAt: string;
  /** Set by a refresh that could not read the clusters (the rest is the last recorded state). */
  warning?: string;
}

/** What one look at both clusters showed. */
export interface JoinObservation {
  controlPlaneUid: string;
  /** The member's mesh config, or undefined when the ConfigMap does not exist. */
  meshConfig?: { isManaged: boolean; controlPlaneUid: string; uid: string; clusterName: string };
}

/** Reads the control plane's namespace UID and the member's mesh config once (transient errors retried). */
export async function observeJoin(controlPlane: KubernetesApis, member: KubernetesApis, input: Pick<ClusterJoinInputs, "namespace" | "controlPlaneName" | "memberName">): Promise<JoinObservation> {
  const namespace = await retryTransient(() => readOrUndefined(() => controlPlane.core.readNamespace({ name: input.namespace })));
  const controlPlaneUid = namespace?.metadata?.uid;
  if (!controlPlaneUid) {
    throw new Error(`ClusterJoin ${input.memberName}: the control plane ${input.controlPlaneName} has no namespace ${input.namespace}; install ErieCanal there in that namespace first`);
  }
  const configMap = await retryTransient(() => readOrUndefined(() => member.core.readNamespacedConfigMap({ name: MESH_CONFIG, namespace: input.namespace })));
  if (!configMap) return { controlPlaneUid };
  let parsed: { isManaged?: boolean; cluster?: { controlPlaneUID?: string; uid?: string; name?: string } } = {};
  try {
    parsed = JSON.parse(configMap.data?.["mesh_config.json"] ?? "{}");
  } catch {
    // An unreadable mesh config counts as not joined; the timeout message shows it.
  }
  return {
    controlPlaneUid,
    meshConfig: { isManaged: parsed.isManaged === true, controlPlaneUid: parsed.cluster?.controlPlaneUID ?? "", uid: parsed.cluster?.uid ?? "", clusterName: parsed.cluster?.name ?? "" },
  };
}

/** Whether the observation proves the join. */
export function isJoined(seen: JoinObservation): boolean {
  return seen.meshConfig?.isManaged === true && seen.meshConfig.controlPlaneUid === seen.controlPlaneUid;
}

/** A member another control plane manages (a member whose own UID is its control plane is unmanaged). */
function takenByOther(seen: JoinObservation): boolean {
  const m = seen.meshConfig;
  return !!m && m.controlPlaneUid !== "" && m.controlPlaneUid !== seen.controlPlaneUid && m.controlPlaneUid !== m.uid;
}

function describe(seen: JoinObservation | undefined, namespace: string): string {
  if (!seen) return "nothing (no answer from the clusters)";
  if (!seen.meshConfig) return `no ConfigMap ${namespace}/${MESH_CONFIG} on the member`;
  const m = seen.meshConfig;
  return `isManaged=${m.isManaged}, controlPlaneUID="${m.controlPlaneUid}" (expected "${seen.controlPlaneUid}"), cluster name "${m.clusterName}"`;
}

/** Waits until the member is joined; fails with what was seen and the likely causes. */
export async function waitForJoin(inputs: ClusterJoinInputs): Promise<JoinObservation> {
  const controlPlane = connectKubernetes(inputs.controlPlaneKubeconfig);
  const member = connectKubernetes(inputs.memberKubeconfig);
  const deadline = Date.now() + inputs.timeoutSeconds * 1000;
  let last: JoinObservation | undefined;
  let lastError: Error | undefined;
  for (;;) {
    try {
      // Every request of the look is cut to the time left, so a hung API server cannot hold it.
      last = await withDeadline(deadline, () => observeJoin(controlPlane, member, inputs));
      lastError = undefined;
      if (isJoined(last)) return last;
      if (takenByOther(last)) {
        throw new Error(`ClusterJoin ${inputs.memberName}: the member is managed by another control plane (controlPlaneUID "${last.meshConfig!.controlPlaneUid}", not ${inputs.controlPlaneName}'s "${last.controlPlaneUid}"); a member joins one control plane only: remove its Cluster from the other control plane, or use that one`);
      }
    } catch (error) {
      // Transient failures already had their retries; keep looking until the bound. Anything
      // else (no namespace, another control plane, 401/403, a bad kubeconfig) will not heal.
      if (!isTransient(error)) {
        if (/^ClusterJoin /.test((error as Error).message)) throw error;
        throw new Error(`ClusterJoin ${inputs.memberName}: cannot read the clusters: ${(error as Error).message.split("\n")[0]}`);
      }
      lastError = error as Error;
    }
    if (Date.now() + inputs.pollSeconds * 1000 > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, inputs.pollSeconds * 1000));
  }
  const failed = lastError ? `an error reading the clusters: ${lastError.message.split("\n")[0]}` : undefined;
  const seen = last ? `${describe(last, inputs.namespace)}${failed ? `; then ${failed}` : ""}` : (failed ?? describe(last, inputs.namespace));
  throw new Error(
    `ClusterJoin ${inputs.memberName} (${inputs.clusterKey}): not joined to ${inputs.controlPlaneName} after ${inputs.timeoutSeconds}s; last seen: ${seen}. ` +
      `Likely causes: the member's gatewayHost does not resolve to an IPv4 address from the control plane's manager pod; ` +
      `ErieCanal runs in another namespace than "${inputs.namespace}" on the member; the control plane cannot reach the member's API server (security groups, private endpoint); ` +
      `the member is managed by another control plane. The control plane's erie-canal-manager log names the cause.`,
  );
}

const KEYS_THAT_MATTER: (keyof ClusterJoinInputs)[] = ["memberName", "clusterKey", "namespace", "controlPlaneName", "controlPlaneKubeconfig", "memberKubeconfig", "controllerVersion"];

/** The dynamic provider. Plain object, modules loaded inside the calls. */
export const clusterJoinProvider: pulumi.dynamic.ResourceProvider<ClusterJoinInputs, ClusterJoinOutputs> = {
  async check(_olds, news) {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    for (const key of ["memberName", "clusterKey", "namespace", "controlPlaneName", "controlPlaneKubeconfig", "memberKubeconfig"] as const) {
      if (typeof news[key] !== "string" || news[key] === "") failures.push({ property: key, reason: `${key} is required` });
    }
    failures.push(...waitFailures(news));
    return { inputs: news, failures };
  },
  async diff(_id, olds: ClusterJoinOutputs, news) {
    const changed = KEYS_THAT_MATTER.filter((k) => olds[k] !== news[k]);
    // A refresh that found the member gone or taken makes the next update verify again.
    return { changes: changed.length > 0 || olds.managed !== true, replaces: changed.includes("memberName") ? ["memberName"] : [] };
  },
  async create(inputs) {
    const seen = await withoutCredentials([inputs.controlPlaneKubeconfig, inputs.memberKubeconfig], () => waitForJoin(inputs));
    return { id: inputs.clusterKey, outs: { ...inputs, managed: true, controlPlaneUid: seen.controlPlaneUid, memberControlPlaneUid: seen.meshConfig!.controlPlaneUid, verifiedAt: new Date().toISOString() } };
  },
  async read(id, props) {
    if (!props) throw new Error(`ClusterJoin ${id}: cannot be read without its recorded state (import is not supported)`);
    // A control plane without its ErieCanal namespace no longer holds the join: drift, not an
    // error. An unreachable cluster keeps the last state, with a warning (readOrKeepLast).
    return readOrKeepLast("ClusterJoin", id, props, [props.controlPlaneKubeconfig, props.memberKubeconfig], async () => {
      const seen = await observeJoin(connectKubernetes(props.controlPlaneKubeconfig), connectKubernetes(props.memberKubeconfig), props).catch((error: Error) => {
        if (/ has no namespace /.test(error.message)) return { controlPlaneUid: "" } as JoinObservation;
        throw error;
      });
      return { ...props, managed: isJoined(seen), controlPlaneUid: seen.controlPlaneUid, memberControlPlaneUid: seen.meshConfig?.controlPlaneUid ?? "" };
    });
  },
  async update(_id, _olds, news) {
    const seen = await withoutCredentials([news.controlPlaneKubeconfig, news.memberKubeconfig], () => waitForJoin(news));
    return { outs: { ...news, managed: true, controlPlaneUid: seen.controlPlaneUid, memberControlPlaneUid: seen.meshConfig!.controlPlaneUid, verifiedAt: new Date().toISOString() } };
  },
  async delete() {
    // Nothing to undo: leaving the set is deleting the member's Cluster on the control plane.
  },
};

/** Inputs of `ClusterJoin`. */
export interface ClusterJoinArgs {
  memberName: pulumi.Input<string>;
  clusterKey: pulumi.Input<string>;
  /** The ErieCanal namespace (the same in every member). */
  namespace: pulumi.Input<string>;
  controlPlaneName: pulumi.Input<string>;
  /** Secret. Reads the control plane's ErieCanal namespace. */
  controlPlaneKubeconfig: pulumi.Input<string>;
  /** Secret. Reads the member's mesh config. */
  memberKubeconfig: pulumi.Input<string>;
  /** How long to wait for the join. Default 300. */
  timeoutSeconds?: pulumi.Input<number>;
  /** How often to look. Default 5. */
  pollSeconds?: pulumi.Input<number>;
}

/** Waits during `pulumi up` until a member has really joined. */
export class ClusterJoin extends ControllerResource {
  declare readonly managed: pulumi.Output<boolean>;
  declare readonly controlPlaneUid: pulumi.Output<string>;
  declare readonly verifiedAt: pulumi.Output<string>;

  constructor(name: string, args: ClusterJoinArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "ClusterJoin",
      name,
      {
        ...args,
        controlPlaneKubeconfig: pulumi.secret(args.controlPlaneKubeconfig),
        memberKubeconfig: pulumi.secret(args.memberKubeconfig),
        timeoutSeconds: args.timeoutSeconds ?? 300,
        pollSeconds: args.pollSeconds ?? 5,
        controllerVersion: CLUSTER_JOIN_VERSION,
        managed: undefined,
        controlPlaneUid: undefined,
        memberControlPlaneUid: undefined,
        verifiedAt: undefined,
        warning: undefined,
      },
      { ...opts, additionalSecretOutputs: [...CLUSTER_JOIN_SECRET_INPUTS] },
    );
  }
}
