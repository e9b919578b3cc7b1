/**
 * Canal's RBAC compared rule by rule with what upstream grants (projectcalico/calico@v3.32.1:
 * charts/calico/templates/calico-node-rbac.yaml and calico-kube-controllers-rbac.yaml, rendered
 * for `network: flannel` as canal.yaml and `network: calico` as calico.yaml), for the identities
 * that actually run the code: calico-node and install-cni run as the DaemonSet's account; the CNI
 * plugin runs with a token for `CALICO_CNI_SERVICE_ACCOUNT`, default `calico-cni-plugin`
 * (node/pkg/cni/token_watch.go CNIServiceAccountName).
 */
import { describe, expect, it } from "vitest";
import type { ClusterNetworkFacts } from "../../components/cluster";
import { findObject, planCanal, type CanalPlan } from "../../components/cni";
import { canalIdentities, allowed as allowedIn, expand, missing as missingIn, upstreamCalicoNode, upstreamCniPlugin, upstreamFlannel, upstreamKubeControllers, type Grant } from "./upstreamRbac";

const allowed = (plan: CanalPlan, account: string) => allowedIn(plan.objects, account);
const missing = (plan: CanalPlan, account: string, grants: Grant[]) => missingIn(plan.objects, account, grants);

const vxlan: ClusterNetworkFacts = { topology: "vxlan", podCidr: "100.64.0.0/16", serviceCidr: "172.20.0.0/16", podMtu: 8951, vxlanPort: 8472, disableSourceDestCheck: false, typha: false, nodePodCidrsAllocated: true };
const ipip: ClusterNetworkFacts = { ...vxlan, topology: "ipip-crosssubnet", podMtu: 8981, disableSourceDestCheck: true };
const native: ClusterNetworkFacts = { ...vxlan, topology: "native-vpc", podMtu: 9001, disableSourceDestCheck: true };

const identities = (plan: CanalPlan) => canalIdentities(findObject(plan, "DaemonSet", "canal") as any);
describe("Canal RBAC against upstream, for the identities that run the code", () => {
  it.each([["vxlan", vxlan, false], ["native-vpc", native, false], ["ipip-crosssubnet", ipip, true]] as const)("%s: calico-node, the CNI plugin, flannel and kube-controllers have every right upstream grants them", (_n, facts, calicoNetwork) => {
    const plan = planCanal(facts);
    const { node, cni } = identities(plan);
    expect(missing(plan, node, upstreamCalicoNode(calicoNetwork))).toEqual([]);
    expect(missing(plan, cni, upstreamCniPlugin(calicoNetwork))).toEqual([]);
    if (facts.topology === "vxlan") expect(missing(plan, node, upstreamFlannel)).toEqual([]);
    expect(missing(plan, "calico-kube-controllers", upstreamKubeControllers)).toEqual([]);
    // calico-node and install-cni request the CNI plugin's token for that account.
    expect(allowed(plan, node).can("", "serviceaccounts/token", "create", cni)).toBe(true);
    // The account exists.
    expect(findObject(plan, "ServiceAccount", cni)).toBeDefined();
  });

  it("would have caught the missing ipamconfigs rights: Calico IPAM creates the default IPAMConfig on first assignment", () => {
    const plan = planCanal(ipip);
    const { node, cni } = identities(plan);
    for (const account of [node, cni]) {
      expect(allowed(plan, account).can("crd.projectcalico.org", "ipamconfigs", "get")).toBe(true);
      expect(allowed(plan, account).can("crd.projectcalico.org", "ipamconfigs", "create")).toBe(true);
    }
  });

  it("grants nothing upstream does not, beyond what the kit documents", () => {
    // The kit's roles are upstream's, so the comparison runs the other way too.
    for (const [facts, calicoNetwork] of [[vxlan, false], [ipip, true]] as const) {
      const plan = planCanal(facts);
      const rulesOf = (name: string) => expand(((findObject(plan, "ClusterRole", name) as any).rules as any[]).map((r) => `${r.apiGroups.join(",")}|${r.resources.join(",")}|${r.verbs.join(",")}`));
      const within = (kit: string[], upstream: Grant[]) => kit.filter((g) => !expand(upstream).includes(g));
      expect(within(rulesOf("calico-node"), upstreamCalicoNode(calicoNetwork)).filter((g) => !g.startsWith("/serviceaccounts/token"))).toEqual([]);
      expect(within(rulesOf("calico-cni-plugin"), upstreamCniPlugin(calicoNetwork))).toEqual([]);
      expect(within(rulesOf("calico-kube-controllers"), upstreamKubeControllers)).toEqual([]);
    }
  });
});
