/**
 * The in-cluster VPC route controller (issue 15 item 2): the program shipped as a ConfigMap,
 * driven pass by pass against the EC2 and Kubernetes fakes, with credentials from a stand-in for
 * the EKS Pod Identity agent. A node's route appears in the first pass after it has a pod CIDR and
 * goes in the first pass after it leaves, with nobody running Pulumi.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash, createHmac } from "node:crypto";
// The AWS SDK's own signer (installed with @aws-sdk/client-ec2), as the reference.
import { SignatureV4 } from "@smithy/signature-v4";
import { afterEach, describe, expect, it } from "vitest";
import { FakeEc2Api } from "../support/fakeEc2Api";
import { FakeKubernetesApi, type StoredObject } from "../support/fakeKubernetesApi";
import { testKubeconfig } from "../support/kubeconfig";
import { validateKubernetesObjects } from "../support/validateKubernetes";
import { buildVpcRouteControllerObjects, vpcRouteControllerPolicy, vpcRouteReconcilerProvider, type VpcRouteReconcilerInputs } from "../../components/controllers";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const program = require("../../components/controllers/assets/vpc-route-controller.js") as {
  reconcileOnce(api: unknown, call: unknown, settings: unknown, log: (m: string) => void): Promise<{ created: string[]; replaced: string[]; deleted: string[]; refused: string[]; failed: string[]; pending: string[]; missingTables: string[] }>;
  signV4(input: { url: string; body: string; region: string; service: string; credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }; now?: Date }): Record<string, string>;
  ec2Api(settings: unknown, credentials: () => Promise<unknown>): unknown;
  credentialSource(env: Record<string, string>): () => Promise<{ accessKeyId: string }>;
  apiSettingsFromEnvironment(env: Record<string, string>): unknown;
  settingsFromEnvironment(env: Record<string, string>): unknown;
};

const toBytes = (d: string | ArrayBuffer | ArrayBufferView): string | Uint8Array => (typeof d === "string" ? d : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength));

/** The hash the signer wants, from node's crypto. */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret ? createHmac("sha256", toBytes(secret)) : createHash("sha256");
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

const NODES = "/api/v1/nodes";
const RECORD = "/api/v1/namespaces/kube-system/configmaps";
const node = (name: string, podCIDR: string, instance: string): StoredObject => ({ apiVersion: "v1", kind: "Node", metadata: { name }, spec: { podCIDR, providerID: `aws:///us-east-1a/${instance}` } });

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

