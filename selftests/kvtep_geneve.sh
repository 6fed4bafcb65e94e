#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kvtep Geneve datapath (RFC 8926).
#
# Test 1 (IPv4 underlay 10.0.0.0/24; then the same over fd00::/64, ping only):
#
#  +-- VM1 --+   +------- VTEP1 -------+   +------- VTEP2 -------+   +-- VM2 --+
#  | eth0    +---+ p1 -- kv1 (kvtep)   |   |   kv2 (kvtep) -- p2 +---+    eth0 |
#  | .33.1   |   |  u1 10.0.0.1 +------+---+------+ u2 10.0.0.2  |   |   .33.2 |
#  +---------+   +---------------------+   +---------------------+   +---------+
#
#  LS vni 33 with default encap geneve; the flood list names the other VTEP
#  without an encap, so it is a Geneve remote on port 6081.
#  Checks: ping both ways, tshark decodes Geneve on 6081 with VNI 33,
#  version 0 and protocol TEB (0x6558), nothing on 4789, iperf3 TCP 50 MB
#  with no mtu/nomem/xmit drops.
#
# Tests 2 and 3 (Linux geneve interop, mixed VXLAN/Geneve LS) are in
# kvtep_geneve_interop.sh.
#
# Environment: KVTEPCTL (default ctl/kvtepctl of this tree), VERBOSE=1.

source "$(dirname "$(readlink -f "$0")")/lib.sh"
source "$(dirname "$(readlink -f "$0")")/geneve_lib.sh"

require_cmd iperf3 ss

kmsg_start=$(kmsg_mark)

port_listening() { # NS PORT
	ip netns exec "$1" ss -Htln "sport = :$2" | grep -q .
}

# ---- test 1: two kvtep VTEPs over Geneve ------------------------------------

