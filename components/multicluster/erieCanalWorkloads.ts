/**
 * ErieCanal's workloads and their Services: the manager (webhooks, health, the init steps), the
 * Pipy repo, and the Pipy ingress that is the cluster's gateway, exposed by an AWS Network Load
 * Balancer. Also the two webhook configurations, declared without entries: the manager fills them.
 */
import { clusterScoped, objectIn, withMetadata, type KubernetesObject } from "../cni/objects";
import { MANAGER_CONFIG_FILE } from "./erieCanalConfig";
import { componentSelector, erieCanalLabels, ERIECANAL_NAMES, INGRESS_CONTAINER_PORTS, REPO_PORT } from "./erieCanalNames";
import type { ErieCanalSettings } from "./erieCanalSettings";

const NON_ROOT = { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } };
const CONTAINER_SECURITY = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };

/** The env every ErieCanal container gets (the manager finds its namespace through it). */
function commonEnv(settings: ErieCanalSettings): Record<string, unknown>[] {
  return [
    { name: "ERIECANAL_POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
    { name: "ERIECANAL_POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
    { name: "ERIECANAL_NAMESPACE", value: settings.namespace },
  ];
}

/** Spread replicas of one component over nodes, and keep them on linux amd64/arm64 nodes. */
function placement(component: string): Record<string, unknown> {
  return {
    nodeSelector: { "kubernetes.io/os": "linux" },
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64", "arm64"] }] }],
        },
      },
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchExpressions: [{ key: "flomesh.io/app", operator: "In", values: [component] }] } } },
        ],
      },
    },
  };
}

/**
 * Shell run by the `fetch-scripts` init container: downloads the released chart, refuses it
 * unless its SHA-256 matches, and leaves the Pipy scripts archive for the `init` container.
 */
export function fetchScriptsCommand(source: { chartUrl: string; sha256: string; archivePath: string }): string {
  return [
    "set -eu",
    `curl -fsSL --retry 10 --retry-delay 3 --retry-connrefused -o /work/chart.tgz '${source.chartUrl}'`,
    `echo '${source.sha256}  /work/chart.tgz' | sha256sum -c -`,
    `tar -xzf /work/chart.tgz -C /work '${source.archivePath}'`,
    `mv '/work/${source.archivePath}' /work/scripts.tar.gz`,
  ].join("\n");
}

/**
 * Shell run by the manager's `init` container: unpacks the scripts where the manager publishes
 * them from, then creates `Cluster/local` and the default ProxyProfile only if they are missing
 * (on restarts the manager's fail-closed webhooks are registered but not served yet, so a
 * needless write would fail). The CRDs are not applied here: the kit declares them.
 */
export const MANAGER_INIT_COMMAND = [
  "set -eu",
  "tar -C /repo -xzf /work/scripts.tar.gz",
  "kubectl get clusters.flomesh.io local >/dev/null 2>&1 || kubectl create -f /manifests/cluster_local.yaml",
  "kubectl get proxyprofiles.flomesh.io default-proxyprofile >/dev/null 2>&1 || kubectl create -f /manifests/default_proxyprofile.yaml",
].join("\n");

