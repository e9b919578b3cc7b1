/**
 * Versions and images of Canal. Defaults are the official Canal manifest of Calico v3.32.1 with
 * flannel v0.24.4; registries are options so mirrors work; every image is pinned.
 */
import { CanalkitInputError } from "../errors";

/** Version and registry choices. */
export interface CanalImageOptions {
  /** Calico release tag: one of `CARRIED_CALICO_VERSIONS` (`v3.32.1`). Default `v3.32.1`. */
  calicoVersion?: string;
  /** flannel release tag: one of `CARRIED_FLANNEL_VERSIONS` (`v0.24.4`). Default `v0.24.4`. */
  flannelVersion?: string;
  /** Registry for Calico images. Default `quay.io/calico`. */
  calicoRegistry?: string;
  /** Registry for the flannel image. Default `docker.io/flannel`. */
  flannelRegistry?: string;
  /** Full image references that override the computed ones (tag or digest required). */
  overrides?: Partial<Record<CanalImageName, string>>;
}

/** The images Canal runs. */
export type CanalImageName = "cni" | "node" | "kubeControllers" | "typha" | "flannel" | "nodePodCidrAllocator";

/** Default image of the node pod-CIDR allocator: the official Node.js image, pinned. */
export const DEFAULT_ALLOCATOR_IMAGE = "docker.io/library/node:20.18.1-alpine3.20";

/** Default Calico release. */
export const DEFAULT_CALICO_VERSION = "v3.32.1";
/** Default flannel release (the one Canal pins since Calico v3.29). */
export const DEFAULT_FLANNEL_VERSION = "v0.24.4";

/**
 * The Calico releases whose objects the kit carries (CRDs, RBAC, the DaemonSet's environment and
 * the CNI template, checked against that release's readers). A version knob that changed only
 * image tags would run new binaries against old objects, so other versions are refused.
 */
export const CARRIED_CALICO_VERSIONS: readonly string[] = [DEFAULT_CALICO_VERSION];
/** The flannel releases the kit carries (the one Canal's manifest pins for the carried Calico). */
export const CARRIED_FLANNEL_VERSIONS: readonly string[] = [DEFAULT_FLANNEL_VERSION];

/** Whether an image reference is pinned: a digest, or a tag other than `latest`. */
export function isPinnedImage(image: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const colon = lastSegment.lastIndexOf(":");
  if (colon < 0) return false;
  const tag = lastSegment.slice(colon + 1);
  return tag.length > 0 && tag !== "latest";
}

/** Resolves every image of Canal, refusing unpinned ones. */
export function resolveCanalImages(options: CanalImageOptions = {}): Record<CanalImageName, string> {
  const calico = options.calicoVersion ?? DEFAULT_CALICO_VERSION;
  const flannel = options.flannelVersion ?? DEFAULT_FLANNEL_VERSION;
  for (const [field, version] of [["cni.calicoVersion", calico], ["cni.flannelVersion", flannel]] as const) {
    if (!/^v\d+\.\d+\.\d+$/.test(version)) throw new CanalkitInputError(field, version, "is not a release tag", "use a tag such as v3.32.1, never latest");
  }
  for (const [field, version, carried, what] of [
    ["cni.calicoVersion", calico, CARRIED_CALICO_VERSIONS, "Calico"],
    ["cni.flannelVersion", flannel, CARRIED_FLANNEL_VERSIONS, "flannel"],
  ] as const) {
    if (!carried.includes(version)) {
      throw new CanalkitInputError(
        field,
        version,
        `is not a ${what} release this canalkit carries: it would run ${version} images with the CRDs, RBAC and configuration of ${carried.join(", ")}`,
        `use ${carried.join(" or ")} (or remove the key); other releases come with the canalkit release that carries their objects`,
      );
    }
  }
  const calicoRegistry = (options.calicoRegistry ?? "quay.io/calico").replace(/\/$/, "");
  const flannelRegistry = (options.flannelRegistry ?? "docker.io/flannel").replace(/\/$/, "");
  const images: Record<CanalImageName, string> = {
    cni: `${calicoRegistry}/cni:${calico}`,
    node: `${calicoRegistry}/node:${calico}`,
    kubeControllers: `${calicoRegistry}/kube-controllers:${calico}`,
    typha: `${calicoRegistry}/typha:${calico}`,
    flannel: `${flannelRegistry}/flannel:${flannel}`,
    nodePodCidrAllocator: DEFAULT_ALLOCATOR_IMAGE,
    ...(options.overrides ?? {}),
  };
  for (const [name, image] of Object.entries(images)) {
    if (!isPinnedImage(image)) throw new CanalkitInputError(`cni.images.${name}`, image, "is not pinned to a tag or digest", "use an explicit tag (not latest) or an @sha256 digest");
  }
  return images;
}
