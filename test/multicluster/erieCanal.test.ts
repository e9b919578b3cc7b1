import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { ExistingCluster } from "../../components/cluster";
import { CanalkitInputError } from "../../components/errors";
import { ERIECANAL_NAMES, ErieCanal, erieCanalManagerRules, meshConfig, planErieCanal, validateCustomResource, type ErieCanalPlan } from "../../components/multicluster";
import { planSecurityGroupRules } from "../../components/network/securityGroupRules";
import { renderManifests } from "../../synth/manifests";
import { synthesize } from "../../synth/engine";
import { validateKubernetesObjects } from "../support/validateKubernetes";

const eks = { controlPlaneReachesPods: false };
const podNetwork = { controlPlaneReachesPods: true };
const find = (plan: ErieCanalPlan, kind: string, name: string) => plan.objects.find((o) => o.kind === kind && o.metadata.name === name) as any;
const managerPod = (plan: ErieCanalPlan) => find(plan, "Deployment", ERIECANAL_NAMES.manager).spec.template.spec;

/**
 * The admission webhooks the ErieCanal v0.1.3 manager registers for ConfigMaps
 * (flomesh-io/ErieCanal@v0.1.3: pkg/webhooks/cm/config_webhook.go RegisterWebhooks,
 * pkg/admission/admission.go: failurePolicy Fail), as the API server matches them.
 */
const MANAGER_CONFIGMAP_WEBHOOKS = [
  { name: "mconfigmap.kb.flomesh.io", failurePolicy: "Fail", resources: ["configmaps"], operations: ["CREATE", "UPDATE"], namespaceSelector: { matchLabels: { "flomesh.io/control-plane": "true" } } },
  { name: "vconfigmap.kb.flomesh.io", failurePolicy: "Fail", resources: ["configmaps"], operations: ["CREATE", "UPDATE"], namespaceSelector: { matchLabels: { "flomesh.io/control-plane": "true" } } },
];

describe("ErieCanal manager restart", () => {
  it("can restart alone: its first write (the mesh-config update in cmd/manager/main.go, before the webhook server listens) is intercepted by no fail-closed webhook it serves itself", () => {
    for (const plan of [planErieCanal(eks), planErieCanal(podNetwork, { namespace: "mcs" })]) {
      const ns = plan.objects.find((o) => o.kind === "Namespace")!;
      const labels = ns.metadata.labels ?? {};
      const firstWrite = { resource: "configmaps", operation: "UPDATE", namespace: ns.metadata.name, name: ERIECANAL_NAMES.meshConfig };
      expect(find(plan, "ConfigMap", firstWrite.name).metadata.namespace).toBe(firstWrite.namespace);
      const intercepting = MANAGER_CONFIGMAP_WEBHOOKS.filter(
        (w) => w.failurePolicy === "Fail" && w.resources.includes(firstWrite.resource) && w.operations.includes(firstWrite.operation) && Object.entries(w.namespaceSelector.matchLabels).every(([k, v]) => labels[k] === v),
      );
      expect(intercepting.map((w) => w.name)).toEqual([]);
    }
  });
});

describe("ErieCanal host-network ports and the node security group", () => {
  it("admits between nodes every port a host-network ErieCanal pod serves to other pods, and only those ports", () => {
    const rules = planSecurityGroupRules({ topology: "vxlan", vpcCidr: "10.0.0.0/16", podCidr: "100.64.0.0/16", vxlanPort: 8472, typha: false });
    const betweenNodes = rules.filter((r) => r.group === "node" && r.direction === "ingress" && r.peer.kind === "security-group" && r.peer.role === "node");
    const admitted = (port: number) => betweenNodes.some((r) => r.protocol === "tcp" && r.fromPort <= port && port <= r.toPort);
    for (const options of [{}, { webhookPort: 9450 }]) {
      const plan = planErieCanal(eks, options);
      const served: number[] = [];
      for (const svc of plan.objects.filter((o: any) => o.kind === "Service" && o.spec.type !== "LoadBalancer") as any[]) {
        // The webhook Service's only client is the API server (the control plane, admitted apart).
        if (svc.metadata.name === ERIECANAL_NAMES.webhookService) continue;
        const workload = plan.objects.find((o: any) => o.kind === "Deployment" && Object.entries(svc.spec.selector).every(([k, v]) => o.spec.template.metadata.labels[k] === v)) as any;
        if (!workload?.spec.template.spec.hostNetwork) continue;
        for (const p of svc.spec.ports) {
          const port = workload.spec.template.spec.containers.flatMap((c: any) => c.ports).find((cp: any) => cp.name === p.targetPort || cp.containerPort === p.targetPort);
          served.push(port.containerPort);
        }
      }
      expect(served).toEqual([9444]);
      for (const port of served) expect(admitted(port), `host port ${port}`).toBe(true);
      // Only those: nothing else of the kit's host-port range is open between nodes.
      for (let port = 9443; port <= 9499; port++) expect(admitted(port)).toBe(served.includes(port));
    }
  });
});

