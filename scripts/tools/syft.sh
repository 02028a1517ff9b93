#!/usr/bin/env bash
# syft (Anchore): the SBOM `npm run publish` attests on each runtime image,
# read from the pushed image itself: the Debian packages (their control records
# in /var/lib/dpkg/status.d), Node (syft's binary classifier) and the npm
# packages in the bundle (the lockfile beside it). Built from its committed
# module scripts/tools/go/syft, with the build tags of syft's own release build;
# skipped when the pinned version is already in .tools/bin.
# pins: scripts/tools/go/syft/go.mod
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/go-module.sh

syft=$(tool_module_version syft github.com/anchore/syft)

bin=.tools/bin/syft
# `syft version` prints "Version:            1.57.2".
syft_version() { "$bin" version | sed -n 's/^Version: *\([0-9]\)/v\1/p'; }
if pinned "$syft" syft_version; then exit 0; fi
building "syft $syft"
build_tool syft "-s -w -X main.version=${syft#v}" "$bin" github.com/anchore/syft/cmd/syft \
  -tags containers_image_openpgp,exclude_graphdriver_btrfs
syft_version
built "syft"
