#!/bin/bash
# Runs inside the demo VM (see scripts/demo.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
PATH=$PWD/ctl:$PATH

show() { echo; echo "\$ $*"; "$@"; }

show modprobe kvtep
show ip link add vtep0 type kvtep
show kvtepctl dev set vtep0 local 10.2.2.1 ageing 120
show ip link set vtep0 up
show ip -d link show vtep0
show kvtepctl dev show vtep0
show kvtepctl -p dev show vtep0
show ip link del vtep0
echo
echo "demo: done"
