import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it } from "vitest";
import { ExistingCluster } from "../../components/cluster";
import { synthesize } from "../../synth/engine";
import { AMAZON_VPC_CNI, DefaultCniRemoval, amazonVpcCniPresent, clusterJoinProvider, removeAmazonVpcCni, waitForJoin, type ClusterJoinInputs } from "../../components/controllers";
import { testKubeconfig } from "../support/kubeconfig";
import { FakeKubernetesApi, type StoredObject } from "../support/fakeKubernetesApi";

const NS = "erie-canal";
const NAMESPACES = "/api/v1/namespaces";
const CONFIGMAPS = `/api/v1/namespaces/${NS}/configmaps`;
const DAEMONSETS = "/apis/apps/v1/namespaces/kube-system/daemonsets";

const namespace = (name: string): StoredObject => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
const meshConfig = (cluster: { isManaged: boolean; controlPlaneUID: string; uid?: string }): StoredObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "erie-canal-mesh-config", namespace: NS },
  data: { "mesh_config.json": JSON.stringify({ isManaged: cluster.isManaged, cluster: { uid: cluster.uid ?? "member-ns-uid", controlPlaneUID: cluster.controlPlaneUID, name: "east" } }) },
});
const daemonSet = (name: string): StoredObject => ({ apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name, namespace: "kube-system" }, spec: {} });