/** The manager Deployment, its Services, and the webhook configurations it fills. */
export function buildManager(settings: ErieCanalSettings): KubernetesObject[] {
  const ns = settings.namespace;
  const labels = erieCanalLabels(settings);
  const selector = componentSelector(ERIECANAL_NAMES.manager);
  const fromChart = "chartUrl" in settings.scripts ? settings.scripts : undefined;
  const scriptsVolume = fromChart ? { name: "work", emptyDir: {} } : { name: "work", configMap: { name: (settings.scripts as { configMap: string }).configMap } };
  const hostPorts = settings.webhook.hostNetwork;
  const containerPort = (name: string, port: number) => ({ name, containerPort: port, ...(hostPorts ? { hostPort: port } : {}), protocol: "TCP" });
  const initContainers = [
    ...(fromChart
      ? [{
          name: "fetch-scripts",
          image: settings.images.curl,
          imagePullPolicy: "IfNotPresent",
          command: ["sh", "-c", fetchScriptsCommand(fromChart)],
          securityContext: CONTAINER_SECURITY,
          volumeMounts: [{ name: "work", mountPath: "/work" }],
        }]
      : []),
    {
      name: "init",
      image: settings.images.toolbox,
      imagePullPolicy: "IfNotPresent",
      command: ["sh", "-c", MANAGER_INIT_COMMAND],
      securityContext: CONTAINER_SECURITY,
      volumeMounts: [
        { name: "work", mountPath: "/work" },
        { name: "shared-repo", mountPath: "/repo" },
        { name: "manifests", mountPath: "/manifests" },
      ],
    },
  ];
  return [
    objectIn(ns, "apps/v1", "Deployment", ERIECANAL_NAMES.manager, {
      spec: {
        replicas: settings.managerReplicas,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: { ...labels, ...selector } },
          spec: {
            serviceAccountName: ERIECANAL_NAMES.serviceAccount,
            // The EKS control plane cannot reach pod IPs under Canal: serve webhooks from the host.
            hostNetwork: settings.webhook.hostNetwork,
            dnsPolicy: settings.webhook.dnsPolicy,
            priorityClassName: "system-node-critical",
            terminationGracePeriodSeconds: 30,
            securityContext: NON_ROOT,
            ...placement(ERIECANAL_NAMES.manager),
            initContainers,
            containers: [
              {
                name: "manager",
                image: settings.images.manager,
                imagePullPolicy: "IfNotPresent",
                command: ["/manager"],
                args: [`--v=${settings.logLevel}`, `--config=/${MANAGER_CONFIG_FILE}`],
                env: commonEnv(settings),
                ports: [containerPort("webhook", settings.webhook.port), containerPort("health", settings.healthPort)],
                resources: { requests: { cpu: "200m", memory: "200Mi" }, limits: { cpu: "2", memory: "2000Mi" } },
                livenessProbe: { httpGet: { path: "/healthz", port: settings.healthPort }, initialDelaySeconds: 1, timeoutSeconds: 5 },
                readinessProbe: { httpGet: { path: "/readyz", port: settings.healthPort }, initialDelaySeconds: 1, timeoutSeconds: 5 },
                securityContext: CONTAINER_SECURITY,
                volumeMounts: [
                  { name: "manager-config", mountPath: `/${MANAGER_CONFIG_FILE}`, subPath: MANAGER_CONFIG_FILE },
                  { name: "shared-repo", mountPath: "/repo" },
                ],
              },
            ],
            volumes: [
              { name: "manager-config", configMap: { name: ERIECANAL_NAMES.managerConfig } },
              { name: "manifests", configMap: { name: ERIECANAL_NAMES.manifestsConfig } },
              scriptsVolume,
              { name: "shared-repo", emptyDir: {} },
            ],
          },
        },
      },
    }, labels),
    objectIn(ns, "v1", "Service", ERIECANAL_NAMES.manager, {
      spec: { type: "ClusterIP", selector, ports: [{ name: "health", port: settings.healthPort, targetPort: "health", protocol: "TCP" }] },
    }, labels),
    objectIn(ns, "v1", "Service", ERIECANAL_NAMES.webhookService, {
      spec: { type: "ClusterIP", selector, ports: [{ name: "webhook", port: 443, targetPort: "webhook", protocol: "TCP" }] },
    }, labels),
    // No `webhooks` field: the manager owns the entries (with its CA bundle), Pulumi never does.
    withMetadata(clusterScoped("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", ERIECANAL_NAMES.mutatingWebhooks, {}), { labels }),
    withMetadata(clusterScoped("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", ERIECANAL_NAMES.validatingWebhooks, {}), { labels }),
  ];
}

/** The Pipy repo Deployment and Service. */
export function buildRepo(settings: ErieCanalSettings): KubernetesObject[] {
  const ns = settings.namespace;
  const labels = erieCanalLabels(settings);
  const selector = componentSelector(ERIECANAL_NAMES.repo);
  return [
    objectIn(ns, "apps/v1", "Deployment", ERIECANAL_NAMES.repo, {
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: { ...labels, ...selector } },
          spec: {
            serviceAccountName: ERIECANAL_NAMES.serviceAccount,
            priorityClassName: "system-node-critical",
            securityContext: NON_ROOT,
            ...placement(ERIECANAL_NAMES.repo),
            containers: [
              {
                name: "repo",
                image: settings.images.pipy,
                imagePullPolicy: "IfNotPresent",
                command: ["pipy"],
                args: [`--admin-port=${REPO_PORT}`],
                env: commonEnv(settings),
                ports: [{ name: "repo", containerPort: REPO_PORT, protocol: "TCP" }],
                resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "1Gi" } },
                livenessProbe: { tcpSocket: { port: REPO_PORT }, initialDelaySeconds: 1, timeoutSeconds: 5 },
                readinessProbe: { tcpSocket: { port: REPO_PORT }, initialDelaySeconds: 1, timeoutSeconds: 5 },
                securityContext: CONTAINER_SECURITY,
              },
            ],
          },
        },
      },
    }, labels),
    objectIn(ns, "v1", "Service", ERIECANAL_NAMES.repoService, {
      spec: { type: "ClusterIP", selector, ports: [{ name: "repo", port: REPO_PORT, targetPort: REPO_PORT, protocol: "TCP" }] },
    }, labels),
  ];
}

