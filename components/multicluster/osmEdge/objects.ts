/**
 * osm-edge v1.3.0 as plain Kubernetes objects, written from what its programs read (not from the
 * chart): the namespace, RBAC, the preset MeshConfig osm-bootstrap turns into `osm-mesh-config`,
 * the Services the webhook configurations and sidecars name, empty webhook configurations the
 * servers fill in at start, and the three Deployments. Where the control plane cannot reach pods
 * the injector pod runs on the host network with a relay (Pipy, from the image the sidecars use)
 * that listens on the kit's webhook ports and forwards to the fixed ports osm-edge binds.
 */
import { clusterScoped, objectIn, type KubernetesObject } from "../../cni/objects";
import { OSM_EDGE_PORTS, type OsmEdgeSettings } from "./settings";

/** Names osm-edge's programs look up or derive (pkg/constants, cmd/*, chart helpers). */
export const OSM_EDGE_NAMES = {
  controller: "osm-controller",
  injector: "osm-injector",
  bootstrap: "osm-bootstrap",
  validator: "osm-validator",
  /** The kit's Service in front of the controller's validator when the relay serves `osm-validator`. */
  validatorBackend: "osm-validator-backend",
  presetMeshConfig: "preset-mesh-config",
  caBundleSecret: "osm-ca-bundle",
  relayConfig: "osm-webhook-relay",
} as const;

/** The namespace label that joins a namespace to the mesh (`openservicemesh.io/monitored-by`). */
export const MONITORED_BY_LABEL = "openservicemesh.io/monitored-by";
/** The namespace (or pod) annotation that turns sidecar injection on. */
export const SIDECAR_INJECTION_ANNOTATION = "openservicemesh.io/sidecar-injection";

/** The mutating and validating webhook configuration names the servers create or update. */
export function webhookConfigurationNames(meshName: string): { mutating: string; validating: string } {
  return { mutating: `osm-webhook-${meshName}`, validating: `osm-validator-mesh-${meshName}` };
}

/** The labels osm-edge sets on its own objects (chart helper `osm.labels`), plus the kit's. */
export function osmEdgeLabels(s: OsmEdgeSettings): Record<string, string> {
  return { "app.kubernetes.io/name": "openservicemesh.io", "app.kubernetes.io/instance": s.meshName, "app.kubernetes.io/version": `v${s.version}`, "app.kubernetes.io/managed-by": "canalkit" };
}

/** The metadata a namespace needs to be in the mesh with sidecars injected. */
export function meshedNamespaceMetadata(meshName: string): { labels: Record<string, string>; annotations: Record<string, string> } {
  return { labels: { [MONITORED_BY_LABEL]: meshName }, annotations: { [SIDECAR_INJECTION_ANNOTATION]: "enabled" } };
}

/** The ClusterRole's rules: what the controller, injector and bootstrap read and write. */
export function osmEdgeRules(): Record<string, unknown>[] {
  const read = ["list", "get", "watch"];
  return [
    { apiGroups: ["apps"], resources: ["daemonsets", "deployments", "replicasets", "statefulsets"], verbs: read },
    { apiGroups: ["networking.k8s.io"], resources: ["ingresses", "ingressclasses"], verbs: read },
    { apiGroups: ["batch"], resources: ["jobs"], verbs: read },
    { apiGroups: [""], resources: ["endpoints", "namespaces", "pods", "services", "secrets", "configmaps", "serviceaccounts"], verbs: read },
    { apiGroups: [""], resources: ["events"], verbs: ["create", "watch"] },
    // The CA bundle and the per-pod sidecar bootstrap secrets.
    { apiGroups: [""], resources: ["secrets"], verbs: ["create", "update", "delete", "patch"] },
    { apiGroups: [""], resources: ["configmaps"], verbs: ["create", "update"] },
    // The servers create and update their own webhook configurations.
    { apiGroups: ["admissionregistration.k8s.io"], resources: ["mutatingwebhookconfigurations", "validatingwebhookconfigurations"], verbs: ["get", "list", "watch", "create", "update", "patch"] },
    // osm-bootstrap applies osm-edge's CRDs at every start.
    { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["get", "list", "watch", "create", "update", "patch"] },
    { apiGroups: ["config.openservicemesh.io"], resources: ["meshconfigs", "meshrootcertificates"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] },
    { apiGroups: ["config.openservicemesh.io"], resources: ["meshrootcertificates/status"], verbs: ["update"] },
    { apiGroups: ["split.smi-spec.io"], resources: ["trafficsplits"], verbs: read },
    { apiGroups: ["access.smi-spec.io"], resources: ["traffictargets"], verbs: read },
    { apiGroups: ["specs.smi-spec.io"], resources: ["httproutegroups", "tcproutes"], verbs: read },
    { apiGroups: ["policy.openservicemesh.io"], resources: ["egresses", "egressgateways", "ingressbackends", "accesscontrols", "accesscerts", "retries", "upstreamtrafficsettings"], verbs: read },
    { apiGroups: ["policy.openservicemesh.io"], resources: ["ingressbackends/status", "accesscontrols/status", "accesscerts/status", "upstreamtrafficsettings/status"], verbs: ["update"] },
    // ErieCanal's objects, which become sidecar routes: read only.
    { apiGroups: ["flomesh.io"], resources: ["serviceexports", "serviceimports", "globaltrafficpolicies"], verbs: read },
    { apiGroups: ["plugin.flomesh.io"], resources: ["plugins", "pluginchains", "pluginconfigs"], verbs: read },
    { apiGroups: ["plugin.flomesh.io"], resources: ["plugins/status", "pluginchains/status", "pluginconfigs/status"], verbs: ["update"] },
  ];
}

