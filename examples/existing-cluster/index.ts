/**
 * canalkit inside a project you already have: the cluster exists (created elsewhere, by eksctl,
 * kubeadm or another stack), you state a few facts about it, and canalkit installs Canal sized to
 * them. On EKS it can also remove the Amazon VPC CNI first (`removeAmazonVpcCni`).
 */
import * as pulumi from "@pulumi/pulumi";
import { Canal, ExistingCluster } from "canalkit";

const config = new pulumi.Config();

const cluster = new ExistingCluster("lab", {
  // A secret: `pulumi config set --secret kubeconfig "$(cat ~/.kube/config)"`.
  kubeconfig: config.requireSecret("kubeconfig"),
  isEks: config.getBoolean("isEks") ?? false,
  removeAmazonVpcCni: config.getBoolean("removeAmazonVpcCni") ?? false,
  topology: "vxlan",
  podCidr: config.get("podCidr") ?? "10.244.0.0/16",
  serviceCidr: config.get("serviceCidr") ?? "10.96.0.0/12",
  // The underlay MTU minus VXLAN's 50 bytes: 1450 on a 1500-byte network, 8951 inside an AWS VPC.
  podMtu: config.getNumber("podMtu") ?? 1450,
});

const canal = new Canal("lab-canal", { cluster, interface: config.get("interface") });

/** What Canal was configured with, for review. */
export const canalSettings = { topology: canal.plan.settings.topology, vethMtu: canal.plan.settings.podMtu, nodePodCidrAllocator: canal.plan.settings.nodePodCidrAllocator };
