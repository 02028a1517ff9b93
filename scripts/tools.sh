#!/usr/bin/env bash
# Installs the pinned external tools into .tools/bin. Each tool script skips work
# when the pinned version is already there, so a second run costs seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tools/bin
for script in scripts/tools/*.sh; do
  [ -e "$script" ] || continue
  bash "$script"
done
