#!/usr/bin/env bash
# `npm run e2e`: provisions what needs the network (the pinned tools, the runtime
# images' inputs, the packages), then runs e2e/main.ts inside a new network
# namespace that has only loopback: Crossplane binds its webhook, metrics and
# health ports on every interface, and nothing of this run may listen anywhere
# but loopback. Needs root (as in CI) for the namespaces.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/tools.sh
if [ "$(id -u)" != 0 ]; then
  echo "e2e: needs root for its network, mount and PID namespaces (as in CI)" >&2
  exit 1
fi
exec unshare --net -- bash -c 'ip link set lo up && exec node --import tsx e2e/main.ts "$@"' e2e "$@"
