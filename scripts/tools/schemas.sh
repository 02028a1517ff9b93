#!/usr/bin/env bash
# JSON schemas for kubeconform (flux/ tests): Kubernetes built-ins from the
# k8s.io/kubernetes module's OpenAPI v3 spec, Flux CRDs from the controllers'
# modules (the versions flux2 FLUX_VERSION ships), Karpenter's CRDs at the
# release apps/karpenter pins (.tools/crds/karpenter, scripts/tools/karpenter.sh,
# which runs before this script). Downloaded through the Go
# module proxy, converted by flux/scripts/build-schemas.ts into .tools/schemas.
# Skipped when the stamp matches the pinned versions.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/go-module.sh

# Kubernetes minor matches the EKS version the workload clusters run.
# renovate: datasource=go depName=k8s.io/kubernetes
KUBERNETES_VERSION=v1.34.4
# Flux v2.9.5 (flux2 go.mod) = source-controller v1.9.5, kustomize-controller v1.9.5, helm-controller v1.6.4.
# renovate: datasource=go depName=github.com/fluxcd/source-controller
SOURCE_CONTROLLER_VERSION=v1.9.5
# renovate: datasource=go depName=github.com/fluxcd/kustomize-controller
KUSTOMIZE_CONTROLLER_VERSION=v1.9.5
# renovate: datasource=go depName=github.com/fluxcd/helm-controller
HELM_CONTROLLER_VERSION=v1.6.4

out=.tools/schemas
want="k8s=$KUBERNETES_VERSION karpenter=$(cat .tools/crds/karpenter/.stamp) source=$SOURCE_CONTROLLER_VERSION kustomize=$KUSTOMIZE_CONTROLLER_VERSION helm=$HELM_CONTROLLER_VERSION converter=$(sha256sum flux/scripts/build-schemas.ts flux/test/lib/jsonschema.ts | sha256sum | cut -c1-16)"
if [ "$(cat "$out/.stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
echo "tools: generating schemas ($want)"

moddir() { go_module Dir "$1"; }
k8s=$(moddir "k8s.io/kubernetes@$KUBERNETES_VERSION")
src=$(moddir "github.com/fluxcd/source-controller@$SOURCE_CONTROLLER_VERSION")
kus=$(moddir "github.com/fluxcd/kustomize-controller@$KUSTOMIZE_CONTROLLER_VERSION")
helm=$(moddir "github.com/fluxcd/helm-controller@$HELM_CONTROLLER_VERSION")

rm -rf "$out"
node_modules/.bin/tsx flux/scripts/build-schemas.ts --out "$out" \
  --openapi "$k8s/api/openapi-spec/v3" \
  --crds "$src/config/crd/bases" --crds "$kus/config/crd/bases" --crds "$helm/config/crd/bases" \
  --crds .tools/crds/karpenter
echo "$want" > "$out/.stamp"
