/**
 * What the engine's dynamic-provider process loads (`canalkit/controllers/engine`): the real
 * providers, by kind, behind the lean `__provider` text of `engineLoader.ts`.
 */
import type * as pulumi from "@pulumi/pulumi";
import { clusterJoinProvider } from "./clusterJoin";
import { defaultCniRemovalProvider } from "./defaultCniRemoval";
import { releaseOfProviderText, type ControllerKind } from "./engineLoader";
import { exportReconcilerProvider } from "./exportReconciler";
import { vpcRouteReconcilerProvider } from "./vpcRouteReconciler";
import { meshProbeProvider } from "./meshProbe";
import { gatewayAddressProvider } from "../multicluster/erieCanalGatewayAddress";
import { kubernetesVersionGuardProvider } from "../cluster/versionGuard";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyProvider = pulumi.dynamic.ResourceProvider<any, any>;

const PROVIDERS: Record<ControllerKind, AnyProvider> = {
  ClusterJoin: clusterJoinProvider,
  ExportReconciler: exportReconcilerProvider,
  VpcRouteReconciler: vpcRouteReconcilerProvider,
  DefaultCniRemoval: defaultCniRemovalProvider,
  MeshProbe: meshProbeProvider,
  GatewayAddress: gatewayAddressProvider,
  KubernetesVersionGuard: kubernetesVersionGuardProvider,
};

/**
 * The provider of one controller as the engine calls it. Every method exists (the lean text
 * forwards all six). A resource last applied by another canalkit release (or by the SDK's
 * serialized closure) diffs as an update, so an upgrade is visible in preview and the installed
 * code verifies the resource again.
 */
export function controllerProvider(kind: string): Required<Pick<AnyProvider, "check" | "diff" | "create" | "read" | "update" | "delete">> {
  const real = (PROVIDERS as Record<string, AnyProvider | undefined>)[kind];
  if (!real) throw new Error(`canalkit: no controller "${kind}" in this release (known: ${Object.keys(PROVIDERS).join(", ")}); the state was written by another canalkit release`);
  return {
    check: async (olds, news) => (real.check ? real.check(olds, news) : { inputs: news }),
    diff: async (id, olds, news) => {
      const result = real.diff ? await real.diff(id, olds, news) : {};
      const upgraded = releaseOfProviderText(olds["__provider"]) !== releaseOfProviderText(news["__provider"]);
      return upgraded && result.changes !== true ? { ...result, changes: true } : result;
    },
    create: async (inputs) => real.create(inputs),
    read: async (id, props) => (real.read ? real.read(id, props) : { id, props }),
    update: async (id, olds, news) => (real.update ? real.update(id, olds, news) : { outs: news }),
    delete: async (id, props) => {
      if (real.delete) await real.delete(id, props);
    },
  };
}
