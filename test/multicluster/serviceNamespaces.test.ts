/**
 * One Kubernetes object, one resource: the Kubernetes provider (v4.29 and later) creates objects
 * client-side, so a second resource for the same object fails `pulumi up` with AlreadyExists.
 * Services sharing a namespace share its Namespace resource, and a stack that had one service
 * per namespace keeps its Namespace through an alias.
 */
import { describe, expect, it } from "vitest";
import { generatedStackConfig } from "../../bench/environments";
import { defineStack } from "../../stacks/program";
import { synthesize, type SynthResult } from "../../synth/engine";
import { evaluateStack } from "../../synth/runStack";
import { kubernetesType, providerOf } from "../cni/crdCoverage";

/** Kubernetes objects declared by more than one resource in the same cluster. */
function declaredTwice(result: SynthResult): string[] {
  const owners = new Map<string, string[]>();
  for (const r of result.resources) {
    // Patch resources apply fields to an object another resource (or the cluster) owns.
    if (!kubernetesType(r) || r.type.endsWith("Patch") || r.type.startsWith("kubernetes:helm.sh")) continue;
    const o = r.inputs as { apiVersion: string; kind: string; metadata?: { name?: string; namespace?: string } };
    const key = `${providerOf(r)} ${o.apiVersion}/${o.kind} ${o.metadata?.namespace ?? ""}/${o.metadata?.name}`;
    owners.set(key, [...(owners.get(key) ?? []), r.name]);
  }
  return [...owners].filter(([, names]) => names.length > 1).map(([key, names]) => `${key}: ${names.join(", ")}`);
}

describe("service namespaces", () => {
  it("declares each namespace once per cluster when services share it", async () => {
    // 12 services over 3 clusters in 10 namespaces: team0 and team1 hold two services each.
    const result = await synthesize(defineStack, { stack: "bench", config: generatedStackConfig({ clusters: 3, services: 12 }) });
    expect(declaredTwice(result)).toEqual([]);
    const team0 = result.resources.filter((r) => r.type === "kubernetes:core/v1:Namespace" && (r.inputs["metadata"] as { name: string }).name === "team0");
    expect(team0.map((r) => r.name).sort()).toEqual(["bench-c0-team0-namespace", "bench-c1-team0-namespace", "bench-c2-team0-namespace"]);
    // Both services wait for the one Namespace in each of their clusters.
    const exports = result.resources.filter((r) => r.type === "kubernetes:flomesh.io/v1alpha1:ServiceExport" && (r.inputs["metadata"] as { namespace: string }).namespace === "team0");
    expect(exports.length).toBe(4);
    for (const e of exports) expect(e.dependsOn.some((urn) => team0.some((n) => n.urn === urn))).toBe(true);
  });

  it.each(["dev", "staging", "prod"])("%s: no Kubernetes object is declared twice in a cluster", async (stack) => {
    expect(declaredTwice((await evaluateStack({ stack })).result)).toEqual([]);
  });

  it("keeps a namespace that a service declared before: an alias to its old resource, retained on delete", async () => {
    const { result } = await evaluateStack({ stack: "prod" });
    const ns = result.resources.find((r) => r.name === "prod-prod-usw2-payments-namespace")!;
    expect(ns.options.retainOnDelete).toBe(true);
    expect(ns.options.aliases).toEqual([{ name: "payments-payments-prod-usw2-namespace", parent: "urn:pulumi:prod::canalkit::canalkit:multicluster:MultiClusterService::payments-payments" }]);
  });
});
