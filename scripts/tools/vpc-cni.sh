#!/usr/bin/env bash
# The VPC CNI's CRDs (ENIConfig and PolicyEndpoint), at the vpc-cni add-on
# version the function installs, from the Go module proxy (the CNI's repository
# is its Go module): charts/aws-vpc-cni/crds into .tools/crds/vpc-cni, so the flux tests render
# apps/pod-networking's chart and the end-to-end run installs its ENIConfigs
# into a workload API server that serves the kind, as an EKS cluster's vpc-cni
# add-on does. Skipped when it is there at the pinned version.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/go-module.sh

# renovate: datasource=go depName=github.com/aws/amazon-vpc-cni-k8s
VPC_CNI_VERSION=v1.22.3
module=github.com/aws/amazon-vpc-cni-k8s

# One version for the add-on the function installs and the CRD read here.
versions=packages/function-eks-cluster/src/api/addon-versions.ts
if ! grep -q "'vpc-cni': '$VPC_CNI_VERSION-eksbuild" "$versions"; then
  echo "tools: ERROR: $versions installs no vpc-cni $VPC_CNI_VERSION, which scripts/tools/vpc-cni.sh pins; keep them at one version" >&2
  exit 1
fi

crds=.tools/crds/vpc-cni
if [ "$(cat "$crds/.stamp" 2>/dev/null)" = "$VPC_CNI_VERSION customresourcedefinition.yaml" ]; then
  exit 0
fi
echo "tools: VPC CNI $VPC_CNI_VERSION: its CRDs"
zip=$(go_module Zip "$module@$VPC_CNI_VERSION")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$module@$VPC_CNI_VERSION"
unzip -q "$zip" "$root/charts/aws-vpc-cni/crds/customresourcedefinition.yaml" -d "$work"
rm -rf "$crds"
mkdir -p "$crds"
cp "$work/$root/charts/aws-vpc-cni/crds/customresourcedefinition.yaml" "$crds/"
echo "$VPC_CNI_VERSION customresourcedefinition.yaml" > "$crds/.stamp"
