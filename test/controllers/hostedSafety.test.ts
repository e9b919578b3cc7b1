/**
 * Safety of the controllers as the engine runs them (through the SDK's dynamic-provider host):
 * no error, log line or diagnostic carries credential material, and `check` refuses inputs that
 * would make a controller spin.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DynamicProviderHost } from "../support/dynamicProviderHost";
import { startHostedControllers, type RegisteredController } from "../support/hostedControllers";
import { FakeKubernetesApi } from "../support/fakeKubernetesApi";

const TOKEN = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2VuLWZvci10ZXN0cw.sig-Zq9";
const KEY_DATA = "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFb3dJQkFBS0NBUUVBc2VjcmV0a2V5";
const CERT_DATA = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMrRENDQWVDZ0F3SUJBZ0lJY2VydA";
const PASSWORD = "hunter2-very-secret-password";

/** A kubeconfig with credentials and a YAML error further down (a stray tab and an unclosed quote). */
const malformed = `apiVersion: v1
kind: Config
current-context: c
clusters:
- name: c
  cluster:
    server: https://127.0.0.1:1
users:
- name: u
  user:
    token: ${TOKEN}
    client-key-data: ${KEY_DATA}
    client-certificate-data: ${CERT_DATA}
    password: ${PASSWORD}
\t  broken: "unterminated
contexts: [ {name: c, context: {cluster: c, user: u}
`;
/** Well-formed, for an API server that refuses the token (401, its body and headers in the error). */
const rejected = (server: string) =>
  JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "c", cluster: { server, "insecure-skip-tls-verify": true } }],
    users: [{ name: "u", user: { token: TOKEN } }],
    contexts: [{ name: "c", context: { cluster: "c", user: "u" } }],
    "current-context": "c",
  });
/** Well-formed YAML whose key data is not a key. */
const badKey = JSON.stringify({
  apiVersion: "v1",
  kind: "Config",
  clusters: [{ name: "c", cluster: { server: "https://127.0.0.1:1", "insecure-skip-tls-verify": true } }],
  users: [{ name: "u", user: { token: TOKEN, "client-key-data": KEY_DATA, "client-certificate-data": CERT_DATA } }],
  contexts: [{ name: "c", context: { cluster: "c", user: "u" } }],
  "current-context": "c",
});
const SECRETS = [TOKEN, KEY_DATA, CERT_DATA, PASSWORD];

let host: DynamicProviderHost;
let api: FakeKubernetesApi;
let unreachable: string;
let registered: Record<string, RegisteredController>;

beforeAll(async () => {
  ({ host, registered } = await startHostedControllers());
  api = new FakeKubernetesApi("another-token");
  unreachable = rejected(await api.start());
});

afterAll(async () => {
  await host?.close();
  await api?.stop();
});

/** Every way a controller gets a kubeconfig, filled with `kubeconfig`. */
function withKubeconfig(kind: string, kubeconfig: string): Record<string, unknown> {
  const { inputs } = registered[kind]!;
  switch (kind) {
    case "ClusterJoin":
      return { ...inputs, controlPlaneKubeconfig: kubeconfig, memberKubeconfig: kubeconfig, timeoutSeconds: 1, pollSeconds: 0.1 };
    case "ExportReconciler":
      return {
        ...inputs,
        exporters: [{ cluster: "east", clusterKey: "r/z/g/east", kubeconfig, gatewayHost: "east.elb.example", gatewayPort: 80 }],
        consumers: [{ cluster: "north", clusterKey: "r/z/g/north", kubeconfig }],
        timeoutSeconds: 1,
        pollSeconds: 0.1,
        repairAfterSeconds: 0,
      };
    case "DefaultCniRemoval":
      return { ...inputs, kubeconfig, timeoutSeconds: 1, pollSeconds: 0.1 };
    default:
      return { ...inputs, kubeconfig, ec2Endpoint: "http://127.0.0.1:1" };
  }
}

/** Secrets any 8 characters of which appear in `text` (parsers quote lines cut short). */
const leaks = (text: string) => SECRETS.filter((s) => Array.from({ length: s.length - 7 }, (_, i) => s.slice(i, i + 8)).some((w) => text.includes(w)));

