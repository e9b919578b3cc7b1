/**
 * DefaultCniRemoval and the EKS `vpc-cni` add-on (issue 15 item 4, second half): with the EKS
 * cluster's name and region, the add-on is deleted through the EKS API (without `preserve`, so EKS
 * removes aws-node), waited for until EKS no longer lists it, then aws-node and its pods are waited
 * for as before. Against a local EKS REST-JSON endpoint and the fake Kubernetes API, where the
 * add-on's deletion deletes the aws-node DaemonSet as EKS does.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ExistingCluster } from "../../components/cluster";
import { AMAZON_VPC_CNI, defaultCniRemovalProvider, removeAmazonVpcCniAndAddon, type DefaultCniRemovalInputs } from "../../components/controllers";
import { synthesize } from "../../synth/engine";
import { FakeEksApi } from "../support/fakeEksApi";
import { FakeKubernetesApi, type StoredObject } from "../support/fakeKubernetesApi";
import { testKubeconfig } from "../support/kubeconfig";

const DAEMONSETS = "/apis/apps/v1/namespaces/kube-system/daemonsets";
const PODS = "/api/v1/namespaces/kube-system/pods";
const EKS_NAME = "prod-east";

beforeAll(() => {
  // Credentials from the environment, as `pulumi up` has them; never metadata endpoints in tests.
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKIDEKSTEST", AWS_SECRET_ACCESS_KEY: "eks-test-secret-key", AWS_EC2_METADATA_DISABLED: "true" });
});

let api: FakeKubernetesApi | undefined;
let eks: FakeEksApi | undefined;
afterEach(async () => {
  await api?.stop();
  await eks?.stop();
  api = eks = undefined;
});

const daemonSet = (name: string, managedByEks: boolean): StoredObject => ({
  apiVersion: "apps/v1",
  kind: "DaemonSet",
  metadata: { name, namespace: "kube-system", ...(managedByEks ? { managedFields: [{ manager: "eks", operation: "Apply", apiVersion: "apps/v1", fieldsType: "FieldsV1", fieldsV1: { "f:spec": {} } }] } : {}) },
  spec: {},
});
const pod = (name: string, app: string, owner: StoredObject): StoredObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "kube-system", labels: { "k8s-app": app }, ownerReferences: [{ apiVersion: "apps/v1", kind: "DaemonSet", name: owner.metadata.name, uid: owner.metadata.uid! }] },
});

/**
 * A cluster whose aws-node (two pods) is managed by the add-on in the given state (or is
 * self-managed when `addon` is undefined), beside kube-proxy. EKS deletes aws-node when the add-on
 * goes without `preserve`; the pods stop when the controller next looks at them.
 */
async function setUp(addon: "ACTIVE" | "DELETING" | undefined, options: { eksCluster?: boolean; token?: string } = {}) {
  const token = options.token ?? "t";
  api = new FakeKubernetesApi(token);
  const kubeconfig = testKubeconfig(await api.start(), token);
  const awsNode = api.seed(DAEMONSETS, daemonSet(AMAZON_VPC_CNI.name, addon !== undefined));
  const proxy = api.seed(DAEMONSETS, daemonSet("kube-proxy", false));
  api.seed(PODS, pod("aws-node-1", "aws-node", awsNode));
  api.seed(PODS, pod("aws-node-2", "aws-node", awsNode));
  api.seed(PODS, pod("kube-proxy-1", "kube-proxy", proxy));
  eks = new FakeEksApi("us-east-1");
  if (options.eksCluster ?? true) eks.addCluster(EKS_NAME, addon);
  const k8s = api;
  eks.onAddonDeleted = (_cluster, name, preserve) => {
    if (name === "vpc-cni" && !preserve) k8s.deleteAsClient(DAEMONSETS, AMAZON_VPC_CNI.name, "Foreground");
  };
  api.afterRequest = (r) => {
    if (r.method === "GET" && r.path === PODS) k8s.finishTerminating();
  };
  const target = { eksClusterName: EKS_NAME, region: "us-east-1", eksEndpoint: await eks.start() };
  return { kubeconfig, target };
}

const bounds = { timeoutSeconds: 5, pollSeconds: 0.05 };

