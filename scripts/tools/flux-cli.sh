#!/usr/bin/env bash
# Flux CLI: the flux/ tests expand every Kustomization path with
# `flux build kustomization --dry-run`, the build kustomize-controller itself
# runs (kustomization.yaml generated when a folder has none, targetNamespace,
# patches, kustomize), into .tools/bin/flux. Built from the Go module proxy, at
# the Flux release whose controllers scripts/tools/flux-controllers.sh pins. It cannot be
# `go install`ed: its go.mod has a replace directive (gopkg.in/yaml.v3), and the
# module zip lacks cmd/flux/manifests/*.yaml, which the release build generates
# and the CLI embeds (for `flux install`, not used here). So the module is copied
# out of the module cache into .tools/src/flux-cli, one empty List stands in for
# those manifests, and the copy is built as the main module (its replace
# applies). Skipped when the pinned version is already there. The first build
# took 151 s on 2 cores shared with other builds (the Flux controllers' modules
# already downloaded), a rebuild with Go's build cache warm 43 s.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/go-module.sh

# renovate: datasource=go depName=github.com/fluxcd/flux2/v2
FLUX_CLI_VERSION=v2.9.5

bin=.tools/bin/flux
# `flux version --client` prints "flux: v2.9.5".
if pinned "flux: $FLUX_CLI_VERSION" "$bin" version --client; then exit 0; fi
building "flux CLI $FLUX_CLI_VERSION"
src=.tools/src/flux-cli
rm -rf "$src"
mkdir -p "$(dirname "$src")"
cp -R "$(go_module Dir "github.com/fluxcd/flux2/v2@$FLUX_CLI_VERSION")" "$src"
chmod -R u+w "$src"
mkdir -p "$src/cmd/flux/manifests"
printf 'apiVersion: v1\nkind: List\nitems: []\n' > "$src/cmd/flux/manifests/empty.yaml"
out=$PWD/$bin
(
  cd "$src"
  CGO_ENABLED=0 nice -n 19 go build -trimpath -buildvcs=false \
    -ldflags "-s -w -X main.VERSION=${FLUX_CLI_VERSION#v}" -o "$out" ./cmd/flux
)
"$bin" version --client
built "flux CLI"
