/**
 * Which stack-config entries a refused registration comes from. The kit names resources after
 * config values (a service `demo/echo` becomes `demo-echo`), so when the engine would refuse a
 * duplicate URN, the entries to fix are two entries of one config list that carry the same
 * identifying values and whose values make up the resource's name.
 */

/** The fields that identify an entry of a config list, in the order names are built from them. */
const IDENTITY_FIELDS = ["namespace", "name", "cluster", "clusterName"];

/** An entry of a config list, by the path the stack file spells (`clusterSet.services[1]`). */
interface Entry {
  path: string;
  identity: Record<string, string>;
}

function collectLists(value: unknown, path: string, out: Entry[][]): void {
  if (Array.isArray(value)) {
    const entries: Entry[] = [];
    value.forEach((item, i) => {
      if (item && typeof item === "object" && !Array.isArray(item)) {
        const identity = Object.fromEntries(IDENTITY_FIELDS.filter((f) => typeof (item as Record<string, unknown>)[f] === "string").map((f) => [f, (item as Record<string, string>)[f]!]));
        if (Object.keys(identity).length > 0) entries.push({ path: `${path}[${i}]`, identity });
      }
      collectLists(item, `${path}[${i}]`, out);
    });
    if (entries.length > 1) out.push(entries);
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) collectLists(v, path ? `${path}.${k}` : k, out);
  }
}

/**
 * Returns a sentence naming the repeated config entries behind a resource name, with the key
 * prefix the stack file uses (`canalkit:`), or undefined when no config entry explains it.
 */
export function explainDuplicateName(raw: Record<string, unknown>, resourceName: string, prefix = "canalkit:"): string | undefined {
  const lists: Entry[][] = [];
  collectLists(raw, "", lists);
  for (const entries of lists) {
    const seen = new Map<string, Entry>();
    for (const e of entries) {
      const values = Object.values(e.identity);
      // Only entries whose identifying values all appear in the resource's name can have made it.
      if (!values.every((v) => resourceName.includes(v))) continue;
      const key = JSON.stringify(e.identity);
      const first = seen.get(key);
      if (first) {
        const fields = Object.entries(e.identity).map(([k, v]) => `${k} '${v}'`).join(", ");
        return `It comes from the stack config: ${prefix}${e.path} repeats ${prefix}${first.path} (${fields}); remove the repeated entry or give it a distinct ${Object.keys(e.identity).join("/")}.`;
      }
      seen.set(key, e);
    }
  }
  return undefined;
}
