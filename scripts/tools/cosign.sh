#!/usr/bin/env bash
# cosign (Sigstore): `npm run publish` signs the packages it pushes and attests
# their SBOM with it; the tests verify with it. Built from the Go module proxy
# with `go install`; skipped when the pinned version is already in .tools/bin.
# v2, not v3: v3 signs in the new Sigstore bundle format with a signing config
# fetched over TUF by default, while Crossplane v2.4.0's verifier (cosign's
# library, VerifyImageSignatures without NewBundleFormat) reads the
# `sha256-<digest>.sig` and `.att` tags that v2 writes by default.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/go-module.sh

# renovate: datasource=go depName=github.com/sigstore/cosign/v2
COSIGN_VERSION=v2.6.3

bin=.tools/bin/cosign
# `cosign version --json` prints {"gitVersion": "v2.6.3", ...}.
cosign_version() { "$bin" version --json | node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>console.log(JSON.parse(s).gitVersion))'; }
if pinned "$COSIGN_VERSION" cosign_version; then exit 0; fi
building "cosign $COSIGN_VERSION"
# Into a new file, then renamed: .tools/bin may be hard-linked between checkouts.
GOBIN="$PWD/.tools/src/cosign-bin" CGO_ENABLED=0 nice -n 19 go install -trimpath \
  -ldflags "-s -w -X sigs.k8s.io/release-utils/version.gitVersion=$COSIGN_VERSION" \
  "github.com/sigstore/cosign/v2/cmd/cosign@$COSIGN_VERSION"
mv -f .tools/src/cosign-bin/cosign "$bin"
cosign_version
built "cosign"
