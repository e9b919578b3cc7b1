/**
 * ErieCanal install settings: versions, pinned images, ports and gateway exposure, validated from
 * the user's options and the cluster's capabilities before any object is built. Where the
 * Kubernetes control plane cannot reach pods (EKS with Canal), the manager's webhook server runs
 * on the host network at a port from the kit's webhook range, and so does its health endpoint.
 */
import { webhookNetworking, WEBHOOK_HOST_PORT_RANGE, type WebhookNetworking } from "../cluster/capabilities";
import type { ClusterCapabilities } from "../cluster/types";
import { isPinnedImage } from "../cni/versions";
import { CanalkitInputError } from "../errors";
import { DNS_LABEL } from "../dnsLabel";
import { KIT_HOST_NETWORK_PEER_PORTS } from "../network/securityGroupRules";

/** The manager's health port on the host network: the one the node security group admits between nodes. */
export const MANAGER_HOST_HEALTH_PORT = KIT_HOST_NETWORK_PEER_PORTS.find((p) => p.name === "eriecanal-manager-health")!.port;

/** ErieCanal release the kit installs by default. */
export const DEFAULT_ERIECANAL_VERSION = "0.1.3";
/**
 * The ErieCanal releases whose objects the kit carries (flomesh.io CRDs, the manager's RBAC, the
 * mesh config, the scripts archive's digest); other versions are refused.
 */
export const CARRIED_ERIECANAL_VERSIONS: readonly string[] = [DEFAULT_ERIECANAL_VERSION];
/** The namespace ErieCanal's own installer uses; every member of a set must use the same one. */
export const DEFAULT_ERIECANAL_NAMESPACE = "erie-canal";
/**
 * The released chart archive the Pipy scripts come from, and its SHA-256 (the digest the chart
 * repository's index.yaml publishes for 0.1.3). The kit does not redistribute Flomesh's scripts:
 * the manager pod fetches them at start and refuses an archive whose checksum differs.
 *
 * The archive is read from the chart repository's `gh-pages` branch at a fixed commit through
 * raw.githubusercontent.com, not through the repository's Pages site: that site
 * (flomesh-io.github.io/ErieCanal) redirects to a custom domain of the archived project, so the
 * manager's start would depend on that domain staying registered. The commit pins the bytes; the
 * digest still guards them.
 */
export const DEFAULT_SCRIPTS_SOURCE = {
  chartUrl: "https://raw.githubusercontent.com/flomesh-io/ErieCanal/db0e2c3ce39fb4e7a127a1fc82200b8f4afba266/erie-canal-0.1.3.tgz",
  sha256: "1ef7cd79885fea11287dae3b7a55e115533f415c0aa0fc2dd4b08b105424dd69",
  archivePath: "erie-canal/components/scripts.tar.gz",
} as const;

/** The images ErieCanal runs. */
export type ErieCanalImageName = "manager" | "ingress" | "proxyInit" | "pipy" | "toolbox" | "curl";

/** Where the Pipy scripts the manager publishes to the repo come from. */
export type ScriptsSource =
  /** Download the released chart at pod start (default; a mirror URL works the same way). */
  | { chartUrl: string; sha256: string; archivePath?: string }
  /** A ConfigMap you created in the ErieCanal namespace with key `scripts.tar.gz` (air-gapped). */
  | { configMap: string };

/** How the cluster's gateway (the Pipy ingress) is exposed. */
export interface GatewayOptions {
  /** NLB scheme. Default `internal`; `internet-facing` only when chosen (and policy allows it). */
  scheme?: "internal" | "internet-facing";
  /** Service port of plain HTTP. Default 80. */
  httpPort?: number;
  /** A TLS listener on the gateway (port 443 → 8443); certificates come per Ingress (cert-manager). */
  tls?: { port?: number };
  /**
   * Source ranges allowed to reach the gateway (`loadBalancerSourceRanges`). The cloud provider
   * admits them to the gateway's NodePort on the nodes' security group (the NLB keeps the client
   * address); empty means every address. Stacks set the cluster set's VPC ranges on internal gateways.
   */
  sourceRanges?: string[];
}