test_pair() { # FAMILY
	local fam=$1 l1 l2 tag loss rc pcap=$TMPD/pair$1.pcap out lines bad
	local bytes decap0 decap1 d v1 v2 vni proto ver dport encp0 encp1 encb0 encb1 avg

	if [ "$fam" = 4 ]; then
		l1=10.0.0.1 l2=10.0.0.2
	else
		l1=fd00::1 l2=fd00::2
	fi
	tag="Geneve IPv$fam:"
	VM1='' VTEP1='' VTEP2='' VM2=''
	setup_ns VM1 VTEP1 VTEP2 VM2 || { log_test 1 0 "$tag namespaces"; return; }
	setup_vm "$VM1" "$VM1_IP" "$VTEP1" p1 &&
	setup_vm "$VM2" "$VM2_IP" "$VTEP2" p2 &&
	setup_underlay "$fam" "$VTEP1" "$VTEP2" &&
	setup_kvtep "$VTEP1" kv1 p1 "$l1" geneve "$l2" &&
	setup_kvtep "$VTEP2" kv2 p2 "$l2" geneve "$l1"
	rc=$?
	log_test $rc 0 "$tag two kvtep VTEPs with LS encap geneve"
	if [ $rc != 0 ]; then
		cleanup_ns "$VM1" "$VTEP1" "$VTEP2" "$VM2"
		return
	fi
	kctl "$VTEP1" -j flood show kv1 vni "$VNI" |
		jq -e '.[0].remotes | length == 1 and .[0].encap == "geneve" and .[0].port == 6081' >/dev/null
	log_test $? 0 "$tag flood remote given without encap is Geneve on 6081"

	start_capture "$VTEP1" u1 "$pcap" udp
	loss=$(ping_loss "$VM1" "$VM2_IP" 5)
	log_info "$tag ping VM1 -> VM2: ${loss:-?}% loss"
	[ "$loss" = 0 ]
	log_test $? 0 "$tag ping VM1 -> VM2"
	loss=$(ping_loss "$VM2" "$VM1_IP" 5)
	log_info "$tag ping VM2 -> VM1: ${loss:-?}% loss"
	[ "$loss" = 0 ]
	log_test $? 0 "$tag ping VM2 -> VM1"
	stop_captures

	out=$(tshark_fields "$pcap" "udp.port == 6081 && icmp" geneve.vni \
		geneve.proto_type geneve.version udp.dstport)
	lines=0 bad=0
	while read -r vni proto ver dport; do
		[ -n "$vni" ] || continue
		lines=$((lines + 1))
		if [ $((vni)) != "$VNI" ] || [ "$proto" != 0x6558 ] ||
		   [ "$ver" != 0 ] || [ "$dport" != 6081 ]; then
			bad=$((bad + 1))
		fi
	done <<<"$out"
	log_info "$tag $lines ICMP frames in Geneve on the underlay, $bad not VNI $VNI/TEB/version 0"
	[ "$VERBOSE" = 0 ] || printf '%s\n' "$out" | head -3
	[ "$lines" -ge 10 ] && [ "$bad" = 0 ]
	log_test $? 0 "$tag tshark: Geneve on 6081, VNI $VNI, protocol TEB, version 0"
	[ -z "$(tshark_fields "$pcap" "udp.port == 4789" udp.dstport)" ]
	log_test $? 0 "$tag nothing sent as VXLAN"

	if [ "$fam" = 4 ]; then
		ip netns exec "$VM2" iperf3 -s -1 -D -p 5201 >/dev/null 2>&1
		busywait 5000 port_listening "$VM2" 5201
		decap0=$(stat_of "$VTEP2" kv2 decap_bytes)
		encp0=$(stat_of "$VTEP1" kv1 encap_packets)
		encb0=$(stat_of "$VTEP1" kv1 encap_bytes)
		out=$(ip netns exec "$VM1" timeout 300 iperf3 -J -c "$VM2_IP" -p 5201 -n 50M 2>&1)
		rc=$?
		bytes=$(printf '%s\n' "$out" | jq -r '.end.sum_sent.bytes // 0' 2>/dev/null)
		for _ in $(seq 50); do
			decap1=$(stat_of "$VTEP2" kv2 decap_bytes)
			[ $((decap1 - decap0)) -ge 50000000 ] && break
			sleep 0.2
		done
		log_info "$tag iperf3: $((${bytes:-0} / 1000000)) MB sent, kv2 decapsulated $(((decap1 - decap0) / 1000000)) MB"
		[ $rc = 0 ] && [ "${bytes:-0}" -ge 50000000 ] &&
			[ $((decap1 - decap0)) -ge 50000000 ]
		log_test $? 0 "$tag iperf3 TCP 50 MB VM1 -> VM2"
		[ $rc = 0 ] || [ "$VERBOSE" = 0 ] || printf '%s\n' "$out" | tail -20

		# GSO: TCP segments are wrapped as superframes and segmented
		# below the tunnel (UDP tunnel GSO), not cut to the MTU before.
		encp1=$(stat_of "$VTEP1" kv1 encap_packets)
		encb1=$(stat_of "$VTEP1" kv1 encap_bytes)
		avg=$(((encb1 - encb0) / (encp1 - encp0 > 0 ? encp1 - encp0 : 1)))
		log_info "$tag kv1 encapsulated $((encp1 - encp0)) frames, $avg bytes on average"
		[ "$avg" -gt 3000 ]
		log_test $? 0 "$tag TCP goes into the tunnel as GSO superframes"

		rc=0
		for d in mtu no_route nomem xmit; do
			v1=$(stat_of "$VTEP1" kv1 "drops.$d")
			v2=$(stat_of "$VTEP2" kv2 "drops.$d")
			if [ "$v1" != 0 ] || [ "$v2" != 0 ]; then
				rc=1
				log_info "$tag drops.$d: kv1 $v1 kv2 $v2"
			fi
		done
		log_test $rc 0 "$tag no mtu/no_route/nomem/xmit drops"
	fi
	[ "$VERBOSE" = 0 ] || { kctl "$VTEP1" stats kv1; kctl "$VTEP2" stats kv2; }
	cleanup_ns "$VM1" "$VTEP1" "$VTEP2" "$VM2"
}

test_pair 4
test_pair 6

kmsg_check_since "$kmsg_start"
log_test $? 0 "no kernel warnings"

exit_tests
