/**
 * What upstream grants Calico's identities (projectcalico/calico@v3.32.1:
 * charts/calico/templates/calico-node-rbac.yaml and calico-kube-controllers-rbac.yaml, rendered
 * for `network: flannel` as canal.yaml and `network: calico` as calico.yaml), and the RBAC
 * authorizer's view of a set of objects, for comparing the kit's rules with them.
 */
import type { KubernetesObject } from "../../components/cni";

/** One upstream grant: "groups|resources|verbs" with comma lists, optional resourceNames. */
export type Grant = string;
const C = "projectcalico.org,crd.projectcalico.org";

/** Upstream calico-node rules; `calicoNetwork` adds the network: calico block. */
export function upstreamCalicoNode(calicoNetwork: boolean): Grant[] {
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

export function upstreamCniPlugin(calicoNetwork: boolean): Grant[] {
  return [
    "|pods,nodes,namespaces|get",
    "|pods/status|patch",
    ...(calicoNetwork
      ? [`${C}|blockaffinities,ipamblocks,ipamhandles,clusterinformations,ippools,ipreservations,ipamconfigurations,ipamconfigs|get,list,create,update,delete`, "kubevirt.io|virtualmachineinstances,virtualmachines|get"]
      : []),
  ];
}

export const upstreamFlannel: Grant[] = ["|pods|get", "|nodes|list,watch", "|nodes/status|patch"];

export const upstreamKubeControllers: Grant[] = [
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
export function expand(grants: Grant[]): string[] {
  return grants.flatMap((g) => {
    const [groups, resources, verbs] = g.split("|").map((part) => part.split(","));
    return groups!.flatMap((group) => resources!.flatMap((resource) => verbs!.map((verb) => `${group}/${resource}:${verb}`)));
  });
}

/** What the API server's RBAC authorizer allows a service account, from the plan's bindings. */
export function allowed(objects: readonly KubernetesObject[], account: string, namespace = "kube-system"): { can: (group: string, resource: string, verb: string, name?: string) => boolean } {
  const roles = new Map(objects.filter((o) => o.kind === "ClusterRole").map((o) => [o.metadata.name, o as KubernetesObject & { rules: any[] }]));
  const rules = objects
    .filter((o: any) => o.kind === "ClusterRoleBinding" && o.subjects.some((s: any) => s.kind === "ServiceAccount" && s.name === account && s.namespace === namespace))
    .flatMap((b: any) => roles.get(b.roleRef.name)?.rules ?? []);
  const has = (list: string[], v: string) => list.includes(v) || list.includes("*");
  return {
    can: (group, resource, verb, name) =>
      rules.some((r: any) => has(r.apiGroups, group) && has(r.resources, resource) && has(r.verbs, verb) && (!r.resourceNames || (name !== undefined && r.resourceNames.includes(name)))),
  };
}

/** The upstream grants an account lacks. */
export function missing(objects: readonly KubernetesObject[], account: string, grants: Grant[]): string[] {
  const a = allowed(objects, account);
  return expand(grants).filter((g) => {
    const [gr, rest] = [g.slice(0, g.indexOf("/")), g.slice(g.indexOf("/") + 1)];
    const [resource, verb] = rest.split(":");
    return !a.can(gr, resource!, verb!);
  });
}


/**
 * The identities that run the code, read from the canal DaemonSet as calico-node and install-cni
 * read their env: calico-node runs as the pod's account; the CNI plugin's token is for
 * `CALICO_CNI_SERVICE_ACCOUNT`, default `calico-cni-plugin` (node/pkg/cni/token_watch.go).
 */
export function canalIdentities(daemonSet: any): { node: string; cni: string } {
  const pod = daemonSet.spec.template.spec;
  const node = pod.serviceAccountName as string;
  const envOf = (c: any) => c.env.find((e: any) => e.name === "CALICO_CNI_SERVICE_ACCOUNT");
  const cniEnvs = [pod.containers.find((c: any) => c.name === "calico-node"), pod.initContainers.find((c: any) => c.name === "install-cni")].map(envOf);
  const resolve = (e: any) => (e === undefined ? "calico-cni-plugin" : e.valueFrom?.fieldRef?.fieldPath === "spec.serviceAccountName" ? node : e.value);
  const [fromNode, fromInstall] = cniEnvs.map(resolve);
  // calico-node refreshes the token install-cni first wrote: both must name the same account.
  if (fromNode !== fromInstall) throw new Error(`calico-node refreshes a token for ${fromNode} but install-cni wrote one for ${fromInstall}`);
  return { node, cni: fromNode };
}

