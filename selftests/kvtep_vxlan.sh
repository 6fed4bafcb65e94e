#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kvtep VXLAN datapath: two kvtep VTEPs over an IPv4 and an IPv6 underlay,
# then kvtep against Linux's own vxlan driver.
#
# Test 1 and 2 (IPv4 underlay 10.0.0.0/24, IPv6 underlay fd00::/64):
#
#  +--- VM1 ---+   +--------- VTEP1 ---------+   +--------- VTEP2 ---------+   +--- VM2 ---+
#  | eth0      |   | p1 ---- kv1 (kvtep)     |   |     kv2 (kvtep) ---- p2 |   |      eth0 |
#  | .33.1/24  +---+ port    local .1 / ::1  |   |  local .2 / ::2    port +---+  .33.2/24 |
#  +-----------+   |          u1 +-----------+---+-----------+ u2          |   +-----------+
#    MTU 1500      |   10.0.0.1/24, fd00::1  |   |  10.0.0.2/24, fd00::2   |     MTU 1500
#                  +--------- MTU 1600 ------+   +-------------------------+
#
#  kv1: p1 enslaved with "ip link set p1 master kv1"; kv2: p2 with
#  "kvtepctl port add kv2 p2". LS vni 33, binding (pX, vlan 0) -> 33, flood
#  list = the other VTEP.
#  Checks: ping both ways (ARP through the flood list), learned-local FDB
#  entries, a static remote FDB entry carries unicast (flood list emptied,
#  encap counter grows), iperf3 TCP 50 MB with no mtu/no_route/nomem/xmit
#  drops, clean kernel log.
#
# Test 3 (interop, IPv4 underlay):
#
#  +--- VM1 ---+   +------- VTEP1 -------+   +----------- HV -----------+   +--- VM2 ---+
#  | eth0      +---+ p1 -- kv1 (kvtep)   |   | vx0 (vxlan id 33) -- br0 |   |      eth0 |
#  | .33.1/24  |   |  u1 10.0.0.1/24 +---+---+ u2 10.0.0.2/24    |  p2 -+---+  .33.2/24 |
#  +-----------+   +---------------------+   +--------------------------+   +-----------+
#
#  Checks: ping both ways, the underlay carries UDP 4789 with VNI 33, and two
#  inner UDP flows get different outer UDP source ports.
#
# Environment: KVTEPCTL (default ctl/kvtepctl of this tree), VERBOSE=1.

source "$(dirname "$(readlink -f "$0")")/lib.sh"

TOP=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
KVTEPCTL=${KVTEPCTL:-$TOP/ctl/kvtepctl}
VNI=33
VM1_IP=192.168.33.1
VM2_IP=192.168.33.2

require_root
require_cmd ip jq iperf3 tcpdump tshark ss bridge
require_kvtep ping

TMPD=$(mktemp -d)
trap 'cleanup; rm -rf "$TMPD"' EXIT

kmsg_start=$(kmsg_mark)

# setup_kvtep NS DEV PORT LOCAL REMOTE HOW: HOW = ip | kvtepctl (enslaving)
setup_kvtep() {
	local ns=$1 dev=$2 port=$3 local=$4 remote=$5 how=$6

	ip -n "$ns" link add "$dev" type kvtep || return 1
	kctl "$ns" dev set "$dev" local "$local" || return 1
	if [ "$how" = ip ]; then
		ip -n "$ns" link set "$port" master "$dev" || return 1
	else
		kctl "$ns" port add "$dev" "$port" || return 1
	fi
	ip -n "$ns" link set "$dev" up &&
	kctl "$ns" ls add "$dev" vni "$VNI" &&
	kctl "$ns" bind add "$dev" port "$port" vlan 0 vni "$VNI" &&
	kctl "$ns" flood set "$dev" vni "$VNI" remote "$remote"
}

# fdb_has NS DEV MAC TYPE: the FDB of VNI 33 has MAC with TYPE.
fdb_has() {
	kctl "$1" -j fdb show "$2" vni "$VNI" |
		jq -e --arg m "$3" --arg t "$4" \
			'any(.[]; .mac == $m and .type == $t)' >/dev/null
}

port_listening() { # NS PORT
	ip netns exec "$1" ss -Htln "sport = :$2" | grep -q .
}

# ---- test 1/2: two kvtep VTEPs --------------------------------------------

