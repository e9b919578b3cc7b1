/** TLS: cert-manager, the kit's CA issuer, and gateway certificates. */
export { CertManager, DEFAULT_CERT_MANAGER_VERSION, type CertManagerArgs } from "./certManager";
export { planCaIssuer, gatewayCertificate, CERT_MANAGER_NAMESPACE, type CaIssuerPlan } from "./planCertificates";
