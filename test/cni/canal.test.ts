import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import type { ClusterNetworkFacts, KitCluster } from "../../components/cluster";
import { ExistingCluster } from "../../components/cluster";
import { Canal, CANAL_CRDS, findObject, planCanal, type CanalPlan } from "../../components/cni";
import { CanalkitInputError } from "../../components/errors";
import { synthesize } from "../../synth/engine";
import { validateKubernetesObject, validateKubernetesObjects } from "../support/validateKubernetes";

const vxlan: ClusterNetworkFacts = { topology: "vxlan", podCidr: "100.64.0.0/16", serviceCidr: "172.20.0.0/16", podMtu: 8951, vxlanPort: 8472, disableSourceDestCheck: false, typha: false, nodePodCidrsAllocated: true };
const ipip: ClusterNetworkFacts = { ...vxlan, topology: "ipip-crosssubnet", podMtu: 8981, disableSourceDestCheck: true };
const native: ClusterNetworkFacts = { ...vxlan, topology: "native-vpc", podMtu: 9001, disableSourceDestCheck: true };

const config = (plan: CanalPlan) => (findObject(plan, "ConfigMap", "canal-config") as any).data as Record<string, string>;
const podSpec = (plan: CanalPlan) => (findObject(plan, "DaemonSet", "canal") as any).spec.template.spec;
const container = (plan: CanalPlan, name: string) => podSpec(plan).containers.find((c: any) => c.name === name);
const env = (c: any) => Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

