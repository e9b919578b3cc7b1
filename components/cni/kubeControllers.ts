/** `calico-kube-controllers` and its PodDisruptionBudget, as upstream ships them. */
import { namespaced, type KubernetesObject } from "./objects";
import type { CanalSettings } from "./settings";

/** Builds the Deployment and the PDB. */
export function buildKubeControllers(settings: CanalSettings): KubernetesObject[] {
  const labels = { "k8s-app": "calico-kube-controllers" };
  return [
    namespaced("policy/v1", "PodDisruptionBudget", "calico-kube-controllers", { spec: { maxUnavailable: 1, selector: { matchLabels: labels } } }, labels),
    namespaced("apps/v1", "Deployment", "calico-kube-controllers", {
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        strategy: { type: "Recreate" },
        template: {
          metadata: { name: "calico-kube-controllers", namespace: "kube-system", labels },
          spec: {
            nodeSelector: { "kubernetes.io/os": "linux" },
            tolerations: [
              { key: "CriticalAddonsOnly", operator: "Exists" },
              { key: "node-role.kubernetes.io/master", effect: "NoSchedule" },
              { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" },
            ],
            serviceAccountName: "calico-kube-controllers",
            securityContext: { seccompProfile: { type: "RuntimeDefault" } },
            priorityClassName: "system-cluster-critical",
            containers: [
              {
                name: "calico-kube-controllers",
                image: settings.images.kubeControllers,
                imagePullPolicy: "IfNotPresent",
                env: [
                  { name: "ENABLED_CONTROLLERS", value: "node,loadbalancer" },
                  { name: "DATASTORE_TYPE", value: "kubernetes" },
                ],
                livenessProbe: { exec: { command: ["/usr/bin/check-status", "-l"] }, periodSeconds: 10, initialDelaySeconds: 10, failureThreshold: 6, timeoutSeconds: 10 },
                readinessProbe: { exec: { command: ["/usr/bin/check-status", "-r"] }, periodSeconds: 10 },
                securityContext: { runAsNonRoot: true },
              },
            ],
          },
        },
      },
    }, labels),
  ];
}
