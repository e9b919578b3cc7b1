/**
 * Canal's identities and permissions: service accounts, cluster roles and bindings with the same
 * rules as upstream, plus the IPAM rights Calico's own IPAM needs when the topology uses it.
 */
import { clusterScoped, namespaced, CANAL_NAMESPACE, type KubernetesObject } from "./objects";

/** A policy rule. */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

const CALICO_GROUPS = ["projectcalico.org", "crd.projectcalico.org"];
const rule = (apiGroups: string[], resources: string[], verbs: string[], resourceNames?: string[]): PolicyRule => ({
  apiGroups,
  resources,
  verbs,
  ...(resourceNames ? { resourceNames } : {}),
});

/** Rules of the `calico-kube-controllers` cluster role. */
export function kubeControllersRules(): PolicyRule[] {
  return [
    rule([""], ["nodes"], ["watch", "list", "get"]),
    rule([""], ["pods"], ["get", "list", "watch"]),
    rule([""], ["namespaces"], ["get", "list", "watch"]),
    rule([""], ["services", "services/status"], ["get", "list", "update", "watch"]),
    rule(CALICO_GROUPS, ["ipreservations"], ["list"]),
    rule(CALICO_GROUPS, ["blockaffinities", "ipamblocks", "ipamhandles", "ipamconfigurations", "ipamconfigs", "tiers"], ["get", "list", "create", "update", "delete", "watch"]),
    rule(CALICO_GROUPS, ["ippools"], ["list", "watch"]),
    rule(CALICO_GROUPS, ["hostendpoints"], ["get", "list", "create", "update", "delete", "watch"]),
    rule(CALICO_GROUPS, ["clusterinformations"], ["get", "list", "create", "update", "watch"]),
    rule(CALICO_GROUPS, ["kubecontrollersconfigurations"], ["get", "list", "create", "update", "watch"]),
    rule(CALICO_GROUPS, ["kubecontrollersconfigurations/status"], ["get", "update"]),
    rule(CALICO_GROUPS, ["networkpolicies", "stagednetworkpolicies", "globalnetworkpolicies", "stagedglobalnetworkpolicies"], ["watch", "list", "get", "create", "update", "delete"]),
    rule(["apps"], ["daemonsets", "deployments"], ["get", "list", "watch"]),
    rule(["migration.projectcalico.org"], ["datastoremigrations", "datastoremigrations/status"], ["get", "list", "watch", "create", "update", "patch"]),
    rule(["apiextensions.k8s.io"], ["customresourcedefinitions"], ["get", "list", "watch", "delete"]),
    rule(["apiregistration.k8s.io"], ["apiservices"], ["get", "list", "watch", "create", "delete"]),
    rule(["projectcalico.org"], ["*"], ["get", "list", "watch", "create", "update", "patch", "delete"]),
    rule(["crd.projectcalico.org"], ["*"], ["get", "list", "watch"]),
    rule(["kubevirt.io"], ["virtualmachines", "virtualmachineinstances"], ["get", "list", "watch"]),
  ];
}

/** Rules of the `calico-node` cluster role (bound to the `canal` service account). */
export function calicoNodeRules(calicoIpam: boolean): PolicyRule[] {
  const rules = [
    rule([""], ["serviceaccounts/token"], ["create"], ["canal", "calico-cni-plugin"]),
    rule([""], ["pods", "nodes", "namespaces"], ["get"]),
    rule(["discovery.k8s.io"], ["endpointslices"], ["watch", "list"]),
    rule([""], ["endpoints", "services"], ["watch", "list", "get"]),
    rule([""], ["configmaps"], ["get"]),
    rule([""], ["nodes/status"], ["patch", "update"]),
    rule(["networking.k8s.io"], ["networkpolicies"], ["watch", "list"]),
    rule(["policy.networking.k8s.io"], ["clusternetworkpolicies"], ["watch", "list"]),
    rule([""], ["pods", "namespaces", "serviceaccounts"], ["list", "watch"]),
    rule([""], ["pods/status"], ["patch"]),
    rule(CALICO_GROUPS, [
      "globalfelixconfigs", "globalbgpconfigs", "felixconfigurations", "bgppeers", "bgpfilters", "bgpconfigurations", "ippools", "ipreservations",
      "ipamblocks", "globalnetworkpolicies", "stagedglobalnetworkpolicies", "networkpolicies", "stagednetworkpolicies", "stagedkubernetesnetworkpolicies",
      "globalnetworksets", "networksets", "clusterinformations", "hostendpoints", "blockaffinities", "caliconodestatuses", "tiers",
    ], ["get", "list", "watch"]),
    rule(CALICO_GROUPS, ["tiers"], ["create"]),
    rule(CALICO_GROUPS, ["ippools", "felixconfigurations", "bgpconfigurations", "clusterinformations"], ["create", "update"]),
    rule(CALICO_GROUPS, ["caliconodestatuses"], ["update"]),
    rule([""], ["nodes"], ["get", "list", "watch"]),
    rule(CALICO_GROUPS, ["bgpconfigurations", "bgppeers"], ["create", "update"]),
    rule(["kubevirt.io"], ["virtualmachineinstancemigrations"], ["get", "list", "watch"]),
  ];
  // Calico IPAM (ipip-crosssubnet), as upstream grants calico-node for Calico networking: it claims
  // and releases blocks, creates the default IPAMConfig on first assignment, and confd watches
  // block affinities for route aggregation.
  if (calicoIpam) {
    rules.push(
      rule(CALICO_GROUPS, ["blockaffinities", "ipamblocks", "ipamhandles"], ["get", "list", "create", "update", "delete"]),
      rule(CALICO_GROUPS, ["ipamconfigurations", "ipamconfigs"], ["get", "create"]),
      rule(CALICO_GROUPS, ["blockaffinities"], ["watch"]),
      rule(["apps"], ["daemonsets"], ["get"]),
    );
  }
  return rules;
}

