/** `canalkit-webhooks-reachable` over osm-edge's webhook servers (kept apart from rules.test.ts). */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { ExistingCluster } from "../../components/cluster";
import { OsmEdge } from "../../components/multicluster";
import { synthesize, type SynthResource } from "../../synth/engine";
import { edit, violations } from "../support/policyEdits";

const cluster = (name: string, controlPlaneReachesPods: boolean) =>
  new ExistingCluster(name, { kubeconfig: pulumi.secret("admin"), topology: "vxlan", podCidr: "10.244.0.0/16", serviceCidr: "172.20.0.0/16", podMtu: 1450, isEks: !controlPlaneReachesPods, controlPlaneReachesPods });

/** What canalkit-webhooks-reachable reports. */
const webhookViolations = (resources: SynthResource[]) => violations(resources, "canalkit-webhooks-reachable");

describe("canalkit-webhooks-reachable: osm-edge", () => {
  it("passes the kit's osm-edge on EKS and names a drifted injector, component or webhook Service", async () => {
    const good = (await synthesize(() => void new OsmEdge("east-osm", { cluster: cluster("east", false), clusterDnsIp: "172.20.0.10" }))).resources;
    expect(await webhookViolations(good)).toEqual([]);
    // The component refuses to build these states; the edits stand for hand-written or drifted objects.
    const podNetwork = edit(good, (r) => r.name === "east-osm-deployment-osm-injector", (i) => (i["spec"].template.spec.hostNetwork = false));
    expect(await webhookViolations(podNetwork)).toEqual([expect.stringMatching(/Deployment osm-system\/osm-injector in east serves osm-edge's webhooks without host networking/)]);
    const described = edit(good, (r) => r.type === "canalkit:multicluster:OsmEdge", (i) => (i["webhookHostNetwork"] = false));
    expect(await webhookViolations(described)).toEqual([expect.stringMatching(/osm-edge's sidecar injector and validator in east serves webhooks from a pod IP/)]);
    const straight = edit(good, (r) => r.name === "east-osm-service-osm-injector", (i) => (i["spec"].ports[0].targetPort = 9090));
    expect(await webhookViolations(straight)).toEqual([expect.stringMatching(/Service osm-system\/osm-injector in east sends the control plane to port 9090, outside the host ports 9443-9499/)]);
  });

  it("accepts the pod network where the control plane reaches pods", async () => {
    const lab = (await synthesize(() => void new OsmEdge("lab-osm", { cluster: cluster("lab", true), clusterDnsIp: "10.96.0.10" }))).resources;
    expect(await webhookViolations(lab)).toEqual([]);
  });
});
