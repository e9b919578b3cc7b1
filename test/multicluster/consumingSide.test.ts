import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { ExistingCluster } from "../../components/cluster";
import { WEBHOOK_HOST_PORT_RANGE } from "../../components/cluster/capabilities";
import { buildFlomeshCrd, NorthSouthGateway, OsmEdge, OTHER_KIT_WEBHOOK_PORTS, planNorthSouthGateway, planOsmEdge } from "../../components/multicluster";
import { CertManager, planCaIssuer } from "../../components/tls";
import { synthesize } from "../../synth/engine";
import { validateKubernetesObjects } from "../support/validateKubernetes";

const cluster = (name: string, controlPlaneReachesPods: boolean) =>
  new ExistingCluster(name, { kubeconfig: pulumi.secret("admin"), topology: "vxlan", podCidr: "10.244.0.0/16", serviceCidr: "10.96.0.0/12", podMtu: 1450, isEks: !controlPlaneReachesPods, controlPlaneReachesPods });

describe("osm-edge", () => {
  const eks = { controlPlaneReachesPods: false };
  const byId = (objects: any[]) => new Map(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o]));

  it("serves the injector from the host network through a relay on the kit's ports, as the webhook configurations name them", async () => {
    const plan = planOsmEdge(eks, { clusterDnsIp: "172.20.0.10" });
    const o = byId(plan.objects);
    const injector = o.get("Deployment/osm-injector").spec.template.spec;
    expect(injector).toMatchObject({ hostNetwork: true, dnsPolicy: "ClusterFirstWithHostNet" });
    // osm-edge binds 9090 (injector) and 9093 (validator) at compile time (pkg/constants/constants.go);
    // the webhook configurations it writes name Services osm-injector:9090 and osm-validator:9093.
    const relay = injector.containers.find((c: any) => c.name === "webhook-relay");
    expect(relay.ports.map((p: any) => p.containerPort)).toEqual([9446, 9447]);
    for (const port of [9446, 9447]) expect(port >= WEBHOOK_HOST_PORT_RANGE.from && port <= WEBHOOK_HOST_PORT_RANGE.to && !OTHER_KIT_WEBHOOK_PORTS.includes(port as never)).toBe(true);
    expect(o.get("Service/osm-injector").spec).toMatchObject({ selector: { app: "osm-injector" }, ports: [{ port: 9090, targetPort: 9446 }] });
    expect(o.get("Service/osm-validator").spec).toMatchObject({ selector: { app: "osm-injector" }, ports: [{ port: 9093, targetPort: 9447 }] });
    expect(o.get("Service/osm-validator-backend").spec).toMatchObject({ selector: { app: "osm-controller" }, ports: [{ port: 9093, targetPort: 9093 }] });
    const script = o.get("ConfigMap/osm-webhook-relay").data["relay.js"];
    expect(script).toContain(".listen(9446).connect('127.0.0.1:9090')");
    expect(script).toContain(".listen(9447).connect('osm-validator-backend.osm-system.svc.cluster.local:9093')");
    // The controller (Pipy repo with the proxies' keys) and bootstrap stay on the pod network.
    expect(o.get("Deployment/osm-controller").spec.template.spec.hostNetwork).toBeUndefined();
    expect(o.get("Deployment/osm-bootstrap").spec.template.spec.hostNetwork).toBeUndefined();
    expect(o.get("Namespace/osm-system").metadata.labels).toMatchObject({ name: "osm-system", "pod-security.kubernetes.io/enforce": "privileged" });
    await validateKubernetesObjects(plan.objects);
  });

  it("names what osm-edge's programs look up: webhook configurations, flags, services, MeshConfig fields", () => {
    const plan = planOsmEdge(eks, { clusterDnsIp: "172.20.0.10", meshName: "mesh1" });
    const o = byId(plan.objects);
    // pkg/injector/webhook.go: "osm-webhook-" + meshName; chart: osm-validator-mesh-<mesh>.
    expect(o.get("MutatingWebhookConfiguration/osm-webhook-mesh1")).toBeDefined();
    expect(o.get("ValidatingWebhookConfiguration/osm-validator-mesh-mesh1")).toBeDefined();
    expect(plan.runtimeOwned).toEqual({ "MutatingWebhookConfiguration/osm-webhook-mesh1": ["webhooks"], "ValidatingWebhookConfiguration/osm-validator-mesh-mesh1": ["webhooks"] });
    const args = o.get("Deployment/osm-injector").spec.template.spec.containers[0].args as string[];
    expect(args[args.indexOf("--webhook-config-name") + 1]).toBe("osm-webhook-mesh1");
    const controllerArgs = o.get("Deployment/osm-controller").spec.template.spec.containers[1].args as string[];
    expect(controllerArgs[controllerArgs.indexOf("--validator-webhook-config") + 1]).toBe("osm-validator-mesh-mesh1");
    // Sidecars fetch config from http://osm-controller.<ns>:6060 (pipy_container.go).
    expect(o.get("Service/osm-controller").spec.ports[0]).toMatchObject({ port: 6060, targetPort: 6060 });
    // osm-bootstrap reads key preset-mesh-config.json of ConfigMap preset-mesh-config into MeshConfigSpec (v1alpha2 JSON tags).
    const preset = JSON.parse(o.get("ConfigMap/preset-mesh-config").data["preset-mesh-config.json"]);
    expect(Object.keys(preset).sort()).toEqual(["certificate", "clusterSet", "featureFlags", "observability", "pluginChains", "repoServer", "sidecar", "traffic"]);
    expect(preset.sidecar.localDNSProxy).toEqual({ enable: true, primaryUpstreamDNSServerIPAddr: "172.20.0.10" });
    expect(preset.sidecar.sidecarDrivers).toEqual([{ sidecarName: "pipy", sidecarImage: "docker.io/flomesh/pipy:0.90.0-18", proxyServerPort: 6060 }]);
    expect(preset.traffic.enablePermissiveTrafficPolicyMode).toBe(true);
    // RBAC: ServiceImports and GlobalTrafficPolicies become routes (read, never written).
    const rules = o.get("ClusterRole/mesh1").rules as any[];
    expect(rules.find((r) => r.apiGroups[0] === "flomesh.io")).toEqual({ apiGroups: ["flomesh.io"], resources: ["serviceexports", "serviceimports", "globaltrafficpolicies"], verbs: ["list", "get", "watch"] });
    expect(o.get("ClusterRoleBinding/mesh1").subjects).toEqual([{ kind: "ServiceAccount", name: "mesh1", namespace: "osm-system" }]);
  });

  it("puts consumed namespaces in the mesh once the injector runs, and registers the typed objects", async () => {
    const result = await synthesize(() => {
      new OsmEdge("east-osm", { cluster: cluster("east", false), clusterDnsIp: "172.20.0.10", meshedNamespaces: ["demo"] });
    });
    const component = result.resources.find((r) => r.type === "canalkit:multicluster:OsmEdge")!;
    expect(component.inputs).toMatchObject({ webhookHostNetwork: true, webhookPorts: { injector: 9446, validator: 9447 } });
    expect(result.resources.some((r) => r.type.startsWith("kubernetes:helm.sh"))).toBe(false);
    const patch = result.resources.find((r) => r.type === "kubernetes:core/v1:NamespacePatch")!;
    // pkg/k8s/informers (label monitored-by=<mesh>) and pkg/injector/webhook.go (annotation enabled).
    expect(patch.inputs["metadata"]).toEqual({ name: "demo", labels: { "openservicemesh.io/monitored-by": "osm" }, annotations: { "openservicemesh.io/sidecar-injection": "enabled" } });
    const injector = result.resources.find((r) => r.name === "east-osm-deployment-osm-injector")!;
    expect(patch.dependsOn).toContain(injector.urn);
    const mwc = result.resources.find((r) => r.type === "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration")!;
    expect(mwc.options.ignoreChanges).toEqual(["webhooks"]);
  });

  it("shares one flomesh.io definition per kind with ErieCanal, in the shape osm-bootstrap rewrites it to", () => {
    for (const kind of ["ServiceExport", "ServiceImport", "GlobalTrafficPolicy"]) {
      const crd = buildFlomeshCrd(kind) as any;
      // cmd/osm-bootstrap/osm-bootstrap.go writes into the labels map of an existing CRD without a nil check.
      expect(Object.keys(crd.metadata.labels).length).toBeGreaterThan(0);
      expect(crd.metadata.labels["openservicemesh.io/reconcile"]).toBe("false");
      expect(crd.spec.conversion).toEqual({ strategy: "None" });
      expect(crd.spec.names.shortNames).toBeUndefined();
    }
    // Kinds osm-edge does not ship keep ErieCanal's shape.
    expect((buildFlomeshCrd("ProxyProfile") as any).spec.names.shortNames).toEqual(["pf"]);
  });

  it("serves from pods where the control plane reaches them", () => {
    const o = byId(planOsmEdge({ controlPlaneReachesPods: true }, { clusterDnsIp: "10.96.0.10" }).objects);
    expect(o.get("Deployment/osm-injector").spec.template.spec.hostNetwork).toBeUndefined();
    expect(o.get("Service/osm-injector").spec.ports[0]).toMatchObject({ port: 9090, targetPort: 9090 });
    expect(o.get("Service/osm-validator").spec).toMatchObject({ selector: { app: "osm-controller" }, ports: [{ port: 9093, targetPort: 9093 }] });
    expect(o.has("ConfigMap/osm-webhook-relay")).toBe(false);
  });

  it("refuses bad values naming the field, the value and a fix", () => {
    expect(() => planOsmEdge(eks, { clusterDnsIp: "kube-dns" })).toThrow(/osmEdge.clusterDnsIp = "kube-dns"/);
    expect(() => planOsmEdge(eks, { clusterDnsIp: "172.20.0.10", webhookPorts: { injector: 9090 } })).toThrow(/osmEdge.webhookPorts.injector = 9090: is outside 9443-9499/);
    expect(() => planOsmEdge(eks, { clusterDnsIp: "172.20.0.10", webhookPorts: { validator: 9443 } })).toThrow(/osmEdge.webhookPorts.validator = 9443: is taken on the host by ErieCanal/);
    expect(() => planOsmEdge(eks, { clusterDnsIp: "172.20.0.10", webhookPorts: { injector: 9450, validator: 9450 } })).toThrow(/equals the injector's port/);
    expect(() => planOsmEdge(eks, { clusterDnsIp: "172.20.0.10", imageOverrides: { sidecar: "flomesh/pipy" } })).toThrow(/osmEdge.imageOverrides.sidecar/);
  });
});

