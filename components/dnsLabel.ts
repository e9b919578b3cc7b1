/**
 * The Kubernetes DNS label rule (RFC 1123): names of namespaces, ConfigMaps and many other
 * objects, and each segment of an ErieCanal cluster key.
 */

/** Lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
