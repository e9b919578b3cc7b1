/**
 * The `canal` DaemonSet: install-cni and ebpf-bootstrap init containers, calico-node (Felix, and
 * BIRD for ipip-crosssubnet) and, for vxlan, kube-flannel — as the official manifest has them,
 * with the kit's safe defaults made explicit.
 */
import { namespaced, type KubernetesObject } from "./objects";
import type { CanalSettings } from "./settings";

type EnvVar = { name: string; value?: string; valueFrom?: Record<string, unknown> };

const fromConfig = (name: string, key: string): EnvVar => ({ name, valueFrom: { configMapKeyRef: { name: "canal-config", key } } });
const fromField = (name: string, fieldPath: string): EnvVar => ({ name, valueFrom: { fieldRef: { fieldPath } } });
const value = (name: string, v: string): EnvVar => ({ name, value: v });
const servicesEndpoint = [{ configMapRef: { name: "kubernetes-services-endpoint", optional: true } }];

/** calico-node's environment for the settings. */
export function calicoNodeEnv(settings: CanalSettings): EnvVar[] {
  const env: EnvVar[] = [
    value("DATASTORE_TYPE", "kubernetes"),
    value("USE_POD_CIDR", settings.calicoIpam ? "false" : "true"),
    value("WAIT_FOR_DATASTORE", "true"),
    fromField("NODENAME", "spec.nodeName"),
    // Host-local IPAM: the CNI plugin runs as `canal` (as in canal.yaml); Calico IPAM: Calico's
    // default `calico-cni-plugin` (as in calico.yaml). See cniServiceAccount.
    ...(settings.calicoIpam ? [] : [fromField("CALICO_CNI_SERVICE_ACCOUNT", "spec.serviceAccountName")]),
    fromConfig("CALICO_NETWORKING_BACKEND", "calico_backend"),
    value("CLUSTER_TYPE", settings.calicoBackend === "bird" ? "k8s,bgp" : "k8s,canal"),
    value("FELIX_IPTABLESREFRESHINTERVAL", "60"),
    value("CALICO_IPV4POOL_CIDR", settings.podCidr),
    value("CALICO_DISABLE_FILE_LOGGING", "true"),
    value("FELIX_DEFAULTENDPOINTTOHOSTACTION", "ACCEPT"),
    value("FELIX_IPV6SUPPORT", "false"),
    value("FELIX_HEALTHENABLED", "true"),
    value("FELIX_CHAININSERTMODE", settings.chainInsertMode),
    value("FELIX_AWSSRCDSTCHECK", settings.awsSrcDstCheck),
  ];
  if (settings.calicoBackend === "bird") {
    env.push(
      value("IP", "autodetect"),
      value("IP_AUTODETECTION_METHOD", settings.iface ? `interface=${settings.iface}` : settings.ifaceRegex ? `interface=${settings.ifaceRegex}` : "first-found"),
      value("CALICO_IPV4POOL_IPIP", "CrossSubnet"),
      value("CALICO_IPV4POOL_VXLAN", "Never"),
      value("CALICO_IPV4POOL_NAT_OUTGOING", "true"),
      fromConfig("FELIX_IPINIPMTU", "veth_mtu"),
    );
  } else {
    env.push(value("IP", ""));
    if (!settings.flannel) env.push(value("CALICO_IPV4POOL_NAT_OUTGOING", "true"), value("CALICO_IPV4POOL_IPIP", "Never"), value("CALICO_IPV4POOL_VXLAN", "Never"));
  }
  if (settings.typha) env.push(fromConfig("FELIX_TYPHAK8SSERVICENAME", "typha_service_name"));
  return env;
}

/** kube-flannel's environment. */
export function flannelEnv(settings: CanalSettings): EnvVar[] {
  const env = [fromField("POD_NAME", "metadata.name"), fromField("POD_NAMESPACE", "metadata.namespace"), fromConfig("FLANNELD_IFACE", "canal_iface"), fromConfig("FLANNELD_IP_MASQ", "masquerade")];
  if (settings.ifaceRegex) env.push(value("FLANNELD_IFACE_REGEX", settings.ifaceRegex));
  return env;
}

const hostPath = (name: string, path: string, type?: string) => ({ name, hostPath: { path, ...(type ? { type } : {}) } });