test_kvtep_pair() { # FAMILY (4 | 6)
	local fam=$1 l1 l2 tag loss enc0 enc1 mac1 mac2 out rc bytes rate d

	if [ "$fam" = 4 ]; then
		l1=10.0.0.1 l2=10.0.0.2
	else
		l1=fd00::1 l2=fd00::2
	fi
	tag="IPv$fam underlay:"
	VM1='' VTEP1='' VTEP2='' VM2=''
	setup_ns VM1 VTEP1 VTEP2 VM2 || { log_test 1 0 "$tag namespaces"; return; }

	setup_vm "$VM1" "$VM1_IP" "$VTEP1" p1 &&
	setup_vm "$VM2" "$VM2_IP" "$VTEP2" p2 &&
	setup_underlay "$fam" "$VTEP1" "$VTEP2" &&
	setup_kvtep "$VTEP1" kv1 p1 "$l1" "$l2" ip &&
	setup_kvtep "$VTEP2" kv2 p2 "$l2" "$l1" kvtepctl
	rc=$?
	log_test $rc 0 "$tag two kvtep VTEPs configured (ip master / kvtepctl port add)"
	if [ $rc != 0 ]; then
		cleanup_ns "$VM1" "$VTEP1" "$VTEP2" "$VM2"
		return
	fi
	kctl "$VTEP2" port show kv2 | grep -qw p2
	log_test $? 0 "$tag kvtepctl port show lists the port"

	mac1=$(mac_of "$VM1" eth0)
	mac2=$(mac_of "$VM2" eth0)

	loss=$(ping_loss "$VM1" "$VM2_IP" 5)
	log_info "$tag ping VM1 -> VM2: ${loss:-?}% loss"
	[ "$loss" = 0 ]
	log_test $? 0 "$tag ping VM1 -> VM2 (ARP through the flood list)"
	loss=$(ping_loss "$VM2" "$VM1_IP" 5)
	log_info "$tag ping VM2 -> VM1: ${loss:-?}% loss"
	[ "$loss" = 0 ]
	log_test $? 0 "$tag ping VM2 -> VM1"

	fdb_has "$VTEP2" kv2 "$mac2" learned-local &&
	fdb_has "$VTEP1" kv1 "$mac1" learned-local
	log_test $? 0 "$tag fdb show: each VM's MAC learned-local on its VTEP"
	[ "$VERBOSE" = 0 ] || kctl "$VTEP1" fdb show kv1

	# Unicast through a static remote entry: with kv1's flood list empty,
	# VM1 -> VM2 can only go through it.
	kctl "$VTEP1" fdb add kv1 vni "$VNI" mac "$mac2" remote "$l2" &&
	fdb_has "$VTEP1" kv1 "$mac2" static-remote
	log_test $? 0 "$tag fdb add static remote entry for VM2's MAC"
	kctl "$VTEP1" flood set kv1 vni "$VNI"
	enc0=$(stat_of "$VTEP1" kv1 encap_packets)
	loss=$(ping_loss "$VM1" "$VM2_IP" 5)
	enc1=$(stat_of "$VTEP1" kv1 encap_packets)
	log_info "$tag unicast via static entry: ${loss:-?}% loss, encap $enc0 -> $enc1"
	[ "$loss" = 0 ] && [ $((enc1 - enc0)) -ge 5 ]
	log_test $? 0 "$tag unicast uses the static FDB entry (encap counter grows)"
	kctl "$VTEP1" flood set kv1 vni "$VNI" remote "$l2"

	# Bulk TCP across the tunnel. The timeout only bounds a hang: under the
	# debug kernel on a loaded host 50 MB was seen to take over 60 s.
	ip netns exec "$VM2" iperf3 -s -1 -D -p 5201 >/dev/null 2>&1
	busywait 5000 port_listening "$VM2" 5201
	local decap0 decap1
	decap0=$(stat_of "$VTEP2" kv2 decap_bytes)
	out=$(ip netns exec "$VM1" timeout 300 iperf3 -J -c "$VM2_IP" -p 5201 -n 50M 2>&1)
	rc=$?
	# The client's copy of the receiver summary can lag the last segments,
	# so "moved" is measured where it lands: kv2's decapsulated bytes.
	bytes=$(printf '%s\n' "$out" | jq -r '.end.sum_sent.bytes // 0' 2>/dev/null)
	rate=$(printf '%s\n' "$out" | jq -r '.end.sum_sent.bits_per_second // 0' 2>/dev/null)
	# The last window of segments may still be on its way: give it 10 s.
	for _ in $(seq 50); do
		decap1=$(stat_of "$VTEP2" kv2 decap_bytes)
		[ $((decap1 - decap0)) -ge 50000000 ] && break
		sleep 0.2
	done
	log_info "$tag iperf3: $((${bytes:-0} / 1000000)) MB sent at $(( ${rate%.*} / 1000000 )) Mbit/s, kv2 decapsulated $(((decap1 - decap0) / 1000000)) MB"
	[ $rc = 0 ] && [ "${bytes:-0}" -ge 50000000 ] && [ $((decap1 - decap0)) -ge 50000000 ]
	log_test $? 0 "$tag iperf3 TCP 50 MB VM1 -> VM2"
	[ $rc = 0 ] || [ "$VERBOSE" = 0 ] || printf '%s\n' "$out" | tail -20

	rc=0
	for d in mtu no_route nomem xmit; do
		local v1 v2
		v1=$(stat_of "$VTEP1" kv1 "drops.$d")
		v2=$(stat_of "$VTEP2" kv2 "drops.$d")
		if [ "$v1" != 0 ] || [ "$v2" != 0 ]; then
			rc=1
			log_info "$tag drops.$d: kv1 $v1 kv2 $v2"
		fi
	done
	log_info "$tag kv1 encap $(stat_of "$VTEP1" kv1 encap_packets) pkts, kv2 decap $(stat_of "$VTEP2" kv2 decap_packets) pkts"
	log_test $rc 0 "$tag no mtu/no_route/nomem/xmit drops"
	[ "$VERBOSE" = 0 ] || { kctl "$VTEP1" stats kv1; kctl "$VTEP2" stats kv2; }

	cleanup_ns "$VM1" "$VTEP1" "$VTEP2" "$VM2"
}

