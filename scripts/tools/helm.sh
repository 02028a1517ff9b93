#!/usr/bin/env bash
# helm CLI: the end-to-end run's install part runs the README's install-without-Flux
# commands as written (e2e/part3-install.ts), whose first is `helm install crossplane`.
# Built from the Go module proxy into .tools/bin/helm (its go.mod has no replace
# directive, so `go install` at the version works), with the version the release
# build stamps. Skipped when the pinned version is already there.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/go-module.sh

# renovate: datasource=go depName=helm.sh/helm/v4
HELM_VERSION=v4.3.2

bin=.tools/bin/helm
# `helm version --short` prints "v4.3.2" (no commit is stamped).
if pinned "$HELM_VERSION" "$bin" version --short; then exit 0; fi
building "helm $HELM_VERSION"
GOBIN="$PWD/.tools/bin" CGO_ENABLED=0 nice -n 19 go install -trimpath \
  -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION" \
  "helm.sh/helm/v4/cmd/helm@$HELM_VERSION"
"$bin" version --short
built "helm"
