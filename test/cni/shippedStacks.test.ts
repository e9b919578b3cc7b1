/**
 * The three shipped stacks (dev, staging, prod) synthesized offline, and their output read the way
 * the upstream readers read it: the conflist after install-cni's substitution as the calico plugin
 * decodes it, the RBAC of the identities that run Calico's code, every custom resource against
 * its CRD in the same cluster (created by the kit, or by a chart that demonstrably installs it)
 * and ordered after it, and each custom resource validated against that CRD's schema as the API
 * server validates it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { KubernetesObject } from "../../components/cni";
import type { SynthResource, SynthResult } from "../../synth/engine";
import { evaluateStack } from "../../synth/runStack";
import { compileCrdSchema } from "./crdValidation";
import { calicoNetConfErrors, installCni } from "./installCni";
import { canalIdentities, missing, upstreamCalicoNode, upstreamCniPlugin, upstreamFlannel, upstreamKubeControllers } from "./upstreamRbac";

const STACKS = ["dev", "staging", "prod"] as const;
const results = new Map<string, SynthResult>();

beforeAll(async () => {
  for (const stack of STACKS) results.set(stack, (await evaluateStack({ stack })).result);
}, 120_000);

/** API groups every Kubernetes API server serves without a CRD. */
const BUILT_IN_GROUPS = new Set(["core", "apps", "batch", "policy", "autoscaling", "rbac.authorization.k8s.io", "networking.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io", "discovery.k8s.io", "coordination.k8s.io", "storage.k8s.io", "scheduling.k8s.io", "certificates.k8s.io", "node.k8s.io", "events.k8s.io", "flowcontrol.apiserver.k8s.io"]);

/**
 * Components that install CRDs themselves, and what in their inputs turns that on: Pulumi's
 * cert-manager component deploys the cert-manager chart, which renders its CRDs from templates
 * when `installCRDs` is true (pulumi/pulumi-kubernetes-cert-manager; cert-manager v1.x chart).
 */
const CRD_INSTALLERS: Record<string, { groups: string[]; installs: (inputs: any) => boolean }> = {
  "kubernetes-cert-manager:index:CertManager": { groups: ["cert-manager.io", "acme.cert-manager.io"], installs: (i) => i?.installCRDs === true },
};

const providerOf = (r: SynthResource) => r.provider?.split("::").slice(0, -1).join("::") ?? "default";
const kubernetesType = (r: SynthResource) => /^kubernetes:([^:]+)\/([^:/]+):(.+)$/.exec(r.type);

/** Everything a resource waits for: its dependencies, theirs, and every child of a component it waits for. */
function waitsFor(result: SynthResult, resource: SynthResource): Set<string> {
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

function objectsByCluster(result: SynthResult): Map<string, KubernetesObject[]> {
  const out = new Map<string, KubernetesObject[]>();
  for (const r of result.resources) {
    if (!kubernetesType(r) || r.type.startsWith("kubernetes:helm.sh")) continue;
    out.set(providerOf(r), [...(out.get(providerOf(r)) ?? []), r.inputs as unknown as KubernetesObject]);
  }
  return out;
}

describe.each(STACKS)("the %s stack as upstream reads it", (stack) => {
  it("every conflist install-cni writes loads into the calico plugin's NetConf, MTU a number equal to veth_mtu", () => {
    const clusters = [...objectsByCluster(results.get(stack)!).values()].filter((objects) => objects.some((o) => o.kind === "DaemonSet" && o.metadata.name === "canal"));
    expect(clusters.length).toBeGreaterThan(1);
    for (const objects of clusters) {
      const data = (objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "canal-config") as any).data;
      const calico = installCni({ CNI_NETWORK_CONFIG: data.cni_network_config, CNI_MTU: data.veth_mtu }).plugins.find((p: any) => p.type === "calico");
      expect(calicoNetConfErrors(calico)).toEqual([]);
      expect(calico.mtu).toBe(Number(data.veth_mtu));
    }
  });

  it("flannel reads net-conf.json: its Config and the VXLAN backend's fields decode, and flannel.1 (MTU - 50) equals the pod MTU", () => {
    let seen = 0;
    for (const objects of objectsByCluster(results.get(stack)!).values()) {
      const data = (objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "canal-config") as any)?.data;
      if (!data?.["net-conf.json"]) continue;
      seen++;
      // flannel-io/flannel@v0.24.4 pkg/subnet/config.go ParseConfig, pkg/backend/vxlan/vxlan.go RegisterNetwork.
      const config = JSON.parse(data["net-conf.json"]);
      expect(typeof config.Network).toBe("string");
      expect(config.Network).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+$/);
      expect(config.Backend.Type).toBe("vxlan");
      const ints = { VNI: "int", Port: "int", MTU: "int" } as const;
      for (const [key, value] of Object.entries(config.Backend)) {
        if (key === "Type") continue;
        if (key in ints) expect(Number.isInteger(value), `Backend.${key}`).toBe(true);
        else expect(["GBP", "Learning", "DirectRouting"]).toContain(key);
      }
      expect(config.Backend.MTU - 50).toBe(Number(data.veth_mtu));
    }
    if (stack !== "staging") expect(seen).toBeGreaterThan(0);
  });

  it("the identities that run Calico's code have every right upstream grants them", () => {
    for (const objects of objectsByCluster(results.get(stack)!).values()) {
      const daemonSet = objects.find((o) => o.kind === "DaemonSet" && o.metadata.name === "canal") as any;
      if (!daemonSet) continue;
      const calicoNetwork = daemonSet.spec.template.spec.containers.length === 1 && (objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "canal-config") as any).data.calico_backend === "bird";
      const { node, cni } = canalIdentities(daemonSet);
      expect(missing(objects, node, upstreamCalicoNode(calicoNetwork))).toEqual([]);
      expect(missing(objects, cni, upstreamCniPlugin(calicoNetwork))).toEqual([]);
      if (daemonSet.spec.template.spec.containers.some((c: any) => c.name === "kube-flannel")) expect(missing(objects, node, upstreamFlannel)).toEqual([]);
      expect(missing(objects, "calico-kube-controllers", upstreamKubeControllers)).toEqual([]);
    }
  });

  it("every custom resource has its CRD in the same cluster, created before it, and passes that CRD's schema", () => {
    const result = results.get(stack)!;
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
      // An installer component is in the same cluster when it shares the resource's parent (the kit
      // builds one per cluster, parented with the resources it installs for).
      const installer = result.resources.find((h) => h.parent === r.parent && CRD_INSTALLERS[h.type]?.groups.includes(group!) && CRD_INSTALLERS[h.type]!.installs(h.inputs));
      if (!installer) problems.push(`${label}: no CRD for it in that cluster`);
      else if (!waits.has(installer.urn)) problems.push(`${label}: does not wait for ${installer.name}, which installs its CRD`);
    }
    expect(checked).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });
});
