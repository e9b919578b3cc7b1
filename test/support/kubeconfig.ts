/** Kubeconfigs for the local test API servers. */

/**
 * A kubeconfig for a local test API server with a bearer token. With `caCertificate` (PEM) the
 * client verifies an HTTPS server against it, as it would a real API server; without it (plain
 * HTTP test servers) TLS verification is off, which client-node requires for http:// servers.
 */
export function testKubeconfig(server: string, token: string, caCertificate?: string): string {
  const cluster = caCertificate ? { server, "certificate-authority-data": Buffer.from(caCertificate).toString("base64") } : { server, "insecure-skip-tls-verify": true };
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "test", cluster }],
    users: [{ name: "test", user: { token } }],
    contexts: [{ name: "test", context: { cluster: "test", user: "test" } }],
    "current-context": "test",
  });
}
