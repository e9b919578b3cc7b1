/**
 * The custom-resource coverage check: every custom resource the kit creates in a cluster has its
 * CRD created in that same cluster (by the kit, or by a component that demonstrably installs it),
 * waits for it, and passes that CRD's schema as the API server would validate it.
 */
import type { SynthResource, SynthResult } from "../../synth/engine";
import { compileCrdSchema } from "./crdValidation";

/** API groups every Kubernetes API server serves without a CRD. */
export const BUILT_IN_GROUPS = new Set(["core", "apps", "batch", "policy", "autoscaling", "rbac.authorization.k8s.io", "networking.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io", "discovery.k8s.io", "coordination.k8s.io", "storage.k8s.io", "scheduling.k8s.io", "certificates.k8s.io", "node.k8s.io", "events.k8s.io", "flowcontrol.apiserver.k8s.io"]);

/**
 * Components that install CRDs themselves, and what in their inputs turns that on: Pulumi's
 * cert-manager component deploys the cert-manager chart, which renders its CRDs from templates
 * when `installCRDs` is true (pulumi/pulumi-kubernetes-cert-manager; cert-manager v1.x chart).
 */
const CRD_INSTALLERS: Record<string, { groups: string[]; installs: (inputs: any) => boolean }> = {
  "kubernetes-cert-manager:index:CertManager": { groups: ["cert-manager.io", "acme.cert-manager.io"], installs: (i) => i?.installCRDs === true },
};

export const providerOf = (r: SynthResource) => r.provider?.split("::").slice(0, -1).join("::") ?? "default";
export const kubernetesType = (r: SynthResource) => /^kubernetes:([^:]+)\/([^:/]+):(.+)$/.exec(r.type);

/** Everything a resource waits for: its dependencies, theirs, and every child of a component it waits for. */
export function waitsFor(result: SynthResult, resource: SynthResource): Set<string> {
  const byUrn = new Map(result.resources.map((r) => [r.urn, r]));
  const children = new Map<string, string[]>();
  for (const r of result.resources) if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r.urn]);
  const seen = new Set<string>();
  const queue = [...resource.dependsOn];
  while (queue.length > 0) {
    const urn = queue.pop()!;
    if (seen.has(urn)) continue;
    seen.add(urn);
    const r = byUrn.get(urn);
    if (!r) continue;
    queue.push(...r.dependsOn);
    if (!r.custom) queue.push(...(children.get(urn) ?? []));
  }
  return seen;
}

/** The problems of every custom resource in a synth result, and how many were checked. */
export function customResourceProblems(result: SynthResult): { problems: string[]; checked: number } {
    const crds = result.resources.filter((r) => r.type === "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition");
    const problems: string[] = [];
    let checked = 0;
    for (const r of result.resources) {
      const m = kubernetesType(r);
      if (!m || BUILT_IN_GROUPS.has(m[1]!) || m[1] === "helm.sh") continue;
      const [, group, version, kind] = m;
      checked++;
      const label = `${r.name} (${group}/${version} ${kind})`;
      const waits = waitsFor(result, r);
      const crd = crds.find((c) => providerOf(c) === providerOf(r) && (c.inputs as any).spec.group === group && (c.inputs as any).spec.names.kind === kind);
      if (crd) {
        const served = (crd.inputs as any).spec.versions.find((v: any) => v.name === version && v.served);
        if (!served) problems.push(`${label}: its CRD does not serve ${version}`);
        if (!waits.has(crd.urn)) problems.push(`${label}: does not wait for its CRD ${crd.name}`);
        // A secret spec (the Cluster's kubeconfig) is masked here; its schema is checked where it is built.
        if (served && !Object.values(r.inputs).includes("[secret]")) {
          const validate = compileCrdSchema(served.schema.openAPIV3Schema);
          if (!validate(r.inputs)) problems.push(`${label}: ${(validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`).join("; ")}`);
        }
        continue;
      }
      // A multi-language installer records no provider; its cluster is that of the Kubernetes
      // resources created beside it (the kit parents them together, one installer per cluster).
      const clusterOfInstaller = (h: SynthResource) => {
        const sibling = result.resources.find((x) => x.parent === h.parent && x !== h && kubernetesType(x) && x.provider);
        return sibling ? providerOf(sibling) : undefined;
      };
      const installer = result.resources.find((h) => CRD_INSTALLERS[h.type]?.groups.includes(group!) && CRD_INSTALLERS[h.type]!.installs(h.inputs) && clusterOfInstaller(h) === providerOf(r));
      if (!installer) problems.push(`${label}: no CRD for it in that cluster`);
      else if (!waits.has(installer.urn)) problems.push(`${label}: does not wait for ${installer.name}, which installs its CRD`);
    }
  return { problems, checked };
}
