#!/usr/bin/env bash
# kube-apiserver and kube-controller-manager: the real API server the
# configuration tests install the XRD's CRD into (configuration/test), and the
# garbage-collector and namespace controllers the end-to-end test runs beside it
# (Crossplane relies on owner-reference garbage collection); and kubectl at the
# same version, with which the end-to-end test runs the README's install-without-Flux
# commands (e2e/part3-install.ts). Built from the Go module proxy through a tools
# module under .tools/src that requires k8s.io/kubernetes and replaces every
# k8s.io staging module with its published v0.<minor>.<patch> module (the list
# is read from that version's own go.mod, where they point at ./staging/...).
# Only the commands not in .tools/bin at the pinned version are built. A cold
# build of the first two (empty Go build and module caches) takes 4 to 7 minutes
# on 2 cores at nice 19, depending on what else runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/go-module.sh

# Kubernetes minor matches the EKS version the workload clusters run.
# renovate: datasource=go depName=k8s.io/kubernetes
KUBERNETES_VERSION=v1.34.4

# `kube-apiserver --version` prints "Kubernetes v1.34.4"; so does
# kube-controller-manager; `kubectl version --client` prints "Client Version: v1.34.4" first.
version_of() {
  case $1 in
    kubectl) ".tools/bin/$1" version --client | sed -n 1p ;;
    *) ".tools/bin/$1" --version ;;
  esac
}
current() {
  local want="Kubernetes $KUBERNETES_VERSION"
  [ "$1" = kubectl ] && want="Client Version: $KUBERNETES_VERSION"
  [ -x ".tools/bin/$1" ] && [ "$(version_of "$1" 2>/dev/null)" = "$want" ]
}
missing=()
for cmd in kube-apiserver kube-controller-manager kubectl; do
  current "$cmd" || missing+=("$cmd")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
building "${missing[*]} $KUBERNETES_VERSION"
src=.tools/src/kube-apiserver
rm -rf "$src"
mkdir -p "$src" .tools/bin

staging_version="v0.${KUBERNETES_VERSION#v1.}"
kube_mod=$(go_module GoMod "k8s.io/kubernetes@$KUBERNETES_VERSION")
# One `replace k8s.io/x => k8s.io/x v0.M.P` per `k8s.io/x => ./staging/...` line.
replaces=$(go mod edit -json "$kube_mod" | node -e '
let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{
  const staged=(JSON.parse(s).Replace??[]).filter(r=>r.New.Path.startsWith("./staging/"));
  if(staged.length===0){console.error("no staging replaces in k8s.io/kubernetes go.mod");process.exit(1)}
  for(const r of staged)console.log(`\t${r.Old.Path} => ${r.Old.Path} ${process.argv[1]}`);
})' "$staging_version")
go_directive=$(go mod edit -json "$kube_mod" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Go))')
cat > "$src/go.mod" <<MOD
module tools/kube-apiserver

go $go_directive

require k8s.io/kubernetes $KUBERNETES_VERSION

replace (
$replaces
)
MOD
cat > "$src/tools.go" <<'GO'
//go:build tools

// Package tools records the commands this module builds.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO

minor=${KUBERNETES_VERSION#v1.}
minor=${minor%%.*}
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
(
  cd "$src"
  go mod tidy
  for cmd in "${missing[@]}"; do
    CGO_ENABLED=0 nice -n 19 go build -trimpath -buildvcs=false -ldflags "$ldflags" \
      -o "../../bin/$cmd" "k8s.io/kubernetes/cmd/$cmd"
  done
)
for cmd in "${missing[@]}"; do version_of "$cmd"; done
built "${missing[*]}"
