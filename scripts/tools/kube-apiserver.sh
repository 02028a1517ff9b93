#!/usr/bin/env bash
# kube-apiserver and kube-controller-manager: the real API server the
# configuration tests install the XRD's CRD into (configuration/test), and the
# garbage-collector and namespace controllers the end-to-end test runs beside it
# (Crossplane relies on owner-reference garbage collection); and kubectl at the
# same version, with which the end-to-end test runs the README's install-without-Flux
# commands (e2e/part3-install.ts). Built from the committed module
# scripts/tools/go/kube-apiserver, which requires k8s.io/kubernetes and replaces
# every k8s.io staging module with its published v0.<minor>.<patch> module
# (k8s.io/kubernetes points them at ./staging/...; this script checks the list
# against that version's own go.mod). Only the commands not in .tools/bin at the
# pinned version are built. A cold build of the first two (empty Go build and
# module caches) takes 4 to 7 minutes on 2 cores at nice 19, depending on what
# else runs. The Kubernetes minor matches the EKS version the workload clusters run.
# pins: scripts/tools/go/kube-apiserver/go.mod
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/go-module.sh

KUBERNETES_VERSION=$(tool_module_version kube-apiserver k8s.io/kubernetes)

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
staging_version="v0.${KUBERNETES_VERSION#v1.}"
# replace_lines GO_MOD: its replace directives, one "old => new version" a line;
# those k8s.io/kubernetes points at ./staging/... as the published module at
# the staging version instead (what ours must hold).
replace_lines() {
  go mod edit -json "$1" | node -e '
    let s = "";
    process.stdin.on("data", (d) => (s += d)).on("end", () => {
      for (const r of JSON.parse(s).Replace ?? []) {
        const staged = r.New.Path.startsWith("./staging/");
        console.log(`${r.Old.Path} => ${staged ? r.Old.Path : r.New.Path} ${staged ? process.argv[1] : r.New.Version}`);
      }
    });' "$staging_version"
}
want=$(replace_lines "$(go_module GoMod "k8s.io/kubernetes@$KUBERNETES_VERSION")" | grep ' => k8s.io/' | sort)
ours=$(replace_lines scripts/tools/go/kube-apiserver/go.mod | sort)
if [ -z "$want" ] || [ "$want" != "$ours" ]; then
  echo "tools: ERROR: scripts/tools/go/kube-apiserver/go.mod must replace exactly the staging modules of k8s.io/kubernetes $KUBERNETES_VERSION, each with its published $staging_version (< wanted, > there):" >&2
  diff <(echo "$want") <(echo "$ours") >&2 || true
  exit 1
fi

minor=${KUBERNETES_VERSION#v1.}
minor=${minor%%.*}
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
for cmd in "${missing[@]}"; do
  build_tool kube-apiserver "$ldflags" ".tools/bin/$cmd" "k8s.io/kubernetes/cmd/$cmd"
done
for cmd in "${missing[@]}"; do version_of "$cmd"; done
built "${missing[*]}"
