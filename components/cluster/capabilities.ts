/**
 * What a cluster's control plane can reach, and how the kit's webhook servers must run because of
 * it. The EKS control plane runs in an AWS-managed VPC outside the pod network: with an overlay
 * CNI (Canal) it can reach nodes but not pod IPs, so admission webhooks must listen on the host.
 */
import { CanalkitInputError } from "../errors";
import type { Topology } from "../network/types";
import type { ClusterCapabilities } from "./types";

/** Derives the capabilities of a cluster from where it runs and its pod network. */
export function clusterCapabilities(input: { isEks: boolean; topology: Topology; controlPlaneReachesPods?: boolean }): ClusterCapabilities {
  if (input.controlPlaneReachesPods !== undefined) return { controlPlaneReachesPods: input.controlPlaneReachesPods };
  // Conservative for every EKS topology: with native-vpc the control-plane ENIs would follow the
  // VPC pod routes, but only once routes have converged, and webhooks must work from the start.
  return { controlPlaneReachesPods: !input.isEks };
}

/**
 * Host ports for webhook servers: above the ephemeral-free range the kit's security groups open
 * from the control plane (1025-65535) and clear of kubelet 10250, kube-proxy 10256, Calico
 * 9098/9099 and Typha 5473.
 */
export const WEBHOOK_HOST_PORT_RANGE = { from: 9443, to: 9499 } as const;

/** How a webhook server must be networked. */
export interface WebhookNetworking {
  /** Run the pod in the host network namespace. */
  hostNetwork: boolean;
  /** The port the server listens on (a host port when `hostNetwork`). */
  port: number;
  /** DNS policy matching the networking mode (host-network pods still need cluster DNS). */
  dnsPolicy: "ClusterFirst" | "ClusterFirstWithHostNet";
}

/**
 * How every webhook server the kit deploys must run in a cluster: on the pod network when the
 * control plane reaches pods, otherwise on the host network at `preferredPort` (which must be in
 * `WEBHOOK_HOST_PORT_RANGE`, so it cannot collide with node services).
 */
export function webhookNetworking(capabilities: ClusterCapabilities, preferredPort: number): WebhookNetworking {
  if (capabilities.controlPlaneReachesPods) return { hostNetwork: false, port: preferredPort, dnsPolicy: "ClusterFirst" };
  if (preferredPort < WEBHOOK_HOST_PORT_RANGE.from || preferredPort > WEBHOOK_HOST_PORT_RANGE.to) {
    throw new CanalkitInputError(
      "webhook.port",
      preferredPort,
      `is outside ${WEBHOOK_HOST_PORT_RANGE.from}-${WEBHOOK_HOST_PORT_RANGE.to}, the host-port range kept free for kit webhooks`,
      `pick a port from ${WEBHOOK_HOST_PORT_RANGE.from} to ${WEBHOOK_HOST_PORT_RANGE.to}`,
    );
  }
  return { hostNetwork: true, port: preferredPort, dnsPolicy: "ClusterFirstWithHostNet" };
}