describe("DefaultCniRemoval deletes the EKS vpc-cni add-on when the cluster has one", () => {
  it("DescribeAddon, DeleteAddon without preserve, waits until EKS no longer lists it and aws-node and its pods are gone", async () => {
    const { kubeconfig, target } = await setUp("ACTIVE");
    expect(await removeAmazonVpcCniAndAddon(kubeconfig, bounds, target)).toEqual({ removed: true, addonRemoved: true });
    const calls = eks!.calls.map((c) => `${c.operation} ${c.status}`);
    expect(calls[0]).toBe("DescribeAddon 200");
    expect(calls[1]).toBe("DeleteAddon 200");
    expect(calls.at(-1)).toBe("DescribeAddon 404");
    const deletion = eks!.calls.find((c) => c.operation === "DeleteAddon")!;
    expect(deletion.path).toBe(`/clusters/${EKS_NAME}/addons/vpc-cni`);
    expect(deletion.query["preserve"]).not.toBe("true");
    // Signed with the environment's credentials, for EKS in the cluster's region.
    expect(deletion.authorization).toMatch(/Credential=AKIDEKSTEST\/\d{8}\/us-east-1\/eks\/aws4_request/);
    expect(eks!.clusters.get(EKS_NAME)!.has("vpc-cni")).toBe(false);
    // EKS deleted aws-node; the controller waited for it and deleted nothing itself.
    expect(api!.requests.filter((r) => r.method === "DELETE")).toHaveLength(0);
    expect(api!.list(DAEMONSETS).map((d) => d.metadata.name)).toEqual(["kube-proxy"]);
    expect(api!.list(PODS).map((p) => p.metadata.name)).toEqual(["kube-proxy-1"]);
  });

  it("converges when the answer to DeleteAddon is lost: it looks before deleting again, and deletes once", async () => {
    const { kubeconfig, target } = await setUp("ACTIVE");
    eks!.loseAnswer("DeleteAddon");
    expect(await removeAmazonVpcCniAndAddon(kubeconfig, bounds, target)).toEqual({ removed: true, addonRemoved: true });
    // One DeleteAddon (its answer lost); a second would be refused by EKS (already DELETING).
    expect(eks!.calls.filter((c) => c.operation === "DeleteAddon")).toHaveLength(1);
    expect(eks!.calls.some((c) => c.status === 400)).toBe(false);
    expect(api!.list(DAEMONSETS).map((d) => d.metadata.name)).toEqual(["kube-proxy"]);
  });

  it("an add-on already DELETING (an earlier run that stopped at its bound) is waited for, not deleted again", async () => {
    const { kubeconfig, target } = await setUp("DELETING");
    expect(await removeAmazonVpcCniAndAddon(kubeconfig, bounds, target)).toEqual({ removed: true, addonRemoved: true });
    expect(eks!.calls.filter((c) => c.operation === "DeleteAddon")).toHaveLength(0);
    expect(api!.list(DAEMONSETS).map((d) => d.metadata.name)).toEqual(["kube-proxy"]);
  });

  it("fails at its bound naming the add-on's status, and the next run waits again without a second DeleteAddon", async () => {
    const { kubeconfig, target } = await setUp("ACTIVE");
    eks!.deletingLooks = Infinity;
    await expect(removeAmazonVpcCniAndAddon(kubeconfig, { timeoutSeconds: 1.5, pollSeconds: 0.05 }, target)).rejects.toThrow(
      /the vpc-cni add-on of EKS cluster "prod-east" \(us-east-1\) is still being deleted after 1.5s \(status DELETING/,
    );
    // Canal must not start: aws-node is untouched while the add-on is being deleted.
    expect(api!.get(DAEMONSETS, "aws-node")).toBeDefined();
    eks!.finishDeleting(EKS_NAME, "vpc-cni");
    expect(await removeAmazonVpcCniAndAddon(kubeconfig, bounds, target)).toEqual({ removed: false, addonRemoved: false });
    expect(eks!.calls.filter((c) => c.operation === "DeleteAddon")).toHaveLength(1);
    expect(api!.list(DAEMONSETS).map((d) => d.metadata.name)).toEqual(["kube-proxy"]);
  });

  it("DELETE_FAILED ends the wait at once with EKS's health issues", async () => {
    const { kubeconfig, target } = await setUp("ACTIVE");
    eks!.deletionFails = [{ code: "ClusterUnreachable", message: "webhook denied the deletion" }];
    await expect(removeAmazonVpcCniAndAddon(kubeconfig, { timeoutSeconds: 30, pollSeconds: 0.05 }, target)).rejects.toThrow(/status DELETE_FAILED \(ClusterUnreachable: webhook denied the deletion\)/);
    expect(api!.get(DAEMONSETS, "aws-node")).toBeDefined();
  });

  it("a cluster without the add-on (self-managed aws-node): DescribeAddon says so, aws-node is deleted as before", async () => {
    const { kubeconfig, target } = await setUp(undefined);
    expect(await removeAmazonVpcCniAndAddon(kubeconfig, bounds, target)).toEqual({ removed: true, addonRemoved: false });
    expect(eks!.calls.map((c) => `${c.operation} ${c.status}`)).toEqual(["DescribeAddon 404"]);
    expect(api!.requests.filter((r) => r.method === "DELETE").map((r) => r.path)).toEqual([`${DAEMONSETS}/aws-node`]);
    expect(api!.list(DAEMONSETS).map((d) => d.metadata.name)).toEqual(["kube-proxy"]);
  });

  it("an aws-node managed by eks while the named EKS cluster has no such add-on is refused, naming eksClusterName and region", async () => {
    const { kubeconfig, target } = await setUp("ACTIVE", { eksCluster: false });
    await expect(removeAmazonVpcCniAndAddon(kubeconfig, bounds, { ...target, eksClusterName: "prod-west" })).rejects.toThrow(
      /EKS cluster "prod-west" in us-east-1 has no vpc-cni add-on\. Check eksClusterName and region/,
    );
    expect(api!.requests.filter((r) => r.method === "DELETE")).toHaveLength(0);
    expect(eks!.calls.filter((c) => c.operation === "DeleteAddon")).toHaveLength(0);
  });

  it("without eksClusterName an aws-node the add-on manages is still refused, naming the arguments to set", async () => {
    const { kubeconfig } = await setUp("ACTIVE");
    await expect(removeAmazonVpcCniAndAddon(kubeconfig, bounds)).rejects.toThrow(/belongs to the EKS vpc-cni add-on.*Set eksClusterName and region on the ExistingCluster/);
    expect(eks!.calls).toHaveLength(0);
    expect(api!.requests.filter((r) => r.method === "DELETE")).toHaveLength(0);
  });

  it("an EKS refusal (no rights) fails the removal with EKS's reason, deleting nothing, and no credentials in the message", async () => {
    const { kubeconfig, target } = await setUp("ACTIVE", { token: "t-0123456789abcdef" });
    eks!.injectFault("DeleteAddon", 403, "AccessDeniedException");
    const failure = await defaultCniRemovalProvider
      .create!({ clusterName: "lab", kubeconfig, ...bounds, ...target, controllerVersion: "x" } as DefaultCniRemovalInputs)
      .then(() => undefined, (e: Error) => e);
    expect(failure?.message).toMatch(/EKS DeleteAddon \(vpc-cni add-on of cluster "prod-east", us-east-1\) failed: AccessDeniedException: injected AccessDeniedException/);
    expect(failure?.message).not.toMatch(/eks-test-secret-key|t-0123456789abcdef/);
    expect(api!.requests.filter((r) => r.method === "DELETE")).toHaveLength(0);
  });
});

describe("the EKS cluster name and region are checked before any call", () => {
  const base = { kubeconfig: pulumi.secret("k"), topology: "vxlan" as const, podCidr: "10.244.0.0/16", serviceCidr: "10.96.0.0/12", podMtu: 8951, isEks: true, removeAmazonVpcCni: true };

  it("ExistingCluster refuses a bad name, a missing or bad region, and a name on a cluster that is not EKS, naming the argument", async () => {
    await expect(synthesize(() => void new ExistingCluster("lab", { ...base, eksClusterName: "prod east", region: "us-east-1" }))).rejects.toThrow(/cluster.eksClusterName = "prod east": is not an EKS cluster name/);
    await expect(synthesize(() => void new ExistingCluster("lab", { ...base, eksClusterName: "prod-east" }))).rejects.toThrow(/cluster.region = undefined: is needed with cluster.eksClusterName.*Fix: set region/);
    await expect(synthesize(() => void new ExistingCluster("lab", { ...base, eksClusterName: "prod-east", region: "US-East-1" }))).rejects.toThrow(/cluster.region = "US-East-1": is not an AWS region name/);
    await expect(synthesize(() => void new ExistingCluster("lab", { ...base, isEks: false, removeAmazonVpcCni: false, eksClusterName: "prod-east", region: "us-east-1" }))).rejects.toThrow(/cluster.eksClusterName = "prod-east": is set on a cluster that is not EKS/);
  });

  it("ExistingCluster hands the name and region to DefaultCniRemoval", async () => {
    const result = await synthesize(() => void new ExistingCluster("lab", { ...base, eksClusterName: "prod-east", region: "eu-west-1" }));
    const removal = result.resources.find((r) => r.type.endsWith(":DefaultCniRemoval"))!;
    expect(removal.inputs).toMatchObject({ eksClusterName: "prod-east", region: "eu-west-1" });
  });

  it("the provider's check names eksClusterName and region", async () => {
    const news: DefaultCniRemovalInputs = { clusterName: "lab", kubeconfig: "k", timeoutSeconds: 300, pollSeconds: 5, controllerVersion: "x" };
    const check = defaultCniRemovalProvider.check!;
    const none = {} as DefaultCniRemovalInputs;
    expect((await check(none, { ...news, eksClusterName: "prod-east" })).failures).toEqual([{ property: "region", reason: expect.stringMatching(/region is required with eksClusterName/) }]);
    expect((await check(none, { ...news, eksClusterName: "a b", region: "nowhere" })).failures?.map((f) => f.property)).toEqual(["eksClusterName", "region"]);
    expect((await check(none, { ...news, eksClusterName: "prod-east", region: "us-east-1" })).failures).toEqual([]);
  });
});