/**
 * The mesh config as the manager decodes and validates it (flomesh-io/ErieCanal@v0.1.3
 * pkg/config/mesh.go: MeshConfig's json tags, Go types and `validate` tags): every key the kit
 * writes is one of the struct's, spelled as its tag, of its type and within its bounds.
 */
const port = { int32: true, min: 1, max: 65535 };
const MESH_CONFIG_SHAPE: any = {
  isManaged: "bool",
  repo: { rootURL: "url" },
  images: { repository: "required", pipyImage: "required", proxyInitImage: "required", klipperLbImage: "required" },
  webhook: { serviceName: "hostname" },
  ingress: {
    enabled: "bool",
    namespaced: "bool",
    http: { enabled: "bool", bind: port, listen: port, nodePort: { int32: true, min: 0, max: 65535 } },
    tls: { enabled: "bool", bind: port, listen: port, nodePort: { int32: true, min: 0, max: 65535 }, mTLS: "bool", sslPassthrough: { enabled: "bool", upstreamPort: port } },
  },
  gatewayApi: { enabled: "bool" },
  certificate: { manager: "required", caBundleName: "required", caBundleNamespace: "string" },
  cluster: { uid: "string", region: "string", zone: "string", group: "string", name: "required", controlPlaneUID: "string" },
  serviceLB: { enabled: "bool" },
};

function meshConfigProblems(value: any, shape: any, path = ""): string[] {
  const problems: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    const want = shape[key];
    const at = `${path}${key}`;
    if (want === undefined) problems.push(`${at}: not a MeshConfig field (tags are ${Object.keys(shape).join(", ")})`);
    else if (want === "bool") typeof v === "boolean" || problems.push(`${at}: not a bool`);
    else if (want === "string") typeof v === "string" || problems.push(`${at}: not a string`);
    else if (want === "required") (typeof v === "string" && v !== "") || problems.push(`${at}: required`);
    else if (want === "url") (typeof v === "string" && /^[a-z]+:\/\/[^/]+/.test(v)) || problems.push(`${at}: not a URL`);
    else if (want === "hostname") (typeof v === "string" && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v)) || problems.push(`${at}: not a hostname`);
    else if (want.int32) (Number.isInteger(v) && (v as number) >= want.min && (v as number) <= want.max) || problems.push(`${at}: not an int32 in ${want.min}-${want.max}`);
    else problems.push(...meshConfigProblems(v, want, `${at}.`));
  }
  return problems;
}

describe("ErieCanal mesh config as the manager reads it", () => {
  it("decodes into MeshConfig with every key spelled as its json tag, of its type, and passes its validation", () => {
    for (const plan of [planErieCanal(eks), planErieCanal(podNetwork, { gateway: { tls: {} }, certManager: true })]) {
      const config = JSON.parse(find(plan, "ConfigMap", ERIECANAL_NAMES.meshConfig).data["mesh_config.json"]);
      expect(meshConfigProblems(config, MESH_CONFIG_SHAPE)).toEqual([]);
    }
    expect(meshConfigProblems({ repo: { rootUrl: "http://x" } }, MESH_CONFIG_SHAPE)).toEqual(["repo.rootUrl: not a MeshConfig field (tags are rootURL)"]);
  });
});

