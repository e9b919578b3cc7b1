/**
 * An in-cluster Node.js program shipped as a ConfigMap: the Kubernetes objects that run one of the
 * package's program assets (`components/<module>/assets/<file>`) as a single-replica Deployment in
 * the Canal namespace, with its own service account and RBAC. The node pod-CIDR allocator and the
 * VPC route controller are built this way.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { clusterScoped, namespaced, CANAL_NAMESPACE, type KubernetesObject } from "./cni/objects";

/** A program asset's source and the SHA-256 of it (hex). */
export interface ProgramAsset {
  source: string;
  sha256: string;
}

/** One RBAC rule, as Kubernetes writes it. */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
  verbs: string[];
}

const assets = new Map<string, ProgramAsset>();

/**
 * The source and digest of `components/<module>/assets/<file>`, read once per process. Read from
 * the package (not embedded in compiled code) so that `ts-node` programs and the compiled package
 * ship byte-identical ConfigMaps.
 */
export function loadProgramAsset(module: string, file: string): ProgramAsset {
  const relative = `components/${module}/assets/${file}`;
  const cached = assets.get(relative);
  if (cached) return cached;
  // Walk up from this file: components/ in a checkout, dist/components/ in the package.
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "components", module, "assets", file);
    if (fs.existsSync(candidate)) {
      const source = fs.readFileSync(candidate, "utf8");
      const asset = { source, sha256: createHash("sha256").update(source).digest("hex") };
      assets.set(relative, asset);
      return asset;
    }
    if (path.dirname(dir) === dir) throw new Error(`canalkit is installed without ${relative}; reinstall the package`);
  }
}

/** What an in-cluster program is built from. */
export interface InClusterProgramSpec {
  /** Name of every object (and of the service account). */
  name: string;
  /** The program asset: `components/<module>/assets/<file>`. */
  module: string;
  file: string;
  /** Name of the Deployment's container. */
  containerName: string;
  /** Pinned Node.js image. */
  image: string;
  env: { name: string; value: pulumi.Input<string> }[];
  /** Cluster-wide rules (ClusterRole and its binding). */
  clusterRules: PolicyRule[];
  /** Rules in the Canal namespace; when given, a Role and RoleBinding are added. */
  namespaceRules?: PolicyRule[];
}

/**
 * The program's ServiceAccount, ClusterRole and binding, optional Role and binding, ConfigMap and
 * Deployment, in that order.
 */
export function buildInClusterProgram(spec: InClusterProgramSpec): KubernetesObject[] {
  const { name, file } = spec;
  const labels = { "k8s-app": name };
  const { source, sha256 } = loadProgramAsset(spec.module, file);
  const subjects = () => [{ kind: "ServiceAccount", name, namespace: CANAL_NAMESPACE }];
  return [
    namespaced("v1", "ServiceAccount", name, {}, labels),
    clusterScoped("rbac.authorization.k8s.io/v1", "ClusterRole", name, { rules: spec.clusterRules }),
    clusterScoped("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", name, { roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name }, subjects: subjects() }),
    ...(spec.namespaceRules
      ? [
          namespaced("rbac.authorization.k8s.io/v1", "Role", name, { rules: spec.namespaceRules }, labels),
          namespaced("rbac.authorization.k8s.io/v1", "RoleBinding", name, { roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name }, subjects: subjects() }, labels),
        ]
      : []),
    namespaced("v1", "ConfigMap", name, { data: { [file]: source } }, labels),
    namespaced("apps/v1", "Deployment", name, {
      spec: {
        // One writer: these programs hand out or write shared state without coordination.
        replicas: 1,
        strategy: { type: "Recreate" },
        selector: { matchLabels: labels },
        template: {
          // The hash rolls the pod when the program changes.
          metadata: { labels, annotations: { "canalkit.io/program-sha256": sha256.slice(0, 16) } },
          spec: {
            serviceAccountName: name,
            // They run before or beneath the pod network (node CIDRs, the routes to pods).
            hostNetwork: true,
            dnsPolicy: "ClusterFirstWithHostNet",
            priorityClassName: "system-cluster-critical",
            nodeSelector: { "kubernetes.io/os": "linux" },
            // Runs on NotReady nodes (they are NotReady until the CNI works).
            tolerations: [{ operator: "Exists" }],
            securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: spec.containerName,
                image: spec.image,
                imagePullPolicy: "IfNotPresent",
                command: ["node", `/program/${file}`],
                env: spec.env,
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
