/** Helpers for policy tests: a policy's messages over synthesized resources, and resources edited as drift would leave them. */
import { runPolicies } from "../../policies/offline";
import type { SynthResource } from "../../synth/engine";

/** The messages one policy reports over `resources` (prod enforcement unless `options` say otherwise). */
export async function violations(resources: SynthResource[], policy: string, options: Partial<Parameters<typeof runPolicies>[1]> = {}): Promise<string[]> {
  const report = await runPolicies(resources, { environment: "prod", ...options });
  return report.violations.filter((v) => v.policy === policy).map((v) => v.message);
}

/**
 * Edits the synthesized resources matching `pick` as a drifted or hand-written resource would look:
 * its inputs, and for a component also the outputs it registered (what stack policies read).
 */
export function edit(resources: SynthResource[], pick: (r: SynthResource) => boolean, change: (inputs: Record<string, any>) => void): SynthResource[] {
  return resources.map((r) => {
    if (!pick(r)) return r;
    const inputs = structuredClone(r.inputs) as Record<string, any>;
    change(inputs);
    if (r.custom) return { ...r, inputs };
    const outputs = structuredClone(r.outputs) as Record<string, any>;
    change(outputs);
    return { ...r, inputs, outputs };
  });
}