# ---- test 3: kvtep <-> Linux vxlan -----------------------------------------

# Outer UDP source port of the first captured VXLAN packet whose inner UDP
# destination port is $2.
outer_sport() { # PCAP INNER_DPORT
	tshark -r "$1" -n -d udp.port==4789,vxlan -Y "vxlan && udp.dstport == $2" \
		-T fields -E occurrence=f -e udp.srcport 2>/dev/null | head -1
}

test_interop() {
	local tag="interop:" loss rc pcap=$TMPD/underlay.pcap pid vnis s1 s2

	VM1='' VTEP1='' HV='' VM2=''
	setup_ns VM1 VTEP1 HV VM2 || { log_test 1 0 "$tag namespaces"; return; }
	setup_vm "$VM1" "$VM1_IP" "$VTEP1" p1 &&
	setup_vm "$VM2" "$VM2_IP" "$HV" p2 &&
	setup_underlay 4 "$VTEP1" "$HV" &&
	setup_kvtep "$VTEP1" kv1 p1 10.0.0.1 10.0.0.2 ip &&
	ip -n "$HV" link add vx0 type vxlan id "$VNI" dstport 4789 local 10.0.0.2 nolearning &&
	ip -n "$HV" link add br0 type bridge &&
	ip -n "$HV" link set vx0 master br0 &&
	ip -n "$HV" link set p2 master br0 &&
	ip -n "$HV" link set vx0 up && ip -n "$HV" link set br0 up &&
	ip netns exec "$HV" bridge fdb append 00:00:00:00:00:00 dev vx0 dst 10.0.0.1
	rc=$?
	log_test $rc 0 "$tag kvtep and a Linux vxlan+bridge hypervisor configured"
	if [ $rc != 0 ]; then
		cleanup_ns "$VM1" "$VTEP1" "$HV" "$VM2"
		return
	fi

	ip netns exec "$VTEP1" tcpdump -n -i u1 -U -w "$pcap" udp port 4789 \
		>/dev/null 2>&1 &
	pid=$!
	busywait 5000 test -s "$pcap"
	sleep 0.5

	loss=$(ping_loss "$VM1" "$VM2_IP" 5)
	log_info "$tag ping kvtep VM1 -> vxlan VM2: ${loss:-?}% loss"
	[ "$loss" = 0 ]
	log_test $? 0 "$tag ping kvtep side -> Linux vxlan side"
	loss=$(ping_loss "$VM2" "$VM1_IP" 5)
	log_info "$tag ping vxlan VM2 -> kvtep VM1: ${loss:-?}% loss"
	[ "$loss" = 0 ]
	log_test $? 0 "$tag ping Linux vxlan side -> kvtep side"

	# Two inner UDP flows (different source ports), VM1 -> VM2.
	ip netns exec "$VM1" bash -c "echo a > /dev/udp/$VM2_IP/5001; echo b > /dev/udp/$VM2_IP/5002"
	sleep 1
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null

	vnis=$(tshark -r "$pcap" -n -d udp.port==4789,vxlan -T fields -e vxlan.vni 2>/dev/null |
		sort -u | tr '\n' ' ')
	log_info "$tag VNIs on the underlay: ${vnis:-none}"
	[ "$vnis" = "$VNI " ]
	log_test $? 0 "$tag underlay carries UDP 4789 with VNI $VNI only"

	s1=$(outer_sport "$pcap" 5001)
	s2=$(outer_sport "$pcap" 5002)
	log_info "$tag outer UDP source ports of two inner flows: ${s1:-?} ${s2:-?}"
	[ -n "$s1" ] && [ -n "$s2" ] && [ "$s1" != "$s2" ]
	log_test $? 0 "$tag outer source port follows the inner flow"

	cleanup_ns "$VM1" "$VTEP1" "$HV" "$VM2"
}

test_kvtep_pair 4
test_kvtep_pair 6
test_interop

kmsg_check_since "$kmsg_start"
log_test $? 0 "no kernel warnings"

exit_tests
