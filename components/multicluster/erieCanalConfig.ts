/**
 * ErieCanal's configuration: the manager's controller-runtime config (ports follow the webhook
 * networking plan), the mesh config the manager and the control plane read and rewrite at run
 * time, and the two objects the manager pod creates on first start (`Cluster/local`, the default
 * ProxyProfile).
 */
import { stringify } from "yaml";
import { objectIn, type KubernetesObject } from "../cni/objects";
import { FLOMESH_API } from "./crds";
import { erieCanalLabels, ERIECANAL_NAMES, INGRESS_CONTAINER_PORTS, REPO_PORT } from "./erieCanalNames";
import type { ErieCanalSettings } from "./erieCanalSettings";

/** Key of the manager config file in its ConfigMap (the manager reads `/<key>`). */
export const MANAGER_CONFIG_FILE = "manager_config.yaml";

/** The manager's controller-runtime configuration. */
export function managerConfig(settings: ErieCanalSettings): Record<string, unknown> {
  return {
    apiVersion: "controller-runtime.sigs.k8s.io/v1alpha1",
    kind: "ControllerManagerConfig",
    health: { healthProbeBindAddress: `:${settings.healthPort}` },
    // Metrics stay on loopback: on the host network a wildcard bind would expose them on the node.
    metrics: { bindAddress: "127.0.0.1:8080" },
    webhook: { port: settings.webhook.port },
    leaderElection: { leaderElect: true, resourceNamespace: settings.namespace, resourceName: "manager.flomesh.io" },
  };
}

/** The mesh config as installed (the manager later writes `cluster.uid`, the control plane the rest of `cluster`). */
export function meshConfig(settings: ErieCanalSettings): Record<string, unknown> {
  const repository = settings.images.pipy.slice(0, settings.images.pipy.lastIndexOf("/"));
  const withoutRepository = (image: string) => image.slice(image.lastIndexOf("/") + 1);
  const tls = settings.gateway.tls;
  return {
    isManaged: false,
    images: {
      repository,
      pipyImage: withoutRepository(settings.images.pipy),
      proxyInitImage: withoutRepository(settings.images.proxyInit),
      klipperLbImage: "mirrored-klipper-lb:v0.3.5",
    },
    repo: { rootURL: `http://${ERIECANAL_NAMES.repoService}.${settings.namespace}.svc:${REPO_PORT}` },
    webhook: { serviceName: ERIECANAL_NAMES.webhookService },
    ingress: {
      enabled: true,
      namespaced: false,
      http: { enabled: true, bind: settings.gateway.httpPort, listen: INGRESS_CONTAINER_PORTS.http, nodePort: 0 },
      tls: { enabled: tls !== undefined, bind: tls?.port ?? 443, listen: INGRESS_CONTAINER_PORTS.https, nodePort: 0, mTLS: false, sslPassthrough: { enabled: false, upstreamPort: 443 } },
    },
    gatewayApi: { enabled: false },
    certificate: { manager: settings.certManager ? "cert-manager" : "archon", caBundleName: ERIECANAL_NAMES.caBundle, caBundleNamespace: "" },
    cluster: { uid: "", region: "default", zone: "default", group: "default", name: "local", controlPlaneUID: "" },
    serviceLB: { enabled: false },
  };
}

/** `Cluster/local`: the connector for the cluster the manager runs in. */
export function localClusterObject(): KubernetesObject {
  return {
    apiVersion: `${FLOMESH_API.group}/${FLOMESH_API.version}`,
    kind: "Cluster",
    metadata: { name: "local", labels: { "multicluster.flomesh.io/connector-mode": "local" } },
    spec: { isInCluster: true },
  };
}

/** The default ProxyProfile the manager expects (legacy sidecars, scripts from the repo). */
export function defaultProxyProfileObject(): KubernetesObject {
  return {
    apiVersion: `${FLOMESH_API.group}/${FLOMESH_API.version}`,
    kind: "ProxyProfile",
    metadata: { name: "default-proxyprofile", labels: { "sidecar.flomesh.io/is-default-proxyprofile": "true" } },
    spec: { mode: "Remote", sidecars: [{ name: "sidecar" }] },
  };
}

/** The three ConfigMaps. */
export function buildErieCanalConfig(settings: ErieCanalSettings): KubernetesObject[] {
  const ns = settings.namespace;
  const labels = erieCanalLabels(settings);
  return [
    objectIn(ns, "v1", "ConfigMap", ERIECANAL_NAMES.managerConfig, { data: { [MANAGER_CONFIG_FILE]: stringify(managerConfig(settings)) } }, labels),
    objectIn(ns, "v1", "ConfigMap", ERIECANAL_NAMES.meshConfig, { data: { "mesh_config.json": JSON.stringify(meshConfig(settings), null, 2) } }, labels),
    objectIn(ns, "v1", "ConfigMap", ERIECANAL_NAMES.manifestsConfig, {
      data: { "cluster_local.yaml": stringify(localClusterObject()), "default_proxyprofile.yaml": stringify(defaultProxyProfileObject()) },
    }, labels),
  ];
}
