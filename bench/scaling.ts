/** How the generated stacks grow with the number of clusters. */

/**
 * Resources per added cluster, from the sizes with the same number of services (three clusters or
 * more): the slope between consecutive sizes, and whether it stays constant (a linear stack) or
 * grows (pairwise resources).
 */
export function resourcesPerCluster(samples: { clusters: number; services: number; resources: number }[]): string {
  // Below three clusters the generated services fold onto fewer clusters (an exporter is also the
  // consumer), and one cluster has one Region: those sizes are not on the line.
  const sameServices = samples.filter((s) => s.services === samples[0]!.services && s.clusters >= 3).sort((a, b) => a.clusters - b.clusters);
  if (sameServices.length < 2) return "";
  const slopes = sameServices.slice(1).map((s, i) => (s.resources - sameServices[i]!.resources) / (s.clusters - sameServices[i]!.clusters));
  const first = sameServices[0]!;
  const slope = slopes[slopes.length - 1]!;
  const constant = slopes.every((x) => Math.abs(x - slope) < 1e-9);
  return (
    `Resources per added cluster (${first.services} services): ${slopes.map((x) => x.toFixed(1)).join(", ")} between consecutive sizes — ` +
    (constant ? `constant: resources = ${(first.resources - slope * first.clusters).toFixed(0)} + ${slope.toFixed(0)}·C.` : "not constant (pairwise resources remain).")
  );
}
