#!/usr/bin/env bash
# The two Go references of `npm run bench` (bench),
# built pinned into .tools/bin and skipped when the pinned build is there. Kept
# out of scripts/tools/*.sh on purpose: scripts/tools.sh (so `npm test` and CI)
# never builds them; only the bench does.
# - go-noop: bench/go-noop, a function on function-sdk-go that returns the
#   desired state untouched. Its own go.mod and go.sum pin the SDK.
# - function-patch-and-transform: the peer, built from the Go module proxy.
#   Its SDK (function-sdk-go v0.5.0) serves Prometheus metrics on :8080, every
#   interface, with no flag to move it; the bench serves on loopback only, so
#   the SDK is replaced by a copy of itself whose only change is that default
#   (127.0.0.1:0, an ephemeral loopback port). Nothing on the request path changes.
# A cold build (module downloads included, 2 cores shared) takes minutes, a
# rebuild with Go's caches warm seconds.
set -euo pipefail
cd "$(dirname "$0")/../../.."
. scripts/lib/go-module.sh

# renovate: datasource=go depName=github.com/crossplane-contrib/function-patch-and-transform
PATCH_AND_TRANSFORM_VERSION=v0.10.9
# The SDK that function-patch-and-transform's go.mod requires at that version.
PATCH_AND_TRANSFORM_SDK_VERSION=v0.5.0
NOOP_SRC=bench/go-noop

mkdir -p .tools/bin

noop_want="go-noop $(cat "$NOOP_SRC/main.go" "$NOOP_SRC/go.mod" "$NOOP_SRC/go.sum" | sha256sum | cut -c1-16)"
if [ ! -x .tools/bin/go-noop ] || [ "$(cat .tools/bin/.go-noop 2>/dev/null)" != "$noop_want" ]; then
  building "the Go no-op function"
  out=$PWD/.tools/bin/go-noop
  (cd "$NOOP_SRC" && CGO_ENABLED=0 nice -n 19 go build -trimpath -buildvcs=false -ldflags "-s -w" -o "$out" .)
  echo "$noop_want" > .tools/bin/.go-noop
  built go-noop
fi

pt=github.com/crossplane-contrib/function-patch-and-transform
pt_bin=.tools/bin/function-patch-and-transform
pt_want="$PATCH_AND_TRANSFORM_VERSION sdk $PATCH_AND_TRANSFORM_SDK_VERSION metrics 127.0.0.1:0"
if [ ! -x "$pt_bin" ] || [ "$(cat .tools/bin/.function-patch-and-transform 2>/dev/null)" != "$pt_want" ]; then
  building "function-patch-and-transform $PATCH_AND_TRANSFORM_VERSION"
  sdk=.tools/src/function-sdk-go-loopback
  rm -rf "$sdk"
  mkdir -p .tools/src
  cp -R "$(go_module Dir "github.com/crossplane/function-sdk-go@$PATCH_AND_TRANSFORM_SDK_VERSION")" "$sdk"
  chmod -R u+w "$sdk"
  sed -i 's/DefaultMetricsAddress = ":8080"/DefaultMetricsAddress = "127.0.0.1:0"/' "$sdk/sdk.go"
  if ! grep -q 'DefaultMetricsAddress = "127.0.0.1:0"' "$sdk/sdk.go"; then
    echo "tools: ERROR: function-sdk-go $PATCH_AND_TRANSFORM_SDK_VERSION has no DefaultMetricsAddress \":8080\" to move to loopback" >&2
    exit 1
  fi
  go_tools_build .tools/src/function-patch-and-transform "-s -w" "$pt_bin" "$pt" \
    "$pt $PATCH_AND_TRANSFORM_VERSION" \
    "github.com/crossplane/function-sdk-go => ../function-sdk-go-loopback"
  echo "$pt_want" > .tools/bin/.function-patch-and-transform
  built "function-patch-and-transform $PATCH_AND_TRANSFORM_VERSION"
fi
