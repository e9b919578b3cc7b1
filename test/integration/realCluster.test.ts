/**
 * Opt-in: the controllers against a real Kubernetes API server. Runs only when `KUBECONFIG` names
 * a kubeconfig file (for example a kind cluster: `kind create cluster`, then
 * `KUBECONFIG=~/.kube/config npx vitest run test/integration`); skipped otherwise. It creates one
 * throwaway namespace and deletes it; it never removes or changes anything else.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { amazonVpcCniPresent, clusterJoinProvider, connectKubernetes, waitForJoin, type ClusterJoinInputs } from "../../components/controllers";

const kubeconfigPath = process.env["KUBECONFIG"]?.split(":")[0];

describe.skipIf(!kubeconfigPath)("controllers against the cluster in KUBECONFIG", () => {
  const namespace = `canalkit-it-${Date.now().toString(36)}`;
  let kubeconfig: string;
  let inputs: ClusterJoinInputs;

  beforeAll(async () => {
    kubeconfig = readFileSync(kubeconfigPath!, "utf8");
    const { core } = connectKubernetes(kubeconfig);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    inputs = { memberName: "self", clusterKey: "it/it/it/self", namespace, controlPlaneName: "self", controlPlaneKubeconfig: kubeconfig, memberKubeconfig: kubeconfig, timeoutSeconds: 30, pollSeconds: 1, controllerVersion: "cluster-join/1" };
  });

  afterAll(async () => {
    if (kubeconfig) await connectKubernetes(kubeconfig).core.deleteNamespace({ name: namespace });
  });

  it("ClusterJoin waits for the mesh config to name the control plane, and refresh sees it taken", async () => {
    const { core } = connectKubernetes(kubeconfig);
    const uid = (await core.readNamespace({ name: namespace })).metadata!.uid!;
    const meshConfig = (controlPlaneUID: string) => ({ metadata: { name: "erie-canal-mesh-config", namespace }, data: { "mesh_config.json": JSON.stringify({ isManaged: true, cluster: { uid: "member", controlPlaneUID } }) } });
    setTimeout(() => void core.createNamespacedConfigMap({ namespace, body: meshConfig(uid) }), 2000);
    await expect(waitForJoin(inputs)).resolves.toMatchObject({ controlPlaneUid: uid });
    await core.replaceNamespacedConfigMap({ name: "erie-canal-mesh-config", namespace, body: meshConfig("another-plane") });
    const read = await clusterJoinProvider.read!("it", { ...inputs, managed: true, controlPlaneUid: uid, memberControlPlaneUid: uid, verifiedAt: "" });
    expect(read.props).toMatchObject({ managed: false, memberControlPlaneUid: "another-plane" });
  });

  it("DefaultCniRemoval only reads here: reports whether the Amazon VPC CNI is present", async () => {
    expect(typeof (await amazonVpcCniPresent(kubeconfig))).toBe("boolean");
  });
});
