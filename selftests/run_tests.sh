#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the kvtep selftests (meant to run inside the test VM, as root):
#
#	selftests/vm/run.sh [--kernel KVER] -- selftests/run_tests.sh [TEST...]
#
# Runs every program listed in TEST_PROGS (scripts) and TEST_GEN_PROGS
# (built binaries) of selftests/Makefile, or only the named TESTs, each under
# a timeout, and prints KTAP-style results:
#
#	ok N name / ok N name # SKIP / not ok N name # reason
#	N passed, N failed
#
# Skipped tests (exit 4) count as passed.  Exit status: 0 if nothing failed,
# 1 otherwise.
#
# Environment:
#	KVTEP_TEST_TIMEOUT  per-test timeout in seconds (default: "timeout=" in
#	                    selftests/settings, else 300)
#	OUTPUT              where TEST_GEN_PROGS are built (default selftests/)

set -eu

# Parse everything before running anything: the file may be edited (or
# checked out) while a run is in progress.
{

DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
OUTPUT=${OUTPUT:-$DIR}
ksft_skip=4

usage() {
	sed -n '4,/^# Environment:/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
	exit "${1:-2}"
}

case "${1:-}" in
-h|--help) usage 0 ;;
esac

# Print the value of make variable $1 (":=", "=", "+=", "\" continuations).
makefile_var() {
	local var=$1 mk=$DIR/Makefile
	[ -f "$mk" ] || return 0
	if grep -q '^print-tests:' "$mk" && command -v make >/dev/null; then
		make -s --no-print-directory -C "$DIR" print-tests 2>/dev/null |
			sed -n "s/^${var}[[:space:]]*[:+]*=[[:space:]]*//p"
		return 0
	fi
	sed -e ':a' -e '/\\$/{N; s/\\\n/ /; ba}' "$mk" |
		sed -n "s/^[[:space:]]*${var}[[:space:]]*[:+]*=[[:space:]]*//p" |
		sed 's/#.*//'
}

timeout_s=${KVTEP_TEST_TIMEOUT:-}
if [ -z "$timeout_s" ] && [ -f "$DIR/settings" ]; then
	timeout_s=$(sed -n 's/^timeout=\([0-9]*\).*/\1/p' "$DIR/settings" | tail -n1)
fi
timeout_s=${timeout_s:-300}

# shellcheck disable=SC2207 # word splitting wanted: make lists
progs=($(makefile_var TEST_PROGS))
# shellcheck disable=SC2207
gen_progs=($(makefile_var TEST_GEN_PROGS))

tests=()
paths=()
for t in ${progs[@]+"${progs[@]}"}; do
	tests+=("$t")
	paths+=("$DIR/$t")
done
for t in ${gen_progs[@]+"${gen_progs[@]}"}; do
	tests+=("$t")
	paths+=("$OUTPUT/$t")
done

if [ $# -gt 0 ]; then
	sel_tests=()
	sel_paths=()
	for want in "$@"; do
		want=${want##*/}
		found=
		for i in "${!tests[@]}"; do
			if [ "${tests[i]}" = "$want" ]; then
				sel_tests+=("${tests[i]}")
				sel_paths+=("${paths[i]}")
				found=1
				break
			fi
		done
		if [ -z "$found" ]; then
			# Not listed in the Makefile: run it if it is there.
			sel_tests+=("$want")
			if [ -e "$DIR/$want" ]; then
				sel_paths+=("$DIR/$want")
			else
				sel_paths+=("$OUTPUT/$want")
			fi
		fi
	done
	tests=("${sel_tests[@]}")
	paths=("${sel_paths[@]}")
fi

if [ ${#tests[@]} -eq 0 ]; then
	echo "# no tests found (TEST_PROGS/TEST_GEN_PROGS in $DIR/Makefile)" >&2
fi

[ "$(id -u)" = 0 ] || echo "# warning: not running as root" >&2
[ "${KVTEP_VM:-0}" = 1 ] || echo "# warning: not running in the test VM (selftests/vm/run.sh)" >&2

echo "TAP version 13"
echo "1..${#tests[@]}"
passed=0
failed=0
skipped=0
n=0
cd "$DIR"
for i in "${!tests[@]}"; do
	n=$((n + 1))
	name=${tests[i]}
	path=${paths[i]}
	echo "# selftests: kvtep: $name"
	if [ ! -e "$path" ]; then
		echo "not ok $n $name # not found: $path (not built?)"
		failed=$((failed + 1))
		continue
	fi
	if [ ! -x "$path" ]; then
		echo "not ok $n $name # not executable: $path"
		failed=$((failed + 1))
		continue
	fi
	start=$(date +%s)
	rc=0
	timeout --foreground -k 10 "$timeout_s" "$path" </dev/null 2>&1 |
		sed -u 's/^/# /' || true
	rc=${PIPESTATUS[0]}
	secs=$(($(date +%s) - start))
	if [ "$rc" -eq 0 ]; then
		echo "ok $n $name # ${secs}s"
		passed=$((passed + 1))
	elif [ "$rc" -eq "$ksft_skip" ]; then
		echo "ok $n $name # SKIP"
		passed=$((passed + 1))
		skipped=$((skipped + 1))
	elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "not ok $n $name # TIMEOUT ${timeout_s}s"
		failed=$((failed + 1))
	else
		echo "not ok $n $name # exit=$rc"
		failed=$((failed + 1))
	fi
done

[ "$skipped" -eq 0 ] || echo "# skipped: $skipped"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
}
