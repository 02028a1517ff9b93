#!/usr/bin/env bash
# cosign (Sigstore): `npm run publish` signs the packages it pushes and attests
# their SBOM with it; the tests verify with it. Built from its committed module
# scripts/tools/go/cosign (go.mod pins the version, go.sum the rest); skipped
# when the pinned version is already in .tools/bin.
# pins: scripts/tools/go/cosign/go.mod
# v2, not v3: v3 signs in the new Sigstore bundle format with a signing config
# fetched over TUF by default, while Crossplane v2.4.0's verifier (cosign's
# library, VerifyImageSignatures without NewBundleFormat) reads the
# `sha256-<digest>.sig` and `.att` tags that v2 writes by default.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/go-module.sh

cosign=$(tool_module_version cosign github.com/sigstore/cosign/v2)

bin=.tools/bin/cosign
# `cosign version --json` prints {"gitVersion": "v2.6.3", ...}.
cosign_version() { "$bin" version --json | node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>console.log(JSON.parse(s).gitVersion))'; }
if pinned "$cosign" cosign_version; then exit 0; fi
building "cosign $cosign"
build_tool cosign "-s -w -X sigs.k8s.io/release-utils/version.gitVersion=$cosign" "$bin" \
  github.com/sigstore/cosign/v2/cmd/cosign
cosign_version
built "cosign"
