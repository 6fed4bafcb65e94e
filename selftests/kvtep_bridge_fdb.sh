#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kvtep's FDB through stock iproute2: "bridge fdb show|add|append|del dev
# DEV" (the device's ndo_fdb_dump / ndo_fdb_add / ndo_fdb_del).
#
#  +--- VM1 ---+   +------ VTEP1 ------+   +------ VTEP2 ------+   +--- VM2 ---+
#  | eth0      +---+ p1 -- kv1         |   |         kv2 -- p2 +---+      eth0 |
#  | .33.1/24  |   |  u1 10.0.0.1/24 +-+---+-+ u2 10.0.0.2/24   |   |  .33.2/24 |
#  +-----------+   +-------------------+   +-------------------+   +-----------+
#
#  LS vni 33 on both. kv1 is configured with bridge(8) only (flood list by
#  "bridge fdb append 00:00:00:00:00:00", a static remote by "bridge fdb
#  add"); kv2 with kvtepctl only.
#
#  Checks: entries made by kvtepctl (flood list, static remote with a
#  port) are listed by "bridge fdb show" with dst/vni/port/self/static;
#  learned entries are listed without "static", with "via PORT"; the
#  flood list made by bridge shows in "kvtepctl flood show" and carries
#  ARP; a "bridge fdb add" entry shows in "kvtepctl fdb show" as
#  static-remote and carries unicast (encap counter, empty flood list);
#  "bridge fdb del" removes it (traffic stops, no_dest drops); bad
#  requests fail with the kernel's message.
#
# Environment: KVTEPCTL (default ctl/kvtepctl of this tree), VERBOSE=1.

source "$(dirname "$(readlink -f "$0")")/lib.sh"

TOP=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
KVTEPCTL=${KVTEPCTL:-$TOP/ctl/kvtepctl}
VNI=33

require_root
require_cmd ip jq bridge
require_kvtep ping

trap cleanup EXIT
kmsg_start=$(kmsg_mark)

br() { # NS ARGS...: bridge(8) in NS
	local ns=$1
	shift
	ip netns exec "$ns" bridge "$@"
}

ping_loss() { # NS DST COUNT
	local out
	out=$(ip netns exec "$1" "${PING[@]}" -q -c "$3" -i 0.2 -W 2 "$2" 2>&1)
	[ "$VERBOSE" = 0 ] || printf '%s\n' "$out" | sed 's/^/    /' >&2
	printf '%s\n' "$out" | sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p'
}

# bfdb NS DEV JQ-FILTER: "bridge -j fdb show dev DEV" has an entry matching
bfdb() {
	br "$1" -j fdb show dev "$2" | jq -e "any(.[]; $3)" >/dev/null
}

# kfdb NS DEV MAC TYPE: kvtepctl's FDB of VNI 33 has MAC with TYPE
kfdb() {
	kctl "$1" -j fdb show "$2" vni "$VNI" |
		jq -e --arg m "$3" --arg t "$4" 'any(.[]; .mac == $m and .type == $t)' >/dev/null
}

flood_ips() { # NS DEV: the flood list of VNI 33, space separated
	kctl "$1" -j flood show "$2" vni "$VNI" | jq -r '[.. | .ip? // empty] | join(" ")'
}

VM1='' VTEP1='' VTEP2='' VM2=''
setup_ns VM1 VTEP1 VTEP2 VM2 || skip_test "cannot create namespaces"

