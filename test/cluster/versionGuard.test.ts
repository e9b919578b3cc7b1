/**
 * The Kubernetes version guard as the engine runs it: the program registers it under the SDK's
 * mocks (so the SDK serializes its provider), then the SDK's own dynamic-provider host serves its
 * Check with the version in state (olds) and the requested one (news), as at `pulumi preview`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubernetesVersionGuard, kubernetesUpgradeRefusal } from "../../components/cluster";
import { synthesize } from "../../synth/engine";
import { startDynamicProviderHost, type DynamicProviderHost } from "../support/dynamicProviderHost";

let host: DynamicProviderHost;
let guard: { urn: string; inputs: Record<string, unknown> };

beforeAll(async () => {
  const result = await synthesize(() => void new KubernetesVersionGuard("east-version", { clusterName: "east", kubernetesVersion: "1.33", field: "canalkit:clusters[0].eks.kubernetesVersion" }));
  guard = result.resources.find((r) => r.name === "east-version")!;
  host = await startDynamicProviderHost();
}, 120_000);

afterAll(async () => {
  await host?.close();
});

describe("KubernetesVersionGuard", () => {
  it("registers the lean provider that loads the installed canalkit's guard", () => {
    const code = guard.inputs["__provider"] as string;
    expect(code).toContain('controllerProvider("KubernetesVersionGuard")');
    expect(code.length).toBeLessThan(600);
  });

  it("accepts a first deploy, the same version and one minor step", async () => {
    const news = { ...guard.inputs };
    expect((await host.check(guard.urn, {}, news)).failures).toEqual([]);
    expect((await host.check(guard.urn, { ...news, kubernetesVersion: "1.33" }, news)).failures).toEqual([]);
    expect((await host.check(guard.urn, { ...news, kubernetesVersion: "1.32" }, news)).failures).toEqual([]);
  });

  it("refuses a skipped minor version at check, naming the key, the running version and the steps", async () => {
    const news = { ...guard.inputs };
    const { failures } = await host.check(guard.urn, { ...news, kubernetesVersion: "1.31" }, news);
    expect(failures).toEqual([
      {
        property: "kubernetesVersion",
        reason: 'canalkit:clusters[0].eks.kubernetesVersion = "1.33": the cluster runs 1.31 and EKS upgrades one minor version at a time (1.31 → 1.32 → … → 1.33). Fix: set 1.32, run pulumi up, and repeat until 1.33',
      },
    ]);
  });

  it("refuses a downgrade", async () => {
    const news = { ...guard.inputs, kubernetesVersion: "1.32" };
    const { failures } = await host.check(guard.urn, { ...guard.inputs, kubernetesVersion: "1.33" }, news);
    expect(failures[0]!.reason).toMatch(/= "1\.32": the cluster runs 1\.33 and EKS cannot downgrade a control plane\. Fix: set it back to 1\.33/);
  });

  it("records the version once allowed: a diff only when it changes", async () => {
    const news = { ...guard.inputs };
    const created = await host.create(guard.urn, news);
    expect(created.id).toBe("east");
    expect((await host.diff(guard.urn, created.id, created.props, news)).changes).toBe("none");
    expect((await host.diff(guard.urn, created.id, created.props, { ...news, kubernetesVersion: "1.34" })).changes).toBe("some");
  });

  it("the rule itself", () => {
    expect(kubernetesUpgradeRefusal(undefined, "1.33")).toBeUndefined();
    expect(kubernetesUpgradeRefusal("1.29", "1.30")).toBeUndefined();
    expect(kubernetesUpgradeRefusal("1.29", "1.31")).toMatch(/one minor version at a time/);
  });
});