describe("north-south gateways", () => {
  it("plans an Ingress on ErieCanal's pipy class with a cert-manager certificate for its hosts", async () => {
    const objects = planNorthSouthGateway({ name: "shop", namespace: "shop", hosts: ["shop.example.com"], service: { name: "catalog", port: 8080 }, tls: { issuer: "canalkit-ca" } });
    const [certificate, ingress] = objects as any[];
    expect(certificate.spec).toMatchObject({ secretName: "shop-tls", dnsNames: ["shop.example.com"], issuerRef: { name: "canalkit-ca", kind: "ClusterIssuer" } });
    expect(ingress.spec.ingressClassName).toBe("pipy");
    expect(ingress.spec.tls).toEqual([{ hosts: ["shop.example.com"], secretName: "shop-tls" }]);
    await validateKubernetesObjects([ingress]);
  });

  it("plans Gateway API objects for a given Gateway class, HTTPS when TLS is on", () => {
    const [, gateway, route] = planNorthSouthGateway({ name: "shop", namespace: "shop", hosts: ["a.example.com"], service: { name: "catalog", port: 8080 }, api: { kind: "gateway-api", gatewayClassName: "amazon-vpc-lattice" }, tls: { issuer: "ca" } }) as any[];
    expect(gateway.spec.listeners).toEqual([{ name: "https-0", hostname: "a.example.com", port: 443, protocol: "HTTPS", tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: "shop-tls" }] } }]);
    expect(route.spec.rules[0].backendRefs).toEqual([{ name: "catalog", port: 8080 }]);
  });

  it("refuses bad paths and host names", () => {
    expect(() => planNorthSouthGateway({ name: "x", namespace: "x", hosts: ["a.example.com"], service: { name: "s", port: 80 }, path: "api" })).toThrow(/gateways.x.path = "api": must start with \//);
    expect(() => planNorthSouthGateway({ name: "x", namespace: "x", hosts: ["Not A Host"], service: { name: "s", port: 80 }, tls: { issuer: "ca" } })).toThrow(/gateway.tls.hosts\[0\]/);
  });

  it("deploys after ErieCanal (its Ingress webhook fails closed while the manager is down)", async () => {
    const result = await synthesize(() => {
      const c = cluster("east", true);
      const manager = new k8s.apps.v1.Deployment("manager", { metadata: { name: "erie-canal-manager" }, spec: { selector: { matchLabels: { a: "m" } }, template: { metadata: { labels: { a: "m" } }, spec: { containers: [{ name: "m", image: "flomesh/erie-canal-manager:0.1.3" }] } } } }, { provider: c.provider });
      new NorthSouthGateway("shop", { cluster: c, after: [manager], name: "shop", namespace: "shop", hosts: ["shop.example.com"], service: { name: "catalog", port: 8080 } });
    });
    const manager = result.resources.find((r) => r.name === "manager")!;
    expect(result.resources.find((r) => r.type === "kubernetes:networking.k8s.io/v1:Ingress")!.dependsOn).toContain(manager.urn);
  });
});

describe("cert-manager", () => {
  it("runs the webhook on the host network at a free port on EKS, and issues from a CA chain in order", async () => {
    const result = await synthesize(() => {
      new CertManager("east-cm", { cluster: cluster("east", false) });
    });
    const release = result.resources.find((r) => r.type === "kubernetes-cert-manager:index:CertManager")!;
    expect(release.inputs).toMatchObject({ installCRDs: true, webhook: { hostNetwork: true, securePort: 9445 } });
    const chain = planCaIssuer("canalkit-ca").objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(chain).toEqual(["ClusterIssuer/canalkit-ca-selfsigned", "Certificate/canalkit-ca-root", "ClusterIssuer/canalkit-ca"]);
    const issuer = result.resources.find((r) => r.name === "east-cm-clusterissuer-canalkit-ca")!;
    const root = result.resources.find((r) => r.name === "east-cm-certificate-canalkit-ca-root")!;
    expect(issuer.dependsOn).toEqual([root.urn]);
    const onPods = await synthesize(() => void new CertManager("west-cm", { cluster: cluster("west", true) }));
    expect(onPods.resources.find((r) => r.type === "kubernetes-cert-manager:index:CertManager")!.inputs["webhook"]).toEqual({});
  });
});
