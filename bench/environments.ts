/**
 * Generated environments for benchmarks: N clusters (spread over two regions) as a stack config,
 * so the real `defineStack` program evaluates them.
 */

/** A stack config (flat `canalkit:` map) with `clusters` clusters. */
export function generatedStackConfig(clusters: number): Record<string, string> {
  const list = Array.from({ length: clusters }, (_, i) => ({
    name: `c${i}`,
    region: i % 2 === 0 ? "us-east-1" : "us-west-2",
    availabilityZones: i % 2 === 0 ? ["us-east-1a", "us-east-1b"] : ["us-west-2a", "us-west-2b"],
    // 10.<i>.0.0/16 keeps every VPC distinct up to 250 clusters.
    network: { vpcCidr: `10.${i}.0.0/16`, podCidr: "100.64.0.0/16", serviceCidr: "172.20.0.0/16", natStrategy: "single" },
    eks: { nodeGroups: [{ name: "general", minSize: 1, maxSize: 3, desiredSize: 1 }] },
  }));
  return {
    "canalkit:environment": "dev",
    "canalkit:owner": "bench",
    "canalkit:clusters": JSON.stringify(list),
  };
}
