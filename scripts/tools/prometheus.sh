#!/usr/bin/env bash
# The Prometheus chart apps/monitoring installs, from the Go module proxy (the
# chart repository's Git repository is a Go module, with no go.mod: every
# prometheus-community chart is a folder of it; the chart repository
# prometheus-community.github.io cannot be reached here): charts/prometheus at
# the version apps/monitoring/base/release.yaml pins, with its dependencies
# vendored into its charts/ from their sibling folders at the versions its
# Chart.yaml asks for, as .tools/charts/prometheus-<version>.tgz, which the
# end-to-end run serves from a loopback Helm repository (e2e/lib/helm-repository.ts).
# Skipped when it is there at the pinned version.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/chart.sh
. scripts/lib/go-module.sh

# A commit of github.com/prometheus-community/helm-charts whose charts/prometheus
# is PROMETHEUS_CHART_VERSION; the flux tests' versions check holds that version
# to the one apps/monitoring's HelmRelease pins, and this script to the module.
# Renovate bumps the three together (renovate.json, group "prometheus chart").
# renovate: datasource=go depName=github.com/prometheus-community/helm-charts
PROMETHEUS_CHARTS_VERSION=v0.0.0-20260828105119-ed5d7d9b5933
# renovate: datasource=helm depName=prometheus registryUrl=https://prometheus-community.github.io/helm-charts
PROMETHEUS_CHART_VERSION=29.27.0

if chart_packaged prometheus "$PROMETHEUS_CHART_VERSION"; then
  exit 0
fi
echo "tools: packaging the Prometheus chart $PROMETHEUS_CHART_VERSION (helm-charts $PROMETHEUS_CHARTS_VERSION)"
source=$(go_module Dir "github.com/prometheus-community/helm-charts@$PROMETHEUS_CHARTS_VERSION")/charts
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# copy_chart NAME DEST: a writable copy of the module's chart NAME in DEST,
# without the folders its .helmignore leaves out of the released chart.
copy_chart() {
  cp -R "$source/$1" "$2/"
  chmod -R u+w "$2/$1"
  sed -n 's|^\([A-Za-z0-9._-]*\)/ *$|\1|p' "$2/$1/.helmignore" | while read -r ignored; do rm -rf "${2:?}/$1/$ignored"; done
}

copy_chart prometheus "$work"
chart=$work/prometheus
if ! grep -qx "version: $PROMETHEUS_CHART_VERSION" "$chart/Chart.yaml"; then
  echo "tools: ERROR: charts/prometheus of helm-charts $PROMETHEUS_CHARTS_VERSION is $(sed -n 's/^version: //p' "$chart/Chart.yaml"), not PROMETHEUS_CHART_VERSION $PROMETHEUS_CHART_VERSION; pin the commit of that chart release in scripts/tools/prometheus.sh" >&2
  exit 1
fi
# Vendored as `helm dependency build` does, one archive each in its charts/,
# so Helm judges each against its constraint: "ok", or "wrong version".
mkdir -p "$chart/charts" "$work/dependencies"
for dependency in $(sed -n '/^dependencies:/,/^[a-z]/s/^  - name: //p' "$chart/Chart.yaml"); do
  copy_chart "$dependency" "$work/dependencies"
  chart_tgz "$work/dependencies/$dependency" "$chart/charts/$dependency-$(sed -n 's/^version: //p' "$work/dependencies/$dependency/Chart.yaml").tgz"
done
statuses=$(.tools/bin/helm dependency list "$chart" | awk 'NR > 1 && NF { print $1 " " $2 " " $NF }')
echo "$statuses" | sed 's/^/tools:   dependency /'
if [ -z "$statuses" ] || echo "$statuses" | grep -qv ' ok$'; then
  echo "tools: ERROR: the sibling charts of helm-charts $PROMETHEUS_CHARTS_VERSION do not meet charts/prometheus's dependencies (above)" >&2
  exit 1
fi

pinned=$(sed -n 's/^ *version: *\([0-9][^ ]*\) *$/\1/p' apps/monitoring/base/release.yaml)
if [ "$pinned" != "$PROMETHEUS_CHART_VERSION" ]; then
  echo "tools: ERROR: apps/monitoring/base/release.yaml pins chart prometheus '$pinned' but scripts/tools/prometheus.sh pins '$PROMETHEUS_CHART_VERSION'; keep them at one version" >&2
  exit 1
fi
archive_chart "$chart" "$PROMETHEUS_CHART_VERSION"