/** Builds the DaemonSet. */
export function buildCanalDaemonSet(settings: CanalSettings): KubernetesObject {
  const labels = { "k8s-app": "canal" };
  const bird = settings.calicoBackend === "bird";
  const calicoNode = {
    name: "calico-node",
    image: settings.images.node,
    imagePullPolicy: "IfNotPresent",
    envFrom: servicesEndpoint,
    env: calicoNodeEnv(settings),
    securityContext: { privileged: true },
    resources: { requests: { cpu: "250m" } },
    lifecycle: { preStop: { exec: { command: ["/bin/calico-node", "-shutdown"] } } },
    livenessProbe: {
      exec: { command: ["/bin/calico-node", "-felix-live", ...(bird ? ["-bird-live"] : [])] },
      periodSeconds: 10,
      initialDelaySeconds: 10,
      failureThreshold: 6,
      timeoutSeconds: 10,
    },
    readinessProbe: bird
      ? { exec: { command: ["/bin/calico-node", "-felix-ready", "-bird-ready"] }, periodSeconds: 10, timeoutSeconds: 10 }
      : { httpGet: { path: "/readiness", port: 9099, host: "localhost" }, periodSeconds: 10, timeoutSeconds: 10 },
    volumeMounts: [
      { mountPath: "/host/etc/cni/net.d", name: "cni-net-dir", readOnly: false },
      { mountPath: "/lib/modules", name: "lib-modules", readOnly: true },
      { mountPath: "/run/xtables.lock", name: "xtables-lock", readOnly: false },
      { mountPath: "/var/run/calico", name: "var-run-calico", readOnly: false },
      { mountPath: "/var/lib/calico", name: "var-lib-calico", readOnly: false },
      { mountPath: "/var/run/nodeagent", name: "policysync" },
      { mountPath: "/sys/fs/bpf", name: "bpffs" },
      { mountPath: "/var/log/calico/cni", name: "cni-log-dir", readOnly: true },
    ],
  };
  const flannel = {
    name: "kube-flannel",
    image: settings.images.flannel,
    imagePullPolicy: "IfNotPresent",
    command: ["/opt/bin/flanneld", "--ip-masq", "--kube-subnet-mgr"],
    securityContext: { privileged: true },
    env: flannelEnv(settings),
    volumeMounts: [
      { mountPath: "/run/xtables.lock", name: "xtables-lock", readOnly: false },
      { mountPath: "/etc/kube-flannel/", name: "flannel-cfg" },
    ],
  };
  const volumes = [
    hostPath("lib-modules", "/lib/modules"),
    hostPath("var-run-calico", "/var/run/calico", "DirectoryOrCreate"),
    hostPath("var-lib-calico", "/var/lib/calico", "DirectoryOrCreate"),
    hostPath("xtables-lock", "/run/xtables.lock", "FileOrCreate"),
    hostPath("sys-fs", "/sys/fs/", "DirectoryOrCreate"),
    hostPath("bpffs", "/sys/fs/bpf", "Directory"),
    hostPath("nodeproc", "/proc"),
    ...(settings.flannel ? [{ name: "flannel-cfg", configMap: { name: "canal-config" } }] : []),
    hostPath("cni-bin-dir", "/opt/cni/bin", "DirectoryOrCreate"),
    hostPath("cni-net-dir", "/etc/cni/net.d"),
    hostPath("cni-log-dir", "/var/log/calico/cni"),
    hostPath("policysync", "/var/run/nodeagent", "DirectoryOrCreate"),
  ];
  return namespaced("apps/v1", "DaemonSet", "canal", {
    spec: {
      selector: { matchLabels: labels },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
      template: {
        metadata: { labels },
        spec: {
          nodeSelector: { "kubernetes.io/os": "linux" },
          hostNetwork: true,
          tolerations: [
            { effect: "NoSchedule", operator: "Exists" },
            { key: "CriticalAddonsOnly", operator: "Exists" },
            { effect: "NoExecute", operator: "Exists" },
          ],
          serviceAccountName: "canal",
          securityContext: { seccompProfile: { type: "RuntimeDefault" } },
          terminationGracePeriodSeconds: 0,
          priorityClassName: "system-node-critical",
          initContainers: [
            {
              name: "install-cni",
              image: settings.images.cni,
              imagePullPolicy: "IfNotPresent",
              command: ["/opt/cni/bin/install"],
              envFrom: servicesEndpoint,
              env: [
                ...(settings.calicoIpam ? [] : [fromField("CALICO_CNI_SERVICE_ACCOUNT", "spec.serviceAccountName")]),
                value("CNI_CONF_NAME", "10-canal.conflist"),
                fromConfig("CNI_NETWORK_CONFIG", "cni_network_config"),
                fromField("KUBERNETES_NODE_NAME", "spec.nodeName"),
                fromConfig("CNI_MTU", "veth_mtu"),
                value("SLEEP", "false"),
              ],
              volumeMounts: [
                { mountPath: "/host/opt/cni/bin", name: "cni-bin-dir" },
                { mountPath: "/host/etc/cni/net.d", name: "cni-net-dir" },
              ],
              securityContext: { privileged: true },
            },
            {
              name: "ebpf-bootstrap",
              image: settings.images.node,
              imagePullPolicy: "IfNotPresent",
              command: ["calico-node", "-init", "-best-effort"],
              volumeMounts: [
                { mountPath: "/sys/fs", name: "sys-fs", mountPropagation: "Bidirectional" },
                { mountPath: "/var/run/calico", name: "var-run-calico", mountPropagation: "Bidirectional" },
                { mountPath: "/nodeproc", name: "nodeproc", readOnly: true },
              ],
              securityContext: { privileged: true },
            },
          ],
          containers: settings.flannel ? [calicoNode, flannel] : [calicoNode],
          volumes,
        },
      },
    },
  }, labels);
}
