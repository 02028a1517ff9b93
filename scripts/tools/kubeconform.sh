#!/usr/bin/env bash
# kubeconform: validates the built flux/ and apps/ manifests against local JSON
# schemas (see schemas.sh). Built from the Go module proxy; skipped when the
# pinned version is already in .tools/bin.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/go-module.sh

# renovate: datasource=go depName=github.com/yannh/kubeconform
KUBECONFORM_VERSION=v0.7.0

bin=.tools/bin/kubeconform
if pinned "$KUBECONFORM_VERSION" "$bin" -v; then exit 0; fi
building "kubeconform $KUBECONFORM_VERSION"
GOBIN="$PWD/.tools/bin" CGO_ENABLED=0 go install -trimpath \
  -ldflags "-s -w -X main.version=$KUBECONFORM_VERSION" \
  "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"
"$bin" -v
