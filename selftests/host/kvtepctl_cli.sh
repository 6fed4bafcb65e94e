#!/bin/bash
# Host-side checks of kvtepctl that need no kernel module: exit codes,
# usage errors naming the culprit, version, help, JSON of errors.
set -u
cd "$(dirname "$0")/../.."
CTL=./ctl/kvtepctl
passed=0
failed=0

# expect RC NAME CMD...: run CMD, compare its exit status, keep stderr.
expect() {
	local want=$1 name=$2 rc
	shift 2
	"$@" >/tmp/kvtepctl_cli.out 2>/tmp/kvtepctl_cli.err
	rc=$?
	if [ "$rc" -eq "$want" ]; then
		passed=$((passed + 1))
		printf 'TEST: %-60s [ OK ]\n' "$name"
	else
		failed=$((failed + 1))
		printf 'TEST: %-60s [FAIL] (exit %s, want %s)\n' "$name" "$rc" "$want"
		sed 's/^/    /' /tmp/kvtepctl_cli.err
	fi
}

# stderr_has NAME PATTERN: the last command's stderr matches PATTERN.
stderr_has() {
	if grep -qE "$2" /tmp/kvtepctl_cli.err; then
		passed=$((passed + 1))
		printf 'TEST: %-60s [ OK ]\n' "$1"
	else
		failed=$((failed + 1))
		printf 'TEST: %-60s [FAIL]\n' "$1"
		sed 's/^/    /' /tmp/kvtepctl_cli.err
	fi
}

expect 0 "--version exits 0" $CTL --version
grep -q "$(cat VERSION)" /tmp/kvtepctl_cli.out && passed=$((passed + 1)) ||
	{ failed=$((failed + 1)); echo "TEST: --version prints VERSION [FAIL]"; }
expect 0 "help exits 0" $CTL help
# "help all" is the complete reference: every object's command usage, and
# every object listed in "help" has its "Usage: kvtepctl OBJ" block there.
expect 0 "help all exits 0" $CTL help all
cp /tmp/kvtepctl_cli.out /tmp/kvtepctl_cli.all
missing=
for obj in $($CTL help | sed -n '/^Objects:/,/^$/s/^  \([a-z]*\) .*/\1/p'); do
	[ "$obj" = help ] && continue
	grep -qE "^Usage: kvtepctl (\[-j\] )?$obj( |$)" /tmp/kvtepctl_cli.all || missing="$missing $obj"
done
if [ -z "$missing" ]; then
	passed=$((passed + 1))
	printf 'TEST: %-60s [ OK ]\n' "help all documents every object"
else
	failed=$((failed + 1))
	printf 'TEST: %-60s [FAIL] (missing:%s)\n' "help all documents every object" "$missing"
fi
expect 2 "unknown object is a usage error" $CTL frobnicate
stderr_has "unknown object is named" "frobnicate"
expect 2 "dev set with a bad ttl is a usage error" $CTL dev set vtep0 ttl 300
stderr_has "bad ttl is named" "ttl"
expect 2 "dev set with a bad df word is a usage error" $CTL dev set vtep0 df maybe
expect 2 "dev set with a bad address is a usage error" $CTL dev set vtep0 local 10.1.1
expect 2 "dev set with nothing to set is a usage error" $CTL dev set vtep0
expect 2 "too long a device name is a usage error" $CTL dev show abcdefghijklmnopqrstuvwxyz
if [ ! -d /sys/module/kvtep ]; then
	expect 1 "no module: dev show fails with exit 1" $CTL dev show
	stderr_has "no module: says the family is missing" "kvtep"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
