#!/usr/bin/env bash
# registry and crane (go-containerregistry): the OCI registry on 127.0.0.1 that
# the package tests push to with `crossplane xpkg push`, and the client that
# pulls the pushed packages back to inspect them. Built from the Go module proxy
# with `go install`; skipped when the pinned version is already in .tools/bin.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/go-module.sh

# renovate: datasource=go depName=github.com/google/go-containerregistry
GGCR_VERSION=v0.22.1

stamp=.tools/bin/.go-containerregistry
if [ -x .tools/bin/registry ] && [ -x .tools/bin/crane ] && [ "$(cat "$stamp" 2>/dev/null)" = "$GGCR_VERSION" ]; then
  exit 0
fi
building "registry and crane $GGCR_VERSION"
mkdir -p .tools/bin
for cmd in registry crane; do
  GOBIN="$PWD/.tools/bin" CGO_ENABLED=0 nice -n 19 go install -trimpath -ldflags "-s -w" \
    "github.com/google/go-containerregistry/cmd/$cmd@$GGCR_VERSION"
done
echo "$GGCR_VERSION" > "$stamp"
built "registry and crane"
