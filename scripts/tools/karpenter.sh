#!/usr/bin/env bash
# Karpenter, at the release apps/karpenter pins, from the Go module proxy (the
# provider's repository is its Go module; public.ecr.aws cannot be reached here):
# - its CRDs (pkg/apis/crds) into .tools/crds/karpenter, so the flux tests
#   validate apps/karpenter's EC2NodeClass and NodePool against the CRDs of the
#   release that serves them (flux/test/lib/validate.ts installs them);
# - its chart (charts/karpenter, with those CRDs as its crds/, as the release
#   packages it; in the module the folder is a symlink, which module zips leave
#   out) as .tools/charts/karpenter-<version>.tgz, which the end-to-end run
#   pushes to its loopback OCI registry (e2e/lib/karpenter-chart.ts).
# Skipped when both are there at the pinned version.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/chart.sh

# renovate: datasource=go depName=github.com/aws/karpenter-provider-aws
KARPENTER_VERSION=v1.15.2
version=${KARPENTER_VERSION#v}
module=github.com/aws/karpenter-provider-aws

# One version for the chart Flux pins and what the tests read.
repository=apps/karpenter/repository.yaml
pinned_tag=$(sed -n 's/^ *tag: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "$repository")
if [ "$pinned_tag" != "$version" ]; then
  echo "tools: ERROR: $repository pins Karpenter chart '$pinned_tag' but scripts/tools/karpenter.sh pins '$KARPENTER_VERSION'; keep them at one version" >&2
  exit 1
fi

crds=.tools/crds/karpenter
if [ "$(cat "$crds/.stamp" 2>/dev/null)" = "$KARPENTER_VERSION" ] && chart_packaged karpenter "$version"; then
  exit 0
fi
echo "tools: Karpenter $KARPENTER_VERSION: CRDs and chart"
# The module's go.mod asks for a newer Go than may be installed, so `go mod
# download` reports an error after it has downloaded and verified the zip
# against go.sum's database; only the zip is used.
zip=$({ go mod download -json "$module@$KARPENTER_VERSION" || true; } | node -e '
  let s = "";
  process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const m = JSON.parse(s);
    if (!m.Zip || !m.Sum) { console.error(m.Error ?? "no zip"); process.exit(1); }
    console.log(m.Zip);
  });')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$module@$KARPENTER_VERSION"
unzip -q "$zip" "$root/charts/karpenter/*" "$root/pkg/apis/crds/*" -d "$work"

rm -rf "$crds"
mkdir -p "$crds"
cp "$work/$root"/pkg/apis/crds/*.yaml "$crds/"
echo "$KARPENTER_VERSION" > "$crds/.stamp"

chart="$work/chart/karpenter"
mkdir -p "$work/chart"
cp -R "$work/$root/charts/karpenter" "$chart"
mkdir -p "$chart/crds"
cp "$work/$root"/pkg/apis/crds/*.yaml "$chart/crds/"
chmod -R u+w "$chart"
# The release sets the chart's version and appVersion (the source may still name the previous one).
package_chart "$chart" "$version"
