/**
 * Canal's RBAC compared rule by rule with what upstream grants (projectcalico/calico@v3.32.1:
 * charts/calico/templates/calico-node-rbac.yaml and calico-kube-controllers-rbac.yaml, rendered
 * for `network: flannel` as canal.yaml and `network: calico` as calico.yaml), for the identities
 * that actually run the code: calico-node and install-cni run as the DaemonSet's account; the CNI
 * plugin runs with a token for `CALICO_CNI_SERVICE_ACCOUNT`, default `calico-cni-plugin`
 * (node/pkg/cni/token_watch.go CNIServiceAccountName).
 */
import { describe, expect, it } from "vitest";
import type { ClusterNetworkFacts } from "../../components/cluster";
import { findObject, planCanal, type CanalPlan, type KubernetesObject } from "../../components/cni";

const vxlan: ClusterNetworkFacts = { topology: "vxlan", podCidr: "100.64.0.0/16", serviceCidr: "172.20.0.0/16", podMtu: 8951, vxlanPort: 8472, disableSourceDestCheck: false, typha: false, nodePodCidrsAllocated: true };
const ipip: ClusterNetworkFacts = { ...vxlan, topology: "ipip-crosssubnet", podMtu: 8981, disableSourceDestCheck: true };
const native: ClusterNetworkFacts = { ...vxlan, topology: "native-vpc", podMtu: 9001, disableSourceDestCheck: true };

/** One upstream grant: "groups|resources|verbs" with comma lists, optional resourceNames. */
type Grant = string;
const C = "projectcalico.org,crd.projectcalico.org";

/** Upstream calico-node rules; `calicoNetwork` adds the network: calico block. */
function upstreamCalicoNode(calicoNetwork: boolean): Grant[] {
  return [
    "|pods,nodes,namespaces|get",
    "discovery.k8s.io|endpointslices|watch,list",
    "|endpoints,services|watch,list,get",
    "|configmaps|get",
    "|nodes/status|patch,update",
    "networking.k8s.io|networkpolicies|watch,list",
    "policy.networking.k8s.io|clusternetworkpolicies|watch,list",
    "|pods,namespaces,serviceaccounts|list,watch",
    "|pods/status|patch",
    `${C}|globalfelixconfigs,globalbgpconfigs,felixconfigurations,bgppeers,bgpfilters,bgpconfigurations,ippools,ipreservations,ipamblocks,globalnetworkpolicies,stagedglobalnetworkpolicies,networkpolicies,stagednetworkpolicies,stagedkubernetesnetworkpolicies,globalnetworksets,networksets,clusterinformations,hostendpoints,blockaffinities,caliconodestatuses,tiers|get,list,watch`,
    `${C}|tiers|create`,
    `${C}|ippools,felixconfigurations,bgpconfigurations,clusterinformations|create,update`,
    `${C}|caliconodestatuses|update`,
    "|nodes|get,list,watch",
    `${C}|bgpconfigurations,bgppeers|create,update`,
    ...(calicoNetwork
      ? [`${C}|blockaffinities,ipamblocks,ipamhandles|get,list,create,update,delete`, `${C}|ipamconfigurations,ipamconfigs|get,create`, `${C}|blockaffinities|watch`, "apps|daemonsets|get"]
      : []),
    "kubevirt.io|virtualmachineinstancemigrations|get,list,watch",
  ];
}

function upstreamCniPlugin(calicoNetwork: boolean): Grant[] {
  return [
    "|pods,nodes,namespaces|get",
    "|pods/status|patch",
    ...(calicoNetwork
      ? [`${C}|blockaffinities,ipamblocks,ipamhandles,clusterinformations,ippools,ipreservations,ipamconfigurations,ipamconfigs|get,list,create,update,delete`, "kubevirt.io|virtualmachineinstances,virtualmachines|get"]
      : []),
  ];
}

const upstreamFlannel: Grant[] = ["|pods|get", "|nodes|list,watch", "|nodes/status|patch"];

const upstreamKubeControllers: Grant[] = [
  "|nodes|watch,list,get",
  "|pods|get,list,watch",
  "|namespaces|get,list,watch",
  "|services,services/status|get,list,update,watch",
  `${C}|ipreservations|list`,
  `${C}|blockaffinities,ipamblocks,ipamhandles,ipamconfigurations,ipamconfigs,tiers|get,list,create,update,delete,watch`,
  `${C}|ippools|list,watch`,
  `${C}|hostendpoints|get,list,create,update,delete,watch`,
  `${C}|clusterinformations|get,list,create,update,watch`,
  `${C}|kubecontrollersconfigurations|get,list,create,update,watch`,
  `${C}|kubecontrollersconfigurations/status|get,update`,
  `${C}|networkpolicies,stagednetworkpolicies,globalnetworkpolicies,stagedglobalnetworkpolicies|watch,list,get,create,update,delete`,
  "apps|daemonsets,deployments|get,list,watch",
  "migration.projectcalico.org|datastoremigrations,datastoremigrations/status|get,list,watch,create,update,patch",
  "apiextensions.k8s.io|customresourcedefinitions|get,list,watch,delete",
  "apiregistration.k8s.io|apiservices|get,list,watch,create,delete",
  "projectcalico.org|*|get,list,watch,create,update,patch,delete",
  "crd.projectcalico.org|*|get,list,watch",
  "kubevirt.io|virtualmachines,virtualmachineinstances|get,list,watch",
];

