/**
 * osm-edge install settings, validated from the user's options and the cluster's capabilities
 * before any object is built. osm-edge v1.3.0 binds its webhook servers to compile-time ports
 * (injector 9090, validator 9093) with no host-network option; where the control plane cannot
 * reach pods, the kit runs the injector pod on the host network and a relay in it that listens on
 * ports from the kit's webhook range, so the control plane is admitted on those ports only.
 */
import { webhookNetworking, WEBHOOK_HOST_PORT_RANGE } from "../../cluster/capabilities";
import type { ClusterCapabilities } from "../../cluster/types";
import { isPinnedImage } from "../../cni/versions";
import { CanalkitInputError } from "../../errors";
import { DNS_LABEL } from "../../dnsLabel";

/** The osm-edge release the kit installs (the one ErieCanal v0.1.3 was built and demonstrated with). */
export const OSM_EDGE_VERSION = "1.3.0";

/** Ports osm-edge v1.3.0 binds, fixed at compile time (pkg/constants/constants.go). */
export const OSM_EDGE_PORTS = { injectorWebhook: 9090, metrics: 9091, debug: 9092, validatorWebhook: 9093, repo: 6060 } as const;

/** Host ports the kit's other webhook servers take from the range (ErieCanal 9443/9444, cert-manager 9445). */
export const OTHER_KIT_WEBHOOK_PORTS = [9443, 9444, 9445] as const;

/** The images osm-edge runs. */
export type OsmEdgeImageName = "controller" | "injector" | "bootstrap" | "sidecarInit" | "healthcheck" | "sidecar" | "repo" | "curl";

/** User options of osm-edge. */
export interface OsmEdgeOptions {
  /** Mesh name. Default `osm`. */
  meshName?: string;
  /** Namespace. Default `osm-system`. */
  namespace?: string;
  /** The cluster DNS Service IP the sidecars' DNS proxy forwards to first (kube-dns ClusterIP). */
  clusterDnsIp: string;
  /** Registry/repository prefix for osm-edge images (mirrors). Default `docker.io/flomesh`. */
  imageRepository?: string;
  /** Full image references overriding computed ones (tag or digest required). */
  imageOverrides?: Partial<Record<OsmEdgeImageName, string>>;
  /**
   * Host ports of the webhook relay where the control plane cannot reach pods: the sidecar
   * injector's and the validator's. Defaults 9446 and 9447 (9443-9445 are ErieCanal's and
   * cert-manager's).
   */
  webhookPorts?: { injector?: number; validator?: number };
  /** Sidecar log level. Default `error` (as ErieCanal's demo). */
  sidecarLogLevel?: "trace" | "debug" | "info" | "warn" | "error" | "critical" | "off";
}

/** Validated settings the builders use. */
export interface OsmEdgeSettings {
  meshName: string;
  namespace: string;
  version: string;
  clusterDnsIp: string;
  images: Record<OsmEdgeImageName, string>;
  /** Where the webhooks are served from: the injector pod on the host network with the relay, or pods. */
  webhooks: { hostNetwork: boolean; injectorPort: number; validatorPort: number; dnsPolicy: "ClusterFirst" | "ClusterFirstWithHostNet" };
  sidecarLogLevel: string;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** Derives and validates osm-edge's settings for a cluster; throws `CanalkitInputError` on bad input. */
export function osmEdgeSettings(capabilities: ClusterCapabilities, options: OsmEdgeOptions): OsmEdgeSettings {
  if (!IPV4.test(options.clusterDnsIp ?? "")) {
    throw new CanalkitInputError("osmEdge.clusterDnsIp", options.clusterDnsIp, "is not an IPv4 address", "give the kube-dns Service's ClusterIP (the 10th address of the service CIDR on EKS, e.g. 172.20.0.10)");
  }
  const meshName = options.meshName ?? "osm";
  if (!DNS_LABEL.test(meshName)) throw new CanalkitInputError("osmEdge.meshName", meshName, "is not a DNS label", "use lowercase letters, digits and '-', for example osm");
  const namespace = options.namespace ?? "osm-system";
  if (!DNS_LABEL.test(namespace)) throw new CanalkitInputError("osmEdge.namespace", namespace, "is not a valid namespace name", "use lowercase letters, digits and '-', for example osm-system");
  const repository = (options.imageRepository ?? "docker.io/flomesh").replace(/\/$/, "");
  const images: Record<OsmEdgeImageName, string> = {
    controller: `${repository}/osm-edge-controller:${OSM_EDGE_VERSION}`,
    injector: `${repository}/osm-edge-injector:${OSM_EDGE_VERSION}`,
    bootstrap: `${repository}/osm-edge-bootstrap:${OSM_EDGE_VERSION}`,
    sidecarInit: `${repository}/osm-edge-sidecar-init:${OSM_EDGE_VERSION}`,
    healthcheck: `${repository}/osm-edge-healthcheck:${OSM_EDGE_VERSION}`,
    sidecar: `${repository}/pipy:0.90.0-18`,
    repo: `${repository}/pipy-repo:0.90.0-18`,
    // The chart uses curlimages/curl with no tag; the kit pins the curl ErieCanal also uses.
    curl: `${repository}/curl:7.84.0`,
    ...(options.imageOverrides ?? {}),
  };
  for (const [name, image] of Object.entries(images)) {
    if (!isPinnedImage(image)) throw new CanalkitInputError(`osmEdge.imageOverrides.${name}`, image, "is not pinned to a tag or digest", "use an explicit tag (not latest) or an @sha256 digest");
  }
  const injectorPort = options.webhookPorts?.injector ?? 9446;
  const validatorPort = options.webhookPorts?.validator ?? 9447;
  if (!capabilities.controlPlaneReachesPods) {
    // Checked here, before webhookNetworking, so errors name the user's keys.
    const ports = [["osmEdge.webhookPorts.injector", injectorPort], ["osmEdge.webhookPorts.validator", validatorPort]] as const;
    for (const [field, port] of ports) {
      if (!Number.isInteger(port) || port < WEBHOOK_HOST_PORT_RANGE.from || port > WEBHOOK_HOST_PORT_RANGE.to) throw new CanalkitInputError(field, port, `is outside ${WEBHOOK_HOST_PORT_RANGE.from}-${WEBHOOK_HOST_PORT_RANGE.to}, the host ports the control plane is admitted to`, "pick a free port from that range, for example 9446");
      if ((OTHER_KIT_WEBHOOK_PORTS as readonly number[]).includes(port)) throw new CanalkitInputError(field, port, "is taken on the host by ErieCanal (9443, 9444) or cert-manager (9445)", "use 9446 for the injector and 9447 for the validator");
    }
    if (injectorPort === validatorPort) throw new CanalkitInputError("osmEdge.webhookPorts.validator", validatorPort, "equals the injector's port", "give each webhook its own port, for example 9446 and 9447");
  }
  const injector = webhookNetworking(capabilities, injectorPort);
  const validator = webhookNetworking(capabilities, validatorPort);
  return {
    meshName,
    namespace,
    version: OSM_EDGE_VERSION,
    clusterDnsIp: options.clusterDnsIp,
    images,
    webhooks: injector.hostNetwork
      ? { hostNetwork: true, injectorPort: injector.port, validatorPort: validator.port, dnsPolicy: "ClusterFirstWithHostNet" }
      : { hostNetwork: false, injectorPort: OSM_EDGE_PORTS.injectorWebhook, validatorPort: OSM_EDGE_PORTS.validatorWebhook, dnsPolicy: "ClusterFirst" },
    sidecarLogLevel: options.sidecarLogLevel ?? "error",
  };
}