const chain = (...entries: [string, number][]) => entries.map(([plugin, priority]) => ({ plugin: `modules/${plugin}`, priority, disable: false }));

/**
 * The MeshConfig spec osm-bootstrap creates `osm-mesh-config` from (JSON in ConfigMap
 * `preset-mesh-config`, key `preset-mesh-config.json`), with field names as the v1alpha2 Go types
 * decode them. The local DNS proxy is on with kube-dns as its primary upstream: it answers
 * imported names, and osm-edge's fallback upstream (10.96.0.10) is wrong on EKS.
 */
export function presetMeshConfig(s: OsmEdgeSettings): Record<string, unknown> {
  return {
    clusterSet: { properties: [] },
    sidecar: {
      enablePrivilegedInitContainer: false,
      logLevel: s.sidecarLogLevel,
      maxDataPlaneConnections: 0,
      configResyncInterval: "90s",
      sidecarClass: "pipy",
      sidecarImage: s.images.sidecar,
      sidecarDrivers: [{ sidecarName: "pipy", sidecarImage: s.images.sidecar, proxyServerPort: OSM_EDGE_PORTS.repo }],
      localProxyMode: "Localhost",
      localDNSProxy: { enable: true, primaryUpstreamDNSServerIPAddr: s.clusterDnsIp },
    },
    traffic: {
      interceptionMode: "iptables",
      enableEgress: true,
      // Imported services are reached without SMI policies, as in ErieCanal's demos.
      enablePermissiveTrafficPolicyMode: true,
      outboundPortExclusionList: [],
      inboundPortExclusionList: [],
      outboundIPRangeExclusionList: [],
      outboundIPRangeInclusionList: [],
      networkInterfaceExclusionList: [],
    },
    observability: { enableDebugServer: false, osmLogLevel: "info", tracing: { enable: false }, remoteLogging: { enable: false } },
    certificate: { serviceCertValidityDuration: "24h", certKeyBitSize: 2048 },
    repoServer: { ipaddr: "127.0.0.1", codebase: "" },
    featureFlags: {
      enableWASMStats: false,
      enableEgressPolicy: true,
      enableSnapshotCacheMode: false,
      enableAsyncProxyServiceMapping: false,
      enableIngressBackendPolicy: true,
      enableAccessControlPolicy: false,
      enableAccessCertPolicy: false,
      enableSidecarActiveHealthChecks: false,
      enableRetryPolicy: false,
      enablePluginPolicy: false,
    },
    pluginChains: {
      "inbound-tcp": chain(["inbound-tls-termination", 130], ["inbound-tcp-routing", 120], ["inbound-tcp-load-balancing", 110], ["inbound-tcp-default", 100]),
      "inbound-http": chain(["inbound-tls-termination", 180], ["inbound-http-routing", 170], ["inbound-metrics-http", 160], ["inbound-tracing-http", 150], ["inbound-logging-http", 140], ["inbound-throttle-service", 130], ["inbound-throttle-route", 120], ["inbound-http-load-balancing", 110], ["inbound-http-default", 100]),
      "outbound-tcp": chain(["outbound-tcp-routing", 120], ["outbound-tcp-load-balancing", 110], ["outbound-tcp-default", 100]),
      "outbound-http": chain(["outbound-http-routing", 160], ["outbound-metrics-http", 150], ["outbound-tracing-http", 140], ["outbound-logging-http", 130], ["outbound-circuit-breaker", 120], ["outbound-http-load-balancing", 110], ["outbound-http-default", 100]),
    },
  };
}

