#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: kvtep against Linux vxlan+bridge, OVS/ovs-vtep and plain L2
# forwarding, in one VM run (qemu, the kernel given or 6.12), alternating
# the contenders round by round. Prints a table of medians, paired ratios
# and the targets of issue 6, and keeps everything under build/bench/:
#
#	build/bench/run-YYYYmmdd-HHMMSS/   samples.tsv (every measurement),
#	    raw.tsv (packets sent, meminfo...), results.json, table.txt,
#	    bench.png (gnuplot), console.log (the VM), bench.env (settings)
#	build/bench/latest -> the last run
#
# Usage: scripts/bench.sh [KVER]        (default 6.12.95+deb12-amd64)
#        scripts/bench.sh --report RUNDIR...
#            no VM: one table from the samples of earlier runs (e.g. parts
#            run separately with BENCH_PARTS), in build/bench/report-DATE
#
# Environment (defaults in brackets; BENCH_QUICK=1 gives a ~5 min smoke run
# on an idle machine: 2 rounds, short windows, FDB 1k/10k, no OVS, no perf):
#   BENCH_PARTS            parts to run [pps decap tcp fdb ctrl]
#   BENCH_ROUNDS           alternating rounds per part [5; quick 2]
#   BENCH_PPS_SECS         pktgen window per sample, seconds [4; quick 2]
#   BENCH_TCP_SECS         iperf3 -t per sample [8; quick 3]
#   BENCH_FDB_SIZES        FDB sizes [1000 100000 1000000; quick 1000 10000]
#   BENCH_FDB_LOAD_TIMEOUT seconds one bulk FDB load may take [900]; a
#                          slower one is stopped and its time projected
#   BENCH_PPS_CONTENDERS   [aa kvtep kvtep-geneve vxlan ovs l2 mirred aa2]
#   BENCH_DECAP_CONTENDERS [aa kvtep vxlan aa2]
#   BENCH_TCP_CONTENDERS   [kvtep vxlan ovs l2]
#   BENCH_FDB_CONTENDERS   [kvtep vxlan]
#   BENCH_KVTEP_UDPCSUM    kvtep outer UDP checksum [off: like vxlan/OVS]
#   BENCH_PERF             pps/decap contenders to profile with perf record
#                          -a -g after the rounds [kvtep vxlan; quick none]
#   BENCH_OVS_WAIT         seconds ovs-vtep may take to program one MAC [600]
#   BENCH_CTRL_SIZES       part 4 rows per transaction [1000 10000 100000]
#   BENCH_CTRL_TIMEOUT     part 4: seconds ovs-vtep may take per sync sample
#                          before its time is projected from its rate [90]
#   BENCH_CTRL_OVS_ROUNDS  part 4: rounds with ovs-vtep sync samples [1]
#   BENCH_CTRL_SINGLE      part 4: single-row changes for kvtep [100]
#   BENCH_CTRL_SINGLE_OVS  part 4: single-row changes for ovs-vtep [10]
#   BENCH_CTRL_SINGLE_BIG  part 4: single changes per round with 100k rows [20]
#   BENCH_MEM              guest memory in MB [4096]
#   BENCH_TIMEOUT          VM timeout in seconds [3600]
#
# Figures only: a slow machine gives small numbers, never a failure. The
# exit status is 0 unless the harness itself breaks (build, no samples).

set -uo pipefail

