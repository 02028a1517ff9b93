#!/usr/bin/env bash
# crossplane CLI: `crossplane composition render`, `crossplane resource validate`,
# `crossplane xpkg build` and `crossplane xpkg push`, exactly the commands a user
# runs. Built from its committed module scripts/tools/go/crossplane (the proxy
# serves v2.5.0 of github.com/crossplane/cli/v2 and refuses others tried).
# Skipped when the pinned version is already in .tools/bin. A cold build takes
# about 5 minutes on 2 cores.
# pins: scripts/tools/go/crossplane/go.mod
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/go-module.sh

cli=$(tool_module_version crossplane github.com/crossplane/cli/v2)

bin=.tools/bin/crossplane
# `crossplane version --client` prints "Client Version: v2.5.0".
client_version() { "$bin" version --client | sed -n 's/^Client Version: //p'; }
if pinned "$cli" client_version; then exit 0; fi
building "crossplane CLI $cli"
build_tool crossplane "-s -w -X github.com/crossplane/crossplane-runtime/v2/pkg/version.version=$cli" \
  "$bin" github.com/crossplane/cli/v2/cmd/crossplane
"$bin" version --client
built "crossplane CLI"
