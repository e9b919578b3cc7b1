/**
 * Names ErieCanal v0.1.3 looks objects up by. They are fixed: a control plane finds a member's
 * manager Deployment and mesh-config ConfigMap by these names in the namespace of its own name.
 */
import type { ErieCanalSettings } from "./erieCanalSettings";

/** Object names of an ErieCanal install. */
export const ERIECANAL_NAMES = {
  serviceAccount: "erie-canal",
  clusterRole: "erie-canal-role",
  clusterRoleBinding: "erie-canal-rolebinding",
  leaderElectionRole: "erie-canal-leader-election-role",
  leaderElectionRoleBinding: "erie-canal-leader-election-rolebinding",
  managerConfig: "erie-canal-manager-config",
  meshConfig: "erie-canal-mesh-config",
  manifestsConfig: "erie-canal-manifests-config",
  manager: "erie-canal-manager",
  webhookService: "erie-canal-webhook-service",
  repo: "erie-canal-repo",
  repoService: "erie-canal-repo-service",
  ingress: "erie-canal-ingress-pipy",
  ingressService: "erie-canal-ingress-pipy-controller",
  ingressClass: "pipy",
  repoIngress: "pipy-repo",
  mutatingWebhooks: "flomesh-mutating-webhook-configuration",
  validatingWebhooks: "flomesh-validating-webhook-configuration",
  caBundle: "flomesh-ca-bundle",
} as const;

/** The Pipy repo's port (container and Service). */
export const REPO_PORT = 6060;
/** The ingress container's plain-HTTP and TLS ports (behind the gateway Service's 80/443). */
export const INGRESS_CONTAINER_PORTS = { http: 8000, https: 8443, health: 8081 } as const;

/** Labels on every ErieCanal object. */
export function erieCanalLabels(settings: Pick<ErieCanalSettings, "version">): Record<string, string> {
  return { "app.kubernetes.io/name": "erie-canal", "app.kubernetes.io/version": settings.version, "app.kubernetes.io/managed-by": "canalkit" };
}

/** Selector labels of one ErieCanal component (the chart's `app` / `flomesh.io/app`). */
export function componentSelector(component: string): Record<string, string> {
  return { app: component, "flomesh.io/app": component };
}