/** User options of `ErieCanal`. */
export interface ErieCanalOptions {
  /** Namespace; the same in every cluster of a set. Default `erie-canal`. */
  namespace?: string;
  /** ErieCanal release: one of `CARRIED_ERIECANAL_VERSIONS` (`0.1.3`). Default `0.1.3`. */
  version?: string;
  /** Registry/repository prefix for images (mirrors). Default `docker.io/flomesh`. */
  imageRepository?: string;
  /** Full image references overriding computed ones (tag or digest required). */
  imageOverrides?: Partial<Record<ErieCanalImageName, string>>;
  /** Manager log verbosity (`--v`). Default 2. */
  logLevel?: number;
  /** Manager webhook port; a host port from 9443-9499 when the control plane cannot reach pods. Default 9443. */
  webhookPort?: number;
  /** Manager health port. Default 8081 on the pod network; on the host network always 9444 (admitted between nodes). */
  healthPort?: number;
  /** The gateway. */
  gateway?: GatewayOptions;
  /** Use cert-manager (installed by `ErieCanal` or already present) instead of the self-signed CA. */
  certManager?: boolean;
  /** Where the Pipy scripts come from. */
  scripts?: ScriptsSource;
  /** Manager replicas (leader-elected). Default 1. */
  managerReplicas?: number;
  /** Ingress replicas. Default 2 (rolling updates keep one serving). */
  ingressReplicas?: number;
}

/** Validated settings the builders use. */
export interface ErieCanalSettings {
  namespace: string;
  version: string;
  images: Record<ErieCanalImageName, string>;
  logLevel: number;
  webhook: WebhookNetworking;
  healthPort: number;
  gateway: { scheme: "internal" | "internet-facing"; httpPort: number; tls?: { port: number }; sourceRanges: string[] };
  certManager: boolean;
  scripts: { chartUrl: string; sha256: string; archivePath: string } | { configMap: string };
  managerReplicas: number;
  ingressReplicas: number;
}

function port(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new CanalkitInputError(field, value, "is not a port (1-65535)", "use a whole number from 1 to 65535");
  return value;
}

