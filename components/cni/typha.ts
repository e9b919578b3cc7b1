/**
 * Calico Typha for large clusters: Felix instances connect to Typha (TCP 5473, which the network
 * plan opens between nodes) instead of each watching the API server.
 */
import { namespaced, type KubernetesObject } from "./objects";
import type { CanalSettings } from "./settings";

/** The Typha port, as in the network plan's security-group rule. */
export const TYPHA_PORT = 5473;

/** Builds Typha's Service, Deployment and PDB. */
export function buildTypha(settings: CanalSettings): KubernetesObject[] {
  const labels = { "k8s-app": "calico-typha" };
  return [
    namespaced("v1", "Service", "calico-typha", {
      spec: { ports: [{ port: TYPHA_PORT, protocol: "TCP", targetPort: "calico-typha", name: "calico-typha" }], selector: labels },
    }, labels),
    namespaced("policy/v1", "PodDisruptionBudget", "calico-typha", { spec: { maxUnavailable: 1, selector: { matchLabels: labels } } }, labels),
    namespaced("apps/v1", "Deployment", "calico-typha", {
      spec: {
        replicas: settings.typhaReplicas,
        revisionHistoryLimit: 2,
        selector: { matchLabels: labels },
        strategy: { rollingUpdate: { maxSurge: "100%", maxUnavailable: 1 } },
        template: {
          metadata: { labels },
          spec: {
            nodeSelector: { "kubernetes.io/os": "linux" },
            hostNetwork: true,
            tolerations: [{ operator: "Exists" }],
            serviceAccountName: "canal",
            priorityClassName: "system-cluster-critical",
            securityContext: { fsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: "calico-typha",
                image: settings.images.typha,
                imagePullPolicy: "IfNotPresent",
                ports: [{ containerPort: TYPHA_PORT, name: "calico-typha", protocol: "TCP" }],
                env: [
                  { name: "TYPHA_LOGSEVERITYSCREEN", value: "info" },
                  { name: "TYPHA_LOGFILEPATH", value: "none" },
                  { name: "TYPHA_LOGSEVERITYSYS", value: "none" },
                  { name: "TYPHA_CONNECTIONREBALANCINGMODE", value: "kubernetes" },
                  { name: "TYPHA_DATASTORETYPE", value: "kubernetes" },
                  { name: "TYPHA_HEALTHENABLED", value: "true" },
                ],
                livenessProbe: { httpGet: { path: "/liveness", port: 9098, host: "localhost" }, periodSeconds: 30, initialDelaySeconds: 30 },
                readinessProbe: { httpGet: { path: "/readiness", port: 9098, host: "localhost" }, periodSeconds: 10 },
                securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false },
              },
            ],
          },
        },
      },
    }, labels),
  ];
}
