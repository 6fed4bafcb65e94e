#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# GRO on kvtep's tunnel sockets: MTU-sized VXLAN / Geneve segments from the
# underlay are merged before decapsulation, so a TCP stream leaves the VTEP
# in large skbs, not one skb per wire frame.
#
#  +--- VM1 ---+   +------- VTEP1 -------+   +------------- HV --------------+   +--- VM2 ---+
#  | eth0      +---+ p1 -- kv1 (kvtep)   |   | tun0 (Linux vxlan|geneve) br0 |   |      eth0 |
#  | .33.1/24  |   |  u1 10.0.0.1/24 +---+---+ u2 10.0.0.2/24          p2 -+---+  .33.2/24 |
#  +-----------+   |  GRO on             |   |  TSO off                      |   +-----------+
#                  +---------------------+   +-------------------------------+
#
# "tso off" on u2 makes the hypervisor segment its tunnel packets to wire
# size, and is also what lets veth hand them to u1's NAPI, where "gro on"
# runs GRO (veth does neither by default). iperf3 VM2 -> VM1, then:
#   - the underlay carried wire-sized frames (u1: bytes/packet <= 1600);
#   - kv1 decapsulated fewer skbs than u1 received, larger on average
#     than any wire frame can be: merged by kvtep's gro_receive;
#   - control: with GRO off on u1, every decapsulated skb is one frame;
#   - no nomem/mtu/xmit drops.
# For VXLAN and for Geneve.
#
# Environment: KVTEPCTL (default ctl/kvtepctl of this tree), VERBOSE=1.

source "$(dirname "$(readlink -f "$0")")/lib.sh"
source "$(dirname "$(readlink -f "$0")")/geneve_lib.sh"

require_cmd bridge iperf3 ethtool ss

kmsg_start=$(kmsg_mark)

port_listening() { # NS PORT
	ip netns exec "$1" ss -Htln "sport = :$2" | grep -q .
}

link_stat() { # NS DEV rx|tx packets|bytes
	ip -n "$1" -j -s link show dev "$2" | jq -r ".[0].stats64.$3.$4"
}

# transfer SIZE: iperf3 VM2 -> VM1 of SIZE; sets D_WIRE_P D_WIRE_B (u1 rx)
# D_DEC_P D_DEC_B (kv1 decap) and returns iperf3's status.
transfer() {
	local size=$1 wp0 wb0 dp0 db0 rc

	ip netns exec "$VM1" iperf3 -s -1 -D -p 5201 >/dev/null 2>&1
	busywait 5000 port_listening "$VM1" 5201
	wp0=$(link_stat "$VTEP1" u1 rx packets)
	wb0=$(link_stat "$VTEP1" u1 rx bytes)
	dp0=$(stat_of "$VTEP1" kv1 decap_packets)
	db0=$(stat_of "$VTEP1" kv1 decap_bytes)
	ip netns exec "$VM2" timeout 300 iperf3 -c "$VM1_IP" -p 5201 -n "$size" >/dev/null 2>&1
	rc=$?
	sleep 1		# the last segments
	D_WIRE_P=$(($(link_stat "$VTEP1" u1 rx packets) - wp0))
	D_WIRE_B=$(($(link_stat "$VTEP1" u1 rx bytes) - wb0))
	D_DEC_P=$(($(stat_of "$VTEP1" kv1 decap_packets) - dp0))
	D_DEC_B=$(($(stat_of "$VTEP1" kv1 decap_bytes) - db0))
	log_info "$TAG $size: u1 received $D_WIRE_P frames ($D_WIRE_B B), kv1 decapsulated $D_DEC_P skbs ($D_DEC_B B)"
	return $rc
}

test_gro() { # vxlan | geneve
	local encap=$1 rc d bad
	TAG="$encap GRO:"

	VM1='' VTEP1='' HV='' VM2=''
	setup_ns VM1 VTEP1 HV VM2 || { log_test 1 0 "$TAG namespaces"; return; }
	setup_vm "$VM1" "$VM1_IP" "$VTEP1" p1 &&
	setup_vm "$VM2" "$VM2_IP" "$HV" p2 &&
	setup_underlay 4 "$VTEP1" "$HV" &&
	setup_kvtep "$VTEP1" kv1 p1 10.0.0.1 "$encap" 10.0.0.2 || rc=1
	if [ "${rc:-0}" = 0 ]; then
		if [ "$encap" = vxlan ]; then
			ip -n "$HV" link add tun0 type vxlan id "$VNI" dstport 4789 \
				local 10.0.0.2 remote 10.0.0.1 nolearning
		else
			ip -n "$HV" link add tun0 type geneve id "$VNI" remote 10.0.0.1
		fi &&
		ip -n "$HV" link add br0 type bridge &&
		ip -n "$HV" link set tun0 master br0 &&
		ip -n "$HV" link set p2 master br0 &&
		ip -n "$HV" link set tun0 up && ip -n "$HV" link set br0 up &&
		ip netns exec "$HV" ethtool -K u2 tso off >/dev/null &&
		ip netns exec "$VTEP1" ethtool -K u1 gro on >/dev/null
		rc=$?
	fi
	log_test $rc 0 "$TAG kvtep, Linux $encap hypervisor, TSO off on u2, GRO on u1"
	if [ $rc != 0 ]; then
		cleanup_ns "$VM1" "$VTEP1" "$HV" "$VM2"
		return
	fi
	# Neighbours and the kvtep side's MAC learning, before counting.
	ping_loss "$VM2" "$VM1_IP" 3 >/dev/null

	transfer 5M
	rc=$?
	log_test $rc 0 "$TAG iperf3 TCP 5 MB VM2 -> VM1"
	[ "$D_WIRE_P" -gt 500 ] && [ $((D_WIRE_B / D_WIRE_P)) -le 1600 ]
	log_test $? 0 "$TAG the underlay carried wire-sized frames ($D_WIRE_P, avg $((D_WIRE_B / (D_WIRE_P + 1))) B)"
	[ "$D_DEC_P" -gt 0 ] && [ "$D_DEC_P" -lt "$D_WIRE_P" ] &&
		[ $((D_DEC_B / D_DEC_P)) -gt 1600 ]
	log_test $? 0 "$TAG decapsulated skbs are merged segments ($D_DEC_P skbs for $D_WIRE_P frames, avg $((D_DEC_B / (D_DEC_P + 1))) B)"

	# Control: without GRO on the underlay nothing is merged.
	ip netns exec "$VTEP1" ethtool -K u1 gro off >/dev/null
	transfer 1M
	rc=$?
	[ $rc = 0 ] && [ "$D_DEC_P" -gt 0 ] && [ $((D_DEC_B / D_DEC_P)) -le 1514 ]
	log_test $? 0 "$TAG control: GRO off on u1, one skb per frame (avg $((D_DEC_B / (D_DEC_P + 1))) B)"

	bad=0
	for d in nomem mtu xmit runt truncated; do
		if [ "$(stat_of "$VTEP1" kv1 "drops.$d")" != 0 ]; then
			bad=1
			log_info "$TAG drops.$d: $(stat_of "$VTEP1" kv1 "drops.$d")"
		fi
	done
	log_test $bad 0 "$TAG no nomem/mtu/xmit/runt/truncated drops"
	[ "$VERBOSE" = 0 ] || kctl "$VTEP1" stats kv1
	cleanup_ns "$VM1" "$VTEP1" "$HV" "$VM2"
}

test_gro vxlan
test_gro geneve

kmsg_check_since "$kmsg_start"
log_test $? 0 "no kernel warnings"

exit_tests
