#!/bin/bash
# Host unit tests of kvtepctl ovsdb (selftests/host/kvtep_ovsdb_unit.c):
# built with ASan + UBSan (leaks included) and run; prints "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
make -s --no-print-directory kselftest-headers || exit 1
make -s --no-print-directory -C ctl unit || exit 1
out=$(ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	./build/host/kvtep_ovsdb_unit 2>&1)
rc=$?
printf '%s\n' "$out"
p=$(sed -n 's/^# Totals: pass:\([0-9]*\) fail:\([0-9]*\).*/\1/p' <<<"$out")
f=$(sed -n 's/^# Totals: pass:\([0-9]*\) fail:\([0-9]*\).*/\2/p' <<<"$out")
p=${p:-0} f=${f:-0}
[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=1
echo "$p passed, $f failed"
[ "$f" -eq 0 ]
