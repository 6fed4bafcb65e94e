#!/bin/bash
# Host-side checks of "kvtepctl ovsdb" that need no module: help, usage
# errors naming the culprit (exit 2), and a clean failure without the
# kvtep module (exit 1). Prints "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
CTL=./ctl/kvtepctl
passed=0
failed=0
err=$(mktemp)
trap 'rm -f "$err"' EXIT

expect() { # RC NAME [PATTERN-IN-STDERR] -- CMD...
	local want=$1 name=$2 pat=$3 rc
	shift 4
	"$@" >/dev/null 2>"$err"
	rc=$?
	if [ "$rc" -eq "$want" ] && { [ -z "$pat" ] || grep -qE -- "$pat" "$err"; }; then
		passed=$((passed + 1))
		printf 'TEST: %-60s [ OK ]\n' "$name"
	else
		failed=$((failed + 1))
		printf 'TEST: %-60s [FAIL] (exit %s, want %s)\n' "$name" "$rc" "$want"
		sed 's/^/    /' "$err"
	fi
}

expect 0 "ovsdb help exits 0" "" -- $CTL ovsdb help
expect 0 "help ovsdb exits 0" "" -- $CTL help ovsdb
expect 2 "ovsdb without PS_NAME is a usage error" "PS_NAME" -- $CTL ovsdb
expect 2 "two PS_NAMEs are a usage error" "one PS_NAME" -- $CTL ovsdb br0 br1
expect 2 "ssl: remote is rejected, named" "ssl:1.2.3.4:6640" -- $CTL ovsdb --db=ssl:1.2.3.4:6640 br0
expect 2 "tcp remote without port is rejected" "tcp:1.2.3.4" -- $CTL ovsdb --db=unix:/x,tcp:1.2.3.4 br0
expect 2 "bad stats interval is rejected" "stats-interval" -- $CTL ovsdb --stats-interval=-1 br0
expect 2 "unknown option is a usage error" "" -- $CTL ovsdb --frobnicate br0
if [ ! -d /sys/module/kvtep ]; then
	expect 1 "no module: fails with exit 1, says why" "kvtep" -- \
		$CTL ovsdb --db=unix:/nonexistent.sock br0
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