describe("ClusterJoin against Kubernetes API servers", () => {
  const servers: FakeKubernetesApi[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  /** A control plane holding the ErieCanal namespace and a member holding a mesh config. */
  const setUp = async (member: StoredObject | undefined) => {
    const controlPlane = new FakeKubernetesApi("cp-token");
    const memberApi = new FakeKubernetesApi("member-token");
    servers.push(controlPlane, memberApi);
    const inputs: ClusterJoinInputs = {
      memberName: "east",
      clusterKey: "us-east-1/default/default/east",
      namespace: NS,
      controlPlaneName: "hub",
      controlPlaneKubeconfig: testKubeconfig(await controlPlane.start(), "cp-token"),
      memberKubeconfig: testKubeconfig(await memberApi.start(), "member-token"),
      timeoutSeconds: 5,
      pollSeconds: 0.05,
      controllerVersion: "cluster-join/1",
    };
    const cpUid = controlPlane.seed(NAMESPACES, namespace(NS)).metadata.uid!;
    if (member) memberApi.seed(CONFIGMAPS, member);
    return { controlPlane, member: memberApi, inputs, cpUid };
  };

  it("waits until the member's mesh config names this control plane, not just until Managed is set", async () => {
    const { member, inputs, cpUid } = await setUp(meshConfig({ isManaged: false, controlPlaneUID: "" }));
    // The control plane finishes the join only after the member was looked at three times.
    member.afterRequest = () => {
      if (member.requests.length === 3) member.mutate(CONFIGMAPS, "erie-canal-mesh-config", (cm) => (cm["data"] = meshConfig({ isManaged: true, controlPlaneUID: cpUid })["data"]));
    };
    const seen = await waitForJoin(inputs);
    expect(seen.controlPlaneUid).toBe(cpUid);
    expect(member.requests.filter((r) => r.method === "GET")).toHaveLength(4);
    expect(member.requests.every((r) => r.method === "GET")).toBe(true);
  });

  it("converges through errors, throttling and dropped connections", async () => {
    const { member, controlPlane, inputs, cpUid } = await setUp(undefined);
    member.seed(CONFIGMAPS, meshConfig({ isManaged: true, controlPlaneUID: "pending" }));
    member.mutate(CONFIGMAPS, "erie-canal-mesh-config", (cm) => (cm["data"] = meshConfig({ isManaged: true, controlPlaneUID: cpUid })["data"]));
    member.injectFault({ method: "GET", path: /configmaps/, status: 503, times: 2 });
    member.injectFault({ method: "GET", path: /configmaps/, status: "drop", times: 1 });
    member.latencyMs = 50;
    controlPlane.injectFault({ method: "GET", path: /namespaces\/erie-canal$/, status: 429, times: 2 });
    await expect(waitForJoin(inputs)).resolves.toMatchObject({ controlPlaneUid: cpUid });
    expect(member.requests.map((r) => r.status)).toEqual(expect.arrayContaining([503, 0, 200]));
  });

  it("fails at the bound with the member, what was seen and the likely causes", async () => {
    const { inputs } = await setUp(meshConfig({ isManaged: false, controlPlaneUID: "" }));
    await expect(waitForJoin({ ...inputs, timeoutSeconds: 1.5 })).rejects.toThrow(
      /ClusterJoin east \(us-east-1\/default\/default\/east\): not joined to hub after 1.5s; last seen: isManaged=false, controlPlaneUID="".*gatewayHost does not resolve.*another namespace than "erie-canal"/,
    );
    const missing = await setUp(undefined);
    await expect(waitForJoin({ ...missing.inputs, timeoutSeconds: 1.5 })).rejects.toThrow(/last seen: no ConfigMap erie-canal\/erie-canal-mesh-config on the member/);
  });

  it("refuses at once a member another control plane manages", async () => {
    const { inputs, member } = await setUp(meshConfig({ isManaged: true, controlPlaneUID: "someone-else" }));
    // "At once": with an hour to wait, the first look at the member ends it — counted, not timed.
    await expect(waitForJoin({ ...inputs, timeoutSeconds: 3600 })).rejects.toThrow(/managed by another control plane \(controlPlaneUID "someone-else"/);
    expect(member.requests.filter((r) => r.method === "GET")).toHaveLength(1);
  });

  it("refresh reports a member taken by another control plane, and the next update verifies again", async () => {
    const { member, inputs, cpUid } = await setUp(undefined);
    member.seed(CONFIGMAPS, meshConfig({ isManaged: true, controlPlaneUID: "x" }));
    member.mutate(CONFIGMAPS, "erie-canal-mesh-config", (cm) => (cm["data"] = meshConfig({ isManaged: true, controlPlaneUID: cpUid })["data"]));
    const created = await clusterJoinProvider.create(inputs);
    expect(created.outs).toMatchObject({ managed: true, controlPlaneUid: cpUid });
    expect(await clusterJoinProvider.diff!(created.id, created.outs!, inputs)).toEqual({ changes: false, replaces: [] });
    member.mutate(CONFIGMAPS, "erie-canal-mesh-config", (cm) => (cm["data"] = meshConfig({ isManaged: true, controlPlaneUID: "other-plane" })["data"]));
    const read = await clusterJoinProvider.read!(created.id, created.outs);
    expect(read.props).toMatchObject({ managed: false, memberControlPlaneUid: "other-plane" });
    expect((await clusterJoinProvider.diff!(created.id, read.props!, inputs)).changes).toBe(true);
  });
});

describe("DefaultCniRemoval against a Kubernetes API server", () => {
  let api: FakeKubernetesApi;
  afterEach(async () => api?.stop());

  it("removes only aws-node, once, and reports it when it comes back", async () => {
    api = new FakeKubernetesApi("t");
    const kubeconfig = testKubeconfig(await api.start(), "t");
    api.seed(DAEMONSETS, daemonSet(AMAZON_VPC_CNI.name));
    api.seed(DAEMONSETS, daemonSet("kube-proxy"));
    expect(await removeAmazonVpcCni(kubeconfig)).toBe(true);
    expect(api.list(DAEMONSETS).map((d) => d.metadata.name)).toEqual(["kube-proxy"]);
    const writes = () => api.requests.filter((r) => r.method !== "GET").length;
    const before = writes();
    expect(await removeAmazonVpcCni(kubeconfig)).toBe(false);
    expect(writes()).toBe(before);
    expect(await amazonVpcCniPresent(kubeconfig)).toBe(false);
    api.seed(DAEMONSETS, daemonSet(AMAZON_VPC_CNI.name));
    expect(await amazonVpcCniPresent(kubeconfig)).toBe(true);
  });
});

describe("DefaultCniRemoval waits until aws-node is really gone (issue 15 item 4)", () => {
  let api: FakeKubernetesApi;
  afterEach(async () => api?.stop());
  const PODS = "/api/v1/namespaces/kube-system/pods";

  /** aws-node with two running pods it owns, and kube-proxy with one. */
  const setUp = async () => {
    api = new FakeKubernetesApi("t");
    const kubeconfig = testKubeconfig(await api.start(), "t");
    const awsNode = api.seed(DAEMONSETS, daemonSet(AMAZON_VPC_CNI.name));
    const proxy = api.seed(DAEMONSETS, daemonSet("kube-proxy"));
    const pod = (name: string, app: string, owner: StoredObject): StoredObject => ({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "kube-system", labels: { "k8s-app": app }, ownerReferences: [{ apiVersion: "apps/v1", kind: "DaemonSet", name: owner.metadata.name, uid: owner.metadata.uid! }] } });
    api.seed(PODS, pod("aws-node-1", "aws-node", awsNode));
    api.seed(PODS, pod("aws-node-2", "aws-node", awsNode));
    api.seed(PODS, pod("kube-proxy-1", "kube-proxy", proxy));
    return kubeconfig;
  };

  it("returns only once the DaemonSet and its pods are gone", async () => {
    const kubeconfig = await setUp();
    // The pods stop after the controller has looked a few times while they were terminating.
    let looks = 0;
    api.afterRequest = (r) => {
      if (r.method === "GET" && r.path === PODS && ++looks === 3) api.finishTerminating();
    };
    expect(await removeAmazonVpcCni(kubeconfig, { timeoutSeconds: 5, pollSeconds: 0.05 })).toBe(true);
    expect(looks).toBeGreaterThanOrEqual(3);
    expect(api.list(DAEMONSETS).map((d) => d.metadata.name)).toEqual(["kube-proxy"]);
    expect(api.list(PODS).map((p) => p.metadata.name)).toEqual(["kube-proxy-1"]);
  });

  it("converges when the answer to its delete is lost: the DaemonSet is being deleted, the retry finds it so, the wait ends", async () => {
    const kubeconfig = await setUp();
    api.injectFault({ method: "DELETE", path: /daemonsets\/aws-node$/, status: "lose", times: 1 });
    api.afterRequest = (r) => {
      if (r.method === "GET" && r.path === PODS) api.finishTerminating();
    };
    expect(await removeAmazonVpcCni(kubeconfig, { timeoutSeconds: 5, pollSeconds: 0.05 })).toBe(true);
    expect(api.requests.filter((r) => r.method === "DELETE").map((r) => r.status)[0]).toBe(0);
    expect(api.list(DAEMONSETS).map((d) => d.metadata.name)).toEqual(["kube-proxy"]);
    expect(api.list(PODS).map((p) => p.metadata.name)).toEqual(["kube-proxy-1"]);
  });

  it("fails at its bound naming the aws-node pods still there, so Canal is not installed beside them", async () => {
    const kubeconfig = await setUp();
    await expect(removeAmazonVpcCni(kubeconfig, { timeoutSeconds: 1.5, pollSeconds: 0.05 })).rejects.toThrow(
      /aws-node is still terminating after 1.5s: DaemonSet kube-system\/aws-node \(deletionTimestamp set\), pods aws-node-1, aws-node-2/,
    );
    // The DaemonSet is kept by the foreground deletion while its pods run.
    expect(api.get(DAEMONSETS, "aws-node")?.metadata["deletionTimestamp"]).toBeDefined();
    // A later attempt (the next update) waits again, without deleting twice.
    const deletes = api.requests.filter((r) => r.method === "DELETE").length;
    api.finishTerminating();
    await expect(removeAmazonVpcCni(kubeconfig, { timeoutSeconds: 1, pollSeconds: 0.05 })).resolves.toBe(false);
    expect(api.requests.filter((r) => r.method === "DELETE").length).toBe(deletes);
  });
});

describe("DefaultCniRemoval and the EKS vpc-cni add-on", () => {
  let api: FakeKubernetesApi;
  afterEach(async () => api?.stop());

  it("refuses an aws-node the add-on manages (fields managed by eks), deleting nothing, and says to delete the add-on", async () => {
    api = new FakeKubernetesApi("t");
    const kubeconfig = testKubeconfig(await api.start(), "t");
    api.seed(DAEMONSETS, { ...daemonSet(AMAZON_VPC_CNI.name), metadata: { name: "aws-node", namespace: "kube-system", managedFields: [{ manager: "eks", operation: "Apply", apiVersion: "apps/v1", fieldsType: "FieldsV1", fieldsV1: { "f:spec": {} } }] } });
    await expect(removeAmazonVpcCni(kubeconfig, { timeoutSeconds: 1, pollSeconds: 0.05 })).rejects.toThrow(/belongs to the EKS vpc-cni add-on.*aws eks delete-addon --cluster-name <cluster> --addon-name vpc-cni/);
    expect(api.requests.filter((r) => r.method === "DELETE")).toHaveLength(0);
    expect(api.get(DAEMONSETS, "aws-node")).toBeDefined();
  });
});

describe("DefaultCniRemoval is only ever asked for where it applies", () => {
  it("refuses clusters that are not EKS and clusters canalkit created, naming the option", async () => {
    await expect(
      synthesize(() => void new ExistingCluster("lab", { kubeconfig: pulumi.secret("k"), topology: "vxlan", podCidr: "10.244.0.0/16", serviceCidr: "10.96.0.0/12", podMtu: 1450, isEks: false, removeAmazonVpcCni: true })),
    ).rejects.toThrow(/clusters.lab.removeAmazonVpcCni = true: only EKS clusters ship the Amazon VPC CNI/);
    expect(() => new DefaultCniRemoval("x", { cluster: { clusterName: "east", isEks: true, managedByKit: true, kubeconfig: pulumi.output("k") } })).toThrow(/created this cluster without the Amazon VPC CNI/);
  });
});
