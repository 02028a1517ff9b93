#!/usr/bin/env bash
# Fetches and verifies the pinned inputs of the Function's runtime image (Node from
# npm, the system libraries from Debian) into .tools/image/. The image test needs the
# amd64 ones; `npm run package` fetches the rest itself. Skips what is already verified.
# pins: packages/function-image/inputs.json (version and checksum change together, by hand: Renovate cannot recompute checksums)
set -euo pipefail
cd "$(dirname "$0")/../.."
npx --no-install tsx packages/function-image/fetch.ts amd64
