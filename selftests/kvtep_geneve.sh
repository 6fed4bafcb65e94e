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
# Test 2 (interop): VTEP2 replaced by a hypervisor netns with Linux's geneve
#  driver ("ip link add gnv0 type geneve id 33 remote 10.0.0.1") in a bridge
#  with VM2. Checks: ping both ways.
#
# Test 3 (mixed): one LS (default encap vxlan) whose flood list holds a
#  VXLAN remote (10.0.0.2, Linux vxlan vx0 + br0 + VM2) and a Geneve remote
#  (10.0.0.3, Linux geneve gnv0 + br1 + VM3), both in one hypervisor netns.
#  Checks: one ARP broadcast from VM1 leaves as VXLAN to 10.0.0.2:4789 and
#  as Geneve to 10.0.0.3:6081 (tshark), reaches VM2 and VM3; ping VM2, VM3.
#
# Environment: KVTEPCTL (default ctl/kvtepctl of this tree), VERBOSE=1.

source "$(dirname "$(readlink -f "$0")")/lib.sh"
source "$(dirname "$(readlink -f "$0")")/geneve_lib.sh"

require_cmd iperf3 ss bridge

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
		out=$(ip netns exec "$VM1" timeout 90 iperf3 -J -c "$VM2_IP" -p 5201 -n 50M 2>&1)
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

# ---- test 2: kvtep <-> Linux geneve -----------------------------------------

test_interop() {
	local tag="Linux geneve interop:" loss rc

	VM1='' VTEP1='' HV='' VM2=''
	setup_ns VM1 VTEP1 HV VM2 || { log_test 1 0 "$tag namespaces"; return; }
	setup_vm "$VM1" "$VM1_IP" "$VTEP1" p1 &&
	setup_vm "$VM2" "$VM2_IP" "$HV" p2 &&
	setup_underlay 4 "$VTEP1" "$HV" &&
	setup_kvtep "$VTEP1" kv1 p1 10.0.0.1 geneve 10.0.0.2 &&
	ip -n "$HV" link add gnv0 type geneve id "$VNI" remote 10.0.0.1 &&
	ip -n "$HV" link add br0 type bridge &&
	ip -n "$HV" link set gnv0 master br0 &&
	ip -n "$HV" link set p2 master br0 &&
	ip -n "$HV" link set gnv0 up && ip -n "$HV" link set br0 up
	rc=$?
	log_test $rc 0 "$tag kvtep and a Linux geneve+bridge hypervisor configured"
	if [ $rc != 0 ]; then
		cleanup_ns "$VM1" "$VTEP1" "$HV" "$VM2"
		return
	fi
	loss=$(ping_loss "$VM1" "$VM2_IP" 5)
	log_info "$tag ping kvtep VM1 -> geneve VM2: ${loss:-?}% loss"
	[ "$loss" = 0 ]
	log_test $? 0 "$tag ping kvtep side -> Linux geneve side"
	loss=$(ping_loss "$VM2" "$VM1_IP" 5)
	log_info "$tag ping geneve VM2 -> kvtep VM1: ${loss:-?}% loss"
	[ "$loss" = 0 ]
	log_test $? 0 "$tag ping Linux geneve side -> kvtep side"
	[ "$VERBOSE" = 0 ] || kctl "$VTEP1" stats kv1
	cleanup_ns "$VM1" "$VTEP1" "$HV" "$VM2"
}

# ---- test 3: one LS, a VXLAN remote and a Geneve remote ---------------------