/**
 * The relay's PipyJS: one TCP listener per webhook on the kit's host ports. TLS passes through
 * untouched, so the API server still verifies the servers' own certificates (SAN
 * `<service>.<namespace>.svc`). The injector is in the same pod (loopback); the validator runs
 * in the controller pod on the pod network, reached through its backend Service.
 */
export function relayScript(s: OsmEdgeSettings): string {
  return [
    `pipy()`,
    `.listen(${s.webhooks.injectorPort}).connect('127.0.0.1:${OSM_EDGE_PORTS.injectorWebhook}')`,
    `.listen(${s.webhooks.validatorPort}).connect('${OSM_EDGE_NAMES.validatorBackend}.${s.namespace}.svc.cluster.local:${OSM_EDGE_PORTS.validatorWebhook}')`,
    ``,
  ].join("\n");
}

const SECURITY_CONTEXT = { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, supplementalGroups: [5555] };
const podName = (env: string) => ({ name: env, valueFrom: { fieldRef: { fieldPath: "metadata.name" } } });
const httpProbe = (path: string, delay: number) => ({ initialDelaySeconds: delay, timeoutSeconds: 5, httpGet: { scheme: "HTTP", path, port: OSM_EDGE_PORTS.metrics } });

function commonArgs(s: OsmEdgeSettings): string[] {
  return [
    "--verbosity", "info",
    "--osm-namespace", s.namespace,
    "--osm-version", `v${s.version}`,
    "--ca-bundle-secret-name", OSM_EDGE_NAMES.caBundleSecret,
    "--certificate-manager", "tresor",
    "--trust-domain", "cluster.local",
    "--enable-mesh-root-certificate=false",
    "--enable-reconciler=false",
  ];
}

/** The controller and injector wait for osm-bootstrap (it creates the CRDs and the MeshConfig). */
function waitForBootstrap(s: OsmEdgeSettings, name: string): Record<string, unknown> {
  return { name, image: s.images.curl, command: ["curl", `http://${OSM_EDGE_NAMES.bootstrap}.${s.namespace}.svc.cluster.local:${OSM_EDGE_PORTS.metrics}/healthz`, "--connect-timeout", "2", "--retry", "50", "--retry-connrefused", "--retry-delay", "5"] };
}

