#!/usr/bin/env bash
# kubeconform: validates the built flux/ and apps/ manifests against local JSON
# schemas (see schemas.sh). Built from the Go module proxy; skipped when the
# pinned version is already in .tools/bin.
set -euo pipefail
cd "$(dirname "$0")/../.."

# renovate: datasource=go depName=github.com/yannh/kubeconform
KUBECONFORM_VERSION=v0.7.0

bin=.tools/bin/kubeconform
if [ -x "$bin" ] && [ "$("$bin" -v 2>/dev/null)" = "$KUBECONFORM_VERSION" ]; then
  exit 0
fi
echo "tools: building kubeconform $KUBECONFORM_VERSION"
GOBIN="$PWD/.tools/bin" CGO_ENABLED=0 go install -trimpath \
  -ldflags "-s -w -X main.version=$KUBECONFORM_VERSION" \
  "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"
"$bin" -v
