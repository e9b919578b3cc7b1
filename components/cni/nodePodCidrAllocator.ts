/**
 * The node pod-CIDR allocator: a small in-cluster controller that gives each node a `spec.podCIDR`
 * from the pod CIDR when the control plane does not. EKS never allocates node CIDRs, yet flannel's
 * kube subnet manager (vxlan) and host-local IPAM with `usePodCidr` (vxlan, native-vpc) need one:
 * without it every pod on the node stays without an address. The program itself is
 * `assets/node-pod-cidr-allocator.js`, run by a pinned Node.js image from a ConfigMap.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { clusterScoped, namespaced, CANAL_NAMESPACE, type KubernetesObject } from "./objects";
import type { CanalSettings } from "./settings";

/** Name of every object of the allocator. */
export const NODE_POD_CIDR_ALLOCATOR_NAME = "canalkit-node-pod-cidr-allocator";

/** File name of the allocator program inside the package and the ConfigMap. */
const PROGRAM_FILE = "node-pod-cidr-allocator.js";

let program: { source: string; sha256: string } | undefined;

/**
 * The allocator program's source and digest, read once per process. Read from the package (not
 * embedded in compiled code) so that `ts-node` programs and the compiled package ship
 * byte-identical ConfigMaps.
 */
function loadProgram(): { source: string; sha256: string } {
  if (program) return program;
  // Walk up from this file: components/cni in a checkout, dist/components/cni in the package.
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "components", "cni", "assets", PROGRAM_FILE);
    if (fs.existsSync(candidate)) {
      const source = fs.readFileSync(candidate, "utf8");
      return (program = { source, sha256: createHash("sha256").update(source).digest("hex") });
    }
    if (path.dirname(dir) === dir) throw new Error(`canalkit is installed without components/cni/assets/${PROGRAM_FILE}; reinstall the package`);
  }
}

/** The allocator program's source (what the ConfigMap carries). */
export function nodePodCidrAllocatorProgram(): string {
  return loadProgram().source;
}

/** Builds the allocator's identity, permissions, program and Deployment. */
export function buildNodePodCidrAllocator(settings: CanalSettings): KubernetesObject[] {
  const name = NODE_POD_CIDR_ALLOCATOR_NAME;
  const labels = { "k8s-app": name };
  const { source, sha256 } = loadProgram();
  return [
    namespaced("v1", "ServiceAccount", name, {}, labels),
    // Nodes only: read them, and patch the one field this controller owns.
    clusterScoped("rbac.authorization.k8s.io/v1", "ClusterRole", name, { rules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch", "patch"] }] }),
    clusterScoped("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", name, {
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
      subjects: [{ kind: "ServiceAccount", name, namespace: CANAL_NAMESPACE }],
    }),
    namespaced("v1", "ConfigMap", name, { data: { [PROGRAM_FILE]: source } }, labels),
    namespaced("apps/v1", "Deployment", name, {
      spec: {
        // One writer: two replicas could hand the same free block to two nodes.
        replicas: 1,
        strategy: { type: "Recreate" },
        selector: { matchLabels: labels },
        template: {
          // The hash rolls the pod when the program changes.
          metadata: { labels, annotations: { "canalkit.io/program-sha256": sha256.slice(0, 16) } },
          spec: {
            serviceAccountName: name,
            // Nodes have no pod network until this has run, so it cannot need one.
            hostNetwork: true,
            dnsPolicy: "ClusterFirstWithHostNet",
            priorityClassName: "system-cluster-critical",
            nodeSelector: { "kubernetes.io/os": "linux" },
            // Runs on NotReady nodes (they are NotReady because they have no CNI yet).
            tolerations: [{ operator: "Exists" }],
            securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: "allocator",
                image: settings.images.nodePodCidrAllocator,
                imagePullPolicy: "IfNotPresent",
                command: ["node", `/program/${PROGRAM_FILE}`],
                env: [
                  { name: "POD_CIDR_POOL", value: settings.podCidr },
                  { name: "NODE_CIDR_PREFIX_LENGTH", value: String(settings.nodeCidrPrefixLength) },
                  { name: "RECONCILE_INTERVAL_SECONDS", value: "5" },
                ],
                resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                volumeMounts: [{ name: "program", mountPath: "/program", readOnly: true }],
              },
            ],
            volumes: [{ name: "program", configMap: { name } }],
          },
        },
      },
    }, labels),
  ];
}
