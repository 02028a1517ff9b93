#!/usr/bin/env bash
# CRDs the validate and end-to-end tests read, from the pinned Go modules (never
# committed): the provider-aws CRDs of each family member configuration/
# crossplane.yaml depends on, plus the family's own ProviderConfig kinds, into
# .tools/crds/provider-aws/<member>/; Crossplane's own CRDs (Usage, Function,
# Configuration, ...) from the core module into .tools/crds/crossplane/.
# Crossplane's Usage webhook configuration (cluster/webhookconfigurations) goes
# to .tools/crds/webhooks/ for the end-to-end test, which registers it itself.
# Skipped when the stamp matches the pinned versions.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/go-module.sh

# One version for the whole provider-aws family: flux/clusters/management/infrastructure.yaml
# (aws_provider_version) and configuration/crossplane.yaml pin the same one.
# renovate: datasource=go depName=github.com/upbound/provider-aws/v2
PROVIDER_AWS_VERSION=v2.7.0
# The Crossplane version of scripts/tools/crossplane-core.sh.
# renovate: datasource=go depName=github.com/crossplane/crossplane/v2
CROSSPLANE_VERSION=v2.4.0
# Family members we compose from; "family" is provider-family-aws (ProviderConfig kinds).
MEMBERS="ec2 eks iam kms cloudwatchlogs"

out=.tools/crds
want="provider-aws=$PROVIDER_AWS_VERSION crossplane=$CROSSPLANE_VERSION members=$MEMBERS webhooks"
if [ "$(cat "$out/.stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
echo "tools: extracting CRDs ($want)"
provider=$(go_module Dir "github.com/upbound/provider-aws/v2@$PROVIDER_AWS_VERSION")
core=$(go_module Dir "github.com/crossplane/crossplane/v2@$CROSSPLANE_VERSION")

# Files are copied over what is there, never removed: other tools keep CRDs in
# $out too (.tools/crds/flux), and a checkout pinning other members must not
# take away the folders of another that shares the tools cache.
mkdir -p "$out/provider-aws/family" "$out/crossplane"
# Namespaced (.m.) kinds only: Crossplane v2 composes those into the XR's namespace.
cp "$provider"/package/crds/aws.m.upbound.io_*.yaml "$out/provider-aws/family/"
for member in $MEMBERS; do
  mkdir -p "$out/provider-aws/$member"
  cp "$provider"/package/crds/"$member".aws.m.upbound.io_*.yaml "$out/provider-aws/$member/"
done
cp "$core"/cluster/crds/*.yaml "$out/crossplane/"
mkdir -p "$out/webhooks"
cp "$core"/cluster/webhookconfigurations/*.yaml "$out/webhooks/"
chmod -R u+w "$out"
echo "$want" > "$out/.stamp"