test_mixed() {
	local tag="mixed LS:" loss rc out pu=$TMPD/mixed-u1.pcap
	local p2=$TMPD/mixed-vm2.pcap p3=$TMPD/mixed-vm3.pcap

	VM1='' VTEP1='' HV='' VM2='' VM3=''
	setup_ns VM1 VTEP1 HV VM2 VM3 || { log_test 1 0 "$tag namespaces"; return; }
	setup_vm "$VM1" "$VM1_IP" "$VTEP1" p1 &&
	setup_vm "$VM2" "$VM2_IP" "$HV" p2 &&
	setup_vm "$VM3" "$VM3_IP" "$HV" p3 &&
	setup_underlay 4 "$VTEP1" "$HV" &&
	ip -n "$HV" addr add 10.0.0.3/24 dev u2 &&
	setup_kvtep "$VTEP1" kv1 p1 10.0.0.1 vxlan &&
	kctl "$VTEP1" flood set kv1 vni "$VNI" remote 10.0.0.2 \
		remote 10.0.0.3 encap geneve &&
	ip -n "$HV" link add vx0 type vxlan id "$VNI" dstport 4789 local 10.0.0.2 nolearning &&
	ip -n "$HV" link add br0 type bridge &&
	ip -n "$HV" link set vx0 master br0 &&
	ip -n "$HV" link set p2 master br0 &&
	ip netns exec "$HV" bridge fdb append 00:00:00:00:00:00 dev vx0 dst 10.0.0.1 &&
	ip -n "$HV" link add gnv0 type geneve id "$VNI" remote 10.0.0.1 &&
	ip -n "$HV" link add br1 type bridge &&
	ip -n "$HV" link set gnv0 master br1 &&
	ip -n "$HV" link set p3 master br1 &&
	ip -n "$HV" link set vx0 up && ip -n "$HV" link set br0 up &&
	ip -n "$HV" link set gnv0 up && ip -n "$HV" link set br1 up
	rc=$?
	log_test $rc 0 "$tag flood list with a VXLAN and a Geneve remote"
	if [ $rc != 0 ]; then
		cleanup_ns "$VM1" "$VTEP1" "$HV" "$VM2" "$VM3"
		return
	fi
	out=$(kctl "$VTEP1" -j flood show kv1 vni "$VNI" |
		jq -r '.[0].remotes[] | "\(.ip):\(.port):\(.encap)"' | sort | tr '\n' ' ')
	log_info "$tag flood list: $out"
	[ "$out" = "10.0.0.2:4789:vxlan 10.0.0.3:6081:geneve " ]
	log_test $? 0 "$tag flood show: each remote with its own encap and port"

	start_capture "$VTEP1" u1 "$pu" udp
	start_capture "$VM2" eth0 "$p2" arp
	start_capture "$VM3" eth0 "$p3" arp
	# A broadcast: ARP requests for an address nobody has.
	ip netns exec "$VM1" "${PING[@]}" -c 2 -W 1 192.168.33.99 >/dev/null 2>&1
	stop_captures

	out=$(tshark_fields "$pu" "arp.dst.proto_ipv4 == 192.168.33.99" ip.dst udp.dstport \
		vxlan.vni geneve.vni | sort -u)
	log_info "$tag broadcast on the underlay (dst port vxlan-vni geneve-vni):"
	printf '%s\n' "$out" | sed 's/^/    /'
	printf '%s\n' "$out" | grep -qP "^10\.0\.0\.2\t4789\t$VNI\t$" &&
	printf '%s\n' "$out" | grep -qP "^10\.0\.0\.3\t6081\t\t0x000021$" &&
	[ "$(printf '%s\n' "$out" | grep -c .)" = 2 ]
	log_test $? 0 "$tag broadcast sent as VXLAN to .2 and as Geneve to .3"
	[ -n "$(tshark_fields "$p2" "arp.dst.proto_ipv4 == 192.168.33.99" arp.opcode)" ] &&
	[ -n "$(tshark_fields "$p3" "arp.dst.proto_ipv4 == 192.168.33.99" arp.opcode)" ]
	log_test $? 0 "$tag broadcast reaches the VM behind each remote"

	loss=$(ping_loss "$VM1" "$VM2_IP" 5)
	log_info "$tag ping VM1 -> VM2 (VXLAN): ${loss:-?}% loss"
	[ "$loss" = 0 ]
	log_test $? 0 "$tag ping through the VXLAN remote"
	loss=$(ping_loss "$VM1" "$VM3_IP" 5)
	log_info "$tag ping VM1 -> VM3 (Geneve): ${loss:-?}% loss"
	[ "$loss" = 0 ]
	log_test $? 0 "$tag ping through the Geneve remote"
	[ "$VERBOSE" = 0 ] || kctl "$VTEP1" stats kv1
	cleanup_ns "$VM1" "$VTEP1" "$HV" "$VM2" "$VM3"
}

test_pair 4
test_pair 6
test_interop
test_mixed

kmsg_check_since "$kmsg_start"
log_test $? 0 "no kernel warnings"

exit_tests
