/**
 * Maps the field a component or planner names (`clusterSet.members[1].vpcCidr`,
 * `services.echo.weights.dev-west`, `rules[1]`) to the key the user wrote in the stack file
 * (`canalkit:clusters[1].network.vpcCidr`, `canalkit:clusterSet.services[0].exporters[1].weight`,
 * `canalkit:clusterSet.services[0].ports[1]`), so no message points at a path that is not there.
 */
import { configKeyPath, knownKeysAt } from "./messages";
import type { StackConfig } from "./schema";

/** What a cluster-set member's field is in the stack file. */
function memberKey(index: string, rest: string): string {
  const i = Number(index);
  if (rest === "" || rest === ".name") return configKeyPath(["clusters", i, ...(rest ? ["name"] : [])]);
  if (rest.startsWith(".vpcCidr")) return configKeyPath(["clusters", i, "network", "vpcCidr"]);
  if (rest.startsWith(".region")) return configKeyPath(["clusters", i, "region"]);
  if (rest.startsWith(".namespace")) return configKeyPath(["clusterSet", "erieCanal", "namespace"]);
  return configKeyPath(["clusters", i]);
}

/** A service's field in the stack file, from a `planMultiClusterService` field (prefix stripped). */
function serviceKey(prefix: readonly PropertyKey[], field: string, config: StackConfig | undefined): string {
  const base = configKeyPath(prefix);
  const index = typeof prefix[2] === "number" ? prefix[2] : -1;
  const service = config?.clusterSet?.services[index];
  const rest = field.replace(/^services\.[^.[\]]+\.?/, "");
  let m: RegExpExecArray | null;
  if ((m = /^weights\.(.+)$/.exec(rest))) {
    const k = service?.exporters.findIndex((e) => e.cluster === m![1]) ?? -1;
    return k >= 0 ? `${base}.exporters[${k}].weight` : `${base}.exporters`;
  }
  if (rest === "weights") return `${base}.exporters[0].weight`;
  if ((m = /^rules\[(\d+)\]/.exec(rest))) return `${base}.ports[${m[1]}]`;
  if (/^rules\b/.test(rest)) return `${base}.ports`;
  if ((m = /^exporters\[\d+\]\.service\.ports(\[\d+\](\.(name|port|protocol|targetPort))?)?$/.exec(rest))) return `${base}.ports${m[1] ?? ""}`;
  if ((m = /^exporters\[(\d+)\]\.service\b/.exec(rest))) return `${base}.ports`;
  if ((m = /^exporters\[(\d+)\]\.cluster$/.exec(rest))) return `${base}.exporters[${m[1]}].cluster`;
  if ((m = /^exporters\[(\d+)\]/.exec(rest))) return `${base}.exporters[${m[1]}]`;
  if (/^failoverOrder\b/.test(rest)) return `${base}.exporters`;
  if (/^(mode|name|namespace|consumers(\[\d+\])?|exporters|localityTarget|selector)$/.test(rest)) return `${base}.${rest}`;
  return base;
}

/**
 * The stack-file key for a field a component reported while built from the config entry at
 * `prefix`. Falls back to the entry itself rather than inventing a path.
 */
export function stackKeyOf(prefix: readonly PropertyKey[], field: string, config?: StackConfig): string {
  const base = configKeyPath(prefix);
  const [head, second] = prefix;
  let m: RegExpExecArray | null;
  if (head === "clusters") {
    if (field.startsWith("network.availabilityZones")) return `${base}.availabilityZones`;
    // EksCluster names its arguments; in the stack file they sit under eks.
    if (/^(nodeGroups|kubernetesVersion|endpoint|logging|adminPrincipalArns)\b/.test(field)) return `${base}.eks.${field}`;
    // Canal names its options cni.*; some of them come from the cluster's network keys.
    if ((m = /^cni\.([A-Za-z]+)(.*)$/.exec(field))) {
      if (knownKeysAt(["clusters", 0, "cni"]).includes(m[1]!)) return `${base}.cni.${m[1]}${m[2]}`;
      if (knownKeysAt(["clusters", 0, "network"]).includes(m[1]!)) return `${base}.network.${m[1]}${m[2]}`;
      return `${base}.cni`;
    }
    // ClusterNetwork names its region/AZ arguments; in the stack file they sit on the cluster.
    if (/^(region|availabilityZones)\b/.test(field)) return `${base}.${field}`;
    return `${base}.${field}`;
  }
  if (head === "clusterSet" && second === "services") return serviceKey(prefix, field, config);
  if (head === "clusterSet" && second === "erieCanal") {
    // Component fields (`clusters.dev-east.osmEdge`) name no key: the switch the user set does.
    if (prefix[2] === "osmEdge" || /(^|\.)osmEdge$/.test(field)) return configKeyPath(["clusterSet", "erieCanal", "osmEdge"]);
    // The gateway's ports come from the set's gatewayPort (HTTP) and gatewayTls (443).
    if (/^erieCanal\.gateway\.(httpPort|tls\.port)$/.test(field)) return configKeyPath(["clusterSet", "gatewayPort"]);
    if (/^erieCanal\.gateway\.scheme$/.test(field)) return configKeyPath(["clusterSet", "connectivity"]);
    const leaf = field.replace(/^erieCanal\./, "");
    return /^(namespace|version|imageRepository|certManager|gatewayTls|osmEdge)$/.test(leaf) ? `${base}.${leaf}` : base;
  }
  if (head === "clusterSet") {
    const f = field.replace(/^clusterSet\./, "");
    if ((m = /^members\[(\d+)\](.*)$/.exec(f))) return memberKey(m[1]!, m[2]!);
    if (f === "members") return configKeyPath(["clusters"]);
    if ((m = /^clusters\[(\d+)\](.*)$/.exec(f))) return memberKey(m[1]!, m[2]!);
    if (/^(name|controlPlane|connectivity|gatewayPort)$/.test(f)) return `${base}.${f}`;
    return base;
  }
  return `${base}.${field}`;
}

/**
 * The value at a stack-file key (`canalkit:clusters[1].network.vpcCidr`) of the validated config,
 * or undefined when the key does not resolve; so a re-labelled error shows what the user wrote.
 */
export function valueAtStackKey(config: StackConfig, key: string): unknown {
  const m = /^canalkit:([A-Za-z0-9_-]+)(.*)$/.exec(key);
  if (!m) return undefined;
  let node: unknown = (config as Record<string, unknown>)[m[1]!];
  const re = /\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  let s: RegExpExecArray | null;
  while ((s = re.exec(m[2]!))) {
    if (node === null || typeof node !== "object") return undefined;
    const seg = s[1] ?? (s[2] !== undefined ? Number(s[2]) : (JSON.parse(s[3]!) as string));
    node = (node as Record<string | number, unknown>)[seg];
  }
  return node;
}
