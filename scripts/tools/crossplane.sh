#!/usr/bin/env bash
# crossplane CLI: `crossplane composition render`, `crossplane resource validate`,
# `crossplane xpkg build` and `crossplane xpkg push`, exactly the commands a user
# runs. Built from the Go module proxy through a tools module under .tools/src
# (the proxy serves v2.5.0 of github.com/crossplane/cli/v2 and refuses others
# tried). Skipped when the pinned version is already in .tools/bin. A cold build
# takes about 5 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/go-module.sh

# renovate: datasource=go depName=github.com/crossplane/cli/v2
CROSSPLANE_CLI_VERSION=v2.5.0

bin=.tools/bin/crossplane
# `crossplane version --client` prints "Client Version: v2.5.0".
client_version() { "$bin" version --client | sed -n 's/^Client Version: //p'; }
if pinned "$CROSSPLANE_CLI_VERSION" client_version; then exit 0; fi
building "crossplane CLI $CROSSPLANE_CLI_VERSION"
go_tools_build .tools/src/crossplane-cli \
  "-s -w -X github.com/crossplane/crossplane-runtime/v2/pkg/version.version=$CROSSPLANE_CLI_VERSION" \
  "$bin" github.com/crossplane/cli/v2/cmd/crossplane \
  "github.com/crossplane/cli/v2 $CROSSPLANE_CLI_VERSION"
"$bin" version --client
built "crossplane CLI"
