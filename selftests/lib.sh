#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for kvtep selftests (kselftest style).  Source it from a test:
#
#	source "$(dirname "$(readlink -f "$0")")/lib.sh"
#	trap cleanup EXIT
#	setup_ns NS1 NS2
#	...
#	log_test $? 0 "what was tested"
#	exit "$(ksft_result)"    # or: exit_tests
#
# Network namespaces created by setup_ns are deleted by cleanup (and
# cleanup_ns).  Tests may register more cleanup with defer "cmd args...".

# kselftest exit codes
ksft_pass=0
ksft_fail=1
ksft_xfail=2
ksft_skip=4

# shellcheck disable=SC2034 # used by tests
KSFT_PASS=$ksft_pass KSFT_FAIL=$ksft_fail KSFT_XFAIL=$ksft_xfail KSFT_SKIP=$ksft_skip

: "${PAUSE_ON_FAIL:=no}"
: "${VERBOSE:=0}"

NS_LIST=()
DEFER_CMDS=()
nsuccess=0
nfail=0
nskip=0
ret=0

# ---- logging / results ----------------------------------------------------

# log_test RC EXPECTED NAME...
#	Print "TEST: NAME  [ OK ]" if RC == EXPECTED, else "[FAIL]"; count it.
#	RC == 4 ($ksft_skip) with EXPECTED != 4 is reported as [SKIP].
log_test() {
	local rc=$1 expected=$2
	shift 2
	local msg="$*"

	if [ "$rc" -eq "$expected" ]; then
		nsuccess=$((nsuccess + 1))
		printf "TEST: %-60s  [ OK ]\n" "$msg"
	elif [ "$rc" -eq "$ksft_skip" ]; then
		nskip=$((nskip + 1))
		printf "TEST: %-60s  [SKIP]\n" "$msg"
	else
		nfail=$((nfail + 1))
		ret=$ksft_fail
		printf "TEST: %-60s  [FAIL]\n" "$msg"
		if [ "$rc" != 0 ] || [ "$expected" != 0 ]; then
			echo "    rc=$rc, expected $expected"
		fi
		if [ "$PAUSE_ON_FAIL" = yes ] && [ -t 0 ]; then
			echo "Hit enter to continue, 'q' to quit"
			local a
			read -r a
			[ "$a" = q ] && exit 1
		fi
	fi
	return 0
}

log_info() {
	echo "INFO: $*"
}

log_skip() {
	nskip=$((nskip + 1))
	printf "TEST: %-60s  [SKIP]\n" "$*"
}

# Print the kselftest exit code for the results so far:
# fail if anything failed, skip if nothing passed but something was skipped.
ksft_result() {
	if [ "$nfail" -gt 0 ] || [ "$ret" != 0 ]; then
		echo "$ksft_fail"
	elif [ "$nsuccess" -eq 0 ] && [ "$nskip" -gt 0 ]; then
		echo "$ksft_skip"
	else
		echo "$ksft_pass"
	fi
}

log_summary() {
	echo "# Results: $nsuccess OK, $nfail FAIL, $nskip SKIP"
}

exit_tests() {
	log_summary
	exit "$(ksft_result)"
}

# skip_test MESSAGE: the whole test cannot run
skip_test() {
	echo "SKIP: $*"
	exit "$ksft_skip"
}

# require_cmd CMD...: skip the test if any command is missing
require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip_test "could not run test without $c"
	done
}

require_root() {
	[ "$(id -u)" = 0 ] || skip_test "need root privileges"
}

# run_cmd CMD...: run, echo output on VERBOSE, return its status
run_cmd() {
	local out rc
	out=$("$@" 2>&1) && rc=0 || rc=$?
	if [ "$VERBOSE" != 0 ]; then
		echo "    COMMAND: $*"
		[ -z "$out" ] || printf '    %s\n' "$out"
	fi
	return "$rc"
}

# ---- waiting --------------------------------------------------------------

# busywait TIMEOUT_MS CMD...: retry CMD until it succeeds or TIMEOUT_MS pass.
# Returns CMD's last status.  CMD's output of the last try is printed.
busywait() {
	local timeout_ms=$1
	shift
	local start now out rc

	start=$(date +%s%3N)
	while :; do
		out=$("$@") && rc=0 || rc=$?
		if [ "$rc" -eq 0 ]; then
			[ -z "$out" ] || echo "$out"
			return 0
		fi
		now=$(date +%s%3N)
		if [ $((now - start)) -gt "$timeout_ms" ]; then
			[ -z "$out" ] || echo "$out"
			return "$rc"
		fi
		sleep 0.1
	done
}

# slowwait TIMEOUT_S CMD...: like busywait, seconds, one try a second.
slowwait() {
	local timeout_s=$1
	shift
	local start out rc

	start=$(date +%s)
	while :; do
		out=$("$@") && rc=0 || rc=$?
		if [ "$rc" -eq 0 ]; then
			[ -z "$out" ] || echo "$out"
			return 0
		fi
		if [ $(($(date +%s) - start)) -ge "$timeout_s" ]; then
			[ -z "$out" ] || echo "$out"
			return "$rc"
		fi
		sleep 1
	done
}

# not CMD...: invert CMD's status (for busywait "until gone")
not() {
	if "$@"; then
		return 1
	fi
	return 0
}

# ---- network namespaces ---------------------------------------------------

# setup_ns VAR...: create one netns per VAR with a random name, store the
# name in VAR, bring lo up, and register it for cleanup.
setup_ns() {
	local var name
	for var in "$@"; do
		name="kvtep-${var,,}-$(mktemp -u XXXXXX)-$RANDOM"
		if ! ip netns add "$name"; then
			echo "Failed to create netns $name for $var" >&2
			return "$ksft_fail"
		fi
		NS_LIST+=("$name")
		ip -n "$name" link set lo up
		ip netns exec "$name" sysctl -wq net.ipv4.conf.all.rp_filter=0 2>/dev/null
		ip netns exec "$name" sysctl -wq net.ipv4.conf.default.rp_filter=0 2>/dev/null
		printf -v "$var" '%s' "$name"
	done
	return 0
}

