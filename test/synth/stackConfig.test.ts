import { describe, expect, it } from "vitest";
import { offlineSecretValue, parseStackConfig } from "../../synth/stackConfig";

describe("stack config files", () => {
  it("flattens keys as PULUMI_CONFIG carries them, JSON-encoding structured values", () => {
    const flat = parseStackConfig(
      "config:\n  canalkit:owner: me\n  environment: dev\n  aws:region: us-east-1\n  canalkit:clusters:\n    - name: a\n",
      "canalkit",
      "f",
    );
    expect(flat.values).toEqual({ "canalkit:owner": "me", "canalkit:environment": "dev", "aws:region": "us-east-1", "canalkit:clusters": '[{"name":"a"}]' });
    expect(flat.secretKeys).toEqual([]);
  });

  it("turns encrypted secure: values into marked offline secrets", () => {
    const flat = parseStackConfig("config:\n  canalkit:token:\n    secure: AAABAxyz\n", "canalkit", "f");
    expect(flat.values["canalkit:token"]).toBe(offlineSecretValue("canalkit:token"));
    expect(flat.secretKeys).toEqual(["canalkit:token"]);
  });

  it("says which file is broken", () => {
    expect(() => parseStackConfig("config: [1, 2]", "canalkit", "stacks/Pulumi.x.yaml")).toThrow(/stacks\/Pulumi\.x\.yaml: 'config' must be a map/);
    expect(() => parseStackConfig("config: {a: [", "canalkit", "bad.yaml")).toThrow(/bad\.yaml: not valid YAML/);
    // The parser quotes the lines around a syntax error; a credential there must not be echoed.
    const text = "config:\n  canalkit:token: AKIAIOSFODNN7EXAMPLE: x: y\n";
    expect(() => parseStackConfig(text, "canalkit", "leaky.yaml")).toThrow(/^leaky\.yaml: not valid YAML: .*line \d+, column \d+$/);
    expect(() => parseStackConfig(text, "canalkit", "leaky.yaml")).not.toThrow(/AKIA/);
  });
});