veth_pair "$VTEP1" u1 "$VTEP2" u2 1600 &&
ip -n "$VTEP1" addr add 10.0.0.1/24 dev u1 &&
ip -n "$VTEP2" addr add 10.0.0.2/24 dev u2 &&
veth_pair "$VTEP1" p1 "$VM1" eth0 1500 &&
veth_pair "$VTEP2" p2 "$VM2" eth0 1500 &&
ip -n "$VM1" addr add 192.168.33.1/24 dev eth0 &&
ip -n "$VM2" addr add 192.168.33.2/24 dev eth0 &&
ip -n "$VTEP1" link add kv1 type kvtep &&
kctl "$VTEP1" dev set kv1 local 10.0.0.1 &&
ip -n "$VTEP1" link set p1 master kv1 &&
ip -n "$VTEP1" link set kv1 up &&
kctl "$VTEP1" ls add kv1 vni "$VNI" &&
kctl "$VTEP1" bind add kv1 port p1 vni "$VNI" &&
ip -n "$VTEP2" link add kv2 type kvtep &&
kctl "$VTEP2" dev set kv2 local 10.0.0.2 &&
ip -n "$VTEP2" link set p2 master kv2 &&
ip -n "$VTEP2" link set kv2 up &&
kctl "$VTEP2" ls add kv2 vni "$VNI" &&
kctl "$VTEP2" bind add kv2 port p2 vni "$VNI" &&
kctl "$VTEP2" flood set kv2 vni "$VNI" remote 10.0.0.1
rc=$?
log_test $rc 0 "two VTEPs, LS vni $VNI"
[ $rc = 0 ] || exit_tests
mac1=$(mac_of "$VM1" eth0)
mac2=$(mac_of "$VM2" eth0)

# ---- kvtepctl -> bridge fdb show -------------------------------------------

kctl "$VTEP2" fdb add kv2 vni "$VNI" mac 02:00:00:00:aa:01 remote 10.0.0.1 port 4790
[ "$VERBOSE" = 0 ] || br "$VTEP2" fdb show dev kv2
bfdb "$VTEP2" kv2 '.mac == "00:00:00:00:00:00" and .dst == "10.0.0.1" and .vni == 33 and
	.state == "static" and (.flags | index("self"))'
log_test $? 0 "bridge fdb show: kvtepctl's flood list is 00:00:00:00:00:00 dst 10.0.0.1 vni 33 self static"
bfdb "$VTEP2" kv2 '.mac == "02:00:00:00:aa:01" and .dst == "10.0.0.1" and .vni == 33 and
	.port == 4790 and .state == "static"'
log_test $? 0 "bridge fdb show: kvtepctl's static remote entry with dst, vni and port"
line=$(br "$VTEP2" fdb show dev kv2 | grep 02:00:00:00:aa:01)
log_info "bridge fdb show dev kv2: $line"
[ "$line" = "02:00:00:00:aa:01 dst 10.0.0.1 port 4790 vni 33 self static " ] ||
	[ "$line" = "02:00:00:00:aa:01 dst 10.0.0.1 port 4790 vni 33 self static" ]
log_test $? 0 "bridge fdb show: text line as for a vxlan device"

# ---- bridge fdb append -> flood list ---------------------------------------

br "$VTEP1" fdb append 00:00:00:00:00:00 dev kv1 dst 10.0.0.2 vni "$VNI" self
log_test $? 0 "bridge fdb append 00:00:00:00:00:00 dev kv1 dst 10.0.0.2 vni $VNI"
ips=$(flood_ips "$VTEP1" kv1)
log_info "kvtepctl flood show kv1: ${ips:-empty}"
[ "$ips" = 10.0.0.2 ]
log_test $? 0 "kvtepctl flood show lists the appended remote"

loss=$(ping_loss "$VM1" 192.168.33.2 5)
log_info "ping VM1 -> VM2 (ARP through the appended flood list): ${loss:-?}% loss"
[ "$loss" = 0 ]
log_test $? 0 "ping VM1 -> VM2 through the flood list made by bridge"

br "$VTEP1" -j fdb show dev kv1 |
	jq -e --arg m "$mac1" 'any(.[]; .mac == $m and .vni == 33 and .state != "static" and
		.state != "permanent" and (.flags | index("self")))' >/dev/null
log_test $? 0 "bridge fdb show: VM1's learned MAC, self, not static"
br "$VTEP1" fdb show dev kv1 | grep -q "^$mac1 .*via p1 .*vni 33" ||
	br "$VTEP1" fdb show dev kv1 | grep -q "^$mac1 .*vni 33 .*via p1"
log_test $? 0 "bridge fdb show: learned entry says via p1"
[ "$VERBOSE" = 0 ] || br "$VTEP1" fdb show dev kv1

