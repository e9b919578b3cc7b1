/** Kubeconfigs for the local test API servers. */

/** A kubeconfig for a local test API server with a bearer token. */
export function testKubeconfig(server: string, token: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    // Plain HTTP test servers: client-node only allows http:// with TLS verification off.
    clusters: [{ name: "test", cluster: { server, "insecure-skip-tls-verify": true } }],
    users: [{ name: "test", user: { token } }],
    contexts: [{ name: "test", context: { cluster: "test", user: "test" } }],
    "current-context": "test",
  });
}
