/**
 * Creates the typed `@pulumi/kubernetes` resource for a plain Kubernetes object by its kind, so
 * every component that plans objects as data registers them the same way.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

type ResourceClass = new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/** The typed resource class for each built-in kind the kit plans. */
const RESOURCE_CLASSES: Record<string, ResourceClass> = {
  "apiextensions.k8s.io/v1/CustomResourceDefinition": k8s.apiextensions.v1.CustomResourceDefinition,
  "v1/Namespace": k8s.core.v1.Namespace,
  "v1/ServiceAccount": k8s.core.v1.ServiceAccount,
  "v1/ConfigMap": k8s.core.v1.ConfigMap,
  "v1/Secret": k8s.core.v1.Secret,
  "v1/Service": k8s.core.v1.Service,
  "rbac.authorization.k8s.io/v1/ClusterRole": k8s.rbac.v1.ClusterRole,
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": k8s.rbac.v1.ClusterRoleBinding,
  "rbac.authorization.k8s.io/v1/Role": k8s.rbac.v1.Role,
  "rbac.authorization.k8s.io/v1/RoleBinding": k8s.rbac.v1.RoleBinding,
  "apps/v1/DaemonSet": k8s.apps.v1.DaemonSet,
  "apps/v1/Deployment": k8s.apps.v1.Deployment,
  "policy/v1/PodDisruptionBudget": k8s.policy.v1.PodDisruptionBudget,
  "admissionregistration.k8s.io/v1/MutatingWebhookConfiguration": k8s.admissionregistration.v1.MutatingWebhookConfiguration,
  "admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration": k8s.admissionregistration.v1.ValidatingWebhookConfiguration,
  "networking.k8s.io/v1/IngressClass": k8s.networking.v1.IngressClass,
  "networking.k8s.io/v1/Ingress": k8s.networking.v1.Ingress,
};

/**
 * Registers `object` as its typed resource; kinds outside Kubernetes itself (custom resources)
 * become `apiextensions.CustomResource`.
 */
export function createKubernetesResource(name: string, object: Record<string, any>, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
  const Class = RESOURCE_CLASSES[`${object["apiVersion"]}/${object["kind"]}`];
  return Class ? new Class(name, object, opts) : new k8s.apiextensions.CustomResource(name, object as k8s.apiextensions.CustomResourceArgs, opts);
}
