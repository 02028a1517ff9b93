#!/usr/bin/env bash
# etcd: the storage behind the loopback kube-apiserver of the configuration
# tests. Built from the Go module proxy: a tiny tools module under .tools/src
# whose main calls etcdmain.Main, as the upstream etcd binary does. Skipped when
# the pinned version is already in .tools/bin. A cold build takes about a minute.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/go-module.sh

# renovate: datasource=go depName=go.etcd.io/etcd/server/v3
ETCD_VERSION=v3.6.16

bin=.tools/bin/etcd
# `etcd --version` prints "etcd Version: 3.6.16" first.
installed_version() { "$bin" --version | sed -n 's/^etcd Version: /v/p'; }
if pinned "$ETCD_VERSION" installed_version; then exit 0; fi
building "etcd $ETCD_VERSION"
src=.tools/src/etcd
rm -rf "$src"
mkdir -p "$src" .tools/bin
cat > "$src/go.mod" <<MOD
module tools/etcd

go 1.26.0

require go.etcd.io/etcd/server/v3 $ETCD_VERSION
MOD
cat > "$src/main.go" <<'GO'
// Command etcd is the upstream etcd server entry point.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
(
  cd "$src"
  go mod tidy
  # The version string is a constant in go.etcd.io/etcd/api/v3/version; only
  # the git SHA is left to the linker.
  CGO_ENABLED=0 nice -n 19 go build -trimpath -buildvcs=false \
    -ldflags "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=$ETCD_VERSION" \
    -o ../../bin/etcd .
)
"$bin" --version
built etcd