# ---- bridge fdb add -> static remote that carries unicast ------------------

br "$VTEP1" fdb add "$mac2" dev kv1 dst 10.0.0.2 vni "$VNI" self static &&
kfdb "$VTEP1" kv1 "$mac2" static-remote
log_test $? 0 "bridge fdb add VM2's MAC: kvtepctl fdb show has it as static-remote"
br "$VTEP1" fdb del 00:00:00:00:00:00 dev kv1 dst 10.0.0.2 vni "$VNI" self
ips=$(flood_ips "$VTEP1" kv1)
[ -z "$ips" ]
log_test $? 0 "bridge fdb del 00:00:00:00:00:00 dst 10.0.0.2: kv1's flood list is empty"
enc0=$(stat_of "$VTEP1" kv1 encap_packets)
loss=$(ping_loss "$VM1" 192.168.33.2 5)
enc1=$(stat_of "$VTEP1" kv1 encap_packets)
log_info "unicast via the bridge-added entry: ${loss:-?}% loss, kv1 encap $enc0 -> $enc1"
[ "$loss" = 0 ] && [ $((enc1 - enc0)) -ge 5 ]
log_test $? 0 "unicast VM1 -> VM2 uses the entry added by bridge fdb add"

br "$VTEP1" fdb del "$mac2" dev kv1 vni "$VNI" self &&
! kfdb "$VTEP1" kv1 "$mac2" static-remote &&
! bfdb "$VTEP1" kv1 ".mac == \"$mac2\""
log_test $? 0 "bridge fdb del removes it (kvtepctl and bridge agree)"
d0=$(stat_of "$VTEP1" kv1 drops.no_dest)
loss=$(ping_loss "$VM1" 192.168.33.2 3)
d1=$(stat_of "$VTEP1" kv1 drops.no_dest)
log_info "after del: ${loss:-?}% loss, kv1 no_dest drops $d0 -> $d1"
[ "$loss" = 100 ] && [ $((d1 - d0)) -ge 3 ]
log_test $? 0 "after del (no entry, empty flood list) frames to VM2 are dropped (no_dest)"

# ---- bad requests ----------------------------------------------------------

# bad WHAT EXPECTED-MESSAGE-REGEX BRIDGE-ARGS...: bridge fails with the message
bad() {
	local what=$1 re=$2 out rc
	shift 2
	out=$(br "$VTEP1" "$@" 2>&1)
	rc=$?
	log_info "$what: rc=$rc: $out"
	[ $rc != 0 ] && printf '%s\n' "$out" | grep -Eq "$re"
	log_test $? 0 "bad request fails with a message: $what"
}

bad "unknown VNI" "no logical switch" \
	fdb add 02:00:00:00:bb:01 dev kv1 dst 10.0.0.2 vni 99 self static
bad "no VNI" "needs a VNI" \
	fdb add 02:00:00:00:bb:01 dev kv1 dst 10.0.0.2 self static
bad "no dst" "needs a remote" \
	fdb add 02:00:00:00:bb:01 dev kv1 vni "$VNI" self static
bad "dynamic entry" "only static" \
	fdb add 02:00:00:00:bb:01 dev kv1 dst 10.0.0.2 vni "$VNI" self dynamic
bad "IPv6 dst without a local IPv6" "no local IPv6" \
	fdb add 02:00:00:00:bb:01 dev kv1 dst fd00::2 vni "$VNI" self static
bad "zero MAC without append" "append" \
	fdb add 00:00:00:00:00:00 dev kv1 dst 10.0.0.2 vni "$VNI" self static
bad "del of a missing entry" "no FDB entry" \
	fdb del 02:00:00:00:bb:02 dev kv1 vni "$VNI" self
bad "del of a remote not in the flood list" "not in the flood list" \
	fdb del 00:00:00:00:00:00 dev kv1 dst 10.0.0.9 vni "$VNI" self
kfdb "$VTEP1" kv1 02:00:00:00:bb:01 static-remote
log_test $? 1 "bad requests left no entry behind"

kmsg_check_since "$kmsg_start"
log_test $? 0 "no kernel warnings"

exit_tests
