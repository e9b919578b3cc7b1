/**
 * The controllers registered by a program and served by the SDK's dynamic-provider host, as the
 * engine runs them: one program registers every controller under the SDK's mocks (so each
 * resource's inputs carry the serialized `__provider`), then the host is started to serve them.
 */
import * as pulumi from "@pulumi/pulumi";
import { ExistingCluster } from "../../components/cluster";
import { ClusterJoin, ExportReconciler, VpcRouteReconciler } from "../../components/controllers";
import { synthesize } from "../../synth/engine";
import { startDynamicProviderHost, type DynamicProviderHost } from "./dynamicProviderHost";

/** A registered controller resource: its URN and the inputs the program gave it. */
export interface RegisteredController {
  urn: string;
  inputs: Record<string, unknown>;
}

/** The warning of a refresh that could not read the cluster and kept the last recorded state. */
export const KEPT = /refresh could not read the cluster \(.+\); kept the last recorded state/;

/** The running host and the controllers it serves, by dynamic resource type name. */
export interface HostedControllers {
  host: DynamicProviderHost;
  /** Keyed by the type's last segment, e.g. `ClusterJoin`, `DefaultCniRemoval`. */
  registered: Record<string, RegisteredController>;
}

/**
 * Registers ExportReconciler, VpcRouteReconciler, ClusterJoin (in namespace `erie-canal`) and the
 * DefaultCniRemoval of an EKS cluster, then starts the host with a fake AWS environment in
 * `process.env` (the engine runs providers with the user's environment; the host inherits it).
 */
export async function startHostedControllers(): Promise<HostedControllers> {
  const result = await synthesize(() => {
    const lab = new ExistingCluster("lab", { kubeconfig: pulumi.secret("admin"), topology: "vxlan", podCidr: "10.244.0.0/16", serviceCidr: "10.96.0.0/12", podMtu: 8951, isEks: true, removeAmazonVpcCni: true });
    new ExportReconciler("catalog", {
      serviceName: "catalog",
      namespace: "shop",
      exporters: [{ cluster: "east", clusterKey: "r/z/g/east", kubeconfig: lab.kubeconfig, gatewayHost: "east.elb.example", gatewayPort: 80 }],
      consumers: [{ cluster: "north", clusterKey: "r/z/g/north", kubeconfig: lab.kubeconfig }],
      rules: [{ portNumber: 8080, path: "/shop/catalog" }],
    });
    new VpcRouteReconciler("east-routes", { clusterName: "east", region: "us-east-1", kubeconfig: lab.kubeconfig, routeTableIds: ["rtb-1"], podCidr: "100.64.0.0/16", routeQuota: 50 });
    new ClusterJoin("join-east", { memberName: "east", clusterKey: "r/z/g/east", namespace: "erie-canal", controlPlaneName: "hub", controlPlaneKubeconfig: pulumi.secret("cp"), memberKubeconfig: lab.kubeconfig });
  });
  const registered = Object.fromEntries(result.resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/")).map((r) => [r.type.split(":").pop()!, { urn: r.urn, inputs: r.inputs }]));
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "secret", AWS_EC2_METADATA_DISABLED: "true" });
  return { host: await startDynamicProviderHost(), registered };
}