describe("ErieCanal plan", () => {
  it("validates every object against the Kubernetes schema, and its own custom resources against its CRDs", async () => {
    for (const plan of [planErieCanal(eks), planErieCanal(podNetwork, { gateway: { tls: {}, scheme: "internet-facing", sourceRanges: ["203.0.113.0/24"] }, certManager: true, scripts: { configMap: "ec-scripts" } })]) {
      await validateKubernetesObjects(plan.objects.filter((o) => !o.apiVersion.startsWith("flomesh.io")));
    }
    const parse = (text: string) => (require("yaml") as typeof import("yaml")).parse(text);
    const manifests = find(planErieCanal(eks), "ConfigMap", ERIECANAL_NAMES.manifestsConfig).data;
    expect(validateCustomResource(parse(manifests["cluster_local.yaml"]))).toEqual([]);
    expect(validateCustomResource(parse(manifests["default_proxyprofile.yaml"]))).toEqual([]);
  });

  it("installs in one namespace the names ErieCanal looks up, with the CRDs first and the ingress class pipy", () => {
    const plan = planErieCanal(podNetwork, { namespace: "mcs" });
    expect(plan.objects[0]).toMatchObject({ kind: "Namespace", metadata: { name: "mcs" } });
    expect(plan.objects.slice(1, 6).map((o) => o.metadata.name)).toEqual(["clusters.flomesh.io", "serviceexports.flomesh.io", "serviceimports.flomesh.io", "globaltrafficpolicies.flomesh.io", "proxyprofiles.flomesh.io"]);
    for (const o of plan.objects) if (o.metadata.namespace !== undefined) expect(o.metadata.namespace).toBe("mcs");
    expect(find(plan, "IngressClass", "pipy").spec.controller).toBe("flomesh.io/ingress-pipy");
    expect(find(plan, "Deployment", ERIECANAL_NAMES.manager).spec.template.spec.containers[0].env).toContainEqual({ name: "ERIECANAL_NAMESPACE", value: "mcs" });
    expect(JSON.parse(find(plan, "ConfigMap", ERIECANAL_NAMES.meshConfig).data["mesh_config.json"]).repo.rootURL).toBe("http://erie-canal-repo-service.mcs.svc:6060");
  });

  it("runs the manager's webhooks and health on the host network at free ports where the control plane cannot reach pods", () => {
    const onEks = planErieCanal(eks);
    const pod = managerPod(onEks);
    expect(pod.hostNetwork).toBe(true);
    expect(pod.dnsPolicy).toBe("ClusterFirstWithHostNet");
    expect(pod.containers[0].ports).toEqual([
      { name: "webhook", containerPort: 9443, hostPort: 9443, protocol: "TCP" },
      { name: "health", containerPort: 9444, hostPort: 9444, protocol: "TCP" },
    ]);
    expect(pod.containers[0].readinessProbe.httpGet.port).toBe(9444);
    expect(find(onEks, "ConfigMap", ERIECANAL_NAMES.managerConfig).data["manager_config.yaml"]).toMatch(/healthProbeBindAddress: :9444[\s\S]*port: 9443/);
    expect(find(onEks, "Service", ERIECANAL_NAMES.webhookService).spec.ports).toEqual([{ name: "webhook", port: 443, targetPort: "webhook", protocol: "TCP" }]);
    const reachable = managerPod(planErieCanal(podNetwork));
    expect(reachable.hostNetwork).toBe(false);
    expect(reachable.containers[0].ports.map((p: any) => [p.containerPort, p.hostPort])).toEqual([[9443, undefined], [8081, undefined]]);
    expect(() => planErieCanal(eks, { webhookPort: 10250 })).toThrow(/webhook.port = 10250.*9443-9499/);
    expect(() => planErieCanal(eks, { healthPort: 8081 })).toThrow(/erieCanal.healthPort = 8081: is not the host port the node security group admits/);
    expect(() => planErieCanal(eks, { healthPort: 9460 })).toThrow(/erieCanal.healthPort = 9460: .*set it to 9444/);
    expect(managerPod(planErieCanal(eks, { webhookPort: 9450 })).containers[0].ports.map((p: any) => p.hostPort)).toEqual([9450, 9444]);
  });

  it("fetches the Pipy scripts from the released chart and refuses an archive with another checksum", () => {
    const pod = managerPod(planErieCanal(eks));
    const fetch = pod.initContainers.find((c: any) => c.name === "fetch-scripts");
    const url = new URL(/curl [^']*'([^']+)'/.exec(fetch.command[2])![1]!);
    // Not through a Pages site (flomesh-io.github.io/ErieCanal redirects to the archived project's
    // own domain, ec.flomesh.io) nor through that domain: GitHub serves the gh-pages bytes itself,
    // at a commit, so the bytes cannot change under the pinned digest.
    expect(url.hostname).toBe("raw.githubusercontent.com");
    expect(url.pathname).toMatch(/^\/flomesh-io\/ErieCanal\/[0-9a-f]{40}\/erie-canal-0\.1\.3\.tgz$/);
    expect(fetch.command[2]).not.toMatch(/github\.io|flomesh\.io/);
    expect(fetch.command[2]).toMatch(/echo '1ef7cd79[0-9a-f]{56}  \/work\/chart.tgz' \| sha256sum -c -/);
    expect(pod.initContainers.map((c: any) => c.name)).toEqual(["fetch-scripts", "init"]);
    const airGapped = managerPod(planErieCanal(eks, { scripts: { configMap: "ec-scripts" } }));
    expect(airGapped.initContainers.map((c: any) => c.name)).toEqual(["init"]);
    expect(airGapped.volumes).toContainEqual({ name: "work", configMap: { name: "ec-scripts" } });
    expect(() => planErieCanal(eks, { scripts: { chartUrl: "http://mirror/erie-canal.tgz", sha256: "0".repeat(64) } })).toThrow(/scripts.chartUrl.*https/);
    expect(() => planErieCanal(eks, { scripts: { chartUrl: "https://mirror/erie-canal.tgz", sha256: "abc" } })).toThrow(/scripts.sha256 = "abc"/);
  });

  it("exposes the gateway through an internal NLB unless internet-facing is chosen, with TLS as an option", () => {
    const internal = find(planErieCanal(eks), "Service", ERIECANAL_NAMES.ingressService);
    expect(internal.spec.type).toBe("LoadBalancer");
    expect(internal.metadata.annotations).toMatchObject({ "service.beta.kubernetes.io/aws-load-balancer-type": "nlb", "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal", "service.beta.kubernetes.io/aws-load-balancer-internal": "true" });
    expect(internal.spec.ports).toEqual([{ name: "http", port: 80, targetPort: 8000, protocol: "TCP" }]);
    const publicTls = planErieCanal(eks, { gateway: { scheme: "internet-facing", tls: {}, sourceRanges: ["198.51.100.0/24"] } });
    const svc = find(publicTls, "Service", ERIECANAL_NAMES.ingressService);
    expect(svc.metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"]).toBe("internet-facing");
    expect(svc.metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-internal"]).toBeUndefined();
    expect(svc.spec.ports.map((p: any) => [p.port, p.targetPort])).toEqual([[80, 8000], [443, 8443]]);
    expect(svc.spec.loadBalancerSourceRanges).toEqual(["198.51.100.0/24"]);
    expect((meshConfig(publicTls.settings) as any).ingress.tls.enabled).toBe(true);
    // An internal gateway's callers are narrowed the same way (the cloud provider turns the ranges
    // into the NodePort rules on the nodes' security group).
    const narrowed = find(planErieCanal(eks, { gateway: { sourceRanges: ["10.10.0.0/16", "10.20.0.0/16"] } }), "Service", ERIECANAL_NAMES.ingressService);
    expect(narrowed.metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"]).toBe("internal");
    expect(narrowed.spec.loadBalancerSourceRanges).toEqual(["10.10.0.0/16", "10.20.0.0/16"]);
    expect(internal.spec.loadBalancerSourceRanges).toBeUndefined();
  });

  it("pins every image and lets mirrors override them", () => {
    const plan = planErieCanal(eks, { imageRepository: "registry.example.com/flomesh" });
    expect(plan.settings.images.manager).toBe("registry.example.com/flomesh/erie-canal-manager:0.1.3");
    expect(() => planErieCanal(eks, { imageOverrides: { manager: "flomesh/erie-canal-manager:latest" } })).toThrow(CanalkitInputError);
    expect(() => planErieCanal(eks, { namespace: "Erie_Canal" })).toThrow(/erieCanal.namespace = "Erie_Canal"/);
  });

  it("grants cert-manager rights and switches the certificate manager only when cert-manager is used", () => {
    const withCm = planErieCanal(eks, { certManager: true });
    expect(erieCanalManagerRules(withCm.settings).some((r) => r.apiGroups.includes("cert-manager.io"))).toBe(true);
    expect((meshConfig(withCm.settings) as any).certificate.manager).toBe("cert-manager");
    expect(erieCanalManagerRules(planErieCanal(eks).settings).some((r) => r.apiGroups.includes("cert-manager.io"))).toBe(false);
    expect((meshConfig(planErieCanal(eks).settings) as any).certificate.manager).toBe("archon");
  });
});

describe("ErieCanal component", () => {
  const program = () => {
    const cluster = new ExistingCluster("east", { kubeconfig: pulumi.secret("admin"), topology: "vxlan", podCidr: "100.64.0.0/16", serviceCidr: "172.20.0.0/16", podMtu: 8951, isEks: true });
    const ec = new ErieCanal("east-ec", { cluster });
    return { gatewayHost: ec.gatewayHost, gatewayPort: ec.gatewayPort };
  };

  it("leaves what the manager writes at run time to the manager, and synthesizes the same desired state twice", async () => {
    const first = await synthesize(program);
    const second = await synthesize(program);
    expect(renderManifests(second.resources)).toEqual(renderManifests(first.resources));
    const byName = (name: string) => first.resources.find((r) => r.name === name)!;
    const mutating = byName("east-ec-mutatingwebhookconfiguration-flomesh-mutating-webhook-configuration");
    expect(mutating.inputs["webhooks"]).toBeUndefined();
    expect(mutating.options.ignoreChanges).toEqual(["webhooks"]);
    expect(byName("east-ec-validatingwebhookconfiguration-flomesh-validating-webhook-configuration").options.ignoreChanges).toEqual(["webhooks"]);
    expect(byName("east-ec-configmap-erie-canal-mesh-config").options.ignoreChanges).toEqual(["data"]);
    // The kit declares the CRDs and nothing in the install re-applies them.
    expect(JSON.stringify(byName("east-ec-deployment-erie-canal-manager").inputs)).not.toMatch(/kubectl apply/);
    expect(first.outputs["gatewayHost"]).toMatch(/\.elb\.amazonaws\.com$/);
    expect(first.outputs["gatewayPort"]).toBe(80);
  });

  it("starts workloads only after the namespace, CRDs, RBAC and config exist", async () => {
    const result = await synthesize(program);
    const urn = (name: string) => result.resources.find((r) => r.name === name)!.urn;
    const manager = result.resources.find((r) => r.name === "east-ec-deployment-erie-canal-manager")!;
    for (const dep of ["east-ec-namespace-erie-canal", "east-ec-customresourcedefinition-clusters.flomesh.io", "east-ec-clusterrolebinding-erie-canal-rolebinding", "east-ec-configmap-erie-canal-manager-config"]) {
      expect(manager.dependsOn).toContain(urn(dep));
    }
  });

  it("lets declarations go ahead of the CNI; only workloads wait for what `after` names", async () => {
    const result = await synthesize(() => {
      const cluster = new ExistingCluster("east", { kubeconfig: pulumi.secret("admin"), topology: "vxlan", podCidr: "100.64.0.0/16", serviceCidr: "172.20.0.0/16", podMtu: 8951, isEks: true });
      const cni = new k8s.core.v1.ConfigMap("cni-ready", { metadata: { name: "cni" } }, { provider: cluster.provider });
      new ErieCanal("east-ec", { cluster, after: [cni] });
    });
    const cni = result.resources.find((r) => r.name === "cni-ready")!.urn;
    const byName = (name: string) => result.resources.find((r) => r.name === name)!;
    for (const declaration of ["east-ec-namespace-erie-canal", "east-ec-customresourcedefinition-clusters.flomesh.io", "east-ec-clusterrole-erie-canal-role", "east-ec-configmap-erie-canal-mesh-config"]) {
      expect(byName(declaration).dependsOn).not.toContain(cni);
    }
    expect(byName("east-ec-deployment-erie-canal-manager").dependsOn).toContain(cni);
  });
});