describe("Canal manifests", () => {
  it("validates every object of every topology against the Kubernetes OpenAPI schema", async () => {
    for (const facts of [vxlan, ipip, native, { ...vxlan, typha: true }]) await validateKubernetesObjects(planCanal(facts).objects);
    await expect(validateKubernetesObject({ apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "x" }, spec: { template: {} } })).rejects.toThrow(/selector/);
  });

  it("declares the upstream CRDs with their names, groups, kinds and scopes", () => {
    const crds = planCanal(vxlan).objects.filter((o) => o.kind === "CustomResourceDefinition") as any[];
    expect(crds).toHaveLength(23);
    expect(crds.map((c) => c.metadata.name)).toContain("ippools.crd.projectcalico.org");
    const cnp = crds.find((c) => c.spec.names.kind === "ClusterNetworkPolicy");
    expect(cnp).toMatchObject({ metadata: { name: "clusternetworkpolicies.policy.networking.k8s.io" }, spec: { group: "policy.networking.k8s.io", scope: "Cluster", names: { shortNames: ["cnp"] } } });
    expect(cnp.spec.versions[0].additionalPrinterColumns.map((c: any) => c.name)).toEqual(["Tier", "Priority", "Age"]);
    expect(crds.filter((c) => c.spec.scope === "Namespaced").map((c) => c.spec.names.kind).sort()).toEqual(["NetworkPolicy", "NetworkSet", "StagedKubernetesNetworkPolicy", "StagedNetworkPolicy"]);
    for (const c of crds) expect(c.spec.versions[0].schema.openAPIV3Schema.type).toBe("object");
    expect(CANAL_CRDS.filter((c) => c.group === "crd.projectcalico.org")).toHaveLength(22);
  });

  it("vxlan: flannel VXLAN on the planned port and MTU, Calico for policy only", () => {
    const plan = planCanal({ ...vxlan, vxlanPort: 4789 });
    const data = config(plan);
    expect(JSON.parse(data["net-conf.json"]!)).toEqual({ Network: "100.64.0.0/16", Backend: { Type: "vxlan", Port: 4789, MTU: 9001 } });
    expect(data["veth_mtu"]).toBe("8951");
    expect(data["calico_backend"]).toBe("none");
    expect(data["cni_network_config"]).toContain('"mtu": __CNI_MTU__,');
    const cni = JSON.parse(data["cni_network_config"]!.replace("__CNI_MTU__", data["veth_mtu"]!));
    expect(cni.plugins[0]).toMatchObject({ type: "calico", mtu: 8951, ipam: { type: "host-local", subnet: "usePodCidr" } });
    expect(podSpec(plan).containers.map((c: any) => c.name)).toEqual(["calico-node", "kube-flannel"]);
    expect(env(container(plan, "calico-node"))).toMatchObject({ CLUSTER_TYPE: "k8s,canal", FELIX_CHAININSERTMODE: "insert", FELIX_AWSSRCDSTCHECK: "DoNothing", USE_POD_CIDR: "true" });
    expect(container(plan, "kube-flannel").command).toEqual(["/opt/bin/flanneld", "--ip-masq", "--kube-subnet-mgr"]);
    expect(env(container(plan, "kube-flannel"))["FLANNELD_IFACE"]).toEqual({ configMapKeyRef: { name: "canal-config", key: "canal_iface" } });
    expect(findObject(plan, "ClusterRole", "flannel")).toMatchObject({ rules: expect.arrayContaining([{ apiGroups: [""], resources: ["nodes/status"], verbs: ["patch"] }]) });
  });

  it("ipip-crosssubnet: Calico networking with BIRD, an IPIP CrossSubnet pool, Calico IPAM, no flannel", () => {
    const plan = planCanal(ipip);
    const data = config(plan);
    expect(data["calico_backend"]).toBe("bird");
    expect(data["net-conf.json"]).toBeUndefined();
    expect(JSON.parse(data["cni_network_config"]!.replace("__CNI_MTU__", "1500")).plugins[0].ipam).toEqual({ type: "calico-ipam" });
    expect(podSpec(plan).containers.map((c: any) => c.name)).toEqual(["calico-node"]);
    expect(env(container(plan, "calico-node"))).toMatchObject({
      CLUSTER_TYPE: "k8s,bgp",
      IP: "autodetect",
      CALICO_IPV4POOL_CIDR: "100.64.0.0/16",
      CALICO_IPV4POOL_IPIP: "CrossSubnet",
      CALICO_IPV4POOL_VXLAN: "Never",
      CALICO_IPV4POOL_NAT_OUTGOING: "true",
      FELIX_AWSSRCDSTCHECK: "Disable",
      USE_POD_CIDR: "false",
    });
    expect(container(plan, "calico-node").readinessProbe.exec.command).toContain("-bird-ready");
    expect(findObject(plan, "ClusterRole", "flannel")).toBeUndefined();
    expect((findObject(plan, "ClusterRole", "calico-cni-plugin") as any).rules).toEqual(expect.arrayContaining([expect.objectContaining({ resources: expect.arrayContaining(["blockaffinities", "ipamblocks", "ipamhandles", "ipamconfigs"]) })]));
  });

  it("native-vpc: no encapsulation and no flannel, host-local IPAM from node pod CIDRs, src/dst check off", () => {
    const plan = planCanal(native);
    expect(podSpec(plan).containers.map((c: any) => c.name)).toEqual(["calico-node"]);
    expect(config(plan)["veth_mtu"]).toBe("9001");
    expect(env(container(plan, "calico-node"))).toMatchObject({ FELIX_AWSSRCDSTCHECK: "Disable", CALICO_IPV4POOL_IPIP: "Never", CALICO_IPV4POOL_VXLAN: "Never", CALICO_IPV4POOL_NAT_OUTGOING: "true" });
  });

  it("pins every image, follows a mirror registry, and refuses latest", () => {
    const plan = planCanal(vxlan, { calicoRegistry: "registry.internal/calico", flannelRegistry: "registry.internal/flannel" });
    const images = plan.objects.flatMap((o: any) => [...(o.spec?.template?.spec?.initContainers ?? []), ...(o.spec?.template?.spec?.containers ?? [])]).map((c: any) => c.image);
    expect(new Set(images)).toEqual(new Set(["registry.internal/calico/cni:v3.32.1", "registry.internal/calico/node:v3.32.1", "registry.internal/flannel/flannel:v0.24.4", "registry.internal/calico/kube-controllers:v3.32.1"]));
    expect(() => planCanal(vxlan, { overrides: { node: "quay.io/calico/node:latest" } })).toThrow(/cni\.images\.node = "quay\.io\/calico\/node:latest": is not pinned/);
    expect(() => planCanal(vxlan, { calicoVersion: "latest" })).toThrow(/cni\.calicoVersion/);
  });

  it("adds Typha with its service on 5473 when planned", () => {
    const plan = planCanal({ ...vxlan, typha: true });
    expect(config(plan)["typha_service_name"]).toBe("calico-typha");
    expect((findObject(plan, "Service", "calico-typha") as any).spec.ports[0].port).toBe(5473);
    expect(env(container(plan, "calico-node"))["FELIX_TYPHAK8SSERVICENAME"]).toEqual({ configMapKeyRef: { name: "canal-config", key: "typha_service_name" } });
  });

  it("selects the interface explicitly on multi-ENI nodes", () => {
    expect(config(planCanal(vxlan, { interface: "ens5" }))["canal_iface"]).toBe("ens5");
    expect(env(container(planCanal(vxlan, { interfaceRegex: "^ens[0-9]+" }), "kube-flannel"))["FLANNELD_IFACE_REGEX"]).toBe("^ens[0-9]+");
    expect(env(container(planCanal(ipip, { interface: "ens5" }), "calico-node"))["IP_AUTODETECTION_METHOD"]).toBe("interface=ens5");
  });

  const bad: [string, () => unknown, string][] = [
    ["an MTU of 0", () => planCanal({ ...vxlan, podMtu: 0 }), "cni.vethMtu"],
    ["an MTU below 1280", () => planCanal({ ...vxlan, podMtu: 1200 }), "cni.vethMtu"],
    ["a topology whose routing facts do not match", () => planCanal({ ...ipip, disableSourceDestCheck: false }), "cni.topology"],
    ["append chain insert mode", () => planCanal(vxlan, { chainInsertMode: "append" }), "cni.chainInsertMode"],
    ["more nodes than the pod CIDR holds", () => planCanal({ ...vxlan, podCidr: "100.64.0.0/20" }, { maxNodes: 40 }), "cni.maxNodes"],
  ];
  it.each(bad)("refuses %s", (_label, run, field) => {
    try {
      run();
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CanalkitInputError);
      expect((e as CanalkitInputError).field).toBe(field);
    }
  });
});

