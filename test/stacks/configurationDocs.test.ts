import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configKeys, renderConfigurationDocs } from "../../stacks/config/docs";

describe("docs/configuration.md", () => {
  it("is what the schema generates (regenerate: npx ts-node -T -e 'process.stdout.write(require(\"./stacks/config/docs\").renderConfigurationDocs())' > docs/configuration.md)", () => {
    expect(readFileSync(join(__dirname, "../../docs/configuration.md"), "utf8")).toBe(renderConfigurationDocs());
  });

  it("documents every key with a meaning, including the ones the shipped stacks use", () => {
    const keys = configKeys();
    expect(keys.filter((k) => k.description === "").map((k) => k.path)).toEqual([]);
    const paths = new Set(keys.map((k) => k.path));
    for (const path of ["clusters[].network.topology", "clusters[].cni.nodeCidrPrefixLength", "clusterSet.erieCanal.gatewayTls", "clusterSet.services[].exporters[].weight", "policy.overrides"]) expect(paths).toContain(path);
    expect(keys.find((k) => k.path === "clusters[].network.topology")).toMatchObject({ type: "`vxlan` \\| `ipip-crosssubnet` \\| `native-vpc`", default: "vxlan" });
  });
});