# Parse everything before running anything: the file may be edited (or
# checked out) during a run.
{
cd "$(dirname "$0")/.." || exit 2
TOP=$(pwd -P)
REPORT_DIRS=()
if [ "${1:-}" = --report ]; then
	shift
	[ $# -gt 0 ] || { echo "usage: $0 --report RUNDIR..." >&2; exit 2; }
	REPORT_DIRS=("$@")
	KVER=$(sed -n 's/^kernel=//p' "$1/guest.txt" 2>/dev/null)
	KVER=${KVER:-unknown}
else
	KVER=${1:-6.12.95+deb12-amd64}
fi

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	: "${BENCH_ROUNDS:=2}" "${BENCH_PPS_SECS:=2}" "${BENCH_TCP_SECS:=3}"
	: "${BENCH_FDB_SIZES:=1000 10000}"
	: "${BENCH_PPS_CONTENDERS:=aa kvtep vxlan l2 aa2}"	# ovs-vtep alone takes minutes to set up
	: "${BENCH_TCP_CONTENDERS:=kvtep vxlan}"
	: "${BENCH_PERF:=}"
fi
: "${BENCH_PARTS:=pps decap tcp fdb ctrl}"
: "${BENCH_ROUNDS:=5}" "${BENCH_PPS_SECS:=4}" "${BENCH_TCP_SECS:=8}"
: "${BENCH_FDB_SIZES:=1000 100000 1000000}" "${BENCH_FDB_LOAD_TIMEOUT:=900}"
: "${BENCH_PPS_CONTENDERS:=aa kvtep kvtep-geneve vxlan ovs l2 mirred aa2}"
: "${BENCH_DECAP_CONTENDERS:=aa kvtep vxlan aa2}"
: "${BENCH_TCP_CONTENDERS:=kvtep vxlan ovs l2}"
: "${BENCH_FDB_CONTENDERS:=kvtep vxlan}"
: "${BENCH_KVTEP_UDPCSUM:=off}"
: "${BENCH_PERF=kvtep vxlan}" "${BENCH_OVS_WAIT:=600}"
: "${BENCH_MEM:=4096}" "${BENCH_TIMEOUT:=3600}"

msg() {
	echo "bench: $*" >&2
}

build_benchstat() {
	mkdir -p build/bench
	# shellcheck disable=SC2046
	cc -std=gnu11 -O2 -g -Wall -Wextra -Werror $(pkg-config --cflags jansson) \
		-o build/bench/benchstat selftests/bench/benchstat.c \
		$(pkg-config --libs jansson) -lm || { msg "benchstat build failed"; exit 2; }
}

if [ ${#REPORT_DIRS[@]} -gt 0 ]; then
	build_benchstat
	OUT=$TOP/build/bench/report-$(date -u +%Y%m%d-%H%M%S)
	mkdir -p "$OUT"
	for d in "${REPORT_DIRS[@]}"; do
		[ -s "$d/samples.tsv" ] || { msg "$d: no samples.tsv"; exit 1; }
		cat "$d/samples.tsv" >>"$OUT/samples.tsv"
		cat "$d/raw.tsv" >>"$OUT/raw.tsv" 2>/dev/null
		cat "$d/progress.log" >>"$OUT/progress.log" 2>/dev/null
		cp "$d"/perf-*.txt "$OUT/" 2>/dev/null
		# The settings of the first run that had the part.
		[ -r "$OUT/bench.env" ] || cp "$d/bench.env" "$OUT/bench.env" 2>/dev/null
	done
	[ ! -r "$OUT/bench.env" ] || source "$OUT/bench.env"
	echo "report of: ${REPORT_DIRS[*]}" >"$OUT/sources.txt"
	elapsed=n/a
else

# --- build ------------------------------------------------------------------

make --no-print-directory module KVER="$KVER" >/dev/null || { msg "module build failed"; exit 2; }
make --no-print-directory ctl >/dev/null || { msg "kvtepctl build failed"; exit 2; }
build_benchstat

# --- run --------------------------------------------------------------------

OUT=$TOP/build/bench/run-$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
ln -sfn "$(basename "$OUT")" build/bench/latest
for v in BENCH_PARTS BENCH_ROUNDS BENCH_PPS_SECS BENCH_TCP_SECS BENCH_FDB_SIZES \
	BENCH_FDB_LOAD_TIMEOUT BENCH_PPS_CONTENDERS BENCH_DECAP_CONTENDERS \
	BENCH_TCP_CONTENDERS BENCH_FDB_CONTENDERS BENCH_KVTEP_UDPCSUM BENCH_PERF BENCH_OVS_WAIT; do
	printf '%s="%s"\n' "$v" "${!v}"
done >"$OUT/bench.env"
# Part 4 (selftests/bench/ctrl.sh) settings, only when given.
for v in BENCH_CTRL_SIZES BENCH_CTRL_TIMEOUT BENCH_CTRL_KVTEP_TIMEOUT BENCH_CTRL_SINGLE \
	BENCH_CTRL_SINGLE_OVS BENCH_CTRL_SINGLE_BIG BENCH_CTRL_CONTENDERS BENCH_CTRL_OVS_ROUNDS; do
	[ -z "${!v:-}" ] || printf '%s="%s"\n' "$v" "${!v}"
done >>"$OUT/bench.env"
: >"$OUT/samples.tsv"

msg "kernel $KVER, parts: $BENCH_PARTS, $BENCH_ROUNDS rounds; results in $OUT"
start=$(date +%s)
rc=0
selftests/vm/run.sh --kernel "$KVER" --mem "$BENCH_MEM" --timeout "$BENCH_TIMEOUT" \
	--log "$OUT/console.log" -- selftests/bench/run.sh "$OUT" 2>&1 |
	grep -a --line-buffered -E '^BENCH |kvtep-vm:' | tee "$OUT/progress.log" || true
rc=${PIPESTATUS[0]}
[ "$rc" = 0 ] || msg "the VM run ended with status $rc (see $OUT/console.log); reporting what was measured"
elapsed=$(($(date +%s) - start))

if [ ! -s "$OUT/samples.tsv" ]; then
	msg "no samples were recorded: see $OUT/console.log"
	exit 1
fi

fi

# --- statistics -------------------------------------------------------------

accel=$(sed -n 's/.*booting .*(\([a-z]*\), .*/\1/p' "$OUT/progress.log" | head -n1)
build/bench/benchstat \
	-m kernel="$KVER" -m date="$(date -u +%FT%TZ)" -m host="$(uname -n)" \
	-m accel="${accel:-unknown}" -m rounds="$BENCH_ROUNDS" \
	-m pps_secs="$BENCH_PPS_SECS" -m tcp_secs="$BENCH_TCP_SECS" \
	-m fdb_sizes="$BENCH_FDB_SIZES" -m kvtep_udp_csum="$BENCH_KVTEP_UDPCSUM" \
	-m elapsed_s="$elapsed" -m commit="$(git rev-parse --short HEAD 2>/dev/null)" \
	-m host_cpus="$(nproc)" -m host_load="$(cut -d' ' -f1-3 /proc/loadavg)" \
	"$OUT/samples.tsv" selftests/bench/targets.conf "$OUT/results.json" >"$OUT/table.txt" ||
	{ msg "benchstat failed"; exit 1; }

# --- plot -------------------------------------------------------------------

if command -v gnuplot >/dev/null 2>&1 && command -v jq >/dev/null 2>&1; then
	# One bar per (test, contender) for the rate tests: median with min/max.
	for t in pps decap fdb_pps tcp; do
		jq -r --arg t "$t" '.tests[$t].contenders // {} | to_entries[] |
			[$t + ":" + .key, .value.median, .value.min, .value.max] | @tsv' \
			"$OUT/results.json"
	done >"$OUT/plot.tsv"
	if [ -s "$OUT/plot.tsv" ]; then
		gnuplot <<-EOF >/dev/null 2>&1 || msg "gnuplot failed (no plot)"
			set terminal pngcairo size 1400,700 noenhanced
			set output "$OUT/bench.png"
			set title "kvtep bench, $KVER (${accel:-?}), medians of $BENCH_ROUNDS rounds, bars = min..max"
			set datafile separator "\t"
			set style fill solid 0.5
			set boxwidth 0.7
			set xtics rotate by -45 noenhanced
			set logscale y
			set ylabel "pps (pps, decap, fdb_pps) / Gbit/s (tcp)"
			set grid ytics
			plot "$OUT/plot.tsv" using 0:2:xtic(1) with boxes notitle, \
			     "" using 0:2:3:4 with yerrorbars lc rgb "black" pt 0 notitle
		EOF
		[ ! -s "$OUT/bench.png" ] || msg "plot: $OUT/bench.png"
	fi
fi

echo
echo "kvtep bench: kernel $KVER (${accel:-?}), $BENCH_ROUNDS rounds, $(nproc) host CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), ${elapsed} s"
cat "$OUT/table.txt"
echo
msg "results: $OUT/results.json, samples: $OUT/samples.tsv, table: $OUT/table.txt"
exit 0
}
