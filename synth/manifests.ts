/**
 * Turns the Kubernetes resources of a synthesized stack into kubectl-ready manifests: one object
 * per file, per cluster, numbered in an order that applies cleanly.
 */
import { stringify } from "yaml";
import { clusterOfKubernetesProvider } from "../components/cluster/providerName";
import type { SynthResource } from "./engine";

/** One rendered manifest file. */
export interface ManifestFile {
  /** Cluster folder name (`_default` for objects without an explicit provider). */
  cluster: string;
  /** File name, for example `003-customresourcedefinition-ippools.crd.projectcalico.org.yaml`. */
  file: string;
  /** The Kubernetes object. */
  object: Record<string, unknown>;
}

/** Kinds applied first, in this order; then everything else; custom resources last. */
const KIND_ORDER = [
  "Namespace",
  "CustomResourceDefinition",
  "PriorityClass",
  "ServiceAccount",
  "ClusterRole",
  "ClusterRoleBinding",
  "Role",
  "RoleBinding",
  "ConfigMap",
  "Secret",
];

/** Fields the provider or Pulumi adds that kubectl must not see. */
const PULUMI_ONLY_FIELDS = new Set(["__inputs", "__initialized"]);

function isKubernetesObject(r: SynthResource): boolean {
  return r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:providers:") && typeof r.inputs["kind"] === "string";
}

/** Whether a group/version belongs to Kubernetes itself rather than a CRD. */
function isBuiltIn(apiVersion: string): boolean {
  return !apiVersion.includes("/") || apiVersion.endsWith(".k8s.io/v1") || /^(apps|batch|policy|autoscaling|networking\.k8s\.io|rbac\.authorization\.k8s\.io|apiextensions\.k8s\.io|admissionregistration\.k8s\.io|storage\.k8s\.io|scheduling\.k8s\.io|coordination\.k8s\.io|discovery\.k8s\.io|certificates\.k8s\.io|node\.k8s\.io)\//.test(apiVersion);
}

function rank(object: Record<string, unknown>): number {
  const kind = object["kind"] as string;
  const i = KIND_ORDER.indexOf(kind);
  if (i >= 0) return i;
  return isBuiltIn(String(object["apiVersion"])) ? KIND_ORDER.length : KIND_ORDER.length + 1;
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9.-]+/g, "-");
}

/** The cluster a Kubernetes resource belongs to, from its explicit provider's name. */
function clusterOf(r: SynthResource, providers: Map<string, string>): string {
  if (!r.provider) return "_default";
  const urn = r.provider.split("::").slice(0, -1).join("::");
  const name = providers.get(urn) ?? urn.split("::").pop() ?? "_default";
  return clusterOfKubernetesProvider(name) ?? name;
}

/** Renders every Kubernetes object of a stack as manifest files, grouped by cluster. */
export function renderManifests(resources: SynthResource[]): ManifestFile[] {
  const providers = new Map(resources.filter((r) => r.type === "pulumi:providers:kubernetes").map((r) => [r.urn, r.name]));
  const byCluster = new Map<string, Record<string, unknown>[]>();
  for (const r of resources) {
    if (!isKubernetesObject(r)) continue;
    const object = Object.fromEntries(Object.entries(r.inputs).filter(([k]) => !PULUMI_ONLY_FIELDS.has(k)));
    const cluster = clusterOf(r, providers);
    byCluster.set(cluster, [...(byCluster.get(cluster) ?? []), object]);
  }
  const files: ManifestFile[] = [];
  for (const [cluster, objects] of byCluster) {
    // Stable sort: registration order within a rank, which already follows dependencies.
    const ordered = objects.map((o, i) => ({ o, i })).sort((a, b) => rank(a.o) - rank(b.o) || a.i - b.i);
    ordered.forEach(({ o }, n) => {
      const metadata = (o["metadata"] ?? {}) as Record<string, unknown>;
      const parts = [String(o["kind"]), metadata["namespace"], metadata["name"]].filter((p) => typeof p === "string" && p.length > 0) as string[];
      files.push({ cluster, file: `${String(n + 1).padStart(3, "0")}-${slug(parts.join("-"))}.yaml`, object: o });
    });
  }
  return files;
}

/** YAML text of one manifest. */
export function manifestYaml(object: Record<string, unknown>): string {
  return stringify(object, { lineWidth: 0 });
}
