/**
 * The version of each default add-on per Kubernetes minor, so that add-ons
 * move when spec.kubernetesVersion does (eks/addons.ts). Without a version,
 * EKS picks one when the add-on is created and never changes it again.
 *
 * What belongs here: the version EKS marks as the default for that minor,
 *   aws eks describe-addon-versions --kubernetes-version 1.36 --addon-name vpc-cni \
 *     --query 'addons[].addonVersions[?compatibilities[?defaultVersion]].addonVersion'
 * Renovate keeps every entry current with its aws-eks-addon datasource (the
 * comment above each entry is its query; renovate.json's custom manager needs
 * AWS credentials allowed eks:DescribeAddonVersions). Without Renovate, run the
 * command above for each entry. A test checks that every block has every
 * default add-on, that the blocks have no gap, and that the API's default
 * kubernetesVersion has a block.
 *
 * Which minors: every one EKS supports, in standard or extended support
 * (docs/kubernetes-versions.md has the calendar and its sources). A new minor
 * gets a new block here, a minor past its end of extended support loses its
 * block: Renovate updates versions inside blocks but adds or removes none.
 *
 * Seeded on 2026-12-06 without access to the AWS API, so not from the query
 * above but from what was published:
 * - kube-proxy and coredns: the per-version add-on tables of the AWS EKS User
 *   Guide pages managing-kube-proxy and managing-coredns (the newest copies
 *   found were the ja_jp translations, which list 1.31 to 1.36 and 1.30 to
 *   1.36): the latest version of each minor, which EKS lists as compatible.
 * - vpc-cni: the User Guide's managing-vpc-cni table found stops before 1.35,
 *   so every minor gets the newest EKS build of the add-on on record,
 *   v1.22.3-eksbuild.1 (EKS 1.33 clusters, July 2026; published after 1.36).
 * - eks-pod-identity-agent: AWS publishes no per-minor table; the newest EKS
 *   build on record, v1.3.9-eksbuild.1 (aws/eks-hybrid, October 2025).
 * - metrics-server: no newer EKS build was found than v0.8.0-eksbuild.2, the
 *   one published with Kubernetes 1.34; it stays for every minor.
 * These are versions EKS lists for these minors (or the newest published,
 * where no list was found); Renovate moves each to the default from then on.
 */
import type { DEFAULT_ADDONS } from './eks-cluster.js';

export type DefaultAddon = (typeof DEFAULT_ADDONS)[number];

export const ADDON_VERSIONS: Readonly<Record<string, Readonly<Record<DefaultAddon, string>>>> = {
  '1.32': {
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.32","addonName":"vpc-cni","default":true}
    'vpc-cni': 'v1.22.3-eksbuild.1',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.32","addonName":"kube-proxy","default":true}
    'kube-proxy': 'v1.32.13-eksbuild.16',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.32","addonName":"coredns","default":true}
    coredns: 'v1.11.4-eksbuild.40',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.32","addonName":"eks-pod-identity-agent","default":true}
    'eks-pod-identity-agent': 'v1.3.9-eksbuild.1',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.32","addonName":"metrics-server","default":true}
    'metrics-server': 'v0.8.0-eksbuild.2',
  },
  '1.33': {
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.33","addonName":"vpc-cni","default":true}
    'vpc-cni': 'v1.22.3-eksbuild.1',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.33","addonName":"kube-proxy","default":true}
    'kube-proxy': 'v1.33.10-eksbuild.13',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.33","addonName":"coredns","default":true}
    coredns: 'v1.12.4-eksbuild.18',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.33","addonName":"eks-pod-identity-agent","default":true}
    'eks-pod-identity-agent': 'v1.3.9-eksbuild.1',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.33","addonName":"metrics-server","default":true}
    'metrics-server': 'v0.8.0-eksbuild.2',
  },
  '1.34': {
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.34","addonName":"vpc-cni","default":true}
    'vpc-cni': 'v1.22.3-eksbuild.1',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.34","addonName":"kube-proxy","default":true}
    'kube-proxy': 'v1.34.6-eksbuild.13',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.34","addonName":"coredns","default":true}
    coredns: 'v1.13.2-eksbuild.11',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.34","addonName":"eks-pod-identity-agent","default":true}
    'eks-pod-identity-agent': 'v1.3.9-eksbuild.1',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.34","addonName":"metrics-server","default":true}
    'metrics-server': 'v0.8.0-eksbuild.2',
  },
  '1.35': {
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.35","addonName":"vpc-cni","default":true}
    'vpc-cni': 'v1.22.3-eksbuild.1',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.35","addonName":"kube-proxy","default":true}
    'kube-proxy': 'v1.35.3-eksbuild.13',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.35","addonName":"coredns","default":true}
    coredns: 'v1.14.3-eksbuild.3',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.35","addonName":"eks-pod-identity-agent","default":true}
    'eks-pod-identity-agent': 'v1.3.9-eksbuild.1',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.35","addonName":"metrics-server","default":true}
    'metrics-server': 'v0.8.0-eksbuild.2',
  },
  '1.36': {
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.36","addonName":"vpc-cni","default":true}
    'vpc-cni': 'v1.22.3-eksbuild.1',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.36","addonName":"kube-proxy","default":true}
    'kube-proxy': 'v1.36.0-eksbuild.14',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.36","addonName":"coredns","default":true}
    coredns: 'v1.14.3-eksbuild.3',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.36","addonName":"eks-pod-identity-agent","default":true}
    'eks-pod-identity-agent': 'v1.3.9-eksbuild.1',
    // renovate: eksAddonsFilter={"kubernetesVersion":"1.36","addonName":"metrics-server","default":true}
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
