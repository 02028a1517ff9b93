#!/usr/bin/env bash
# etcd: the storage behind the loopback kube-apiserver of the configuration
# tests. Built from its committed module scripts/tools/go/etcd, whose main
# calls etcdmain.Main, as the upstream etcd binary does. Skipped when the
# pinned version is already in .tools/bin. A cold build takes about a minute.
# pins: scripts/tools/go/etcd/go.mod
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/go-module.sh

etcd=$(tool_module_version etcd go.etcd.io/etcd/server/v3)

bin=.tools/bin/etcd
# `etcd --version` prints "etcd Version: 3.6.16" first.
installed_version() { "$bin" --version | sed -n 's/^etcd Version: /v/p'; }
if pinned "$etcd" installed_version; then exit 0; fi
building "etcd $etcd"
# The version string is a constant in go.etcd.io/etcd/api/v3/version; only
# the git SHA is left to the linker.
build_tool etcd "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=$etcd" "$bin" .
"$bin" --version
built etcd