describe("Canal component", () => {
  it("registers every object with the cluster's provider, CRDs and RBAC before workloads", async () => {
    let cluster: KitCluster | undefined;
    const result = await synthesize(() => {
      cluster = new ExistingCluster("lab", { kubeconfig: pulumi.secret("k"), topology: "vxlan", podCidr: "100.64.0.0/16", serviceCidr: "172.20.0.0/16", podMtu: 8951, isEks: false });
      new Canal("lab-canal", { cluster });
    });
    const provider = result.resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
    const k8sObjects = result.resources.filter((r) => r.type.startsWith("kubernetes:"));
    expect(k8sObjects).toHaveLength(planCanal(cluster!.networkFacts).objects.length);
    for (const r of k8sObjects) expect(r.provider?.startsWith(provider.urn)).toBe(true);
    const daemonSet = k8sObjects.find((r) => r.type === "kubernetes:apps/v1:DaemonSet")!;
    const crdUrns = k8sObjects.filter((r) => r.type.endsWith(":CustomResourceDefinition")).map((r) => r.urn);
    expect(daemonSet.dependsOn).toEqual(expect.arrayContaining([...crdUrns, k8sObjects.find((r) => r.name.endsWith("configmap-canal-config"))!.urn]));
    const component = result.resources.find((r) => r.type === "canalkit:cni:Canal")!;
    expect(component.inputs).toMatchObject({ clusterName: "lab", vethMtu: 8951, vxlanPort: 8472, chainInsertMode: "insert" });
    expect(daemonSet.parent).toBe(component.urn);
  });
});
