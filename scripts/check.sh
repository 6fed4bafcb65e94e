#!/bin/bash
# make check: install dependencies, build for every supported kernel, run the
# host-side tests, then boot each kernel under qemu and run the selftests in it.
# Prints one closing line "N passed, N failed" over everything.
#
# usage: scripts/check.sh [KVER]       (default: every supported kernel installed)
#        scripts/check.sh --debug-only  the whole VM suite under the debug kernel
#
# Unless KVTEP_CHECK_DEBUG=0, the debug stage follows: scripts/debug-kernel.sh
# builds (once; then it is cached) a 6.12 kernel with KASAN, lockdep,
# PROVE_RCU, kmemleak and UBSAN, and the DEBUG_TESTS of selftests/Makefile
# (with the fuzzers in their short form) run under it; --debug-only runs
# the whole suite there, the fuzzers in full.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
TOP=$PWD
LOGDIR=$TOP/build/check
mkdir -p "$LOGDIR"

passed=0
failed=0
failures=()

# step NAME CMD...: run CMD with its output in build/check/NAME.log; one test.
step() {
	local name=$1 log="$LOGDIR/$1.log" t0=$SECONDS
	shift
	if "$@" >"$log" 2>&1; then
		passed=$((passed + 1))
		printf 'ok     %-40s %4ds\n' "$name" $((SECONDS - t0))
	else
		failed=$((failed + 1))
		failures+=("$name")
		printf 'FAIL   %-40s %4ds  (log: %s)\n' "$name" $((SECONDS - t0)) "${log#"$TOP"/}"
		tail -n 25 "$log" | sed 's/^/    | /'
	fi
}

# suite NAME CMD...: CMD prints its own "N passed, N failed"; add those up.
suite() {
	local name=$1 log="$LOGDIR/$1.log" t0=$SECONDS rc p f line
	shift
	"$@" >"$log" 2>&1
	rc=$?
	line=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1)
	if [ -n "$line" ]; then
		p=$(sed -E 's/^([A-Za-z]+: )?([0-9]+) passed.*/\2/' <<<"$line")
		f=$(sed -E 's/^([A-Za-z]+: )?[0-9]+ passed, ([0-9]+) failed.*/\2/' <<<"$line")
	else
		p=0 f=0
	fi
	# A suite that failed without saying which test failed counts one failure.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -eq 0 ]; then
		printf 'ok     %-40s %4ds  (%s passed)\n' "$name" $((SECONDS - t0)) "$p"
	else
		failures+=("$name")
		printf 'FAIL   %-40s %4ds  (%s passed, %s failed; log: %s)\n' \
			"$name" $((SECONDS - t0)) "$p" "$f" "${log#"$TOP"/}"
		grep -E '^(not ok|# FAIL|TEST: .*FAIL|kvtep-vm:)' "$log" | head -n 20 | sed 's/^/    | /'
		tail -n 15 "$log" | sed 's/^/    | /'
	fi
}

echo "== dependencies"
if [ "$(id -u)" = 0 ]; then
	./scripts/install-deps.sh 2>&1 | tail -n 3 || { echo "dependency installation failed"; exit 1; }
else
	echo "not root: skipping dependency installation"
fi

debug_only=0
if [ "${1:-}" = --debug-only ]; then
	debug_only=1
	shift
fi

# The debug stage: the debug kernel, kvtep for it, and the tests under it.
debug_stage() {
	local dk tests=(--subset) env=(env KVTEP_FUZZ_SHORT=1) limit=3600
	if [ "$debug_only" = 1 ]; then
		# the whole suite took over 60 min under the debug kernel on a busy host
		tests=()
		env=(env)
		limit=10800
	fi
	echo "== debug kernel"
	step debug-kernel ./scripts/debug-kernel.sh
	dk=$(./scripts/debug-kernel.sh --print-release)
	if [ ! -e "/lib/modules/$dk/build/Makefile" ]; then
		failed=$((failed + 1))
		failures+=("vm-$dk")
		echo "FAIL   vm-$dk: no debug kernel"
		return
	fi
	step "build-module-$dk" make --no-print-directory module KVER="$dk"
	if [ -e "build/$dk/kvtep.ko" ]; then
		suite "vm-$dk" selftests/vm/run.sh --kernel "$dk" --mem 3072 --timeout "$limit" -- \
			"${env[@]}" selftests/vm/debug-suite.sh "${tests[@]}"
	else
		failed=$((failed + 1))
		failures+=("vm-$dk")
		echo "FAIL   vm-$dk: no module built"
	fi
}

if [ "$debug_only" = 1 ]; then
	echo "== build"
	step build-kvtepctl make --no-print-directory ctl
	step build-selftests make --no-print-directory selftests
	debug_stage
	echo
	[ ${#failures[@]} -eq 0 ] || echo "failed: ${failures[*]}"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
fi

if [ $# -gt 0 ]; then
	KVERS=("$@")
else
	mapfile -t KVERS < <(make -s --no-print-directory print-kvers)
fi
[ ${#KVERS[@]} -gt 0 ] || { echo "no supported kernel with headers installed"; exit 1; }
echo "== kernels: ${KVERS[*]}"

echo "== build"
for k in "${KVERS[@]}"; do
	step "build-module-$k" make --no-print-directory module KVER="$k"
done
step build-kvtepctl make --no-print-directory ctl
step build-selftests make --no-print-directory selftests
step checkpatch make --no-print-directory style

echo "== host tests"
for t in selftests/host/*.sh; do
	[ -e "$t" ] || continue
	suite "host-$(basename "$t" .sh)" "$t"
done
if [ -e ctl/Makefile ] && grep -q '^test:' ctl/Makefile; then
	suite host-ctl-unit make --no-print-directory -C ctl test
fi
for k in "${KVERS[@]}"; do
	step "dkms-$k" ./scripts/dkms-check.sh "$k"
done

echo "== VM selftests"
for k in "${KVERS[@]}"; do
	if [ -e "build/$k/kvtep.ko" ]; then
		suite "vm-$k" selftests/vm/run.sh --kernel "$k" --timeout 3600 -- selftests/run_tests.sh
	else
		failed=$((failed + 1))
		failures+=("vm-$k")
		echo "FAIL   vm-$k: no module built"
	fi
done

if [ "${KVTEP_CHECK_DEBUG:-1}" != 0 ]; then
	debug_stage
fi

echo
if [ ${#failures[@]} -gt 0 ]; then
	echo "failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
