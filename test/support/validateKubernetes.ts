/**
 * Validates Kubernetes objects against the Kubernetes OpenAPI schema with `kubernetes-models`
 * (its generated validators), so tests catch any object the API server would reject.
 */

/** The kubernetes-models module path of an object's kind, e.g. `apps/v1/DaemonSet`. */
function modelPath(apiVersion: string, kind: string): string {
  return `kubernetes-models/${apiVersion.includes("/") ? apiVersion : `v1`}/${kind}`;
}

/** Validates one object; throws with the object's identity and the schema errors. */
export async function validateKubernetesObject(object: Record<string, any>): Promise<void> {
  const path = modelPath(object["apiVersion"], object["kind"]);
  let mod: Record<string, any>;
  try {
    mod = await import(path);
  } catch {
    throw new Error(`no kubernetes-models schema for ${object["apiVersion"]} ${object["kind"]}`);
  }
  const Model = mod[object["kind"]];
  try {
    new Model(object).validate();
  } catch (e) {
    throw new Error(`${object["kind"]} ${object["metadata"]?.["namespace"] ?? ""}/${object["metadata"]?.["name"]}: ${(e as Error).message}`);
  }
}

/** Validates every object. */
export async function validateKubernetesObjects(objects: Record<string, any>[]): Promise<void> {
  for (const object of objects) await validateKubernetesObject(object);
}