/**
 * Rules of the `calico-cni-plugin` cluster role. With Calico IPAM the plugin assigns addresses
 * itself (libcalico-go IPAM: blocks, handles, affinities, pools, reservations, and the default
 * IPAMConfig it creates on first assignment), as upstream grants for Calico networking.
 */
export function cniPluginRules(calicoIpam: boolean): PolicyRule[] {
  const rules = [rule([""], ["pods", "nodes", "namespaces"], ["get"]), rule([""], ["pods/status"], ["patch"])];
  if (calicoIpam) {
    rules.push(
      rule(CALICO_GROUPS, ["blockaffinities", "ipamblocks", "ipamhandles", "clusterinformations", "ippools", "ipreservations", "ipamconfigurations", "ipamconfigs"], ["get", "list", "create", "update", "delete"]),
      rule(["kubevirt.io"], ["virtualmachineinstances", "virtualmachines"], ["get"]),
    );
  }
  return rules;
}

/**
 * The service account whose token the CNI plugin runs with. Canal (host-local IPAM) names the
 * DaemonSet's own account through `CALICO_CNI_SERVICE_ACCOUNT`; with Calico IPAM the kit does as
 * upstream's calico.yaml and leaves it unset, so calico-node and install-cni request tokens for
 * Calico's default, `calico-cni-plugin`, whose role carries the IPAM rights.
 */
export function cniServiceAccount(calicoIpam: boolean): string {
  return calicoIpam ? "calico-cni-plugin" : "canal";
}

/** Rules of the `flannel` cluster role. */
export function flannelRules(): PolicyRule[] {
  return [rule([""], ["pods"], ["get"]), rule([""], ["nodes"], ["list", "watch"]), rule([""], ["nodes/status"], ["patch"])];
}

function clusterRole(name: string, rules: PolicyRule[]): KubernetesObject {
  return clusterScoped("rbac.authorization.k8s.io/v1", "ClusterRole", name, { rules });
}

function binding(name: string, role: string, subject: { kind: "ServiceAccount" | "User"; name: string }): KubernetesObject {
  return clusterScoped("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", name, {
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
    subjects: [subject.kind === "ServiceAccount" ? { kind: "ServiceAccount", name: subject.name, namespace: CANAL_NAMESPACE } : { apiGroup: "rbac.authorization.k8s.io", kind: "User", name: subject.name }],
  });
}

/** Service accounts, cluster roles and bindings; flannel's only when flannel runs. */
export function buildCanalRbac(options: { flannel: boolean; calicoIpam: boolean }): KubernetesObject[] {
  const objects: KubernetesObject[] = [
    namespaced("v1", "ServiceAccount", "calico-kube-controllers", {}),
    namespaced("v1", "ServiceAccount", "canal", {}),
    namespaced("v1", "ServiceAccount", "calico-cni-plugin", {}),
    clusterRole("calico-kube-controllers", kubeControllersRules()),
    clusterRole("calico-node", calicoNodeRules(options.calicoIpam)),
    clusterRole("calico-cni-plugin", cniPluginRules(options.calicoIpam)),
  ];
  if (options.flannel) objects.push(clusterRole("flannel", flannelRules()));
  objects.push(
    clusterRole("calico-tier-getter", [rule(["projectcalico.org"], ["tiers"], ["get"])]),
    binding("calico-kube-controllers", "calico-kube-controllers", { kind: "ServiceAccount", name: "calico-kube-controllers" }),
  );
  if (options.flannel) objects.push(binding("canal-flannel", "flannel", { kind: "ServiceAccount", name: "canal" }));
  objects.push(
    binding("canal-calico", "calico-node", { kind: "ServiceAccount", name: "canal" }),
    binding("calico-cni-plugin", "calico-cni-plugin", { kind: "ServiceAccount", name: "calico-cni-plugin" }),
    binding("calico-tier-getter", "calico-tier-getter", { kind: "User", name: "system:kube-controller-manager" }),
  );
  return objects;
}
