#!/usr/bin/env bash
# Flux for the end-to-end test, which runs the controllers as plain processes
# against its loopback API servers (nothing can be pulled as an image here):
# - source-controller, kustomize-controller and helm-controller of the Flux
#   v2.9.5 set into .tools/bin. Built from their committed modules
#   scripts/tools/go/<controller>, one each: their go.mod files replace
#   go-digest with different versions, so they cannot share one. A dependent
#   module must repeat a command's replaces: each module repeats the
#   controller's own non-local ones (its `api => ./api` is local, so the
#   published api module is required at the same version instead); this script
#   fails when they drift apart after a bump.
# - their CRDs (each module's config/crd/bases) into .tools/crds/flux/.
# - the Crossplane Helm chart that flux/ installs, packaged from the core
#   module's cluster/charts/crossplane (at the core version of
#   scripts/tools/go/crossplane-core/go.mod) as .tools/charts/crossplane-<version>.tgz,
#   a deterministic tar with its sha256 beside it; the end-to-end test serves it
#   from a Helm repository on 127.0.0.1 with an index.yaml it writes itself.
# Each part is skipped when the pinned version is already there. A cold build
# (module downloads included, 2 cores shared with other builds) took 6 to 12
# minutes per controller, a rebuild with Go's caches warm under 10 seconds.
# pins: scripts/tools/go (source-controller, kustomize-controller, helm-controller)
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/go-module.sh
. scripts/lib/chart.sh

# source-controller v1.9.5 requires github.com/fluxcd/pkg/artifact v0.18.3 and
# (for its tests, which `go mod tidy` resolves too) helmtestserver v0.40.2; the
# proxy refuses both (and artifact v0.18.2): scripts/tools/go/source-controller
# replaces them with the versions v1.9.3 requires. Revisit on a
# source-controller bump (a newer one may need newer ones).

# One Crossplane version for the core binary, the chart served and the chart flux/ pins.
CROSSPLANE_VERSION=$(tool_module_version crossplane-core github.com/crossplane/crossplane/v2)
chart_version=${CROSSPLANE_VERSION#v}
release=flux/infrastructure/crossplane/release.yaml
flux_chart_version=$(sed -n 's/^ *version: *//p' "$release")
if [ "$flux_chart_version" != "$chart_version" ]; then
  echo "tools: ERROR: $release pins Crossplane chart '$flux_chart_version' but scripts/tools/go/crossplane-core/go.mod pins core '$CROSSPLANE_VERSION'; keep them at one version" >&2
  exit 1
fi

# own_replaces GO_MOD: the non-local replace directives of a go.mod file, one
# "old => new version" a line.
own_replaces() {
  go mod edit -json "$1" | node -e '
    let s = "";
    process.stdin.on("data", (d) => (s += d)).on("end", () => {
      for (const r of JSON.parse(s).Replace ?? []) {
        if (r.New.Path.startsWith("./") || r.New.Path.startsWith("../")) continue;
        const old = r.Old.Version ? `${r.Old.Path} ${r.Old.Version}` : r.Old.Path;
        console.log(`${old} => ${r.New.Path} ${r.New.Version}`);
      }
    });'
}

# build_controller NAME: builds github.com/fluxcd/NAME (its main package is the
# module root) from scripts/tools/go/NAME into .tools/bin/NAME, at the version
# that module requires; sets NAME_VERSION (source-controller: SOURCE_CONTROLLER_VERSION).
# The controllers print no version; the binary's build information records it
# (`go version -m`).
build_controller() {
  local name=$1 module=github.com/fluxcd/$1 bin=.tools/bin/$1 version missing
  version=$(tool_module_version "$name" "$module")
  printf -v "$(echo "${name}_VERSION" | tr a-z- A-Z_)" %s "$version"
  if [ "$(tool_module_version "$name" "$module/api")" != "$version" ]; then
    echo "tools: ERROR: scripts/tools/go/$name/go.mod must require $module/api at $version, the version of $module" >&2
    exit 1
  fi
  if [ -x "$bin" ] && go version -m "$bin" 2>/dev/null |
    awk -v m="$module" -v v="$version" '$1 == "mod" && $2 == m && $3 == v { found = 1 } END { exit !found }'; then
    return 0
  fi
  missing=$(comm -23 <(own_replaces "$(go_module GoMod "$module@$version")" | sort) <(own_replaces "scripts/tools/go/$name/go.mod" | sort))
  if [ -n "$missing" ]; then
    echo "tools: ERROR: scripts/tools/go/$name/go.mod lacks replace directives of $module $version's own go.mod (add them):" >&2
    echo "$missing" >&2
    exit 1
  fi
  building "$name $version"
  build_tool "$name" "-s -w" "$bin" "$module"
  built "$name $version"
}

build_controller source-controller
build_controller kustomize-controller
build_controller helm-controller

# Flux CRDs (GitRepository, OCIRepository, HelmRepository, HelmChart, Bucket,
# ExternalArtifact, Kustomization, HelmRelease). scripts/tools/crds.sh empties
# .tools/crds when its pins change; it runs first, so this refills it.
crds=.tools/crds/flux
want="source-controller=$SOURCE_CONTROLLER_VERSION kustomize-controller=$KUSTOMIZE_CONTROLLER_VERSION helm-controller=$HELM_CONTROLLER_VERSION"
if [ "$(cat "$crds/.stamp" 2>/dev/null)" != "$want" ]; then
  echo "tools: extracting Flux CRDs ($want)"
  rm -rf "$crds"
  mkdir -p "$crds"
  for pin in "source-controller@$SOURCE_CONTROLLER_VERSION" "kustomize-controller@$KUSTOMIZE_CONTROLLER_VERSION" \
    "helm-controller@$HELM_CONTROLLER_VERSION"; do
    cp "$(go_module Dir "github.com/fluxcd/$pin")"/config/crd/bases/*.yaml "$crds/"
  done
  chmod -R u+w "$crds"
  echo "$want" > "$crds/.stamp"
fi

# The Crossplane chart. Its templates default the image tag to "v" + appVersion
# (xpkg.crossplane.io/crossplane/crossplane:v<appVersion>); the source says 0.0.1
# for both version and appVersion, which Crossplane's release sets.
if ! chart_packaged crossplane "$chart_version"; then
  echo "tools: packaging the Crossplane chart $chart_version"
  core=$(go_module Dir "github.com/crossplane/crossplane/v2@$CROSSPLANE_VERSION")
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cp -R "$core/cluster/charts/crossplane" "$work/"
  chmod -R u+w "$work"
  # The chart's .helmignore lists it, so `helm package` leaves it out too.
  rm -f "$work/crossplane/.gitignore"
  package_chart "$work/crossplane" "$chart_version"
fi