/** A stand-in for the EKS Pod Identity agent: answers credentials to the pod's projected token only. */
async function podIdentityAgent(): Promise<{ env: Record<string, string>; served: () => number }> {
  let served = 0;
  const server = http.createServer((req, res) => {
    if (req.headers.authorization !== "projected-sa-token") {
      res.writeHead(401).end();
      return;
    }
    served++;
    res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ AccessKeyId: "ASIAPODIDENTITY", SecretAccessKey: "pod-secret", Token: "pod-session", Expiration: new Date(Date.now() + 3600_000).toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  const dir = mkdtempSync(join(tmpdir(), "canalkit-pod-identity-"));
  writeFileSync(join(dir, "token"), "projected-sa-token\n");
  return { env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/credentials`, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: join(dir, "token") }, served: () => served };
}

/** A cluster with nodes a, b (instances i-00, i-01), three route tables, and the program's settings. */
async function setUp() {
  const ec2 = new FakeEc2Api();
  const kube = new FakeKubernetesApi("sa-token");
  const endpoint = await ec2.start();
  const server = await kube.start();
  closers.push(() => ec2.stop(), () => kube.stop());
  kube.seed("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "kube-system" } });
  for (const t of ["rtb-1", "rtb-2", "rtb-3"]) ec2.routeTables.set(t, [{ destinationCidrBlock: "10.10.0.0/16", gatewayId: "local", origin: "CreateRouteTable" }]);
  ec2.routeTables.get("rtb-1")!.push({ destinationCidrBlock: "172.31.0.0/16", gatewayId: "pcx-peer", origin: "CreateRoute" });
  for (const [i, name] of ["a", "b"].entries()) {
    ec2.instances.set(`i-0${i}`, { primaryEni: `eni-${name}`, privateIp: `10.10.0.${i + 10}` });
    kube.seed(NODES, node(name, `100.64.${i}.0/24`, `i-0${i}`));
  }
  const agent = await podIdentityAgent();
  const env = { ...agent.env, POD_CIDR_POOL: "100.64.0.0/16", ROUTE_TABLE_IDS: "rtb-1,rtb-2,rtb-3", AWS_REGION: "us-east-1", EC2_ENDPOINT: endpoint, ROUTES_API_SERVER: server, ROUTES_API_TOKEN: "sa-token" };
  const settings = program.settingsFromEnvironment(env);
  const api = program.apiSettingsFromEnvironment(env);
  const call = program.ec2Api(settings, program.credentialSource(env));
  const logs: string[] = [];
  const pass = () => program.reconcileOnce(api, call, settings, (m) => logs.push(m));
  const podRoutes = (t: string) => ec2.routeTables.get(t)!.filter((r) => r.destinationCidrBlock.startsWith("100.64.")).map((r) => `${r.destinationCidrBlock}>${r.networkInterfaceId}`).sort();
  const recorded = () => JSON.parse((kube.get(RECORD, "canalkit-vpc-routes")?.["data"] as Record<string, string> | undefined)?.["routes.json"] ?? "[]").map((o: { routeTableId: string; destination: string; networkInterfaceId: string }) => `${o.routeTableId} ${o.destination}>${o.networkInterfaceId}`);
  return { ec2, kube, pass, logs, podRoutes, recorded, agent, endpoint, server };
}

describe("the in-cluster VPC route controller", () => {
  it("signs EC2 requests exactly as the AWS SDK's SigV4 signer does", async () => {
    const body = "Action=DescribeRouteTables&Version=2016-11-15&Filter.1.Name=route-table-id&Filter.1.Value.1=rtb-1";
    const now = new Date("2026-11-29T18:00:00Z");
    for (const credentials of [{ accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" }, { accessKeyId: "ASIAEXAMPLE", secretAccessKey: "s3cr3t", sessionToken: "session/token+=" }]) {
      const ours = program.signV4({ url: "https://ec2.us-east-1.amazonaws.com/", body, region: "us-east-1", service: "ec2", credentials, now });
      const signer = new SignatureV4({ credentials, region: "us-east-1", service: "ec2", sha256: Sha256, applyChecksum: false });
      const request = { method: "POST", protocol: "https:", hostname: "ec2.us-east-1.amazonaws.com", path: "/", query: {}, headers: { "content-type": ours["content-type"]!, host: "ec2.us-east-1.amazonaws.com" }, body };
      const signed = await signer.sign(request, { signingDate: now, unsignableHeaders: new Set(), signableHeaders: new Set(["content-type", "host"]) });
      const theirs = String(signed.headers["authorization"]);
      expect(ours["authorization"]).toBe(theirs);
    }
  });

  it("routes every node in every table in one pass with Pod Identity credentials, records them, and then writes nothing", async () => {
    const { ec2, pass, podRoutes, recorded, agent } = await setUp();
    const first = await pass();
    expect(first.created).toHaveLength(6);
    for (const t of ["rtb-1", "rtb-2", "rtb-3"]) expect(podRoutes(t)).toEqual(["100.64.0.0/24>eni-a", "100.64.1.0/24>eni-b"]);
    expect(recorded()).toHaveLength(6);
    expect(ec2.calls.every((c) => /^AWS4-HMAC-SHA256 Credential=ASIAPODIDENTITY\/\d{8}\/us-east-1\/ec2\/aws4_request/.test(c.authorization ?? ""))).toBe(true);
    expect(agent.served()).toBe(1);
    const writes = ec2.writes().length;
    expect(await pass()).toMatchObject({ created: [], replaced: [], deleted: [] });
    expect(ec2.writes()).toHaveLength(writes);
  });

  it("a node that joins gets its route in the next pass; one that leaves loses it; a freed CIDR reused by a new node is replaced", async () => {
    const { ec2, kube, pass, podRoutes, recorded } = await setUp();
    await pass();
    // Autoscaling adds c; a leaves; b's instance is replaced (same pod CIDR, new interface; the
    // old one is deleted, so its routes are blackholes until replaced).
    ec2.instances.set("i-02", { primaryEni: "eni-c", privateIp: "10.10.0.12" });
    kube.seed(NODES, node("c", "100.64.2.0/24", "i-02"));
    kube.remove(NODES, "a");
    kube.mutate(NODES, "b", (n) => ((n["spec"] as { providerID: string }).providerID = "aws:///us-east-1a/i-0b2"));
    ec2.instances.set("i-0b2", { primaryEni: "eni-b2", privateIp: "10.10.0.50" });
    ec2.instances.delete("i-01");
    const second = await pass();
    expect(second).toMatchObject({ refused: [], failed: [] });
    for (const t of ["rtb-1", "rtb-2", "rtb-3"]) expect(podRoutes(t)).toEqual(["100.64.1.0/24>eni-b2", "100.64.2.0/24>eni-c"]);
    expect(recorded()).toEqual(["rtb-1 100.64.1.0/24>eni-b2", "rtb-1 100.64.2.0/24>eni-c", "rtb-2 100.64.1.0/24>eni-b2", "rtb-2 100.64.2.0/24>eni-c", "rtb-3 100.64.1.0/24>eni-b2", "rtb-3 100.64.2.0/24>eni-c"]);
    expect(ec2.routeTables.get("rtb-1")!.find((r) => r.gatewayId === "pcx-peer")).toBeDefined();
  });

  it("never takes a route it did not create, names it, and routes the rest; a stale node is that node's problem", async () => {
    const { ec2, kube, pass, podRoutes, recorded, logs } = await setUp();
    ec2.routeTables.get("rtb-2")!.push({ destinationCidrBlock: "100.64.1.0/24", networkInterfaceId: "eni-b", origin: "CreateRoute" });
    kube.seed(NODES, node("stale", "100.64.7.0/24", "i-0dead"));
    const result = await pass();
    expect(result.refused).toEqual([expect.stringMatching(/route table rtb-2 already routes 100.64.1.0\/24 to eni-b, and canalkit did not create that route/)]);
    expect(result.pending).toEqual(["stale"]);
    expect(podRoutes("rtb-1")).toEqual(["100.64.0.0/24>eni-a", "100.64.1.0/24>eni-b"]);
    expect(recorded()).not.toContain("rtb-2 100.64.1.0/24>eni-b");
    expect(logs.some((l) => /^ERROR route table rtb-2 already routes/.test(l))).toBe(true);
    // The node leaves: the foreign route stays.
    kube.remove(NODES, "b");
    await pass();
    expect(podRoutes("rtb-2")).toEqual(["100.64.0.0/24>eni-a", "100.64.1.0/24>eni-b"]);
  });

  it("lost answers from EC2 and from the API server: converges with every route once and recorded", async () => {
    const { ec2, kube, pass, podRoutes, recorded } = await setUp();
    ec2.loseAnswer("CreateRoute", 2);
    // The record's first write happens, but its answer is lost: the pass fails before any route.
    kube.injectFault({ method: "POST", path: /configmaps$/, status: "lose", times: 1 });
    await expect(pass()).rejects.toThrow();
    expect(ec2.writes()).toHaveLength(0);
    await pass();
    for (const t of ["rtb-1", "rtb-2", "rtb-3"]) expect(podRoutes(t)).toEqual(["100.64.0.0/24>eni-a", "100.64.1.0/24>eni-b"]);
    expect(recorded()).toHaveLength(6);
    expect(await pass()).toMatchObject({ created: [], refused: [] });
  });

  it("a concurrent writer of the record (409 on the guarded merge patch) stops the pass before any route; the next pass converges", async () => {
    const { ec2, kube, pass, podRoutes } = await setUp();
    await pass();
    ec2.instances.set("i-02", { primaryEni: "eni-c", privateIp: "10.10.0.12" });
    kube.seed(NODES, node("c", "100.64.2.0/24", "i-02"));
    const writes = ec2.writes().length;
    kube.afterRequest = (r) => {
      if (r.method === "GET" && r.path.endsWith("/canalkit-vpc-routes")) {
        kube.afterRequest = undefined;
        kube.mutate(RECORD, "canalkit-vpc-routes", () => undefined);
      }
    };
    await expect(pass()).rejects.toThrow(/HTTP 409/);
    expect(ec2.writes()).toHaveLength(writes);
    await pass();
    expect(podRoutes("rtb-3")).toContain("100.64.2.0/24>eni-c");
  });
});

describe("the route controller as deployed, and the hand-over from the deploy-time reconciler", () => {
  it("ships the program file itself, reads nodes only, writes only its record, and may write routes only in its tables", async () => {
    const objects = buildVpcRouteControllerObjects({ region: "us-east-1", podCidr: "100.64.0.0/16", routeTableIds: "rtb-1,rtb-2" });
    await validateKubernetesObjects(objects);
    const configMap = objects.find((o) => o.kind === "ConfigMap")!;
    expect((configMap["data"] as Record<string, string>)["vpc-route-controller.js"]).toBe(readFileSync(join(__dirname, "../../components/controllers/assets/vpc-route-controller.js"), "utf8"));
    expect(objects.find((o) => o.kind === "ClusterRole")!["rules"]).toEqual([{ apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch"] }]);
    expect(objects.find((o) => o.kind === "Role")!["rules"]).toContainEqual({ apiGroups: [""], resources: ["configmaps"], resourceNames: ["canalkit-vpc-routes"], verbs: ["get", "patch"] });
    const env = ((objects.find((o) => o.kind === "Deployment")!["spec"] as any).template.spec.containers[0].env as { name: string; value: string }[]);
    // The program accepts what the Deployment gives it.
    expect(() => program.settingsFromEnvironment(Object.fromEntries(env.map((e) => [e.name, e.value])))).not.toThrow();
    const policy = vpcRouteControllerPolicy("us-east-1", ["rtb-1", "rtb-2"]) as { Statement: { Action: string[]; Resource: string | string[] }[] };
    expect(policy.Statement[0]).toMatchObject({ Action: ["ec2:CreateRoute", "ec2:ReplaceRoute", "ec2:DeleteRoute"], Resource: ["arn:aws:ec2:us-east-1:*:route-table/rtb-1", "arn:aws:ec2:us-east-1:*:route-table/rtb-2"] });
    expect(policy.Statement.flatMap((s) => s.Action).filter((a) => !/^ec2:(Create|Replace|Delete)Route$|^ec2:Describe(RouteTables|Instances)$/.test(a))).toEqual([]);
  });

  it("VpcRouteReconciler in verify mode hands its routes to the controller, which then owns them; it waits until every node is routed", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "secret", AWS_EC2_METADATA_DISABLED: "true" });
    try {
      const { ec2, kube, pass, podRoutes, recorded, endpoint, server } = await setUp();
      const inputs: VpcRouteReconcilerInputs = { clusterName: "east", region: "us-east-1", kubeconfig: testKubeconfig(server, "sa-token"), routeTableIds: ["rtb-1", "rtb-2", "rtb-3"], podCidr: "100.64.0.0/16", routeQuota: 50, ec2Endpoint: endpoint, controllerVersion: "vpc-route-reconciler/1" };
      const created = await vpcRouteReconcilerProvider.create(inputs);
      expect(created.outs!.ownedRoutes).toHaveLength(6);
      // The stack now runs the controller: the update hands the routes over.
      const verified = await vpcRouteReconcilerProvider.update!(created.id, created.outs!, { ...inputs, mode: "verify", timeoutSeconds: 2, pollSeconds: 0.05 });
      expect(verified.outs).toMatchObject({ inSync: true, ownedRoutes: [] });
      expect(recorded()).toHaveLength(6);
      expect(await pass()).toMatchObject({ refused: [], created: [] });
      // A node leaves: the controller removes the route the reconciler had made.
      kube.remove(NODES, "a");
      await pass();
      expect(podRoutes("rtb-2")).toEqual(["100.64.1.0/24>eni-b"]);
      // A node joins: verify waits until the controller has routed it (a pass runs meanwhile).
      ec2.instances.set("i-02", { primaryEni: "eni-c", privateIp: "10.10.0.12" });
      kube.seed(NODES, node("c", "100.64.2.0/24", "i-02"));
      // The controller's next pass runs once verify has looked the first time.
      kube.afterRequest = (r) => {
        if (r.method === "GET" && r.path === NODES) {
          kube.afterRequest = undefined;
          void pass();
        }
      };
      await expect(vpcRouteReconcilerProvider.update!(created.id, verified.outs!, { ...inputs, mode: "verify", timeoutSeconds: 5, pollSeconds: 0.05 })).resolves.toMatchObject({ outs: { inSync: true } });
      // Nobody routes d: verify fails at its bound, naming the node and the table.
      ec2.instances.set("i-03", { primaryEni: "eni-d", privateIp: "10.10.0.13" });
      kube.seed(NODES, node("d", "100.64.3.0/24", "i-03"));
      await expect(vpcRouteReconcilerProvider.update!(created.id, verified.outs!, { ...inputs, mode: "verify", timeoutSeconds: 0.3, pollSeconds: 0.05 })).rejects.toThrow(/not every node is routed after 0.3s: d: rtb-1 has no route for 100.64.3.0\/24/);
      // Delete in verify mode leaves the controller's routes alone.
      const writes = ec2.writes().length;
      await vpcRouteReconcilerProvider.delete!(created.id, { ...verified.outs!, mode: "verify" });
      expect(ec2.writes()).toHaveLength(writes);
    } finally {
      process.env = saved;
    }
  });
});
