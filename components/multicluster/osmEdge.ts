/**
 * `OsmEdge` (`canalkit:multicluster:OsmEdge`): osm-edge, the mesh ErieCanal's consuming side needs
 * (its sidecars route to imported services), installed from its Helm chart with typed values.
 * Off by default in stacks. Its local DNS proxy is on: that is what resolves an imported service's
 * name in a cluster that has no local Service of that name.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { KitCluster } from "../cluster/types";
import { CanalkitInputError } from "../errors";
import { DNS_LABEL } from "../dnsLabel";

/** osm-edge chart coordinates (the release ErieCanal v0.1.3's demos use). */
export const OSM_EDGE_CHART = { repo: "https://flomesh-io.github.io/osm-edge", chart: "osm-edge", version: "1.3.0" } as const;

/** User options of osm-edge. */
export interface OsmEdgeOptions {
  /** Mesh name. Default `osm`. */
  meshName?: string;
  /** Namespace. Default `osm-system`. */
  namespace?: string;
  /** Chart version. Default `1.3.0`. */
  version?: string;
  /** The cluster DNS Service IP the sidecars' DNS proxy forwards to (kube-dns ClusterIP). */
  clusterDnsIp: string;
  /** Certificate provider for mesh mTLS. Default `tresor` (osm-edge's built-in CA). */
  certificateProvider?: "tresor" | "cert-manager";
}

/** The chart values the kit sets, typed. */
export interface OsmEdgeValues {
  osm: {
    meshName: string;
    certificateProvider: { kind: "tresor" | "cert-manager" };
    localDNSProxy: { enable: true; primaryUpstreamDNSServerIPAddr: string };
    enablePermissiveTrafficPolicy: boolean;
  };
}

/** Builds the chart values; throws `CanalkitInputError` on bad input. */
export function osmEdgeValues(options: OsmEdgeOptions): OsmEdgeValues {
  if (!/^(\d{1,3}\.){3}\d{1,3}$/.test(options.clusterDnsIp)) {
    throw new CanalkitInputError("osmEdge.clusterDnsIp", options.clusterDnsIp, "is not an IPv4 address", "give the kube-dns Service's ClusterIP (the 10th address of the service CIDR on EKS, e.g. 172.20.0.10)");
  }
  const meshName = options.meshName ?? "osm";
  if (!DNS_LABEL.test(meshName)) throw new CanalkitInputError("osmEdge.meshName", meshName, "is not a DNS label", "use lowercase letters, digits and '-'");
  return {
    osm: {
      meshName,
      certificateProvider: { kind: options.certificateProvider ?? "tresor" },
      localDNSProxy: { enable: true, primaryUpstreamDNSServerIPAddr: options.clusterDnsIp },
      // Imported services are reached without SMI policies, as in ErieCanal's own demos.
      enablePermissiveTrafficPolicy: true,
    },
  };
}

/** Inputs of `OsmEdge`. */
export interface OsmEdgeArgs extends OsmEdgeOptions {
  cluster: KitCluster;
  /** What must run first (the CNI, ErieCanal). */
  after?: pulumi.Resource[];
}

/** osm-edge in one consuming cluster. */
export class OsmEdge extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: OsmEdgeArgs, opts?: pulumi.ComponentResourceOptions) {
    if (!args.cluster.capabilities.controlPlaneReachesPods) {
      // osm-edge's sidecar injector and validator are admission webhooks served from pod IPs, and
      // its chart has no host-network option, so the API server could not call them.
      throw new CanalkitInputError(
        `clusters.${args.cluster.clusterName}.osmEdge`,
        "enabled",
        "osm-edge 1.3.0 serves its admission webhooks from pod IPs, which this cluster's control plane cannot reach (EKS with an overlay CNI)",
        "consume services from a cluster whose control plane reaches pods (an ExistingCluster with controlPlaneReachesPods: true), or leave osm-edge off",
      );
    }
    const values = osmEdgeValues(args);
    const namespace = args.namespace ?? "osm-system";
    const version = args.version ?? OSM_EDGE_CHART.version;
    super("canalkit:multicluster:OsmEdge", name, { clusterName: args.cluster.clusterName, namespace, version, meshName: values.osm.meshName }, opts);
    this.release = new k8s.helm.v3.Release(`${name}-release`, {
      name: "osm",
      chart: OSM_EDGE_CHART.chart,
      version,
      repositoryOpts: { repo: OSM_EDGE_CHART.repo },
      namespace,
      createNamespace: true,
      values,
      atomic: true,
    }, { parent: this, provider: args.cluster.provider, dependsOn: [...args.cluster.readyResources, ...(args.after ?? [])] });
    this.registerOutputs({ status: this.release.status });
  }
}
