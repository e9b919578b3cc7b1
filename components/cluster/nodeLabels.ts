/**
 * Node-group labels and taints checked as Kubernetes and EKS check them, so a label kubelet
 * refuses (and with it the node, which then never joins) or a taint effect the EKS API rejects is
 * caught before `pulumi up`.
 *
 * Rules, from the Kubernetes API machinery (qualified names, label values), the kubelet's
 * `--node-labels` restriction on the kubernetes.io / k8s.io namespaces (`IsKubeletLabel` in
 * k8s.io/kubelet well_known_labels.go), and the EKS
 * `CreateNodegroup` API reference (label keys 1-63 characters in all and values 1-63; taint keys
 * 1-63 characters in all, values 0-63, effects NO_SCHEDULE / NO_EXECUTE / PREFER_NO_SCHEDULE, at
 * most 50 taints per node group).
 */
import { CanalkitInputError } from "../errors";

/** One node taint, as the EKS API takes it. */
export interface NodeTaint {
  /** Taint key: a Kubernetes qualified name. */
  key: string;
  /** Taint value: a Kubernetes label value (may be empty). */
  value?: string;
  /** What the taint does to pods that do not tolerate it. */
  effect: TaintEffect;
}

/** Taint effects, spelled as the EKS API spells them. */
export const TAINT_EFFECTS = ["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"] as const;
/** A taint effect EKS accepts. */
export type TaintEffect = (typeof TAINT_EFFECTS)[number];

/** The label the kit puts on every node of a group (so users must not set it). */
export const NODE_GROUP_LABEL = "canalkit.io/node-group";

const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Kubernetes' own spelling of the effects, which users bring from pod specs. */
const KUBERNETES_EFFECTS: Record<string, TaintEffect> = { NoSchedule: "NO_SCHEDULE", NoExecute: "NO_EXECUTE", PreferNoSchedule: "PREFER_NO_SCHEDULE" };
/** Labels in the kubernetes.io / k8s.io namespaces kubelet may set on itself. */
const KUBELET_ALLOWED_LABELS = new Set([
  "kubernetes.io/hostname", "kubernetes.io/os", "kubernetes.io/arch",
  "beta.kubernetes.io/instance-type", "beta.kubernetes.io/os", "beta.kubernetes.io/arch",
  "failure-domain.beta.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/region",
  "topology.kubernetes.io/zone", "topology.kubernetes.io/region",
]);

/** Why a label or taint key is not a Kubernetes qualified name, or undefined when it is. */
export function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split("/");
  if (parts.length > 2) return "has more than one '/'";
  const [prefix, name] = parts.length === 2 ? [parts[0]!, parts[1]!] : [undefined, parts[0]!];
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !SUBDOMAIN.test(prefix))) return "has a prefix that is not a DNS subdomain (lowercase letters, digits, '-' and '.')";
  if (name.length === 0 || name.length > 63 || !NAME.test(name)) return "is not a Kubernetes label key (up to 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit, optionally after a DNS-subdomain prefix and '/')";
  return undefined;
}

/** Why a label value is not allowed, or undefined when it is. */
export function labelValueProblem(value: string): string | undefined {
  if (value === "") return undefined;
  if (value.length > 63 || !NAME.test(value)) return "is not a Kubernetes label value (up to 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit; no spaces)";
  return undefined;
}

/** A label value with the forbidden characters replaced, as a suggestion. */
function repairedValue(value: string): string {
  const v = value.replace(/[^-A-Za-z0-9_.]+/g, "-").replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "").slice(0, 63);
  return v.replace(/[^A-Za-z0-9]+$/, "") || "value";
}

/** Whether kubelet refuses to set a label on its own node (restricted namespaces). */
function kubeletRefuses(key: string): boolean {
  const slash = key.indexOf("/");
  if (slash < 0) return false;
  const prefix = key.slice(0, slash);
  const restricted = ["kubernetes.io", "k8s.io"].some((ns) => prefix === ns || prefix.endsWith(`.${ns}`));
  if (!restricted) return false;
  const allowedPrefix = ["kubelet.kubernetes.io", "node.kubernetes.io"].some((ns) => prefix === ns || prefix.endsWith(`.${ns}`));
  return !allowedPrefix && !KUBELET_ALLOWED_LABELS.has(key);
}

