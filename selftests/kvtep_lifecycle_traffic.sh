#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kvtep lifecycle under traffic: ports, devices, namespaces and the module
# go away while frames are crossing the tunnel.
#
#  +-- VM1 --+   +------- VTEP1 -------+   +------- VTEP2 -------+   +-- VM2 --+
#  | eth0    +---+ p1 -- kv1 (kvtep)   |   |   (kvtep) kv2 -- p2 +---+ eth0    |
#  | .33.1   |   |  u1 10.0.0.1/24  +--+---+--+ u2 10.0.0.2/24   |   | .33.2   |
#  +---------+   +---------------------+   +---------------------+   +---------+
#
# Traffic: iperf3 TCP VM1 -> VM2 (GSO frames through both VTEPs) and a flood
# ping VM2 -> VM1, restarted when a step took an end of it away. Before each
# step the tunnel is seen busy (kv1's encap counter moving); after it:
# no WARN/BUG/refcount message in the kernel log, nothing of the removed
# object left (port list, master link, UDP 4789 socket, kvtep link).
#
#  1. ip link set p1 nomaster            p1 leaves kv1, its binding goes;
#                                        re-enslaved, traffic flows again
#  2. kvtepctl port del kv1 p1           same through genl
#  3. ip link del p1 (while enslaved)    the port goes with its netdev
#  4. ip link del kv1                    ports released, socket closed
#  5. ip netns del VTEP2 (kv2 inside)    kv2 goes with its namespace
#  6. rmmod kvtep with kv1 up, frames    kvtep holds no module reference for
#     entering it from p1                its devices (lsmod: 0 users): like
#                                        any rtnl_link kind, unloading deletes
#                                        every kvtep device in every netns
#                                        (rtnl_link_unregister) and succeeds.
#                                        Asserted: rmmod succeeds, kv1 is
#                                        gone, p1 has no master, no 4789
#                                        socket, module not loaded.
#
# Environment: KVTEPCTL (default ctl/kvtepctl of this tree), VERBOSE=1.

source "$(dirname "$(readlink -f "$0")")/lib.sh"

TOP=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
KVTEPCTL=${KVTEPCTL:-$TOP/ctl/kvtepctl}
MOD=kvtep
VNI=33
VM1_IP=192.168.33.1
VM2_IP=192.168.33.2

require_root
require_cmd ip jq iperf3 ss modprobe lsmod rmmod
if command -v ping >/dev/null 2>&1; then
	PING=(ping)
else
	skip_test "could not run test without ping (iputils)"
fi
[ -x "$KVTEPCTL" ] || skip_test "$KVTEPCTL not built (make ctl)"
modinfo "$MOD" >/dev/null 2>&1 ||
	skip_test "kvtep module not installed (build/\$(uname -r)/kvtep.ko + selftests/vm/run.sh)"

TMPD=$(mktemp -d)
PIDS=()
trap 'stop_traffic; cleanup; rm -rf "$TMPD"' EXIT

kmsg_start=$(kmsg_mark)

# setup_kvtep NS DEV PORT LOCAL REMOTE
setup_kvtep() {
	ip -n "$1" link add "$2" type kvtep &&
	kctl "$1" dev set "$2" local "$4" &&
	ip -n "$1" link set "$3" master "$2" &&
	ip -n "$1" link set "$2" up &&
	kctl "$1" ls add "$2" vni "$VNI" &&
	kctl "$1" bind add "$2" port "$3" vlan 0 vni "$VNI" &&
	kctl "$1" flood set "$2" vni "$VNI" remote "$5"
}

rebind_p1() { # HOW: ip | kvtepctl
	if [ "$1" = ip ]; then
		ip -n "$VTEP1" link set p1 master kv1
	else
		kctl "$VTEP1" port add kv1 p1
	fi &&
	kctl "$VTEP1" bind add kv1 port p1 vlan 0 vni "$VNI"
}

encap_of() { # NS DEV
	kctl "$1" -j stats "$2" 2>/dev/null | jq -r '.[0].stats.encap_packets // 0'
}

# grows NS DEV FROM: the encap counter of DEV is at least FROM + 20
grows() {
	[ "$(encap_of "$1" "$2")" -ge $(($3 + 20)) ]
}

# tunnel_busy: kv1 keeps encapsulating (traffic VM1 -> VM2 is running)
tunnel_busy() {
	local e0
	e0=$(encap_of "$VTEP1" kv1)
	busywait 20000 grows "$VTEP1" kv1 "$e0"
}

