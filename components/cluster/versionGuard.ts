/**
 * `KubernetesVersionGuard`: refuses, at preview, a `kubernetesVersion` change that skips a minor
 * version or goes back. EKS upgrades the control plane one minor version at a time and never
 * downgrades; without this check the mistake surfaces only mid-deploy as an EKS API error.
 *
 * The previous version comes from Pulumi state: the guard is a dynamic resource whose `check`
 * receives the version recorded at the last successful update (`olds`) and the requested one
 * (`news`). `check` runs during `pulumi preview` and before every `pulumi up`, before any cloud
 * call. The cluster depends on the guard, so the guard records a version only once it was allowed.
 */
import * as pulumi from "@pulumi/pulumi";
import { ControllerResource } from "../controllers/engineLoader";

/** Inputs as the provider receives them. */
export interface KubernetesVersionGuardInputs {
  clusterName: string;
  /** Requested minor version, `1.NN`. */
  kubernetesVersion: string;
  /** Config key of the version, for the message (`canalkit:clusters[0].eks.kubernetesVersion`). */
  field: string;
}

/**
 * Why a change from `previous` to `next` is refused, or undefined when EKS accepts it. Pure, so
 * preview (the provider's `check`) and the tests share it.
 */
export function kubernetesUpgradeRefusal(previous: string | undefined, next: string): string | undefined {
  if (!previous || previous === next) return undefined;
  const minor = (v: string) => Number(/^1\.(\d+)$/.exec(v)?.[1] ?? NaN);
  const from = minor(previous);
  const to = minor(next);
  if (Number.isNaN(from) || Number.isNaN(to)) return undefined;
  if (to < from) return `the cluster runs ${previous} and EKS cannot downgrade a control plane`;
  if (to > from + 1) return `the cluster runs ${previous} and EKS upgrades one minor version at a time (${previous} → 1.${from + 1} → … → ${next})`;
  return undefined;
}

/** The dynamic provider: validation in `check`, state is the last allowed version. */
export const kubernetesVersionGuardProvider: pulumi.dynamic.ResourceProvider<KubernetesVersionGuardInputs, KubernetesVersionGuardInputs> = {
  async check(olds, news) {
    const previous = olds?.kubernetesVersion;
    const next = news.kubernetesVersion;
    const reason = kubernetesUpgradeRefusal(previous, next);
    const from = Number(/^1\.(\d+)$/.exec(String(previous))?.[1]);
    const fix = reason?.includes("downgrade") ? `set it back to ${previous}` : `set 1.${from + 1}, run pulumi up, and repeat until ${next}`;
    const failures = reason ? [{ property: "kubernetesVersion", reason: `${news.field} = "${next}": ${reason}. Fix: ${fix}` }] : [];
    return { inputs: news, failures };
  },
  async diff(_id, olds, news) {
    return { changes: olds.kubernetesVersion !== news.kubernetesVersion || olds.clusterName !== news.clusterName };
  },
  async create(inputs) {
    return { id: inputs.clusterName, outs: inputs };
  },
  async update(_id, _olds, news) {
    return { outs: news };
  },
};

/** Records each cluster's Kubernetes version in state and refuses skipped or backward changes. */
export class KubernetesVersionGuard extends ControllerResource {
  constructor(name: string, args: KubernetesVersionGuardInputs, opts?: pulumi.CustomResourceOptions) {
    super("KubernetesVersionGuard", name, { ...args }, opts);
  }
}
