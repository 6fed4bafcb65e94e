#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest driver of `make bench` (scripts/bench.sh boots the VM with it):
#
#	selftests/bench/run.sh OUTDIR [PART...]
#
# Runs the benchmark parts (default: $BENCH_PARTS from OUTDIR/bench.env,
# else "pps decap tcp fdb ctrl"), each a script of this directory:
#
#	pps    part 1: 64-byte pps, encapsulation (kvtep, vxlan, ovs, l2, A/A)
#	decap  part 1: 64-byte pps, decapsulation (kvtep, vxlan, A/A)
#	tcp    part 2: iperf3 TCP VM to VM across the tunnel
#	fdb    part 3: FDB scale (pps at 1k/100k/1M entries, memory, load time)
#	ctrl   part 4: control plane (needs the OVSDB agent, issue 4)
#
# Samples go to OUTDIR/samples.tsv. Always exits 0 unless the harness
# itself is broken (no OUTDIR): slow machines only make figures smaller.

set -u
OUT=${1:?usage: run.sh OUTDIR [PART...]}
shift
export BENCH_OUT=$OUT
mkdir -p "$OUT" || exit 1
[ ! -r "$OUT/bench.env" ] || source "$OUT/bench.env"
DIR=$(cd "$(dirname "$(readlink -f "$0")")" && pwd -P)

parts=("$@")
[ ${#parts[@]} -gt 0 ] || read -r -a parts <<<"${BENCH_PARTS:-pps decap tcp fdb ctrl}"

echo "BENCH $(date +%T) kernel $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ {print $2 " kB"}' /proc/meminfo), parts: ${parts[*]}"
{
	echo "kernel=$(uname -r)"
	echo "cpus=$(nproc)"
	echo "cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
} >"$OUT/guest.txt"

for p in "${parts[@]}"; do
	if [ ! -x "$DIR/$p.sh" ]; then
		echo "BENCH unknown part $p"
		continue
	fi
	start=$(date +%s)
	echo "BENCH $(date +%T) ==== part $p ===="
	"$DIR/$p.sh"
	echo "BENCH $(date +%T) ==== part $p done in $(($(date +%s) - start)) s (exit $?) ===="
	# Every part cleans its namespaces; make sure nothing lingers.
	for ns in $(ip netns list | awk '/^kvtep-/ {print $1}'); do
		ip netns del "$ns" 2>/dev/null
	done
done
exit 0