/** Derives and validates ErieCanal's settings for a cluster. */
export function erieCanalSettings(capabilities: ClusterCapabilities, options: ErieCanalOptions = {}): ErieCanalSettings {
  const namespace = options.namespace ?? DEFAULT_ERIECANAL_NAMESPACE;
  if (!DNS_LABEL.test(namespace)) throw new CanalkitInputError("erieCanal.namespace", namespace, "is not a valid namespace name", "use lowercase letters, digits and '-', for example erie-canal");
  const version = options.version ?? DEFAULT_ERIECANAL_VERSION;
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new CanalkitInputError("erieCanal.version", version, "is not a release version", "use a version such as 0.1.3 (no v prefix, never latest)");
  if (!CARRIED_ERIECANAL_VERSIONS.includes(version)) {
    throw new CanalkitInputError(
      "erieCanal.version",
      version,
      `is not an ErieCanal release this canalkit carries: it would run ${version} images with the CRDs, RBAC, mesh config and Pipy scripts of ${CARRIED_ERIECANAL_VERSIONS.join(", ")}`,
      `use ${CARRIED_ERIECANAL_VERSIONS.join(" or ")} (or remove the key)`,
    );
  }
  const repository = (options.imageRepository ?? "docker.io/flomesh").replace(/\/$/, "");
  const images: Record<ErieCanalImageName, string> = {
    manager: `${repository}/erie-canal-manager:${version}`,
    ingress: `${repository}/erie-canal-ingress-pipy:${version}`,
    proxyInit: `${repository}/erie-canal-proxy-init:${version}`,
    pipy: `${repository}/pipy:0.90.0-18-nonroot`,
    toolbox: `${repository}/toolbox:1.3.0`,
    curl: `${repository}/curl:7.84.0`,
    ...(options.imageOverrides ?? {}),
  };
  for (const [name, image] of Object.entries(images)) {
    if (!isPinnedImage(image)) throw new CanalkitInputError(`erieCanal.imageOverrides.${name}`, image, "is not pinned to a tag or digest", "use an explicit tag (not latest) or an @sha256 digest");
  }
  const logLevel = options.logLevel ?? 2;
  if (!Number.isInteger(logLevel) || logLevel < 0 || logLevel > 10) throw new CanalkitInputError("erieCanal.logLevel", logLevel, "must be a whole number from 0 to 10", "use 2, or 5 while debugging joins");
  const webhook = webhookNetworking(capabilities, port("erieCanal.webhookPort", options.webhookPort ?? 9443));
  const healthPort = port("erieCanal.healthPort", options.healthPort ?? (webhook.hostNetwork ? MANAGER_HOST_HEALTH_PORT : 8081));
  if (healthPort === webhook.port) throw new CanalkitInputError("erieCanal.healthPort", healthPort, "equals the webhook port", webhook.hostNetwork ? `keep the health port ${MANAGER_HOST_HEALTH_PORT} and pick another webhook port from ${WEBHOOK_HOST_PORT_RANGE.from}-${WEBHOOK_HOST_PORT_RANGE.to}` : "pick another port");
  // Pods on other nodes poll the health endpoint; the node security group admits exactly this
  // host port between nodes, so no other may be used on the host network.
  if (webhook.hostNetwork && healthPort !== MANAGER_HOST_HEALTH_PORT) {
    throw new CanalkitInputError("erieCanal.healthPort", healthPort, `is not the host port the node security group admits between nodes for the manager's health endpoint (the manager runs on the host network here)`, `remove erieCanal.healthPort or set it to ${MANAGER_HOST_HEALTH_PORT}`);
  }
  const gateway = options.gateway ?? {};
  const scheme = gateway.scheme ?? "internal";
  if (scheme !== "internal" && scheme !== "internet-facing") throw new CanalkitInputError("erieCanal.gateway.scheme", scheme, "is not an NLB scheme", "use internal or internet-facing");
  const httpPort = port("erieCanal.gateway.httpPort", gateway.httpPort ?? 80);
  const tls = gateway.tls ? { port: port("erieCanal.gateway.tls.port", gateway.tls.port ?? 443) } : undefined;
  if (tls && tls.port === httpPort) throw new CanalkitInputError("erieCanal.gateway.tls.port", tls.port, "equals the HTTP port", "use 443 for TLS and 80 for HTTP");
  const sourceRanges = gateway.sourceRanges ?? [];
  const scripts = options.scripts ?? DEFAULT_SCRIPTS_SOURCE;
  if ("chartUrl" in scripts) {
    if (!/^https:\/\//.test(scripts.chartUrl)) throw new CanalkitInputError("erieCanal.scripts.chartUrl", scripts.chartUrl, "must be an https URL", "use the released chart or a mirror of it over https");
    if (!/^[0-9a-f]{64}$/.test(scripts.sha256)) throw new CanalkitInputError("erieCanal.scripts.sha256", scripts.sha256, "is not a SHA-256 hex digest", "give the archive's sha256sum (64 lowercase hex digits)");
  } else if (!DNS_LABEL.test(scripts.configMap)) {
    throw new CanalkitInputError("erieCanal.scripts.configMap", scripts.configMap, "is not a valid ConfigMap name", "name the ConfigMap holding scripts.tar.gz");
  }
  const managerReplicas = options.managerReplicas ?? 1;
  const ingressReplicas = options.ingressReplicas ?? 2;
  for (const [field, n] of [["erieCanal.managerReplicas", managerReplicas], ["erieCanal.ingressReplicas", ingressReplicas]] as const) {
    if (!Number.isInteger(n) || n < 1) throw new CanalkitInputError(field, n, "must be at least 1", "use 1 for the manager (leader-elected) and 2 for the ingress");
  }
  return {
    namespace,
    version,
    images,
    logLevel,
    webhook,
    healthPort,
    gateway: { scheme, httpPort, ...(tls ? { tls } : {}), sourceRanges },
    certManager: options.certManager ?? false,
    scripts: "chartUrl" in scripts ? { chartUrl: scripts.chartUrl, sha256: scripts.sha256, archivePath: scripts.archivePath ?? DEFAULT_SCRIPTS_SOURCE.archivePath } : { configMap: scripts.configMap },
    managerReplicas,
    ingressReplicas,
  };
}
