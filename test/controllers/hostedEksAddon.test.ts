/**
 * DefaultCniRemoval with the EKS `vpc-cni` add-on, as the engine runs it (through the SDK's
 * dynamic-provider host): check, create (the add-on is deleted through the EKS API, aws-node goes
 * with it), diff, read; and a create EKS refuses fails with EKS's reason and no credentials.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ExistingCluster } from "../../components/cluster";
import { synthesize } from "../../synth/engine";
import { startDynamicProviderHost, type DynamicProviderHost } from "../support/dynamicProviderHost";
import { FakeEksApi } from "../support/fakeEksApi";
import { FakeKubernetesApi, type StoredObject } from "../support/fakeKubernetesApi";
import { testKubeconfig } from "../support/kubeconfig";
import { localhostCertificate } from "../support/tlsCertificate";

// The API server speaks TLS with token authentication, as a real one does.
const tls = localhostCertificate();
const TOKEN = "eyJhbGciOiJSUzI1NiJ9.ZWtzLWFkZG9uLXRlc3QtdG9rZW4.sig-Qx7";
const AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const DAEMONSETS = "/apis/apps/v1/namespaces/kube-system/daemonsets";
const PODS = "/api/v1/namespaces/kube-system/pods";

let host: DynamicProviderHost;
let urn: string;
let inputs: Record<string, unknown>;

beforeAll(async () => {
  const result = await synthesize(() => {
    new ExistingCluster("lab", { kubeconfig: pulumi.secret("admin"), topology: "vxlan", podCidr: "10.244.0.0/16", serviceCidr: "10.96.0.0/12", podMtu: 8951, isEks: true, removeAmazonVpcCni: true, eksClusterName: "prod-east", region: "us-east-1" });
  });
  const removal = result.resources.find((r) => r.type === "pulumi-nodejs:dynamic:DefaultCniRemoval" || r.type.endsWith(":DefaultCniRemoval"))!;
  ({ urn, inputs } = removal);
  // The host inherits the environment's AWS credentials, as it does under `pulumi up`.
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKIDHOSTED", AWS_SECRET_ACCESS_KEY: AWS_SECRET, AWS_EC2_METADATA_DISABLED: "true" });
  host = await startDynamicProviderHost();
});

afterAll(async () => {
  await host?.close();
});

let api: FakeKubernetesApi | undefined;
let eks: FakeEksApi | undefined;
afterEach(async () => {
  await api?.stop();
  await eks?.stop();
});

/** A cluster whose aws-node (one pod) belongs to an ACTIVE vpc-cni add-on; EKS deletes aws-node with the add-on. */
async function setUp() {
  api = new FakeKubernetesApi(TOKEN, tls);
  const kubeconfig = testKubeconfig(await api.start(), TOKEN, tls.cert);
  const awsNode = api.seed(DAEMONSETS, { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "aws-node", namespace: "kube-system", managedFields: [{ manager: "eks", operation: "Apply" }] }, spec: {} });
  const pod: StoredObject = { apiVersion: "v1", kind: "Pod", metadata: { name: "aws-node-1", namespace: "kube-system", labels: { "k8s-app": "aws-node" }, ownerReferences: [{ apiVersion: "apps/v1", kind: "DaemonSet", name: "aws-node", uid: awsNode.metadata.uid! }] } };
  api.seed(PODS, pod);
  eks = new FakeEksApi("us-east-1");
  eks.addCluster("prod-east", "ACTIVE");
  const k8s = api;
  eks.onAddonDeleted = (_c, _a, preserve) => {
    if (!preserve) k8s.deleteAsClient(DAEMONSETS, "aws-node", "Foreground");
  };
  k8s.afterRequest = (r) => {
    if (r.method === "GET" && r.path === PODS) k8s.finishTerminating();
  };
  return { ...inputs, kubeconfig, eksEndpoint: await eks.start(), timeoutSeconds: 5, pollSeconds: 0.05 };
}

describe("DefaultCniRemoval deletes the vpc-cni add-on through the dynamic-provider host", () => {
  it("check, create (DeleteAddon without preserve, then aws-node gone), diff, read", async () => {
    expect(inputs).toMatchObject({ eksClusterName: "prod-east", region: "us-east-1", controllerVersion: "default-cni-removal/3" });
    const news = await setUp();
    const checked = await host.check(urn, {}, news);
    expect(checked.failures).toEqual([]);
    const created = await host.create(urn, checked.inputs);
    expect(created.props).toMatchObject({ removed: true, addonRemoved: true, present: false });
    expect(eks!.calls.filter((c) => c.operation === "DeleteAddon").map((c) => [c.path, c.query["preserve"], c.status])).toEqual([["/clusters/prod-east/addons/vpc-cni", "false", 200]]);
    expect(eks!.clusters.get("prod-east")!.size).toBe(0);
    expect(api!.list(DAEMONSETS)).toEqual([]);
    expect(api!.list(PODS)).toEqual([]);
    expect((await host.diff(urn, created.id, created.props, checked.inputs)).changes).toBe("none");
    expect((await host.read(urn, created.id, created.props)).props).toMatchObject({ present: false, addonRemoved: true, warning: "" });
  });

  it("a create EKS refuses fails with EKS's reason, deletes nothing, and carries no credentials", async () => {
    const news = await setUp();
    eks!.injectFault("DeleteAddon", 403, "AccessDeniedException");
    const failure = await host.create(urn, (await host.check(urn, {}, news)).inputs).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(failure?.message).toMatch(/EKS DeleteAddon \(vpc-cni add-on of cluster "prod-east", us-east-1\) failed: AccessDeniedException: injected AccessDeniedException\. The AWS credentials `pulumi up` runs with need eks:DescribeAddon and eks:DeleteAddon/);
    for (const secret of [TOKEN, AWS_SECRET]) expect(`${failure?.message}\n${host.stderr()}\n${JSON.stringify(host.logs())}`).not.toContain(secret);
    expect(api!.get(DAEMONSETS, "aws-node")).toBeDefined();
    expect(api!.requests.filter((r) => r.method === "DELETE")).toHaveLength(0);
  });

  it("check names eksClusterName and region", async () => {
    const { failures } = await host.check(urn, {}, { ...inputs, kubeconfig: "k", eksClusterName: "bad name", region: "mars-1" });
    expect(failures.map((f) => f.property).sort()).toEqual(["eksClusterName", "region"]);
  });
});