/** The key path of a map entry: `.team`, or `["example.com/team"]` when the key is not a plain name. */
function entry(field: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? `${field}.${key}` : `${field}[${JSON.stringify(key)}]`;
}

/** EKS takes label and taint keys of at most 63 characters, prefix included. */
const EKS_KEY_LENGTH = 63;

/** Validates a node group's labels; `field` names the labels map. */
export function validateNodeLabels(field: string, labels: Record<string, string>): void {
  for (const [key, value] of Object.entries(labels)) {
    const keyProblem = qualifiedNameProblem(key) ?? (key.length > EKS_KEY_LENGTH ? `is ${key.length} characters long; EKS takes label keys of at most ${EKS_KEY_LENGTH}, prefix included` : undefined);
    if (keyProblem) throw new CanalkitInputError(entry(field, key), key, `the label key ${keyProblem}`, "use a key such as team or example.com/team");
    if (key === NODE_GROUP_LABEL) throw new CanalkitInputError(entry(field, key), value, "is set by the kit to the node group's name", `remove it; select the group's nodes with ${NODE_GROUP_LABEL}=<group name>`);
    if (kubeletRefuses(key)) {
      throw new CanalkitInputError(entry(field, key), value, "is in the kubernetes.io/k8s.io namespace, which kubelet refuses to set on its own node (the node would never join)", `use your own prefix, for example example.com/${key.split("/").pop()}, or a node.kubernetes.io/ key`);
    }
    if (typeof value !== "string") throw new CanalkitInputError(entry(field, key), value, "is not text", 'quote it, for example "true"');
    if (value === "") throw new CanalkitInputError(entry(field, key), value, "is empty; EKS takes node-group label values of 1 to 63 characters", 'give it a value, for example "true"');
    const valueProblem = labelValueProblem(value);
    if (valueProblem) throw new CanalkitInputError(entry(field, key), value, valueProblem, `write it as ${repairedValue(value)}`);
  }
}

/** Validates a node group's taints as the EKS API takes them; `field` names the list. */
export function validateNodeTaints(field: string, taints: readonly NodeTaint[]): void {
  if (taints.length > 50) throw new CanalkitInputError(field, `${taints.length} taints`, "EKS allows at most 50 taints per node group", "keep at most 50");
  const seen = new Map<string, number>();
  taints.forEach((t, i) => {
    const at = `${field}[${i}]`;
    const keyProblem = qualifiedNameProblem(t.key) ?? (t.key.length > EKS_KEY_LENGTH ? `is ${t.key.length} characters long; EKS takes taint keys of at most ${EKS_KEY_LENGTH}, prefix included` : undefined);
    if (keyProblem) throw new CanalkitInputError(`${at}.key`, t.key, `the taint key ${keyProblem}`, "use a key such as dedicated or example.com/dedicated");
    if (t.value !== undefined) {
      const valueProblem = labelValueProblem(t.value);
      if (valueProblem) throw new CanalkitInputError(`${at}.value`, t.value, valueProblem, `write it as ${repairedValue(t.value)}`);
    }
    if (!(TAINT_EFFECTS as readonly string[]).includes(t.effect)) {
      const eks = KUBERNETES_EFFECTS[t.effect];
      throw new CanalkitInputError(`${at}.effect`, t.effect, "is not a taint effect EKS accepts", eks ? `write it as EKS spells it: ${eks}` : `use one of ${TAINT_EFFECTS.join(", ")}`);
    }
    const id = `${t.key}:${t.effect}`;
    const j = seen.get(id);
    if (j !== undefined) throw new CanalkitInputError(`${at}.key`, t.key, `repeats ${field}[${j}] (same key and effect)`, "keep one taint per key and effect");
    seen.set(id, i);
  });
}
