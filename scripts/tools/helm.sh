#!/usr/bin/env bash
# helm CLI: the end-to-end run's install part runs the README's install-without-Flux
# commands as written (e2e/part3-install.ts), whose first is `helm install crossplane`.
# Built from its committed module scripts/tools/go/helm into .tools/bin/helm,
# with the version the release build stamps. Skipped when the pinned version is
# already there.
# pins: scripts/tools/go/helm/go.mod
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/go-module.sh

helm=$(tool_module_version helm helm.sh/helm/v4)

bin=.tools/bin/helm
# `helm version --short` prints "v4.3.2" (no commit is stamped).
if pinned "$helm" "$bin" version --short; then exit 0; fi
building "helm $helm"
build_tool helm "-s -w -X helm.sh/helm/v4/internal/version.version=$helm" "$bin" helm.sh/helm/v4/cmd/helm
"$bin" version --short
built "helm"
