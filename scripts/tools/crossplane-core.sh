#!/usr/bin/env bash
# Crossplane core: the binary `crossplane composition render` runs as
# --crossplane-binary (without it the CLI wants Docker), and the control plane of
# the end-to-end test. Its CRDs (Usage, Function, Configuration, ...) are read
# from the same module's cluster/crds by the validate tests. Built from its
# committed module scripts/tools/go/crossplane-core: core's go.mod replaces its
# apis/v2 module with ./apis, which a dependent module cannot follow, so that
# module requires the published apis/v2 at the same version. Skipped when the
# pinned version is already in .tools/bin. A cold build takes about 5 minutes
# on 2 cores. Keep at the version of the Crossplane chart that flux/ pins (and
# the CLI can render with: v2.3.4 and later have `crossplane internal render`);
# the flux versions check holds them together.
# pins: scripts/tools/go/crossplane-core/go.mod
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/go-module.sh

core=$(tool_module_version crossplane-core github.com/crossplane/crossplane/v2)
apis=$(tool_module_version crossplane-core github.com/crossplane/crossplane/apis/v2)
if [ "$apis" != "$core" ]; then
  echo "tools: ERROR: scripts/tools/go/crossplane-core/go.mod requires github.com/crossplane/crossplane/apis/v2 $apis but github.com/crossplane/crossplane/v2 $core; keep them at one version" >&2
  exit 1
fi

bin=.tools/bin/crossplane-core
# `crossplane-core --version` prints the version alone.
if pinned "$core" "$bin" --version; then exit 0; fi
building "crossplane core $core"
build_tool crossplane-core \
  "-s -w -X github.com/crossplane/crossplane-runtime/v2/pkg/version.version=$core" \
  "$bin" github.com/crossplane/crossplane/v2/cmd/crossplane
"$bin" --version
built "crossplane core"
