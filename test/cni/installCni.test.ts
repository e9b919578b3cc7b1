import { describe, expect, it } from "vitest";
import type { ClusterNetworkFacts } from "../../components/cluster";
import { findObject, planCanal, type CanalPlan } from "../../components/cni";
import { calicoNetConfErrors, installCni } from "./installCni";

const vxlan: ClusterNetworkFacts = { topology: "vxlan", podCidr: "100.64.0.0/16", serviceCidr: "172.20.0.0/16", podMtu: 8951, vxlanPort: 8472, disableSourceDestCheck: false, typha: false, nodePodCidrsAllocated: true };
const ipip: ClusterNetworkFacts = { ...vxlan, topology: "ipip-crosssubnet", podMtu: 8981, disableSourceDestCheck: true };
const native: ClusterNetworkFacts = { ...vxlan, topology: "native-vpc", podMtu: 9001, disableSourceDestCheck: true };

/** install-cni's environment as the kubelet resolves it from the DaemonSet and the ConfigMap. */
function installCniEnv(plan: CanalPlan): Record<string, string> {
  const data = (findObject(plan, "ConfigMap", "canal-config") as any).data as Record<string, string>;
  const init = (findObject(plan, "DaemonSet", "canal") as any).spec.template.spec.initContainers.find((c: any) => c.name === "install-cni");
  const env: Record<string, string> = {};
  for (const e of init.env) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.configMapKeyRef) {
      expect(e.valueFrom.configMapKeyRef.name).toBe("canal-config");
      const v = data[e.valueFrom.configMapKeyRef.key];
      expect(v, `ConfigMap key ${e.valueFrom.configMapKeyRef.key}`).toBeDefined();
      env[e.name] = v!;
    } else if (e.valueFrom?.fieldRef?.fieldPath === "spec.nodeName") env[e.name] = "ip-10-0-1-7.ec2.internal";
  }
  return env;
}

describe("the conflist as install-cni writes it and the calico plugin reads it", () => {
  it.each([["vxlan", vxlan], ["ipip-crosssubnet", ipip], ["native-vpc", native]] as const)("%s: valid JSON after substitution, every calico field of its Go type, mtu the pod MTU", (_name, facts) => {
    const plan = planCanal(facts);
    const env = installCniEnv(plan);
    const conflist = installCni({ CNI_NETWORK_CONFIG: env["CNI_NETWORK_CONFIG"]!, CNI_MTU: env["CNI_MTU"], KUBERNETES_NODE_NAME: env["KUBERNETES_NODE_NAME"] });
    expect(conflist.cniVersion).toBe("0.3.1");
    const calico = conflist.plugins.find((p: any) => p.type === "calico");
    expect(calicoNetConfErrors(calico)).toEqual([]);
    expect(calico.mtu).toBe(facts.podMtu);
    expect(calico.nodename).toBe("ip-10-0-1-7.ec2.internal");
    expect(calico.kubernetes.kubeconfig).toBe("/etc/cni/net.d/calico-kubeconfig");
    // No token is left for the plugin to choke on.
    expect(JSON.stringify(conflist)).not.toMatch(/__[A-Z_]+__/);
  });

  it("would have caught a quoted MTU token: the plugin cannot decode a string into NetConf.MTU", () => {
    expect(calicoNetConfErrors({ type: "calico", mtu: "8951" })).toEqual(['mtu: cannot unmarshal "8951" into Go int']);
  });
});
