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
import type { SynthResult } from "../../synth/engine";
import { evaluateStack } from "../../synth/runStack";
import { customResourceProblems, kubernetesType, providerOf } from "./crdCoverage";
import { calicoNetConfErrors, installCni } from "./installCni";
import { canalIdentities, missing, upstreamCalicoNode, upstreamCniPlugin, upstreamFlannel, upstreamKubeControllers } from "./upstreamRbac";

const STACKS = ["dev", "staging", "prod"] as const;
const results = new Map<string, SynthResult>();

beforeAll(async () => {
  for (const stack of STACKS) results.set(stack, (await evaluateStack({ stack })).result);
});

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
    const { problems, checked } = customResourceProblems(results.get(stack)!);
    expect(checked).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });
});
