#!/bin/bash
# make demo: boot a supported kernel under qemu and show kvtep at work.
# usage: scripts/demo.sh [KVER]
set -euo pipefail
cd "$(dirname "$0")/.."
args=()
[ $# -gt 0 ] && args=(--kernel "$1")
exec selftests/vm/run.sh "${args[@]}" -- scripts/demo-guest.sh
