#!/usr/bin/env bash
# Crossplane core: the binary `crossplane composition render` runs as
# --crossplane-binary (without it the CLI wants Docker), and the control plane of
# the end-to-end test. Its CRDs (Usage, Function, Configuration, ...) are read
# from the same module's cluster/crds by the validate tests. Built from the Go
# module proxy: core's go.mod replaces its apis/v2 module with ./apis, which a
# dependent module cannot follow, so the tools module requires the published
# apis/v2 at the same version. Skipped when the pinned version is already in
# .tools/bin. A cold build takes about 5 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/go-module.sh

# Keep at the version of the Crossplane chart that flux/ pins (and the CLI can
# render with: v2.3.4 and later have `crossplane internal render`).
# renovate: datasource=go depName=github.com/crossplane/crossplane/v2
CROSSPLANE_VERSION=v2.4.0

bin=.tools/bin/crossplane-core
# `crossplane-core --version` prints the version alone.
if pinned "$CROSSPLANE_VERSION" "$bin" --version; then exit 0; fi
building "crossplane core $CROSSPLANE_VERSION"
go_tools_build .tools/src/crossplane-core \
  "-s -w -X github.com/crossplane/crossplane-runtime/v2/pkg/version.version=$CROSSPLANE_VERSION" \
  "$bin" github.com/crossplane/crossplane/v2/cmd/crossplane \
  "github.com/crossplane/crossplane/v2 $CROSSPLANE_VERSION" \
  "github.com/crossplane/crossplane/apis/v2 $CROSSPLANE_VERSION"
"$bin" --version
built "crossplane core"