/** Every (group, resource, verb) a list of grants allows. */
function expand(grants: Grant[]): string[] {
  return grants.flatMap((g) => {
    const [groups, resources, verbs] = g.split("|").map((part) => part.split(","));
    return groups!.flatMap((group) => resources!.flatMap((resource) => verbs!.map((verb) => `${group}/${resource}:${verb}`)));
  });
}

/** What the API server's RBAC authorizer allows a service account, from the plan's bindings. */
function allowed(plan: CanalPlan, account: string): { can: (group: string, resource: string, verb: string, name?: string) => boolean } {
  const roles = new Map(plan.objects.filter((o) => o.kind === "ClusterRole").map((o) => [o.metadata.name, o as KubernetesObject & { rules: any[] }]));
  const rules = plan.objects
    .filter((o: any) => o.kind === "ClusterRoleBinding" && o.subjects.some((s: any) => s.kind === "ServiceAccount" && s.name === account && s.namespace === "kube-system"))
    .flatMap((b: any) => roles.get(b.roleRef.name)?.rules ?? []);
  const has = (list: string[], v: string) => list.includes(v) || list.includes("*");
  return {
    can: (group, resource, verb, name) =>
      rules.some((r: any) => has(r.apiGroups, group) && has(r.resources, resource) && has(r.verbs, verb) && (!r.resourceNames || (name !== undefined && r.resourceNames.includes(name)))),
  };
}

function missing(plan: CanalPlan, account: string, grants: Grant[]): string[] {
  const a = allowed(plan, account);
  return expand(grants).filter((g) => {
    const [gr, rest] = [g.slice(0, g.indexOf("/")), g.slice(g.indexOf("/") + 1)];
    const [resource, verb] = rest.split(":");
    return !a.can(gr, resource!, verb!);
  });
}

/** The identities that run the code, read from the DaemonSet as calico-node and install-cni read their env. */
function identities(plan: CanalPlan): { node: string; cni: string } {
  const pod = (findObject(plan, "DaemonSet", "canal") as any).spec.template.spec;
  const node = pod.serviceAccountName as string;
  const envOf = (c: any) => c.env.find((e: any) => e.name === "CALICO_CNI_SERVICE_ACCOUNT");
  const cniEnvs = [pod.containers.find((c: any) => c.name === "calico-node"), pod.initContainers.find((c: any) => c.name === "install-cni")].map(envOf);
  const resolve = (e: any) => (e === undefined ? "calico-cni-plugin" : e.valueFrom?.fieldRef?.fieldPath === "spec.serviceAccountName" ? node : e.value);
  const [fromNode, fromInstall] = cniEnvs.map(resolve);
  // calico-node refreshes the token install-cni first wrote: both must name the same account.
  expect(fromNode).toBe(fromInstall);
  return { node, cni: fromNode };
}

describe("Canal RBAC against upstream, for the identities that run the code", () => {
  it.each([["vxlan", vxlan, false], ["native-vpc", native, false], ["ipip-crosssubnet", ipip, true]] as const)("%s: calico-node, the CNI plugin, flannel and kube-controllers have every right upstream grants them", (_n, facts, calicoNetwork) => {
    const plan = planCanal(facts);
    const { node, cni } = identities(plan);
    expect(missing(plan, node, upstreamCalicoNode(calicoNetwork))).toEqual([]);
    expect(missing(plan, cni, upstreamCniPlugin(calicoNetwork))).toEqual([]);
    if (facts.topology === "vxlan") expect(missing(plan, node, upstreamFlannel)).toEqual([]);
    expect(missing(plan, "calico-kube-controllers", upstreamKubeControllers)).toEqual([]);
    // calico-node and install-cni request the CNI plugin's token for that account.
    expect(allowed(plan, node).can("", "serviceaccounts/token", "create", cni)).toBe(true);
    // The account exists.
    expect(findObject(plan, "ServiceAccount", cni)).toBeDefined();
  });

  it("would have caught the missing ipamconfigs rights: Calico IPAM creates the default IPAMConfig on first assignment", () => {
    const plan = planCanal(ipip);
    const { node, cni } = identities(plan);
    for (const account of [node, cni]) {
      expect(allowed(plan, account).can("crd.projectcalico.org", "ipamconfigs", "get")).toBe(true);
      expect(allowed(plan, account).can("crd.projectcalico.org", "ipamconfigs", "create")).toBe(true);
    }
  });

  it("grants nothing upstream does not, beyond what the kit documents", () => {
    // The kit's roles are upstream's, so the comparison runs the other way too.
    for (const [facts, calicoNetwork] of [[vxlan, false], [ipip, true]] as const) {
      const plan = planCanal(facts);
      const rulesOf = (name: string) => expand(((findObject(plan, "ClusterRole", name) as any).rules as any[]).map((r) => `${r.apiGroups.join(",")}|${r.resources.join(",")}|${r.verbs.join(",")}`));
      const within = (kit: string[], upstream: Grant[]) => kit.filter((g) => !expand(upstream).includes(g));
      expect(within(rulesOf("calico-node"), upstreamCalicoNode(calicoNetwork)).filter((g) => !g.startsWith("/serviceaccounts/token"))).toEqual([]);
      expect(within(rulesOf("calico-cni-plugin"), upstreamCniPlugin(calicoNetwork))).toEqual([]);
      expect(within(rulesOf("calico-kube-controllers"), upstreamKubeControllers)).toEqual([]);
    }
  });
});
