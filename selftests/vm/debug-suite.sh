#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kvtep selftests under the debug kernel (scripts/debug-kernel.sh), run
# inside the test VM:
#
#	selftests/vm/run.sh --kernel 6.12.N-kvtepdbg -- \
#		selftests/vm/debug-suite.sh [--subset | TEST...]
#
# Runs selftests/run_tests.sh (every test, the named TESTs, or with --subset
# the DEBUG_TESTS of selftests/Makefile), then unloads kvtep and has
# kmemleak scan: any unreferenced object whose allocation backtrace passes
# through kvtep fails the run, while the module is loaded (by name) and
# after it is gone (by the addresses its text had). Leaks of the kernel's
# own are printed, not counted. KASAN, lockdep, UBSAN and the rest report
# in the kernel log, which selftests/vm/run.sh checks after the run.
#
# Prints the run_tests.sh lines and "N passed, N failed" with the kmemleak
# check as one more test.

set -u

DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
KMEMLEAK=/sys/kernel/debug/kmemleak
REPORT=$DIR/../build/vm/kmemleak.txt

if [ "${1:-}" = --subset ]; then
	shift
	# shellcheck disable=SC2207 # a make list
	set -- $(make -s --no-print-directory -C "$DIR" print-tests |
		sed -n 's/^DEBUG_TESTS := //p')
fi

[ -w "$KMEMLEAK" ] || { echo "# kmemleak: $KMEMLEAK missing (not the debug kernel?)"; exit 1; }

# Objects allocated while booting are no business of ours: scan now and
# forget what is reported, so that the end shows only what the tests left.
echo scan >"$KMEMLEAK"
echo clear >"$KMEMLEAK"

out=$(mktemp)
"$DIR/run_tests.sh" "$@" | tee "$out"
passed=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$out" | tail -n1)
failed=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$out" | tail -n1)
rm -f "$out"
passed=${passed:-0}
failed=${failed:-1}

# kvtep's text, while it is still loaded: after rmmod a backtrace can only
# show its addresses.
range=$(awk '$4 == "[kvtep]" && ($2 == "t" || $2 == "T") { print $1 }' /proc/kallsyms |
	sort | sed -n '1p;$p' | tr '\n' ' ')

# Scan twice (an object is reported once it was unreferenced in two scans
# in a row), with a pause between, as Documentation/dev-tools/kmemleak.rst
# advises.
kmemleak_scan() {
	echo scan >"$KMEMLEAK"
	sleep 5
	echo scan >"$KMEMLEAK"
}

kmemleak_scan
loaded_report=$(cat "$KMEMLEAK")

rmmod_ok=1
if grep -q '^kvtep ' /proc/modules; then
	modprobe -r kvtep || rmmod_ok=0
fi
kmemleak_scan
unloaded_report=$(cat "$KMEMLEAK")

mkdir -p "$(dirname "$REPORT")"
{
	echo "# kmemleak before rmmod"
	echo "$loaded_report"
	echo "# kmemleak after rmmod (kvtep text was ${range:-unknown})"
	echo "$unloaded_report"
} >"$REPORT"

# Split a report into objects and keep those that are kvtep's.
ours() { # $1 = report, $2 = low, $3 = high (hex, may be empty)
	awk -v lo="$2" -v hi="$3" '
		function ours(line,   a) {
			if (line ~ /\[kvtep\]/) return 1
			if (lo == "" || !match(line, /ffffffff[0-9a-f]{8}/)) return 0
			a = substr(line, RSTART, RLENGTH)
			return a >= lo && a <= hi
		}
		/^unreferenced object/ { if (obj != "" && hit) print obj; obj = $0; hit = 0; next }
		{ obj = obj "\n" $0; if (ours($0)) hit = 1 }
		END { if (obj != "" && hit) print obj }' <<<"$1"
}
lo=${range%% *}
hi=${range#* }
hi=${hi% }
if [ -n "$lo" ]; then
	# the last symbol's function ends somewhere after its start
	hi=$(printf '%016x' $((0x$hi + 0x10000)))
fi
leaks=$( { ours "$loaded_report" "" ""; ours "$unloaded_report" "$lo" "$hi"; } )
others=$(grep -c '^unreferenced object' <<<"$unloaded_report")

n=$((passed + failed + 1))
if [ "$rmmod_ok" = 0 ]; then
	echo "not ok $n kmemleak # rmmod kvtep failed"
	failed=$((failed + 1))
elif [ -n "$leaks" ]; then
	echo "not ok $n kmemleak # objects allocated by kvtep were leaked (report: build/vm/kmemleak.txt)"
	sed 's/^/# /' <<<"$leaks" | head -n 60
	failed=$((failed + 1))
else
	echo "ok $n kmemleak # no kvtep object among $others unreferenced objects after rmmod"
	passed=$((passed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
