/**
 * Version knobs: the kit carries the objects of exactly the releases it accepts, and refuses any
 * other with the key as written in the stack file and the releases it does carry.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { describe, expect, it } from "vitest";
import type { ClusterNetworkFacts } from "../../components/cluster";
import { CARRIED_CALICO_VERSIONS, CARRIED_FLANNEL_VERSIONS, planCanal } from "../../components/cni";
import { CARRIED_ERIECANAL_VERSIONS, planErieCanal } from "../../components/multicluster";
import { evaluateStack } from "../../synth/runStack";

const vxlan: ClusterNetworkFacts = { topology: "vxlan", podCidr: "100.64.0.0/16", serviceCidr: "172.20.0.0/16", podMtu: 8951, vxlanPort: 8472, disableSourceDestCheck: false, typha: false, nodePodCidrsAllocated: true };

describe("version knobs", () => {
  it("carries exactly one release of each, the one its objects were checked against", () => {
    expect(CARRIED_CALICO_VERSIONS).toEqual(["v3.32.1"]);
    expect(CARRIED_FLANNEL_VERSIONS).toEqual(["v0.24.4"]);
    expect(CARRIED_ERIECANAL_VERSIONS).toEqual(["0.1.3"]);
    for (const v of CARRIED_CALICO_VERSIONS) expect(() => planCanal(vxlan, { calicoVersion: v })).not.toThrow();
  });

  it("refuses a Calico, flannel or ErieCanal release it does not carry instead of changing only image tags", () => {
    expect(() => planCanal(vxlan, { calicoVersion: "v3.31.0" })).toThrow(/^cni\.calicoVersion = "v3\.31\.0": is not a Calico release this canalkit carries: it would run v3\.31\.0 images with the CRDs, RBAC and configuration of v3\.32\.1\. Fix: use v3\.32\.1 \(or remove the key\)/);
    expect(() => planCanal(vxlan, { flannelVersion: "v0.25.1" })).toThrow(/^cni\.flannelVersion = "v0\.25\.1": .*Fix: use v0\.24\.4/);
    expect(() => planErieCanal({ controlPlaneReachesPods: false }, { version: "0.1.0" })).toThrow(/^erieCanal\.version = "0\.1\.0": is not an ErieCanal release this canalkit carries.*Fix: use 0\.1\.3/);
  });

  it("names the key as written in the stack file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "canalkit-versions-"));
    const dev = readFileSync(join(__dirname, "../../stacks/Pulumi.dev.yaml"), "utf8");
    const withCalico = dev.replace("        topology: vxlan\n        natStrategy: single\n      eks:", "        topology: vxlan\n        natStrategy: single\n      cni:\n        calicoVersion: v3.31.0\n      eks:");
    expect(withCalico).not.toBe(dev);
    writeFileSync(join(dir, "Pulumi.calico.yaml"), withCalico);
    await expect(evaluateStack({ configFile: join(dir, "Pulumi.calico.yaml") })).rejects.toThrow(/canalkit:clusters\[0\]\.cni\.calicoVersion = "v3\.31\.0": .*use v3\.32\.1/);
    // Edited as YAML: the stack file may already hold an erieCanal block (osm-edge).
    const erieCanalDoc = parseDocument(dev);
    erieCanalDoc.setIn(["config", "canalkit:clusterSet", "erieCanal", "version"], "0.1.0");
    const withErieCanal = erieCanalDoc.toString();
    writeFileSync(join(dir, "Pulumi.eriecanal.yaml"), withErieCanal);
    await expect(evaluateStack({ configFile: join(dir, "Pulumi.eriecanal.yaml") })).rejects.toThrow(/canalkit:clusterSet\.erieCanal\.version = "0\.1\.0": .*use 0\.1\.3/);
  });
});
