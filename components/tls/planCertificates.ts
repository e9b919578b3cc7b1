/**
 * cert-manager objects as plain data: the kit's CA issuer chain and gateway certificates. Pure, so
 * tests and synth check them without a cluster.
 */
import { CanalkitInputError } from "../errors";
import type { KubernetesObject } from "../cni/objects";

/** Namespace cert-manager runs in (and where the CA's key lives). */
export const CERT_MANAGER_NAMESPACE = "cert-manager";
const API = "cert-manager.io/v1";

/** The CA issuer chain. */
export interface CaIssuerPlan {
  issuerName: string;
  /** In order: self-signed root issuer, CA certificate, CA ClusterIssuer. */
  objects: KubernetesObject[];
}

/** A self-signed root that signs one CA, and the ClusterIssuer backed by that CA. */
export function planCaIssuer(issuerName: string): CaIssuerPlan {
  const root = `${issuerName}-selfsigned`;
  const secretName = `${issuerName}-root`;
  return {
    issuerName,
    objects: [
      { apiVersion: API, kind: "ClusterIssuer", metadata: { name: root }, spec: { selfSigned: {} } },
      {
        apiVersion: API,
        kind: "Certificate",
        metadata: { name: secretName, namespace: CERT_MANAGER_NAMESPACE },
        spec: { isCA: true, commonName: `${issuerName} root`, secretName, duration: "87600h", privateKey: { algorithm: "ECDSA", size: 256 }, issuerRef: { name: root, kind: "ClusterIssuer", group: "cert-manager.io" } },
      },
      { apiVersion: API, kind: "ClusterIssuer", metadata: { name: issuerName }, spec: { ca: { secretName } } },
    ],
  };
}

const DNS_NAME = /^(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)*[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A certificate for a gateway's host names, written to `secretName` in `namespace`. */
export function gatewayCertificate(input: { name: string; namespace: string; secretName: string; dnsNames: string[]; issuer: { name: string; kind?: "ClusterIssuer" | "Issuer" } }): KubernetesObject {
  if (input.dnsNames.length === 0) throw new CanalkitInputError("gateway.tls.hosts", [], "a certificate needs at least one host name", "list the host names clients use");
  for (const [i, host] of input.dnsNames.entries()) {
    if (!DNS_NAME.test(host)) throw new CanalkitInputError(`gateway.tls.hosts[${i}]`, host, "is not a DNS name", "use a lowercase DNS name such as shop.example.com");
  }
  return {
    apiVersion: API,
    kind: "Certificate",
    metadata: { name: input.name, namespace: input.namespace },
    spec: {
      secretName: input.secretName,
      dnsNames: input.dnsNames,
      duration: "2160h",
      renewBefore: "360h",
      privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
      issuerRef: { name: input.issuer.name, kind: input.issuer.kind ?? "ClusterIssuer", group: "cert-manager.io" },
    },
  };
}
