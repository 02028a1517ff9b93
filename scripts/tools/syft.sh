#!/usr/bin/env bash
# syft (Anchore): the SBOM `npm run publish` attests on each runtime image,
# read from the pushed image itself: the Debian packages (their control records
# in /var/lib/dpkg/status.d), Node (syft's binary classifier) and the npm
# packages in the bundle (the lockfile beside it). Built from the Go module
# proxy with `go install`, with the build tags of syft's own release build;
# skipped when the pinned version is already in .tools/bin.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/go-module.sh

# renovate: datasource=go depName=github.com/anchore/syft
SYFT_VERSION=v1.57.2

bin=.tools/bin/syft
# `syft version` prints "Version:            1.57.2".
syft_version() { "$bin" version | sed -n 's/^Version: *\([0-9]\)/v\1/p'; }
if pinned "$SYFT_VERSION" syft_version; then exit 0; fi
building "syft $SYFT_VERSION"
# Into a new file, then renamed: .tools/bin may be hard-linked between checkouts.
GOBIN="$PWD/.tools/src/syft-bin" CGO_ENABLED=0 nice -n 19 go install -trimpath \
  -tags containers_image_openpgp,exclude_graphdriver_btrfs \
  -ldflags "-s -w -X main.version=${SYFT_VERSION#v}" \
  "github.com/anchore/syft/cmd/syft@$SYFT_VERSION"
mv -f .tools/src/syft-bin/syft "$bin"
syft_version
built "syft"