rx_of() { # NS DEV
	kctl "$1" -j stats "$2" 2>/dev/null | jq -r '.[0].stats.rx_packets // 0'
}

rx_grows() { # NS DEV FROM
	[ "$(rx_of "$1" "$2")" -ge $(($3 + 20)) ]
}

# port_busy: frames keep coming into kv1 from its port
port_busy() {
	local r0
	r0=$(rx_of "$VTEP1" kv1)
	busywait 20000 rx_grows "$VTEP1" kv1 "$r0"
}

start_traffic() {
	ip netns exec "$VM2" iperf3 -s -p 5201 >/dev/null 2>&1 &
	PIDS+=($!)
	busywait 10000 port_listening "$VM2" 5201 || return 1
	ip netns exec "$VM1" iperf3 -c "$VM2_IP" -p 5201 -t 600 -b 50M \
		>/dev/null 2>&1 &
	PIDS+=($!)
	# Flood pings keep both tunnel ends busy even when TCP backs off.
	ip netns exec "$VM1" "${PING[@]}" -f -q "$VM2_IP" >/dev/null 2>&1 &
	PIDS+=($!)
	ip netns exec "$VM2" "${PING[@]}" -f -q "$VM1_IP" >/dev/null 2>&1 &
	PIDS+=($!)
}

stop_traffic() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	PIDS=()
	return 0
}

port_listening() { # NS PORT
	ip netns exec "$1" ss -Htln "sport = :$2" | grep -q .
}

# udp4789 NS: a UDP socket on port 4789 exists in NS
udp4789() {
	ip netns exec "$1" ss -Huan "sport = :4789" | grep -q .
}

# kvtep_links: every kvtep link in every named netns and the init netns
kvtep_links() {
	local ns
	ip -d -o link show type kvtep 2>/dev/null
	for ns in $(ip netns list | awk '{print $1}'); do
		ip -n "$ns" -d -o link show type kvtep 2>/dev/null
	done
}

master_of() { # NS DEV
	ip -n "$1" -j link show dev "$2" | jq -r '.[0].master // empty'
}

mod_users() {
	lsmod | awk -v m="$MOD" '$1 == m { print $3 }'
}

# step_ok TAG: no splat so far
step_ok() {
	kmsg_check_since "$kmsg_start"
	log_test $? 0 "$1: no WARN/BUG in the kernel log"
}

# ---- setup -------------------------------------------------------------------

modprobe "$MOD"
log_test $? 0 "modprobe $MOD"

VM1='' VTEP1='' VTEP2='' VM2=''
setup_ns VM1 VTEP1 VTEP2 VM2 || exit "$ksft_fail"
setup_vm "$VM1" "$VM1_IP" "$VTEP1" p1 &&
setup_vm "$VM2" "$VM2_IP" "$VTEP2" p2 &&
veth_pair "$VTEP1" u1 "$VTEP2" u2 1600 &&
ip -n "$VTEP1" addr add 10.0.0.1/24 dev u1 &&
ip -n "$VTEP2" addr add 10.0.0.2/24 dev u2 &&
setup_kvtep "$VTEP1" kv1 p1 10.0.0.1 10.0.0.2 &&
setup_kvtep "$VTEP2" kv2 p2 10.0.0.2 10.0.0.1
rc=$?
log_test $rc 0 "two kvtep VTEPs, LS $VNI"
[ $rc = 0 ] || exit_tests

busywait 20000 ip netns exec "$VM1" "${PING[@]}" -c 1 -W 1 -q "$VM2_IP" >/dev/null 2>&1
log_test $? 0 "ping VM1 -> VM2"
start_traffic && tunnel_busy
log_test $? 0 "traffic flows VM1 -> VM2 through kv1 (encap counter moving)"

# ---- 1. nomaster --------------------------------------------------------------

tunnel_busy &&
ip -n "$VTEP1" link set p1 nomaster
log_test $? 0 "1: ip link set p1 nomaster under traffic"
[ -z "$(master_of "$VTEP1" p1)" ] &&
! kctl "$VTEP1" port show kv1 | grep -qw p1 &&
! kctl "$VTEP1" bind show kv1 | grep -qw p1
log_test $? 0 "1: p1 has no master, no port p1, no binding on p1"
step_ok 1
rebind_p1 ip && tunnel_busy
log_test $? 0 "1: p1 enslaved and bound again, traffic flows"

# ---- 2. kvtepctl port del ------------------------------------------------------

