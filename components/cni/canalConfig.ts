/**
 * The `canal-config` ConfigMap: the CNI configuration template, the pod MTU, and flannel's
 * net-conf.json, all derived from the settings so the CNI, flannel and the security groups agree.
 */
import { namespaced, type KubernetesObject } from "./objects";
import type { CanalSettings } from "./settings";

/**
 * Tokens install-cni replaces with a number: the template carries them bare (not quoted), so the
 * substituted conflist holds a JSON number where the calico plugin's NetConf has an `int`.
 */
export const NUMERIC_TEMPLATE_TOKENS = ["__CNI_MTU__"] as const;

/**
 * The CNI network configuration list the install-cni container writes to each node, as an
 * object; `mtu` holds the token that `cniNetworkConfigTemplate` writes unquoted.
 */
export function cniNetworkConfig(settings: CanalSettings): Record<string, unknown> {
  return {
    name: "k8s-pod-network",
    cniVersion: "0.3.1",
    plugins: [
      {
        type: "calico",
        log_level: "info",
        log_file_path: "/var/log/calico/cni/cni.log",
        datastore_type: "kubernetes",
        nodename: "__KUBERNETES_NODE_NAME__",
        mtu: "__CNI_MTU__",
        ipam: settings.calicoIpam ? { type: "calico-ipam" } : { type: "host-local", subnet: "usePodCidr" },
        policy: { type: "k8s" },
        kubernetes: { kubeconfig: "__KUBECONFIG_FILEPATH__" },
      },
      { type: "portmap", snat: true, capabilities: { portMappings: true } },
    ],
  };
}

/**
 * The template text install-cni reads from `CNI_NETWORK_CONFIG`. It substitutes tokens by plain
 * text replacement, so numeric tokens must be bare to become numbers (upstream: `"mtu": __CNI_MTU__`).
 * The template itself is therefore not JSON; the conflist after substitution is.
 */
export function cniNetworkConfigTemplate(settings: CanalSettings): string {
  let text = JSON.stringify(cniNetworkConfig(settings), null, 2);
  for (const token of NUMERIC_TEMPLATE_TOKENS) text = text.split(`"${token}"`).join(token);
  return text;
}

/**
 * flannel's net-conf.json. `Port` pins the VXLAN port to the security-group rule; `MTU` is the
 * underlay MTU flannel sizes flannel.1 from, so flannel.1 equals the pod MTU.
 */
export function flannelNetConf(settings: CanalSettings): Record<string, unknown> {
  return { Network: settings.podCidr, Backend: { Type: "vxlan", Port: settings.vxlanPort, MTU: settings.podMtu + 50 } };
}

/** Builds the ConfigMap. */
export function buildCanalConfig(settings: CanalSettings): KubernetesObject {
  const data: Record<string, string> = {
    typha_service_name: settings.typha ? "calico-typha" : "none",
    calico_backend: settings.calicoBackend,
    canal_iface: settings.iface,
    masquerade: "true",
    // Explicit, never "0": auto-detection would give pods the host MTU (9001), above flannel.1's.
    veth_mtu: String(settings.podMtu),
    cni_network_config: cniNetworkConfigTemplate(settings),
  };
  if (settings.flannel) data["net-conf.json"] = JSON.stringify(flannelNetConf(settings), null, 2);
  return namespaced("v1", "ConfigMap", "canal-config", { data });
}
