/**
 * Test-side model of how Calico v3.32.1 reads the CNI configuration, written from the upstream
 * facts (projectcalico/calico@v3.32.1: cni-plugin/pkg/install/install.go `writeCNIConfig`,
 * cni-plugin/pkg/types/types.go `NetConf`): install-cni replaces tokens as plain text, refuses
 * text that is not JSON, and the calico plugin decodes each field into a Go type.
 */

/** Environment install-cni sees in the canal DaemonSet, resolved from the ConfigMap and pod. */
export interface InstallCniEnv {
  CNI_NETWORK_CONFIG: string;
  CNI_MTU?: string;
  KUBERNETES_NODE_NAME?: string;
}

/**
 * install-cni's substitution (`strings.ReplaceAll` per token, defaults as upstream) followed by
 * its `isValidJSON` check; returns the parsed conflist.
 */
export function installCni(env: InstallCniEnv): any {
  const replacements: Record<string, string> = {
    __LOG_LEVEL__: "info",
    __LOG_FILE_PATH__: "/var/log/calico/cni/cni.log",
    __LOG_FILE_MAX_SIZE__: "100",
    __LOG_FILE_MAX_AGE__: "30",
    __LOG_FILE_MAX_COUNT__: "10",
    __DATASTORE_TYPE__: "kubernetes",
    __KUBERNETES_NODE_NAME__: env.KUBERNETES_NODE_NAME ?? "node-a",
    __KUBECONFIG_FILEPATH__: "/etc/cni/net.d/calico-kubeconfig",
    __CNI_MTU__: env.CNI_MTU ?? "1500",
    __KUBERNETES_SERVICE_HOST__: "",
    __KUBERNETES_SERVICE_PORT__: "",
    __REQUIRE_MTU_FILE__: "false",
  };
  let text = env.CNI_NETWORK_CONFIG;
  for (const [token, value] of Object.entries(replacements)) text = text.split(token).join(value);
  // Go's json.Valid: the whole text must be one JSON value.
  return JSON.parse(text);
}

type GoType = "string" | "int" | "uint" | "bool" | "object" | "stringList" | "any";

/** The calico plugin's NetConf fields the kit may write, with their Go types (types.go @v3.32.1). */
export const CALICO_NETCONF_FIELDS: Record<string, GoType> = {
  cniVersion: "string",
  name: "string",
  type: "string",
  mode: "string",
  vxlan_mac_prefix: "string",
  vxlan_vni: "uint",
  ipam: "object",
  qps: "int",
  burst: "int",
  args: "object",
  mtu: "int",
  num_queues: "int",
  nodename: "string",
  nodename_file: "string",
  ipam_lock_file: "string",
  nodename_file_optional: "bool",
  datastore_type: "string",
  etcd_endpoints: "string",
  etcd_discovery_srv: "string",
  log_level: "string",
  log_file_path: "string",
  log_file_max_size: "int",
  log_file_max_age: "int",
  log_file_max_count: "int",
  policy: "object",
  kubernetes: "object",
  feature_control: "object",
  container_settings: "object",
  include_default_routes: "bool",
  dataplane_options: "any",
  require_mtu_file: "bool",
  // Fields of the CNI spec's own NetConf that libcni decodes.
  capabilities: "object",
};

const IPAM_FIELDS: Record<string, GoType> = { type: "string", subnet: "string", assign_ipv4: "string", assign_ipv6: "string", ipv4_pools: "stringList", ipv6_pools: "stringList" };
const POLICY_FIELDS: Record<string, GoType> = { type: "string", k8s_api_root: "string", k8s_auth_token: "string", k8s_client_certificate: "string", k8s_client_key: "string", k8s_certificate_authority: "string" };
const KUBERNETES_FIELDS: Record<string, GoType> = { k8s_api_root: "string", kubeconfig: "string", node_name: "string" };

function fits(value: unknown, type: GoType): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "int":
      return typeof value === "number" && Number.isInteger(value);
    case "uint":
      return typeof value === "number" && Number.isInteger(value) && value >= 0;
    case "bool":
      return typeof value === "boolean";
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    case "stringList":
      return Array.isArray(value) && value.every((v) => typeof v === "string");
    case "any":
      return true;
  }
}

/**
 * Decodes the calico plugin's entry as Go's encoding/json would into NetConf: returns every field
 * whose JSON type the Go type cannot take (json.Unmarshal fails on the first of them).
 */
export function calicoNetConfErrors(plugin: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const check = (path: string, object: Record<string, unknown>, fields: Record<string, GoType>) => {
    for (const [key, value] of Object.entries(object)) {
      const type = fields[key];
      if (type && !fits(value, type)) errors.push(`${path}${key}: cannot unmarshal ${JSON.stringify(value)} into Go ${type}`);
    }
  };
  check("", plugin, CALICO_NETCONF_FIELDS);
  if (plugin["ipam"]) check("ipam.", plugin["ipam"] as Record<string, unknown>, IPAM_FIELDS);
  if (plugin["policy"]) check("policy.", plugin["policy"] as Record<string, unknown>, POLICY_FIELDS);
  if (plugin["kubernetes"]) check("kubernetes.", plugin["kubernetes"] as Record<string, unknown>, KUBERNETES_FIELDS);
  return errors;
}