# ns_exists NAME
ns_exists() {
	ip netns list | grep -qw -- "$1"
}

# cleanup_ns [NAME...]: delete the given (default: all registered) netns
cleanup_ns() {
	local ns keep=() rc=0
	if [ $# -eq 0 ]; then
		set -- "${NS_LIST[@]}"
	fi
	for ns in "$@"; do
		if ns_exists "$ns"; then
			ip netns del "$ns" || rc=1
		fi
	done
	for ns in "${NS_LIST[@]}"; do
		case " $* " in
		*" $ns "*) ;;
		*) keep+=("$ns") ;;
		esac
	done
	NS_LIST=("${keep[@]}")
	return "$rc"
}

# defer CMD...: run CMD (as one string, eval'd) at cleanup, last first
defer() {
	DEFER_CMDS+=("$*")
}

# cleanup: run deferred commands (LIFO), then delete all registered netns.
# Meant for "trap cleanup EXIT"; preserves the exit status.
cleanup() {
	local rc=$? i
	for ((i = ${#DEFER_CMDS[@]} - 1; i >= 0; i--)); do
		eval "${DEFER_CMDS[i]}" >/dev/null 2>&1 || true
	done
	DEFER_CMDS=()
	cleanup_ns >/dev/null 2>&1 || true
	return "$rc"
}

# ---- misc -----------------------------------------------------------------

# kmsg_mark: print the current number of kernel log lines, for
# kmsg_check_since
kmsg_mark() {
	dmesg 2>/dev/null | wc -l
}

# kmsg_check_since LINE: fail (and print them) if kernel log lines after
# LINE contain a splat
kmsg_check_since() {
	local from=${1:-0} bad
	bad=$(dmesg 2>/dev/null | tail -n +"$((from + 1))" |
		grep -E 'BUG:|WARNING:|Oops|general protection|refcount_t:|list_(add|del) corruption|UBSAN:|KASAN:|unregister_netdevice: waiting for|RCU stall|detected stall')
	if [ -n "$bad" ]; then
		printf '%s\n' "$bad" | sed 's/^/    /' # indent every line
		return 1
	fi
	return 0
}

# ---- kvtep helpers shared by the datapath tests ----------------------------
# They use $KVTEPCTL (the kvtepctl binary, set by the test) and, for
# ping_loss, the PING array that `require_kvtep ping` sets.

kctl() { # NS ARGS...
	local ns=$1
	shift
	ip netns exec "$ns" "$KVTEPCTL" "$@"
}

mac_of() { # NS DEV
	ip -n "$1" -j link show dev "$2" | jq -r '.[0].address'
}

stat_of() { # NS DEV JQ-PATH (under .stats)
	kctl "$1" -j stats "$2" | jq -r ".[0].stats.$3"
}

# require_kvtep [ping]: skip the test unless kvtepctl is built and the kvtep
# module is installed; with "ping", also set PING to ping or busybox ping.
require_kvtep() {
	if [ "$1" = ping ]; then
		if command -v ping >/dev/null 2>&1; then
			PING=(ping)
		elif command -v busybox >/dev/null 2>&1; then
			PING=(busybox ping)
		else
			skip_test "could not run test without ping"
		fi
	fi
	[ -x "$KVTEPCTL" ] || skip_test "$KVTEPCTL not built (make ctl)"
	modinfo kvtep >/dev/null 2>&1 ||
		skip_test "kvtep module not installed (build/\$(uname -r)/kvtep.ko + selftests/vm/run.sh)"
}

# ping_loss NS DST COUNT [ARGS...]: quiet ping; prints the loss percentage.
ping_loss() {
	local ns=$1 dst=$2 count=$3 out
	shift 3
	out=$(ip netns exec "$ns" "${PING[@]}" -q -c "$count" -i 0.2 -W 2 "$@" "$dst" 2>&1)
	[ "$VERBOSE" = 0 ] || printf '%s\n' "$out" | sed 's/^/    /' >&2
	printf '%s\n' "$out" | sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p'
}

no_ipv6() { # NS...: no IPv6 (no DAD, no router solicitations) in these netns
	local ns
	for ns in "$@"; do
		ip netns exec "$ns" sysctl -wq net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 2>/dev/null || return 1
	done
}

veth_pair() { # NS_A DEV_A NS_B DEV_B MTU
	ip link add "$2" netns "$1" mtu "$5" type veth peer name "$4" netns "$3" mtu "$5" &&
	ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up
}

# setup_vm VM_NS IP VTEP_NS PORT: a "VM" netns whose eth0 (MTU 1500,
# IP/24) is a veth to PORT in VTEP_NS.
setup_vm() {
	veth_pair "$3" "$4" "$1" eth0 1500 &&
	ip -n "$1" addr add "$2/24" dev eth0
}

# setup_underlay FAMILY NS1 NS2: u1 <-> u2 at MTU 1600 with 10.0.0.1/.2
# (FAMILY 4) or fd00::1/::2 (FAMILY 6).
setup_underlay() {
	veth_pair "$2" u1 "$3" u2 1600 || return 1
	if [ "$1" = 4 ]; then
		ip -n "$2" addr add 10.0.0.1/24 dev u1 &&
		ip -n "$3" addr add 10.0.0.2/24 dev u2
	else
		ip -n "$2" addr add fd00::1/64 dev u1 nodad &&
		ip -n "$3" addr add fd00::2/64 dev u2 nodad
	fi
}
