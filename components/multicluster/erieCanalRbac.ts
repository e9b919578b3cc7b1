/**
 * ErieCanal's identity and permissions: one service account for its pods, the manager's cluster
 * role (the same resources and verbs as the v0.1.3 chart, plus cert-manager's when it is used) and
 * its leader-election role.
 */
import type { PolicyRule } from "../cni/rbac";
import { clusterScoped, objectIn, withMetadata, type KubernetesObject } from "../cni/objects";
import { erieCanalLabels, ERIECANAL_NAMES } from "./erieCanalNames";
import type { ErieCanalSettings } from "./erieCanalSettings";

const ALL = ["get", "list", "watch", "create", "update", "patch", "delete"];
const rule = (apiGroups: string[], resources: string[], verbs: string[]): PolicyRule => ({ apiGroups, resources, verbs });
const subresources = (resources: string[], suffix: string) => resources.map((r) => `${r}/${suffix}`);

/** Rules of the manager's cluster role. */
export function erieCanalManagerRules(settings: Pick<ErieCanalSettings, "certManager">): PolicyRule[] {
  const flomesh = ["clusters", "proxyprofiles", "serviceimports", "serviceexports"];
  const gatewayApi = ["gatewayclasses", "gateways", "httproutes", "referencepolicies", "tcproutes", "tlsroutes", "udproutes"];
  return [
    // It fills the two webhook configurations at start and re-applies its CRDs.
    rule(["admissionregistration.k8s.io"], ["mutatingwebhookconfigurations", "validatingwebhookconfigurations"], ALL),
    rule(["apps"], ["daemonsets", "deployments", "replicasets", "statefulsets"], ALL),
    rule(["apiextensions.k8s.io"], ["customresourcedefinitions"], ALL),
    rule(["batch"], ["jobs"], ["list", "get", "watch"]),
    rule([""], ["namespaces"], ["list", "get", "watch"]),
    rule([""], ["endpoints", "pods", "services", "secrets", "configmaps"], [...ALL, "deletecollection"]),
    rule([""], ["services/status"], ["get", "list", "watch", "create", "update", "patch"]),
    rule(["discovery.k8s.io"], ["endpointslices"], ["get", "list", "watch", "update", "patch"]),
    rule([""], ["serviceaccounts"], ["list", "get", "watch"]),
    rule([""], ["events"], ["list", "get", "create", "watch", "patch", "update"]),
    rule(["flomesh.io"], flomesh, ALL),
    rule(["flomesh.io"], subresources(flomesh, "finalizers"), ["update"]),
    rule(["flomesh.io"], subresources(flomesh, "status"), ["get", "patch", "update"]),
    rule(["gateway.networking.k8s.io"], gatewayApi, ALL),
    rule(["gateway.networking.k8s.io"], subresources(gatewayApi, "finalizers"), ["update"]),
    rule(["gateway.networking.k8s.io"], subresources(gatewayApi, "status"), ["get", "patch", "update"]),
    ...(settings.certManager ? [rule(["cert-manager.io"], ["certificaterequests", "certificates", "issuers"], ["get", "list", "watch", "create", "delete"])] : []),
    rule(["networking.k8s.io"], ["ingressclasses"], ["list", "get", "watch"]),
    rule(["networking.k8s.io"], ["ingresses"], ALL),
  ];
}

/** The service account, cluster role and binding, and the leader-election role and binding. */
export function buildErieCanalRbac(settings: ErieCanalSettings): KubernetesObject[] {
  const ns = settings.namespace;
  const labels = erieCanalLabels(settings);
  const sa = ERIECANAL_NAMES.serviceAccount;
  const subjects = [{ kind: "ServiceAccount", name: sa, namespace: ns }];
  return [
    objectIn(ns, "v1", "ServiceAccount", sa, {}, labels),
    withMetadata(clusterScoped("rbac.authorization.k8s.io/v1", "ClusterRole", ERIECANAL_NAMES.clusterRole, { rules: erieCanalManagerRules(settings) }), { labels }),
    withMetadata(clusterScoped("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", ERIECANAL_NAMES.clusterRoleBinding, {
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: ERIECANAL_NAMES.clusterRole },
      subjects,
    }), { labels }),
    objectIn(ns, "rbac.authorization.k8s.io/v1", "Role", ERIECANAL_NAMES.leaderElectionRole, {
      rules: [rule(["", "coordination.k8s.io"], ["configmaps", "leases"], ALL), rule([""], ["events"], ["create", "patch"])],
    }, labels),
    objectIn(ns, "rbac.authorization.k8s.io/v1", "RoleBinding", ERIECANAL_NAMES.leaderElectionRoleBinding, {
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: ERIECANAL_NAMES.leaderElectionRole },
      subjects,
    }, labels),
  ];
}