/** Annotations that make the gateway Service an AWS Network Load Balancer of the chosen scheme. */
export function gatewayServiceAnnotations(scheme: "internal" | "internet-facing"): Record<string, string> {
  return {
    "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
    // Read by the AWS Load Balancer Controller when it is installed…
    "service.beta.kubernetes.io/aws-load-balancer-scheme": scheme,
    // …and by the in-tree cloud provider otherwise.
    ...(scheme === "internal" ? { "service.beta.kubernetes.io/aws-load-balancer-internal": "true" } : {}),
    "service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled": "true",
  };
}

/** The Pipy ingress (the cluster's gateway): Deployment, NLB Service, IngressClass, repo Ingress. */
export function buildIngress(settings: ErieCanalSettings): KubernetesObject[] {
  const ns = settings.namespace;
  const labels = erieCanalLabels(settings);
  const selector = { ...componentSelector(ERIECANAL_NAMES.ingress), "ingress.flomesh.io/namespaced": "false" };
  const tls = settings.gateway.tls;
  return [
    objectIn(ns, "apps/v1", "Deployment", ERIECANAL_NAMES.ingress, {
      spec: {
        replicas: settings.ingressReplicas,
        selector: { matchLabels: selector },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: {
          metadata: { labels: { ...labels, ...selector } },
          spec: {
            serviceAccountName: ERIECANAL_NAMES.serviceAccount,
            terminationGracePeriodSeconds: 60,
            securityContext: NON_ROOT,
            ...placement(ERIECANAL_NAMES.ingress),
            initContainers: [
              {
                name: "wait-manager",
                image: settings.images.curl,
                imagePullPolicy: "IfNotPresent",
                command: ["curl", `http://${ERIECANAL_NAMES.manager}.${ns}.svc:${settings.healthPort}/healthz`, "--connect-timeout", "2", "--retry", "50", "--retry-connrefused", "--retry-delay", "5"],
                securityContext: CONTAINER_SECURITY,
              },
            ],
            containers: [
              {
                name: "ingress",
                image: settings.images.ingress,
                imagePullPolicy: "IfNotPresent",
                args: [`--v=${settings.logLevel}`],
                env: [...commonEnv(settings), { name: "GIN_MODE", value: "release" }],
                ports: [
                  { name: "http", containerPort: INGRESS_CONTAINER_PORTS.http, protocol: "TCP" },
                  ...(tls ? [{ name: "https", containerPort: INGRESS_CONTAINER_PORTS.https, protocol: "TCP" }] : []),
                  { name: "health", containerPort: INGRESS_CONTAINER_PORTS.health, protocol: "TCP" },
                ],
                resources: { requests: { cpu: "500m", memory: "128M" }, limits: { cpu: "2", memory: "1G" } },
                livenessProbe: { tcpSocket: { port: INGRESS_CONTAINER_PORTS.http }, initialDelaySeconds: 5, timeoutSeconds: 5 },
                readinessProbe: { tcpSocket: { port: INGRESS_CONTAINER_PORTS.http }, initialDelaySeconds: 5, timeoutSeconds: 5 },
                securityContext: CONTAINER_SECURITY,
              },
            ],
          },
        },
      },
    }, labels),
    withMetadata(objectIn(ns, "v1", "Service", ERIECANAL_NAMES.ingressService, {
        spec: {
          type: "LoadBalancer",
          selector,
          ports: [
            { name: "http", port: settings.gateway.httpPort, targetPort: INGRESS_CONTAINER_PORTS.http, protocol: "TCP" },
            ...(tls ? [{ name: "https", port: tls.port, targetPort: INGRESS_CONTAINER_PORTS.https, protocol: "TCP" }] : []),
          ],
          ...(settings.gateway.sourceRanges.length > 0 ? { loadBalancerSourceRanges: settings.gateway.sourceRanges } : {}),
        },
      }, { ...labels, "ingress.flomesh.io/namespaced": "false" }), { annotations: gatewayServiceAnnotations(settings.gateway.scheme) }),
    withMetadata(clusterScoped("networking.k8s.io/v1", "IngressClass", ERIECANAL_NAMES.ingressClass, { spec: { controller: "flomesh.io/ingress-pipy" } }), {
      labels,
      annotations: { "meta.flomesh.io/namespace": ns, "meta.flomesh.io/ingress-pipy-svc": ERIECANAL_NAMES.ingressService },
    }),
    withMetadata(objectIn(ns, "networking.k8s.io/v1", "Ingress", ERIECANAL_NAMES.repoIngress, {
        spec: {
          ingressClassName: ERIECANAL_NAMES.ingressClass,
          rules: [{ http: { paths: [{ path: "/mesh", pathType: "Prefix", backend: { service: { name: ERIECANAL_NAMES.repoService, port: { number: REPO_PORT } } } }] } }],
        },
      }, labels), { annotations: { "pipy.ingress.kubernetes.io/rewrite-target-from": "^/mesh/?", "pipy.ingress.kubernetes.io/rewrite-target-to": "/" } }),
  ];
}
