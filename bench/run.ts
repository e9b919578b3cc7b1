/**
 * `npm run bench`: runs the benchmarks and writes bench/RESULTS.md with the machine, the command
 * and the numbers. `--smoke` runs tiny sizes and writes nothing (used by the test suite so the
 * benchmarks never rot).
 */
import { cpus, tmpdir, totalmem } from "node:os";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runSynth } from "../synth/runStack";
import { evaluationTable, measureEvaluation, type EvaluationSample } from "./evaluation";
import { graphShape, type GraphShape } from "./graph";
import { measurePolicies, policyTable, type PolicySample } from "./policyScaling";

/** What the numbers say: the kit/floor ratio range and whether cost per resource stays flat. */
function summarize(samples: EvaluationSample[]): string {
  const ratios = samples.map((s) => s.kitMs / s.floorMs);
  const perResource = samples.map((s) => s.kitMs / s.resources);
  const first = perResource[0]!;
  const last = perResource[perResource.length - 1]!;
  return [
    `Kit / floor ranges from ${Math.min(...ratios).toFixed(2)} to ${Math.max(...ratios).toFixed(2)} (target ≤ 1.5).`,
    `Cost per resource goes from ${first.toFixed(2)} ms to ${last.toFixed(2)} ms as the stack grows ${(samples[samples.length - 1]!.resources / samples[0]!.resources).toFixed(0)}×`,
    `(${last <= first * 1.25 ? "flat: growth is linear" : "rising: growth is worse than linear"}).`,
  ].join(" ");
}

/** Whether the pack's cost per resource stayed flat while the stack grew. */
function summarizePolicies(samples: PolicySample[]): string {
  const per = samples.map((s) => s.ms / s.resources);
  const growth = samples[samples.length - 1]!.resources / samples[0]!.resources;
  const ratio = per[per.length - 1]! / per[0]!;
  return `The stack grew ${growth.toFixed(1)}×; time per resource changed ${ratio.toFixed(2)}× (${ratio <= 1.5 ? "linear" : "worse than linear"}).`;
}

/** The critical path of the prod stack, step by step. */
function graphSection(shape: GraphShape): string {
  return [
    `Custom resources: ${shape.resources}, dependency edges: ${shape.edges}. Critical path: **${shape.criticalPath}** resources; widest level: ${shape.width} resources that can be created together.`,
    "",
    "The longest chain, first to last:",
    "",
    ...shape.chain.map((step, i) => `${i + 1}. \`${step}\``),
  ].join("\n");
}

async function main(): Promise<void> {
  const smoke = process.argv.includes("--smoke");
  const sizes = smoke ? [1, 2] : [1, 5, 10, 25, 50];
  const samples = measureEvaluation(sizes);
  const table = evaluationTable(samples);
  const policies = await measurePolicies(smoke ? [1, 2] : [5, 50]);
  const synthStart = process.hrtime.bigint();
  const prod = await runSynth({ stack: "prod", outDir: mkdtempSync(join(tmpdir(), "canalkit-bench-")) });
  const synthMs = Number(process.hrtime.bigint() - synthStart) / 1e6;
  const shape = graphShape(prod.result.resources);
  if (smoke) {
    console.log([table, policyTable(policies), graphSection(shape), `synth prod: ${synthMs.toFixed(0)} ms`].join("\n\n"));
    return;
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  const text = [
    "# Benchmark results",
    "",
    `Machine: ${machine}. Command: \`npm run bench\`. Each row is one fresh process per program.`,
    "",
    "## 1. Program evaluation under the SDK's mocks (kit vs floor)",
    "",
    "The kit evaluates the real `defineStack` for a generated stack of N clusters (network, EKS, Canal);",
    "the floor registers the same number of plain resources directly with the SDK.",
    "",
    table,
    "",
    summarize(samples),
    "",
    "Where the time goes (`node --cpu-prof dist/bench/evaluationWorker.js kit 10`, 913 resources):",
    "about a third is the SDK's per-promise debugging — `debuggablePromise` records `new Error().stack`",
    "for every promise, and formatting those stacks (`prepareStackTrace`) is the largest single cost —",
    "a fifth is garbage collection, a seventh is loading modules (`@pulumi/aws` and",
    "`@pulumi/kubernetes` are large), and the SDK's serialization of resource inputs follows: the",
    "kit's resources carry real inputs (CRD schemas, DaemonSets, security-group rules) where the floor's",
    "carry two numbers. The kit's own code (planning, validation, object building) is under 5 %. With",
    "`--stack-trace-limit=1` both programs run ≈30 % faster and the ratio stays ≈3: the gap to the floor",
    "is input volume and Output plumbing per resource, which the SDK pays, not kit logic. The 1.5× target",
    "is not met; growth is linear.",
    "",
    "## 2. The policy pack as the stack grows",
    "",
    "All 21 policies over the synthesized resources of generated stacks (warmed up, best of five runs each).",
    "",
    policyTable(policies),
    "",
    summarizePolicies(policies),
    "",
    "Changed in this run: the offline runner awaited every (synchronous) rule for every resource, a",
    "microtask each — 15 resource rules × N resources; it now awaits only rules that return a promise,",
    "which cut the pack's time at 40 clusters by about a third. Each measurement starts from a",
    "collected heap, so a larger stack is not charged for the garbage of the smaller ones (without",
    "that, the per-resource cost seemed to rise 1.5× from 5 to 50 clusters). Stack-level rules index",
    "the stack once (`indexStack`); the only pairwise check is VPC overlap across clusters (C²/2 pairs",
    "for C clusters, negligible next to the resources).",
    "",
    "## 3. The deployment graph of the prod stack",
    "",
    graphSection(shape),
    "",
    "Every step is a real dependency: IAM before the EKS cluster, the control plane before kube-proxy,",
    "the cluster's ready resources (node groups and add-ons) before Canal's objects, Canal before",
    "ErieCanal's workloads (pods need addresses), ErieCanal's manager before the flomesh.io objects",
    "its fail-closed webhooks admit, the member's token before its `Cluster` on the control plane, the",
    "joins before the services are verified. This run removed two artificial edges: ErieCanal's",
    "declarations (namespace, CRDs, RBAC, config) no longer wait for the CNI, and the control plane's",
    "access objects in each member wait for ErieCanal's namespace instead of its manager. One remains",
    "by design of `KitCluster.readyResources`: Canal's declarations (CRDs, RBAC) wait for node groups",
    "and add-ons although they need only the API server; splitting API-ready from node-ready would",
    "shorten the path by the node-group creation time.",
    "",
    "## 4. Controllers against the local API servers",
    "",
    "Measured by the controller tests rather than here (`npx vitest run test/controllers`): a no-op",
    "reconcile of every controller makes reads only — the servers' request logs show zero writes",
    "(`does no writes…`, `…a reconcile with no change writes nothing`); a changed service writes one",
    "annotation per exporter; a VPC route change writes one call per changed route. Request counts",
    "per N services × M clusters are not tabulated yet.",
    "",
    "## 5. Synth end-to-end for prod",
    "",
    `\`canalkit synth --stack prod\` in process (program, manifests, diagram, policy report): ${synthMs.toFixed(0)} ms for ${prod.result.resources.length} resources and ${prod.written.length} files.`,
    "",
  ].join("\n");
  writeFileSync(join(__dirname, "..", "..", "bench", "RESULTS.md"), text);
  console.log(text);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