function deployment(s: OsmEdgeSettings, app: string, spec: Record<string, unknown>, strategy?: Record<string, unknown>): KubernetesObject {
  const labels = { ...osmEdgeLabels(s), app };
  return objectIn(s.namespace, "apps/v1", "Deployment", app, {
    spec: {
      replicas: 1,
      selector: { matchLabels: { app } },
      ...(strategy ? { strategy } : {}),
      template: {
        metadata: { labels, annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": String(OSM_EDGE_PORTS.metrics) } },
        spec: { priorityClassName: "system-node-critical", serviceAccountName: s.meshName, securityContext: SECURITY_CONTEXT, nodeSelector: { "kubernetes.io/os": "linux" }, ...spec },
      },
    },
  }, { ...labels, meshName: s.meshName });
}

function service(s: OsmEdgeSettings, name: string, selector: Record<string, string>, ports: { name: string; port: number; targetPort: number }[]): KubernetesObject {
  return objectIn(s.namespace, "v1", "Service", name, { spec: { selector, ports: ports.map((p) => ({ ...p, protocol: "TCP" })) } }, { ...osmEdgeLabels(s), app: selector["app"]! });
}

/** Everything osm-edge needs in one cluster, in apply order. */
export function buildOsmEdgeObjects(s: OsmEdgeSettings): KubernetesObject[] {
  const labels = osmEdgeLabels(s);
  const host = s.webhooks.hostNetwork;
  const names = webhookConfigurationNames(s.meshName);
  const namespace = clusterScoped("v1", "Namespace", s.namespace, {});
  // `name` is what the webhooks' namespaceSelector excludes; host networking needs `privileged`.
  namespace.metadata.labels = { ...labels, name: s.namespace, "pod-security.kubernetes.io/enforce": host ? "privileged" : "baseline" };
  const clusterRole = clusterScoped("rbac.authorization.k8s.io/v1", "ClusterRole", s.meshName, { rules: osmEdgeRules() });
  clusterRole.metadata.labels = labels;
  const binding = clusterScoped("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", s.meshName, {
    subjects: [{ kind: "ServiceAccount", name: s.meshName, namespace: s.namespace }],
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: s.meshName },
  });
  binding.metadata.labels = labels;
  // Declared empty so `pulumi destroy` removes them: left behind, the injector's fail-closed
  // configuration would block every pod creation in meshed namespaces. The servers fill in `webhooks`.
  const mutating = clusterScoped("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", names.mutating, {});
  mutating.metadata.labels = { ...labels, app: OSM_EDGE_NAMES.injector };
  const validating = clusterScoped("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", names.validating, {});
  validating.metadata.labels = { ...labels, app: OSM_EDGE_NAMES.controller };

  const bootstrap = deployment(s, OSM_EDGE_NAMES.bootstrap, {
    containers: [{
      name: OSM_EDGE_NAMES.bootstrap,
      image: s.images.bootstrap,
      imagePullPolicy: "IfNotPresent",
      // No crdconversion port: nothing listens on it in v1.3.0 (every CRD has conversion None).
      ports: [{ name: "metrics", containerPort: OSM_EDGE_PORTS.metrics }],
      command: ["/osm-bootstrap"],
      args: commonArgs(s),
      resources: { limits: { cpu: "500m", memory: "128M" }, requests: { cpu: "300m", memory: "128M" } },
      readinessProbe: httpProbe("/healthz", 5),
      livenessProbe: httpProbe("/healthz", 5),
      env: [podName("BOOTSTRAP_POD_NAME")],
    }],
  });
  const controller = deployment(s, OSM_EDGE_NAMES.controller, {
    initContainers: [waitForBootstrap(s, "init-osm-controller")],
    containers: [
      { name: "osm-pipy-repo", image: s.images.repo, imagePullPolicy: "IfNotPresent", ports: [{ name: "pipy-admin-port", containerPort: OSM_EDGE_PORTS.repo }], command: ["pipy"], args: [`--admin-port=${OSM_EDGE_PORTS.repo}`] },
      {
        name: OSM_EDGE_NAMES.controller,
        image: s.images.controller,
        imagePullPolicy: "IfNotPresent",
        ports: [{ name: "metrics", containerPort: OSM_EDGE_PORTS.metrics }, { name: "validator", containerPort: OSM_EDGE_PORTS.validatorWebhook }],
        command: ["/osm-controller"],
        args: [...commonArgs(s), "--osm-service-account", s.meshName, "--mesh-name", s.meshName, "--validator-webhook-config", names.validating, "--cert-manager-issuer-name", "osm-ca", "--cert-manager-issuer-kind", "Issuer", "--cert-manager-issuer-group", "cert-manager.io", "--validate-traffic-target=true"],
        resources: { limits: { cpu: "1500m", memory: "1G" }, requests: { cpu: "500m", memory: "128M" } },
        readinessProbe: httpProbe("/health/ready", 1),
        livenessProbe: httpProbe("/health/alive", 1),
        env: [podName("CONTROLLER_POD_NAME"), { name: "OSM_DEFAULT_SIDECAR_CLASS", value: "pipy" }],
      },
    ],
  });
  const relay = host
    ? [{
        name: "webhook-relay",
        image: s.images.sidecar,
        imagePullPolicy: "IfNotPresent",
        command: ["pipy", "/relay/relay.js"],
        ports: [{ name: "inject-relay", containerPort: s.webhooks.injectorPort }, { name: "validate-relay", containerPort: s.webhooks.validatorPort }],
        readinessProbe: { tcpSocket: { port: s.webhooks.injectorPort }, periodSeconds: 10 },
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
        resources: { limits: { cpu: "200m", memory: "64M" }, requests: { cpu: "50m", memory: "32M" } },
        volumeMounts: [{ name: "relay", mountPath: "/relay", readOnly: true }],
      }]
    : [];
  const injector = deployment(s, OSM_EDGE_NAMES.injector, {
    ...(host ? { hostNetwork: true, dnsPolicy: s.webhooks.dnsPolicy, volumes: [{ name: "relay", configMap: { name: OSM_EDGE_NAMES.relayConfig } }] } : {}),
    initContainers: [waitForBootstrap(s, "init-osm-injector")],
    containers: [
      {
        name: OSM_EDGE_NAMES.injector,
        image: s.images.injector,
        imagePullPolicy: "IfNotPresent",
        // On the host network these are node ports too; declaring them makes the scheduler keep two injectors apart.
        ports: [{ name: "sidecar-inject", containerPort: OSM_EDGE_PORTS.injectorWebhook }, { name: "metrics", containerPort: OSM_EDGE_PORTS.metrics }],
        command: ["/osm-injector"],
        args: [...commonArgs(s), "--mesh-name", s.meshName, "--webhook-config-name", names.mutating, "--webhook-timeout", "20", "--cert-manager-issuer-name", "osm-ca", "--cert-manager-issuer-kind", "Issuer", "--cert-manager-issuer-group", "cert-manager.io", "--osm-container-pull-policy=IfNotPresent"],
        resources: { limits: { cpu: "500m", memory: "64M" }, requests: { cpu: "100m", memory: "32M" } },
        readinessProbe: httpProbe("/healthz", 5),
        livenessProbe: httpProbe("/healthz", 5),
        env: [
          { name: "CONTROLLER_SVC_NAME", value: OSM_EDGE_NAMES.controller },
          podName("INJECTOR_POD_NAME"),
          { name: "OSM_DEFAULT_SIDECAR_CLASS", value: "pipy" },
          { name: "OSM_DEFAULT_SIDECAR_IMAGE", value: s.images.sidecar },
          { name: "OSM_DEFAULT_SIDECAR_WINDOWS_IMAGE", value: "" },
          { name: "OSM_DEFAULT_INIT_CONTAINER_IMAGE", value: s.images.sidecarInit },
          { name: "OSM_DEFAULT_HEALTHCHECK_CONTAINER_IMAGE", value: s.images.healthcheck },
        ],
      },
      ...relay,
    ],
  }, host ? { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } : undefined);

  const app = (name: string) => ({ app: name });
  return [
    namespace,
    objectIn(s.namespace, "v1", "ServiceAccount", s.meshName, {}, labels),
    clusterRole,
    binding,
    objectIn(s.namespace, "v1", "ConfigMap", OSM_EDGE_NAMES.presetMeshConfig, { data: { "preset-mesh-config.json": JSON.stringify(presetMeshConfig(s), null, 2) } }, labels),
    ...(host ? [objectIn(s.namespace, "v1", "ConfigMap", OSM_EDGE_NAMES.relayConfig, { data: { "relay.js": relayScript(s) } }, labels)] : []),
    mutating,
    validating,
    service(s, OSM_EDGE_NAMES.bootstrap, app(OSM_EDGE_NAMES.bootstrap), [{ name: "health", port: OSM_EDGE_PORTS.metrics, targetPort: OSM_EDGE_PORTS.metrics }]),
    // Sidecars fetch their configuration from the repo through this Service (pipy_container.go).
    service(s, OSM_EDGE_NAMES.controller, app(OSM_EDGE_NAMES.controller), [{ name: "pipy-admin-port", port: OSM_EDGE_PORTS.repo, targetPort: OSM_EDGE_PORTS.repo }, { name: "healthz", port: OSM_EDGE_PORTS.metrics, targetPort: OSM_EDGE_PORTS.metrics }]),
    // The webhook configurations name these two Services on ports 9090 and 9093; on the host
    // network their endpoints are the relay's node ports.
    service(s, OSM_EDGE_NAMES.injector, app(OSM_EDGE_NAMES.injector), [{ name: "sidecar-inject", port: OSM_EDGE_PORTS.injectorWebhook, targetPort: s.webhooks.injectorPort }]),
    service(s, OSM_EDGE_NAMES.validator, app(host ? OSM_EDGE_NAMES.injector : OSM_EDGE_NAMES.controller), [{ name: "validator", port: OSM_EDGE_PORTS.validatorWebhook, targetPort: s.webhooks.validatorPort }]),
    ...(host ? [service(s, OSM_EDGE_NAMES.validatorBackend, app(OSM_EDGE_NAMES.controller), [{ name: "validator", port: OSM_EDGE_PORTS.validatorWebhook, targetPort: OSM_EDGE_PORTS.validatorWebhook }])] : []),
    bootstrap,
    controller,
    injector,
  ];
}

/** Fields osm-edge's servers own at run time, as Pulumi `ignoreChanges` paths per object id. */
export function osmEdgeRuntimeOwnedFields(s: OsmEdgeSettings): Record<string, string[]> {
  const names = webhookConfigurationNames(s.meshName);
  return { [`MutatingWebhookConfiguration/${names.mutating}`]: ["webhooks"], [`ValidatingWebhookConfiguration/${names.validating}`]: ["webhooks"] };
}