tunnel_busy && kctl "$VTEP1" port del kv1 p1
log_test $? 0 "2: kvtepctl port del kv1 p1 under traffic"
[ -z "$(master_of "$VTEP1" p1)" ] &&
! kctl "$VTEP1" port show kv1 | grep -qw p1 &&
! kctl "$VTEP1" bind show kv1 | grep -qw p1
log_test $? 0 "2: p1 has no master, no port p1, no binding on p1"
step_ok 2
rebind_p1 kvtepctl && tunnel_busy
log_test $? 0 "2: p1 added and bound again, traffic flows"

# ---- 3. the port's netdev goes while enslaved ---------------------------------

tunnel_busy && ip -n "$VTEP1" link del p1
log_test $? 0 "3: ip link del p1 (enslaved) under traffic"
! ip -n "$VTEP1" link show dev p1 >/dev/null 2>&1 &&
[ "$(kctl "$VTEP1" -j port show kv1 | jq 'length')" = 0 ] &&
[ "$(kctl "$VTEP1" -j bind show kv1 | jq 'length')" = 0 ]
log_test $? 0 "3: kv1 has no port and no binding left"
step_ok 3
stop_traffic
setup_vm "$VM1" "$VM1_IP" "$VTEP1" p1 && rebind_p1 ip &&
start_traffic && tunnel_busy
log_test $? 0 "3: new p1 enslaved and bound, traffic flows again"

# ---- 4. the kvtep device goes -------------------------------------------------

udp4789 "$VTEP1"
log_test $? 0 "4: kv1 has its UDP 4789 socket"
tunnel_busy && ip -n "$VTEP1" link del kv1
log_test $? 0 "4: ip link del kv1 under traffic"
! ip -n "$VTEP1" link show dev kv1 >/dev/null 2>&1 &&
[ -z "$(master_of "$VTEP1" p1)" ] && ! udp4789 "$VTEP1"
log_test $? 0 "4: kv1 gone, p1 released, no UDP 4789 socket in VTEP1"
step_ok 4
setup_kvtep "$VTEP1" kv1 p1 10.0.0.1 10.0.0.2 && tunnel_busy
log_test $? 0 "4: kv1 created again, traffic flows"

# ---- 5. the netns of a kvtep device goes --------------------------------------

tunnel_busy
log_test $? 0 "5: traffic flows before the netns goes"
# kv2's decap side is busy: VM1 -> VM2 ends there.
ip netns del "$VTEP2" && busywait 10000 not ns_exists "$VTEP2"
log_test $? 0 "5: ip netns del VTEP2 with kv2 inside, under traffic"
cleanup_ns "$VTEP2" 2>/dev/null
# cleanup_net() runs asynchronously: wait for kv2 to go.
slowwait 30 test "$(kvtep_links | grep -c 'kv2')" = 0
log_test $? 0 "5: kv2 is gone (no kvtep link but kv1 in any netns)"
[ "$(kvtep_links | wc -l)" = 1 ]
log_test $? 0 "5: exactly one kvtep link left (kv1)"
step_ok 5

# ---- 6. rmmod with a device up ------------------------------------------------

# The underlay went with VTEP2 (u1's peer), so kv1 can no longer
# encapsulate: keep VM1's flood ping going to a permanent neighbour and
# check that frames keep entering kv1 from p1 (dropped there: no route).
ip -n "$VM1" neigh replace "$VM2_IP" lladdr 02:00:00:00:00:02 dev eth0 nud permanent
port_busy
log_test $? 0 "6: frames keep entering kv1 from p1 (VM1's flood ping)"
users=$(mod_users)
log_info "6: lsmod: $MOD used by ${users:-?}"
[ "$users" = 0 ]
log_test $? 0 "6: $MOD has no users while kv1 exists (devices hold no module reference)"
rmmod "$MOD"
log_test $? 0 "6: rmmod $MOD with kv1 up and under traffic succeeds"
! ip -n "$VTEP1" link show dev kv1 >/dev/null 2>&1 &&
[ -z "$(master_of "$VTEP1" p1)" ] && ! udp4789 "$VTEP1" &&
[ -z "$(kvtep_links)" ] && [ ! -d /sys/module/$MOD ]
log_test $? 0 "6: kv1 gone, p1 released, no UDP 4789 socket, module unloaded"
stop_traffic
step_ok 6

# The module comes back and goes again cleanly.
modprobe "$MOD" && [ "$(mod_users)" = 0 ] && rmmod "$MOD"
log_test $? 0 "modprobe + rmmod again"

kmsg_check_since "$kmsg_start"
log_test $? 0 "no kernel warnings"

exit_tests
