/**
 * The custom-resource coverage check over every component that creates custom resources, with
 * every option that adds some (TLS, upstream MCS exports, Gateway API): each resource has its CRD
 * in the same cluster and waits for it, except the two groups README documents as yours to
 * install — Gateway API (your Gateway class implementation installs it) and the upstream MCS API.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { ExistingCluster } from "../../components/cluster";
import { Canal } from "../../components/cni";
import { ClusterSet, ErieCanal, MultiClusterService, NorthSouthGateway } from "../../components/multicluster";
import { CertManager } from "../../components/tls";
import { synthesize } from "../../synth/engine";
import { customResourceProblems } from "./crdCoverage";

/** Groups whose CRDs the kit leaves to the user, as README says. */
const DOCUMENTED_USER_INSTALLED = ["gateway.networking.k8s.io", "multicluster.x-k8s.io"];

describe("custom-resource coverage across components", () => {
  it("every custom resource has its CRD in its cluster and waits for it, but for the documented user-installed groups", async () => {
    const result = await synthesize(() => {
      const members = ["hub", "east"].map((name, i) => {
        const cluster = new ExistingCluster(name, { kubeconfig: pulumi.secret(`admin-${name}`), topology: "vxlan", podCidr: "100.64.0.0/16", serviceCidr: "172.20.0.0/16", podMtu: 8951, isEks: false, controlPlaneReachesPods: true, vpcCidr: `10.${30 + i}.0.0/16` });
        const canal = new Canal(`${name}-canal`, { cluster });
        const tls = new CertManager(`${name}-cert-manager`, { cluster, after: canal.ready });
        const erieCanal = new ErieCanal(`${name}-erie-canal`, { cluster, after: [...canal.ready, ...tls.ready], certManager: true });
        return { name, cluster, erieCanal, tls, apiServer: { url: `https://${name}.example`, certificateAuthorityData: "Q0E=" } };
      });
      const set = new ClusterSet("set", { name: "set", controlPlane: "hub", members: members.map((m) => ({ cluster: m.cluster, erieCanal: m.erieCanal, apiServer: m.apiServer })) });
      const byName = Object.fromEntries(members.map((m) => [m.name, { cluster: m.cluster, erieCanal: m.erieCanal }]));
      new MultiClusterService("web", { clusterSet: set.plan, members: byName, name: "web", namespace: "shop", exporters: [{ cluster: "east", service: { ports: [{ port: 8080 }] } }], consumers: ["hub"], mode: "ActiveActive", upstreamMcs: true, verify: false });
      const hub = members[0]!;
      new NorthSouthGateway("shop-ingress", { cluster: hub.cluster, after: [...hub.erieCanal.ready, ...hub.tls.ready], name: "shop", namespace: "shop", hosts: ["shop.example.com"], service: { name: "web", port: 8080 }, tls: { issuer: hub.tls.caIssuerName } });
      new NorthSouthGateway("shop-gateway", { cluster: hub.cluster, after: [...hub.erieCanal.ready, ...hub.tls.ready], name: "shop-gw", namespace: "shop", hosts: ["gw.example.com"], service: { name: "web", port: 8080 }, api: { kind: "gateway-api", gatewayClassName: "example" }, tls: { issuer: hub.tls.caIssuerName } });
    });
    const { problems, checked } = customResourceProblems(result);
    expect(checked).toBeGreaterThan(10);
    const undocumented = problems.filter((p) => !DOCUMENTED_USER_INSTALLED.some((g) => p.includes(`(${g}/`)));
    expect(undocumented).toEqual([]);
    // The documented exceptions are exactly what the options above render, and nothing else slips in under them.
    expect(problems.map((p) => /\(([^ ]+) (\w+)\)/.exec(p)!.slice(1).join(" ")).sort()).toEqual(["gateway.networking.k8s.io/v1 Gateway", "gateway.networking.k8s.io/v1 HTTPRoute", "multicluster.x-k8s.io/v1alpha1 ServiceExport"]);
  });
});
