/**
 * East-west calls in the shipped stacks: osm-edge in every consuming cluster with its webhooks
 * reachable from the EKS control plane, the consumed namespaces in its mesh, and the mesh probe
 * in staging and prod.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { WEBHOOK_HOST_PORT_RANGE } from "../../components/cluster/capabilities";
import { validateStackConfig } from "../../stacks/config/validate";
import { probeEnabled } from "../../stacks/program";
import { canalkitConfigObject } from "../../stacks/config/validate";
import { runPolicies } from "../../policies/offline";
import { evaluateStack } from "../../synth/runStack";

const stackConfig = (stack: string) => validateStackConfig(canalkitConfigObject(parse(readFileSync(join(__dirname, "../../stacks", `Pulumi.${stack}.yaml`), "utf8")).config));

describe.each(["dev", "staging", "prod"])("the %s stack", (stack) => {
  it("runs osm-edge in every consuming cluster with its webhooks reachable, and the probe outside dev", async () => {
    const config = stackConfig(stack);
    const consumers = [...new Set(config.clusterSet!.services.flatMap((s) => s.consumers))].sort();
    // Evaluated without writing artifacts (the synth CLI tests cover those).
    const { result } = await evaluateStack({ stack });
    const resources = result.resources;
    const osm = resources.filter((r) => r.type === "canalkit:multicluster:OsmEdge");
    expect(osm.map((r) => r.inputs["clusterName"]).sort()).toEqual(consumers);
    for (const component of osm) {
      const cluster = component.inputs["clusterName"] as string;
      expect(component.inputs).toMatchObject({ webhookHostNetwork: true });
      const ports = component.inputs["webhookPorts"] as { injector: number; validator: number };
      for (const port of Object.values(ports)) expect(port >= WEBHOOK_HOST_PORT_RANGE.from && port <= WEBHOOK_HOST_PORT_RANGE.to).toBe(true);
      const consumed = config.clusterSet!.services.filter((s) => s.consumers.includes(cluster)).map((s) => s.namespace);
      expect(component.inputs["meshedNamespaces"]).toEqual([...new Set(consumed)]);
      const named = (kind: string, name: string) => resources.find((r) => r.type === kind && (r.inputs as any).metadata?.name === name && r.name.startsWith(`${cluster}-osm-edge`));
      expect((named("kubernetes:apps/v1:Deployment", "osm-injector")!.inputs as any).spec.template.spec.hostNetwork).toBe(true);
      expect((named("kubernetes:core/v1:Service", "osm-injector")!.inputs as any).spec.ports[0].targetPort).toBe(ports.injector);
      expect((named("kubernetes:core/v1:Service", "osm-validator")!.inputs as any).spec.ports[0].targetPort).toBe(ports.validator);
      // One definition of each kind osm-edge and ErieCanal share, in the shape osm-bootstrap writes.
      for (const plural of ["serviceexports", "serviceimports", "globaltrafficpolicies"]) {
        const crds = resources.filter((r) => r.type === "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition" && (r.inputs as any).metadata.name === `${plural}.flomesh.io` && r.name.startsWith(`${cluster}-`));
        expect(crds).toHaveLength(1);
      }
    }
    const report = await runPolicies(resources, { environment: config.environment });
    expect(report.violations.filter((v) => v.policy === "canalkit-webhooks-reachable")).toEqual([]);
    const probes = resources.filter((r) => r.type === "pulumi-nodejs:dynamic/canalkit:MeshProbe").map((r) => r.name).sort();
    const expected = config.clusterSet!.services.flatMap((s) => s.consumers.filter((c) => s.mode !== "Locality" || s.exporters.some((e) => e.cluster === c)).map((c) => `${c}-${s.namespace}-${s.name}-probe`)).sort();
    expect(probes).toEqual(stack === "dev" ? [] : expected);
  });
});

describe("the probe setting", () => {
  it("is on by default outside dev where osm-edge is, can be turned off, and is refused without osm-edge naming the key", () => {
    const prod = stackConfig("prod");
    expect(probeEnabled(prod)).toBe(true);
    expect(probeEnabled({ ...prod, clusterSet: { ...prod.clusterSet!, probe: { ...prod.clusterSet!.probe, enabled: false } } })).toBe(false);
    expect(probeEnabled(stackConfig("dev"))).toBe(false);
    const noMesh = { ...prod, clusterSet: { ...prod.clusterSet!, probe: { ...prod.clusterSet!.probe, enabled: undefined }, erieCanal: { ...prod.clusterSet!.erieCanal, osmEdge: false } } };
    // Without osm-edge the default is off; asking for the probe is refused naming the key.
    expect(probeEnabled(noMesh)).toBe(false);
    expect(() => probeEnabled({ ...noMesh, clusterSet: { ...noMesh.clusterSet, probe: { ...noMesh.clusterSet.probe, enabled: true } } })).toThrow(/canalkit:clusterSet.probe.enabled = true: probes calls through the osm-edge mesh, but clusterSet.erieCanal.osmEdge is off/);
  });
});