describe("no controller error, log or diagnostic carries credential material", () => {
  for (const kind of ["ClusterJoin", "DefaultCniRemoval", "ExportReconciler", "VpcRouteReconciler"]) {
    it(`${kind}: create, read and update with a malformed kubeconfig, a refused token and bad key data`, async () => {
      const { urn } = registered[kind]!;
      const seen: string[] = [];
      for (const kubeconfig of [malformed, unreachable, badKey]) {
        const props = withKubeconfig(kind, kubeconfig);
        const attempts = [
          () => host.create(urn, props),
          () => host.read(urn, "id", { ...props, ownedRoutes: [], managed: true, present: false, converged: true, inSync: true }),
          () => host.update(urn, "id", { ...props, ownedRoutes: [] }, props),
        ];
        for (const attempt of attempts) {
          try {
            // A refresh that cannot read keeps the last state with a warning: that is said too.
            // The kubeconfig itself is state (secret); what the controller says about it is its warning.
            const result = (await attempt()) as { props?: { warning?: string } } | undefined;
            seen.push(String(result?.props?.warning ?? ""));
          } catch (error) {
            seen.push(String((error as Error).message));
          }
        }
      }
      // The malformed kubeconfig fails every call with a clear reason, without quoting it.
      expect(seen.some((m) => /kubeconfig.*(not valid|cannot be read|could not be read)/i.test(m))).toBe(true);
      expect(leaks(seen.join("\n"))).toEqual([]);
      expect(leaks(host.stderr())).toEqual([]);
      expect(leaks(host.logs().map((l) => l.message).join("\n"))).toEqual([]);
    });
  }
});

describe("check refuses inputs that would make a controller spin, naming the input", () => {
  it("ClusterJoin and ExportReconciler: pollSeconds, timeoutSeconds, repairAfterSeconds", async () => {
    const join = registered["ClusterJoin"]!;
    const exp = { urn: registered["ExportReconciler"]!.urn, inputs: { ...withKubeconfig("ExportReconciler", "k"), timeoutSeconds: 300, pollSeconds: 5, repairAfterSeconds: 60 } };
    const failures = async (kind: { urn: string; inputs: Record<string, unknown> }, change: Record<string, unknown>) => (await host.check(kind.urn, {}, { ...kind.inputs, ...change })).failures.map((f) => f.property);
    expect(await failures(join, { pollSeconds: 0 })).toContain("pollSeconds");
    expect(await failures(join, { pollSeconds: -1 })).toContain("pollSeconds");
    expect(await failures(join, { pollSeconds: "5" })).toContain("pollSeconds");
    expect(await failures(exp, { pollSeconds: 0 })).toContain("pollSeconds");
    expect(await failures(exp, { pollSeconds: Number.NaN })).toContain("pollSeconds");
    expect(await failures(exp, { repairAfterSeconds: -1 })).toContain("repairAfterSeconds");
    expect(await failures(exp, { repairAfterSeconds: "soon" })).toContain("repairAfterSeconds");
    expect(await failures(exp, { timeoutSeconds: 30, pollSeconds: 60 })).toContain("pollSeconds");
    expect(await failures(exp, {})).toEqual([]);
    const reasons = (await host.check(exp.urn, {}, { ...exp.inputs, repairAfterSeconds: -5 })).failures;
    expect(reasons).toContainEqual({ property: "repairAfterSeconds", reason: expect.stringMatching(/repairAfterSeconds = -5: must be from 0 to timeoutSeconds/) });
  });

  it("VpcRouteReconciler and DefaultCniRemoval: non-numeric and out-of-range bounds", async () => {
    const routes = registered["VpcRouteReconciler"]!;
    const cni = registered["DefaultCniRemoval"]!;
    expect((await host.check(routes.urn, {}, { ...routes.inputs, routeQuota: "50" })).failures.map((f) => f.property)).toContain("routeQuota");
    expect((await host.check(routes.urn, {}, { ...routes.inputs, routeTableIds: ["rtb-1", 7] })).failures.map((f) => f.property)).toContain("routeTableIds");
    expect((await host.check(cni.urn, {}, { ...cni.inputs, timeoutSeconds: 0 })).failures.map((f) => f.property)).toContain("timeoutSeconds");
    expect((await host.check(cni.urn, {}, { ...cni.inputs, pollSeconds: -2 })).failures.map((f) => f.property)).toContain("pollSeconds");
  });
});
