/**
 * The version of each default add-on per Kubernetes minor, so that add-ons
 * move when spec.kubernetesVersion does (eks/addons.ts). Without a version,
 * EKS picks one when the add-on is created and never changes it again.
 *
 * What belongs here: the version EKS marks as the default for that minor,
 *   aws eks describe-addon-versions --kubernetes-version 1.34 --addon-name vpc-cni \
 *     --query 'addons[].addonVersions[?compatibilities[?defaultVersion]].addonVersion'
 * Renovate keeps every entry current with its aws-eks-addon datasource (the
 * comment above each entry is its query; renovate.json's custom manager needs
 * AWS credentials allowed eks:DescribeAddonVersions). Without Renovate, run the
 * command above for each entry. A new Kubernetes minor gets a new block here;
 * a test checks that every block has every default add-on and that the API's
 * default kubernetesVersion has a block.
 *
 * Seeded on 2026-11-30 without access to the AWS API, from the AWS EKS User
 * Guide's per-version add-on tables (managing-vpc-cni, managing-kube-proxy,
 * managing-coredns) as of the Kubernetes 1.34 release, and the add-on versions
 * of eks-pod-identity-agent and metrics-server published with it: these are
 * versions EKS lists as compatible with each minor, and Renovate moves each to
 * the default from then on.
 */
import type { DEFAULT_ADDONS } from './eks-cluster.js';

export type DefaultAddon = (typeof DEFAULT_ADDONS)[number];

export const ADDON_VERSIONS: Readonly<Record<string, Readonly<Record<DefaultAddon, string>>>> = {
  '1.30': {
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.30","addonName":"vpc-cni","default":true}
    'vpc-cni': 'v1.20.4-eksbuild.1',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.30","addonName":"kube-proxy","default":true}
    'kube-proxy': 'v1.30.14-eksbuild.8',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.30","addonName":"coredns","default":true}
    coredns: 'v1.11.4-eksbuild.24',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.30","addonName":"eks-pod-identity-agent","default":true}
    'eks-pod-identity-agent': 'v1.3.8-eksbuild.2',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.30","addonName":"metrics-server","default":true}
    'metrics-server': 'v0.8.0-eksbuild.2',
  },
  '1.31': {
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.31","addonName":"vpc-cni","default":true}
    'vpc-cni': 'v1.20.4-eksbuild.1',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.31","addonName":"kube-proxy","default":true}
    'kube-proxy': 'v1.31.13-eksbuild.2',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.31","addonName":"coredns","default":true}
    coredns: 'v1.11.4-eksbuild.24',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.31","addonName":"eks-pod-identity-agent","default":true}
    'eks-pod-identity-agent': 'v1.3.8-eksbuild.2',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.31","addonName":"metrics-server","default":true}
    'metrics-server': 'v0.8.0-eksbuild.2',
  },
  '1.32': {
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.32","addonName":"vpc-cni","default":true}
    'vpc-cni': 'v1.20.4-eksbuild.1',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.32","addonName":"kube-proxy","default":true}
    'kube-proxy': 'v1.32.9-eksbuild.2',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.32","addonName":"coredns","default":true}
    coredns: 'v1.11.4-eksbuild.24',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.32","addonName":"eks-pod-identity-agent","default":true}
    'eks-pod-identity-agent': 'v1.3.8-eksbuild.2',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.32","addonName":"metrics-server","default":true}
    'metrics-server': 'v0.8.0-eksbuild.2',
  },
  '1.33': {
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.33","addonName":"vpc-cni","default":true}
    'vpc-cni': 'v1.20.4-eksbuild.1',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.33","addonName":"kube-proxy","default":true}
    'kube-proxy': 'v1.33.5-eksbuild.2',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.33","addonName":"coredns","default":true}
    coredns: 'v1.12.4-eksbuild.1',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.33","addonName":"eks-pod-identity-agent","default":true}
    'eks-pod-identity-agent': 'v1.3.8-eksbuild.2',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.33","addonName":"metrics-server","default":true}
    'metrics-server': 'v0.8.0-eksbuild.2',
  },
  '1.34': {
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.34","addonName":"vpc-cni","default":true}
    'vpc-cni': 'v1.20.4-eksbuild.1',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.34","addonName":"kube-proxy","default":true}
    'kube-proxy': 'v1.34.1-eksbuild.2',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.34","addonName":"coredns","default":true}
    coredns: 'v1.12.4-eksbuild.1',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.34","addonName":"eks-pod-identity-agent","default":true}
    'eks-pod-identity-agent': 'v1.3.8-eksbuild.2',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.34","addonName":"metrics-server","default":true}
    'metrics-server': 'v0.8.0-eksbuild.2',
  },
};

/** The Kubernetes minors the table covers, oldest first. */
export const MAINTAINED_MINORS: readonly string[] = Object.keys(ADDON_VERSIONS).sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));

/** The maintained version of a default add-on for a Kubernetes minor; undefined for other add-ons or minors. */
export function maintainedAddonVersion(addonName: string, kubernetesMinor: string): string | undefined {
  if (!Object.hasOwn(ADDON_VERSIONS, kubernetesMinor)) return undefined;
  const row: Readonly<Record<string, string>> = ADDON_VERSIONS[kubernetesMinor]!;
  return Object.hasOwn(row, addonName) ? row[addonName] : undefined;
}
