#!/bin/bash
# Fuzz the JSON-RPC/OVSDB message handling of kvtepctl ovsdb with libFuzzer
# (clang -fsanitize=fuzzer,address,undefined) for KVTEP_FUZZ_SECONDS (default
# 60) from the seed corpus selftests/host/fuzz_corpus; any crash, leak or
# UBSan report fails. Prints "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
secs=${KVTEP_FUZZ_SECONDS:-60}
if ! command -v clang >/dev/null; then
	echo "SKIP: no clang"; echo "0 passed, 0 failed"; exit 0
fi
make -s --no-print-directory -C ctl fuzz || { echo "0 passed, 1 failed"; exit 1; }
work=build/host/fuzz-corpus
mkdir -p "$work" build/host/fuzz-artifacts
out=$(UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	./build/host/kvtep_ovsdb_fuzz -max_total_time="$secs" -max_len=8192 \
	-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix=build/host/fuzz-artifacts/ \
	"$work" selftests/host/fuzz_corpus 2>&1)
rc=$?
printf '%s\n' "$out" | grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss|==[0-9]+==ERROR|SUMMARY|INFO: Running)' | head -n 20
if [ "$rc" -eq 0 ]; then
	echo "TEST: libFuzzer ${secs}s on the JSON-RPC/OVSDB parser: no crash, no leak  [ OK ]"
	echo "1 passed, 0 failed"
else
	printf '%s\n' "$out" | tail -n 40
	echo "TEST: libFuzzer ${secs}s on the JSON-RPC/OVSDB parser  [FAIL]"
	echo "0 passed, 1 failed"
	exit 1
fi
