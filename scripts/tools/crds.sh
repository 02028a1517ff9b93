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
# (aws_provider_version) and configuration/package/crossplane.yaml pin the same one.
# renovate: datasource=go depName=github.com/upbound/provider-aws/v2
PROVIDER_AWS_VERSION=v2.7.0
# The Crossplane version of scripts/tools/go/crossplane-core/go.mod (the core).
# renovate: datasource=go depName=github.com/crossplane/crossplane/v2
CROSSPLANE_VERSION=v2.4.0
# Family members we compose from; "family" is provider-family-aws (ProviderConfig kinds).
# Generated from packages/function-eks-cluster/src/ground/composed-kinds.ts (npm run gen-api -w function-eks-cluster).
MEMBERS="ec2 eks iam kms cloudwatchlogs sqs cloudwatchevents amp"

# Each part is extracted on its own, with its own stamp, and only its own folder
# is replaced: adding a member never empties the CRDs another checkout reads.
out=.tools/crds
mkdir -p "$out/provider-aws"
# Stamps beside the folders, not in them: the folders are read as packages of CRDs.
stamp() { echo "$out/.stamp-$(echo "${1#"$out"/}" | tr / -)"; }
fresh() { [ ! -d "$1" ] || [ "$(cat "$(stamp "$1")" 2>/dev/null)" != "$2" ]; }
done_part() { chmod -R u+w "$1"; echo "$2" > "$(stamp "$1")"; }
provider_dir() { [ -n "${provider:-}" ] || provider=$(go_module Dir "github.com/upbound/provider-aws/v2@$PROVIDER_AWS_VERSION"); }
core_dir() { [ -n "${core:-}" ] || core=$(go_module Dir "github.com/crossplane/crossplane/v2@$CROSSPLANE_VERSION"); }

# Namespaced (.m.) kinds only: Crossplane v2 composes those into the XR's namespace.
for member in family $MEMBERS; do
  dir="$out/provider-aws/$member"
  want="provider-aws=$PROVIDER_AWS_VERSION"
  fresh "$dir" "$want" || continue
  echo "tools: extracting provider-aws $member CRDs ($PROVIDER_AWS_VERSION)"
  provider_dir
  rm -rf "$dir" && mkdir -p "$dir"
  if [ "$member" = family ]; then
    cp "$provider"/package/crds/aws.m.upbound.io_*.yaml "$dir/"
  else
    cp "$provider"/package/crds/"$member".aws.m.upbound.io_*.yaml "$dir/"
  fi
  done_part "$dir" "$want"
done
# The template of every member's package metadata (crossplane.yaml: capabilities such
# as SafeStart, the family label and dependency), for the e2e's provider packages.
dir="$out/provider-aws-meta"
want="provider-aws=$PROVIDER_AWS_VERSION"
if fresh "$dir" "$want"; then
  echo "tools: extracting provider-aws package metadata template ($PROVIDER_AWS_VERSION)"
  provider_dir
  rm -rf "$dir" && mkdir -p "$dir"
  cp "$provider"/package/crossplane.yaml.tmpl "$dir/"
  done_part "$dir" "$want"
fi
want="crossplane=$CROSSPLANE_VERSION"
if fresh "$out/crossplane" "$want" || fresh "$out/webhooks" "$want"; then
  echo "tools: extracting Crossplane CRDs ($CROSSPLANE_VERSION)"
  core_dir
  rm -rf "$out/crossplane" "$out/webhooks" && mkdir -p "$out/crossplane" "$out/webhooks"
  cp "$core"/cluster/crds/*.yaml "$out/crossplane/"
  cp "$core"/cluster/webhookconfigurations/*.yaml "$out/webhooks/"
  done_part "$out/crossplane" "$want"
  done_part "$out/webhooks" "$want"
fi
