/**
 * North-south entry for an exported service: an Ingress on ErieCanal's `pipy` class (served by
 * the cluster's gateway) or Gateway API objects (Gateway + HTTPRoute) for a Gateway class you run,
 * with TLS from a cert-manager certificate. Planned as plain objects, then deployed by
 * `NorthSouthGateway` after ErieCanal (its Ingress webhook fails closed while the manager is down).
 */
import * as pulumi from "@pulumi/pulumi";
import type { KitCluster } from "../cluster/types";
import { objectIn, type KubernetesObject } from "../cni/objects";
import { CanalkitInputError } from "../errors";
import { createKubernetesResource } from "../kubernetesResources";
import { gatewayCertificate } from "../tls/planCertificates";
import { ERIECANAL_NAMES } from "./erieCanalNames";

/** What to expose and how. */
export interface NorthSouthGatewaySpec {
  /** Name of the objects (and of the certificate Secret, with `-tls`). */
  name: string;
  /** Namespace of the Service. */
  namespace: string;
  /** Host names clients use. */
  hosts: string[];
  /** The Service and port traffic goes to. */
  service: { name: string; port: number };
  /** Path prefix. Default `/`. */
  path?: string;
  /** `ingress` (default, ErieCanal's pipy class) or `gateway-api` with your Gateway class. */
  api?: { kind: "ingress" } | { kind: "gateway-api"; gatewayClassName: string };
  /** TLS from cert-manager: the issuer that signs the certificate (default ClusterIssuer kind). */
  tls?: { issuer: string; issuerKind?: "ClusterIssuer" | "Issuer" };
}

/** Plans the objects; throws `CanalkitInputError` on bad input. */
export function planNorthSouthGateway(spec: NorthSouthGatewaySpec): KubernetesObject[] {
  const path = spec.path ?? "/";
  if (!path.startsWith("/")) throw new CanalkitInputError(`gateways.${spec.name}.path`, path, "must start with /", `use /${path}`);
  if (!Number.isInteger(spec.service.port) || spec.service.port < 1 || spec.service.port > 65535) throw new CanalkitInputError(`gateways.${spec.name}.service.port`, spec.service.port, "is not a port", "use the Service's port number");
  if (spec.hosts.length === 0) throw new CanalkitInputError(`gateways.${spec.name}.hosts`, [], "needs at least one host name", "list the host names clients use");
  const secretName = `${spec.name}-tls`;
  const certificate = spec.tls
    ? [gatewayCertificate({ name: spec.name, namespace: spec.namespace, secretName, dnsNames: spec.hosts, issuer: { name: spec.tls.issuer, ...(spec.tls.issuerKind ? { kind: spec.tls.issuerKind } : {}) } })]
    : [];
  const api = spec.api ?? { kind: "ingress" };
  if (api.kind === "ingress") {
    return [
      ...certificate,
      objectIn(spec.namespace, "networking.k8s.io/v1", "Ingress", spec.name, {
        spec: {
          ingressClassName: ERIECANAL_NAMES.ingressClass,
          ...(spec.tls ? { tls: [{ hosts: spec.hosts, secretName }] } : {}),
          rules: spec.hosts.map((host) => ({ host, http: { paths: [{ path, pathType: "Prefix", backend: { service: { name: spec.service.name, port: { number: spec.service.port } } } }] } })),
        },
      }),
    ];
  }
  const listeners = spec.tls
    ? spec.hosts.map((hostname, i) => ({ name: `https-${i}`, hostname, port: 443, protocol: "HTTPS", tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: secretName }] } }))
    : spec.hosts.map((hostname, i) => ({ name: `http-${i}`, hostname, port: 80, protocol: "HTTP" }));
  return [
    ...certificate,
    objectIn(spec.namespace, "gateway.networking.k8s.io/v1", "Gateway", spec.name, { spec: { gatewayClassName: api.gatewayClassName, listeners } }),
    objectIn(spec.namespace, "gateway.networking.k8s.io/v1", "HTTPRoute", spec.name, {
      spec: {
        parentRefs: [{ name: spec.name }],
        hostnames: spec.hosts,
        rules: [{ matches: [{ path: { type: "PathPrefix", value: path } }], backendRefs: [{ name: spec.service.name, port: spec.service.port }] }],
      },
    }),
  ];
}

/** Inputs of `NorthSouthGateway`. */
export interface NorthSouthGatewayArgs extends NorthSouthGatewaySpec {
  cluster: KitCluster;
  /** ErieCanal's `ready` (and cert-manager's when TLS is on). */
  after: pulumi.Resource[];
}

/** A north-south entry in one cluster. */
export class NorthSouthGateway extends pulumi.ComponentResource {
  readonly objects: KubernetesObject[];

  constructor(name: string, args: NorthSouthGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    const { cluster, after, ...spec } = args;
    const objects = planNorthSouthGateway(spec);
    super("canalkit:multicluster:NorthSouthGateway", name, { clusterName: cluster.clusterName, namespace: spec.namespace, hosts: spec.hosts, api: (spec.api ?? { kind: "ingress" }).kind, tls: spec.tls !== undefined }, opts);
    this.objects = objects;
    for (const object of objects) {
      createKubernetesResource(`${name}-${object.kind.toLowerCase()}`, object, { parent: this, provider: cluster.provider, dependsOn: [...cluster.readyResources, ...after] });
    }
    this.registerOutputs({});
  }
}
