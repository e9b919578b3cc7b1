/**
 * Least-privilege access for a cluster set's control plane to a member, instead of an admin
 * kubeconfig: a ServiceAccount in the member bound to exactly what ErieCanal's control plane does
 * there (the join and export propagation), a token for it, and the kubeconfig built from that
 * token — always a secret.
 */
import { stringify } from "yaml";
import type { KubernetesObject } from "../cni/objects";
import type { PolicyRule } from "../cni/rbac";

/** Name of the control plane's identity in every member. */
export const CONTROL_PLANE_ACCOUNT = "canalkit-clusterset-control-plane";

/** Cluster-wide permissions the control plane needs in a member. */
export function memberClusterRules(): PolicyRule[] {
  return [
    { apiGroups: [""], resources: ["namespaces"], verbs: ["get", "create"] },
    { apiGroups: [""], resources: ["services"], verbs: ["get", "list", "watch"] },
    { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
    { apiGroups: ["flomesh.io"], resources: ["serviceexports"], verbs: ["get", "list", "watch"] },
    { apiGroups: ["flomesh.io"], resources: ["serviceexports/status"], verbs: ["update", "patch"] },
    { apiGroups: ["flomesh.io"], resources: ["serviceimports"], verbs: ["create", "get", "list", "watch", "update", "delete"] },
  ];
}

/** Permissions in the member's ErieCanal namespace: the manager check and the mesh config. */
export function memberNamespaceRules(): PolicyRule[] {
  return [
    { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get"], resourceNames: ["erie-canal-manager"] },
    { apiGroups: [""], resources: ["configmaps"], verbs: ["list", "watch"] },
    { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "update"], resourceNames: ["erie-canal-mesh-config"] },
  ];
}

/** The objects to create in a member for the control plane's access. */
export function memberAccessObjects(namespace: string): KubernetesObject[] {
  const subject = [{ kind: "ServiceAccount", name: CONTROL_PLANE_ACCOUNT, namespace }];
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: CONTROL_PLANE_ACCOUNT, namespace } },
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: `${CONTROL_PLANE_ACCOUNT}-token`, namespace, annotations: { "kubernetes.io/service-account.name": CONTROL_PLANE_ACCOUNT } },
      type: "kubernetes.io/service-account-token",
    },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: CONTROL_PLANE_ACCOUNT }, rules: memberClusterRules() },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: CONTROL_PLANE_ACCOUNT },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: CONTROL_PLANE_ACCOUNT },
      subjects: subject,
    },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: CONTROL_PLANE_ACCOUNT, namespace }, rules: memberNamespaceRules() },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: CONTROL_PLANE_ACCOUNT, namespace },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: CONTROL_PLANE_ACCOUNT },
      subjects: subject,
    },
  ];
}

/** A kubeconfig that authenticates as the control plane's ServiceAccount in a member. */
export function memberKubeconfig(input: { memberName: string; server: string; certificateAuthorityData: string; token: string }): string {
  const user = `${CONTROL_PLANE_ACCOUNT}@${input.memberName}`;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: input.memberName, cluster: { server: input.server, "certificate-authority-data": input.certificateAuthorityData } }],
    users: [{ name: user, user: { token: input.token } }],
    contexts: [{ name: input.memberName, context: { cluster: input.memberName, user } }],
    "current-context": input.memberName,
  });
}

/** The About API ClusterProperty objects that name a member and its set. */
export function clusterPropertyObjects(clusterId: string, clusterSetName: string): KubernetesObject[] {
  return [
    { apiVersion: "about.k8s.io/v1alpha1", kind: "ClusterProperty", metadata: { name: "cluster.clusterset.k8s.io" }, spec: { value: clusterId } } as KubernetesObject,
    { apiVersion: "about.k8s.io/v1alpha1", kind: "ClusterProperty", metadata: { name: "clusterset.k8s.io" }, spec: { value: clusterSetName } } as KubernetesObject,
  ];
}

/** The `Cluster` custom resource the control plane holds for a member. */
export function clusterResourceObject(input: { name: string; region?: string; zone?: string; group?: string; gatewayHost: string; gatewayPort: number; kubeconfig: string }): KubernetesObject {
  return {
    apiVersion: "flomesh.io/v1alpha1",
    kind: "Cluster",
    metadata: { name: input.name },
    spec: {
      region: input.region ?? "default",
      zone: input.zone ?? "default",
      group: input.group ?? "default",
      gatewayHost: input.gatewayHost,
      gatewayPort: input.gatewayPort,
      kubeconfig: input.kubeconfig,
    },
  };
}
