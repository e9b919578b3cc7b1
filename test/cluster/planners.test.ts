import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { renderEksKubeconfig, validateEndpointAccess, validateKubernetesVersion, validateNodeGroups } from "../../components/cluster";

describe("cluster planners", () => {
  it("renders a kubeconfig that authenticates with aws eks get-token and holds no credential", () => {
    const kc = parse(renderEksKubeconfig({ clusterName: "east", endpoint: "https://x.eks.amazonaws.com", certificateAuthorityData: "Q0E=", region: "us-east-1" }));
    expect(kc["current-context"]).toBe("east");
    expect(kc.clusters[0].cluster).toEqual({ server: "https://x.eks.amazonaws.com", "certificate-authority-data": "Q0E=" });
    expect(kc.users[0].user.exec).toMatchObject({ command: "aws", args: ["eks", "get-token", "--cluster-name", "east", "--region", "us-east-1", "--output", "json"] });
    expect(JSON.stringify(kc)).not.toMatch(/token"\s*:/);
  });

  it("validates endpoint exposure", () => {
    expect(validateEndpointAccess("eks.endpoint", {})).toEqual({ private: true, public: false, publicAccessCidrs: [] });
    expect(() => validateEndpointAccess("eks.endpoint", { private: false, public: false })).toThrow(/turns off both/);
    expect(() => validateEndpointAccess("eks.endpoint", { public: true, publicAccessCidrs: [] })).toThrow(/eks\.endpoint\.publicAccessCidrs = \[\]/);
    expect(() => validateEndpointAccess("eks.endpoint", { public: true, publicAccessCidrs: ["0.0.0.0/0"] })).toThrow(/whole internet/);
    expect(validateEndpointAccess("eks.endpoint", { public: true, publicAccessCidrs: ["0.0.0.0/0"], allowPublicFromAnywhere: true }).public).toBe(true);
  });

  it("validates the Kubernetes version and node groups", () => {
    expect(() => validateKubernetesVersion("eks.kubernetesVersion", "1.33.2")).toThrow(/eks\.kubernetesVersion = "1\.33\.2": is not a Kubernetes minor version/);
    validateKubernetesVersion("eks.kubernetesVersion", "1.33");
    const g = { name: "a", instanceTypes: ["m6i.large"], minSize: 1, maxSize: 2, desiredSize: 1 };
    expect(validateNodeGroups("eks.nodeGroups", [g, { ...g, maxSize: 5 }].map((x, i) => ({ ...x, name: `g${i}` })), undefined)).toBe(7);
    expect(() => validateNodeGroups("eks.nodeGroups", [{ ...g, instanceTypes: [] }], undefined)).toThrow(/eks\.nodeGroups\[0\]\.instanceTypes = \[\]: is empty/);
    expect(() => validateNodeGroups("eks.nodeGroups", [g, g], undefined)).toThrow(/eks\.nodeGroups\[1\]\.name = "a": is used by another node group/);
    expect(() => validateNodeGroups("eks.nodeGroups", [], undefined)).toThrow(/at least one node group/);
  });
});
