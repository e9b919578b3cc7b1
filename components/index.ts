/**
 * canalkit: typed Pulumi components for Kubernetes clusters on AWS networked with Canal.
 * Each layer lives in its own module; this entry re-exports them.
 */
export * from "./errors";
export * from "./network";
export * from "./cluster";
export * from "./cni";
export * from "./multicluster";
export * from "./tls";
export * from "./controllers";
