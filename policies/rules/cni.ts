/** CNI policies: the MTU and VXLAN port agree with the network, images are pinned, Felix inserts first. */
import { isPinnedImage } from "../../components/cni/versions";
import { indexStack, ofType } from "./stackIndex";
import { violation, type CanalkitPolicy } from "./types";

const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
const WORKLOAD_TYPES = new Set([
  "kubernetes:apps/v1:DaemonSet",
  "kubernetes:apps/v1:Deployment",
  "kubernetes:apps/v1:StatefulSet",
  "kubernetes:batch/v1:Job",
  "kubernetes:batch/v1:CronJob",
  "kubernetes:core/v1:Pod",
]);

/** The canal-config ConfigMaps of a cluster. */
function canalConfigs(resources: ReturnType<typeof ofType>) {
  return resources.filter((r) => r.props["metadata"]?.["name"] === "canal-config");
}

/** `veth_mtu` is set and equals the network plan's pod MTU. */
export const vethMtuMatchesPlan: CanalkitPolicy = {
  name: "canalkit-veth-mtu-matches-plan",
  description: "Canal's veth_mtu is set explicitly (not 0) and equals the pod MTU of the cluster's network plan.",
  severity: "high",
  area: "cni",
  remediation: "let the Canal component take the MTU from the cluster's network facts; never set veth_mtu to 0.",
  validateStack: (args, report) => {
    for (const cluster of indexStack(args.resources).values()) {
      for (const cm of canalConfigs(ofType(cluster, CONFIG_MAP))) {
        const mtu = Number(cm.props["data"]?.["veth_mtu"] ?? 0);
        if (!mtu) report(violation(vethMtuMatchesPlan, `Cluster ${cluster.name}: veth_mtu is unset or 0, so pods get the host MTU while the tunnel is smaller.`), cm.urn);
        else if (cluster.network && mtu !== cluster.network.facts.podMtu) {
          report(violation(vethMtuMatchesPlan, `Cluster ${cluster.name}: veth_mtu ${mtu} differs from the network plan's pod MTU ${cluster.network.facts.podMtu}.`), cm.urn);
        }
      }
    }
  },
};

/** The VXLAN port in net-conf.json is the one the security groups open. */
export const vxlanPortMatchesSg: CanalkitPolicy = {
  name: "canalkit-vxlan-port-matches-sg",
  description: "The Backend.Port in flannel's net-conf.json (8472 when unset) is the UDP port the cluster's security groups open between nodes.",
  severity: "high",
  area: "cni",
  remediation: "set network.vxlanPort once; the network and Canal both take it from there.",
  validateStack: (args, report) => {
    for (const cluster of indexStack(args.resources).values()) {
      const udpPorts = ofType(cluster, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        .filter((r) => r.props["ipProtocol"] === "udp" && "referencedSecurityGroupId" in r.props)
        .map((r) => [Number(r.props["fromPort"]), Number(r.props["toPort"])] as const);
      for (const cm of canalConfigs(ofType(cluster, CONFIG_MAP))) {
        const text = cm.props["data"]?.["net-conf.json"];
        if (typeof text !== "string") continue;
        let port = 8472;
        try {
          port = Number(JSON.parse(text)?.Backend?.Port ?? 8472);
        } catch {
          report(violation(vxlanPortMatchesSg, `Cluster ${cluster.name}: net-conf.json is not valid JSON.`), cm.urn);
          continue;
        }
        const hasAwsSide = cluster.network !== undefined;
        if (hasAwsSide && !udpPorts.some(([lo, hi]) => lo <= port && port <= hi)) {
          report(violation(vxlanPortMatchesSg, `Cluster ${cluster.name}: flannel uses UDP ${port} but no node security-group rule opens it.`), cm.urn);
        }
      }
    }
  },
};

/** Every container image is pinned by tag or digest. */
export const imagesPinned: CanalkitPolicy = {
  name: "canalkit-images-pinned",
  description: "Every container image of every Kubernetes workload is pinned by a tag other than latest, or by digest.",
  severity: "medium",
  area: "cni",
  remediation: "use an explicit version tag or an @sha256 digest.",
  validateResource: (args, report) => {
    if (!WORKLOAD_TYPES.has(args.type)) return;
    const spec = args.type === "kubernetes:core/v1:Pod" ? args.props["spec"] : args.type === "kubernetes:batch/v1:CronJob" ? args.props["spec"]?.["jobTemplate"]?.["spec"]?.["template"]?.["spec"] : args.props["spec"]?.["template"]?.["spec"];
    for (const c of [...(spec?.["initContainers"] ?? []), ...(spec?.["containers"] ?? [])]) {
      if (typeof c.image !== "string" || !isPinnedImage(c.image)) report(violation(imagesPinned, `${args.name}: container ${c.name} uses unpinned image ${c.image}.`));
    }
  },
};

/** Felix inserts its iptables chains first. */
export const felixChainInsertMode: CanalkitPolicy = {
  name: "canalkit-felix-chain-insert-mode",
  description: "Felix's chain insert mode is not append, so flannel's FORWARD accept rules cannot bypass network policy.",
  severity: "high",
  area: "cni",
  remediation: "keep FELIX_CHAININSERTMODE=insert (the kit's default).",
  validateResource: (args, report) => {
    if (args.type !== "kubernetes:apps/v1:DaemonSet") return;
    for (const c of args.props["spec"]?.["template"]?.["spec"]?.["containers"] ?? []) {
      for (const e of c.env ?? []) {
        if (e.name === "FELIX_CHAININSERTMODE" && String(e.value).toLowerCase() === "append") report(violation(felixChainInsertMode, `${args.name}: ${c.name} sets FELIX_CHAININSERTMODE=append.`));
      }
    }
  },
};

/** Every CNI policy. */
export const cniPolicies: CanalkitPolicy[] = [vethMtuMatchesPlan, vxlanPortMatchesSg, imagesPinned, felixChainInsertMode];
