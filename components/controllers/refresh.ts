/**
 * What `pulumi refresh` does when a controller cannot read its cluster (deleted, or its API server
 * unreachable): the resource keeps its last recorded state, with a `warning` saying why, instead of
 * failing the refresh — a failed read would block `pulumi refresh` and `pulumi destroy --refresh`
 * for the whole stack. The warning is redacted like every controller message, and cleared by the
 * next read that succeeds.
 */
import { credentialValues, redact } from "./redact";

/** The read's result, or the last state with a warning when the read failed. */
export async function readOrKeepLast<P extends object>(kind: string, id: string, props: P, kubeconfigs: readonly (string | undefined)[], read: () => Promise<P>): Promise<{ id: string; props: P & { warning?: string } }> {
  try {
    const current = await read();
    return { id, props: { ...current, warning: "" } };
  } catch (error) {
    const why = redact(String((error as Error)?.message ?? error).split("\n")[0]!, credentialValues(kubeconfigs));
    const warning =
      `${kind} ${id}: refresh could not read the cluster (${why}); kept the last recorded state. ` +
      `If the cluster is gone for good, \`pulumi state delete\` this resource (or run \`pulumi destroy\`: deleting it needs no cluster).`;
    return { id, props: { ...props, warning } };
  }
}
