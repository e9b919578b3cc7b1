import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { synthesize } from "../../synth/engine";
import { manifestYaml, renderManifests } from "../../synth/manifests";

describe("manifests", () => {
  it("groups objects by cluster provider, orders namespaces and CRDs first, and masks secrets", async () => {
    const result = await synthesize(() => {
      const provider = new k8s.Provider("east-k8s", { kubeconfig: pulumi.secret("apiVersion: v1\nkind: Config\n") });
      new k8s.apps.v1.Deployment("app", { metadata: { name: "app", namespace: "shop" }, spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "nginx:1.27" }] } } } }, { provider });
      new k8s.core.v1.Secret("token", { metadata: { name: "token", namespace: "shop" }, stringData: { token: pulumi.secret("hunter2") } }, { provider });
      new k8s.core.v1.Namespace("shop", { metadata: { name: "shop" } }, { provider });
      new k8s.apiextensions.v1.CustomResourceDefinition("crd", { metadata: { name: "widgets.example.com" }, spec: { group: "example.com", names: { kind: "Widget", plural: "widgets" }, scope: "Namespaced", versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object" } } }] } }, { provider });
      new k8s.apiextensions.CustomResource("w", { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w", namespace: "shop" } }, { provider });
      new k8s.core.v1.ConfigMap("loose", { metadata: { name: "loose", namespace: "default" }, data: {} });
    });
    const files = renderManifests(result.resources);
    expect(files.filter((f) => f.cluster === "east").map((f) => f.file)).toEqual([
      "001-namespace-shop.yaml",
      "002-customresourcedefinition-widgets.example.com.yaml",
      "003-secret-shop-token.yaml",
      "004-deployment-shop-app.yaml",
      "005-widget-shop-w.yaml",
    ]);
    expect(files.filter((f) => f.cluster === "_default").map((f) => f.file)).toEqual(["001-configmap-default-loose.yaml"]);
    const secret = files.find((f) => f.file.includes("secret"))!;
    const text = manifestYaml(secret.object);
    expect(text).not.toContain("hunter2");
    expect(parse(text)).toMatchObject({ apiVersion: "v1", kind: "Secret", metadata: { name: "token", namespace: "shop" }, stringData: "[secret]" });
    expect(JSON.stringify(result.resources)).not.toContain("kind: Config");
  });
});
