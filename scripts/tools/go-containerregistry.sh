#!/usr/bin/env bash
# registry and crane (go-containerregistry): the OCI registry on 127.0.0.1 that
# the package tests push to with `crossplane xpkg push`, and the client that
# pulls the pushed packages back to inspect them. Built from their committed
# module scripts/tools/go/go-containerregistry; skipped when the pinned version
# is already in .tools/bin (a stamp: neither prints its version).
# pins: scripts/tools/go/go-containerregistry/go.mod
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/go-module.sh

ggcr=$(tool_module_version go-containerregistry github.com/google/go-containerregistry)

stamp=.tools/bin/.go-containerregistry
if [ -x .tools/bin/registry ] && [ -x .tools/bin/crane ] && [ "$(cat "$stamp" 2>/dev/null)" = "$ggcr" ]; then
  exit 0
fi
building "registry and crane $ggcr"
for cmd in registry crane; do
  build_tool go-containerregistry "-s -w" ".tools/bin/$cmd" "github.com/google/go-containerregistry/cmd/$cmd"
done
echo "$ggcr" > "$stamp"
built "registry and crane"
