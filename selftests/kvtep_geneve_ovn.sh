#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kvtep and OVN's Geneve option (RX with packets made by scapy, and TX).
#
#  +-- VM1 --+   +----------- VTEP1 -----------+   +------- HV -------+
#  | eth0    +---+ p1 (ovn-key 5)              |   |  scapy sends     |
#  | .33.1   |   |        kv1 (kvtep)  u1 +----+---+ u2 10.0.0.2      |
#  +---------+   | p4 (ovn-key 6)  10.0.0.1    |   |  Geneve to .1    |
#  +-- VM4 --+   |                             |   +------------------+
#  | eth0    +---+                             |
#  | .33.4   |   +-----------------------------+
#  +---------+
#
# LS vni 33 (encap geneve), bindings p1 (OVN port key 5) and p4 (key 6).
#
# Test 4 (OVN option): frames for an unknown MAC carrying the OVN option
#  (class 0x0102, type 0x80, critical) go only to the binding whose key is
#  the option's egress key (6 -> VM4 only, 5 -> VM1 only); an egress key no
#  binding has (9) is forwarded by the FDB (unknown unicast: both). None is
#  dropped as critical. Then, with "ls set ... ovn-option on" and a remote
#  FDB entry with ovn-key 7, frames VM1 -> that MAC leave with the option,
#  ingress 5 / egress 7 (VM4: 6 / 7); with ovn-option off, without it.
#
# Environment: KVTEPCTL (default ctl/kvtepctl of this tree), VERBOSE=1.

source "$(dirname "$(readlink -f "$0")")/lib.sh"
source "$(dirname "$(readlink -f "$0")")/geneve_lib.sh"

"$PY" -c 'from scapy.contrib.geneve import GENEVE' 2>/dev/null ||
	skip_test "could not run test without scapy ($PY)"

kmsg_start=$(kmsg_mark)

test_ovn_rx() {
	local tag="OVN option RX:" out c1=$TMPD/ovn-vm1.pcap c4=$TMPD/ovn-vm4.pcap
	local n15 n16 n19 n45 n46 n49

	kctl "$VTEP1" -j bind show kv1 |
		jq -e 'map(select(.vni == 33) | "\(.port)=\(.port_key)") | sort == ["p1=5", "p4=6"]' >/dev/null
	log_test $? 0 "$tag bind show: p1 ovn-key 5, p4 ovn-key 6"

	start_capture "$VM1" eth0 "$c1" udp
	start_capture "$VM4" eth0 "$c4" udp
	out=$(send_cases ovn:6 ovn:5 ovn:9)
	stop_captures
	if [ -z "$out" ]; then
		log_test 1 0 "$tag scapy sent the frames"
		return
	fi
	n15=$(count_dport "$c1" 10005) n16=$(count_dport "$c1" 10006) n19=$(count_dport "$c1" 10009)
	n45=$(count_dport "$c4" 10005) n46=$(count_dport "$c4" 10006) n49=$(count_dport "$c4" 10009)
	log_info "$tag frames seen, VM1: key5 $n15 key6 $n16 key9 $n19; VM4: key5 $n45 key6 $n46 key9 $n49"
	[ "$n46" = 3 ] && [ "$n16" = 0 ]
	log_test $? 0 "$tag egress key 6 delivered to p4 (VM4) only"
	[ "$n15" = 3 ] && [ "$n45" = 0 ]
	log_test $? 0 "$tag egress key 5 delivered to p1 (VM1) only"
	[ "$n19" = 3 ] && [ "$n49" = 3 ]
	log_test $? 0 "$tag egress key 9 (no binding) forwarded by FDB (flooded)"
	[ "$(delta "$out" ovn:6 drops.geneve_critical)" = 0 ] &&
	[ "$(delta "$out" ovn:5 drops.geneve_critical)" = 0 ] &&
	[ "$(delta "$out" ovn:6 decap_packets)" = 3 ]
	log_test $? 0 "$tag OVN option not dropped as critical, 3 decapsulated"
}

# tx_opts PCAP DPORT: "class type data C-flag VNI" of the Geneve frames on
# the underlay whose inner UDP destination port is DPORT.
tx_opts() {
	tshark -r "$1" -n -Y "udp.port == 6081 && !icmp" -T fields -E occurrence=l \
		-e udp.dstport -e geneve.option.class -e geneve.option.type \
		-e geneve.option.unknown.data -e geneve.flags.critical -e geneve.vni \
		2>/dev/null | awk -F '\t' -v p="$2" '$1 == p' | cut -f2- | sort -u | tr '\t' ' '
}

test_ovn_tx() {
	local tag="OVN option TX:" pcap=$TMPD/ovn-tx.pcap out

	kctl "$VTEP1" fdb add kv1 vni "$VNI" mac 02:00:00:00:77:77 remote 10.0.0.2 ovn-key 7 &&
	kctl "$VTEP1" -j fdb show kv1 vni "$VNI" |
		jq -e 'any(.[]; .mac == "02:00:00:00:77:77" and .port_key == 7 and
			.remotes[0].encap == "geneve")' >/dev/null &&
	ip -n "$VM1" neigh add 192.168.33.77 lladdr 02:00:00:00:77:77 dev eth0 &&
	ip -n "$VM4" neigh add 192.168.33.77 lladdr 02:00:00:00:77:77 dev eth0
	log_test $? 0 "$tag remote FDB entry with ovn-key 7 (encap from the LS: geneve)"

	start_capture "$VTEP1" u1 "$pcap" udp port 6081
	# ovn-option off (the default): plain Geneve. Inner UDP port 9.
	ip netns exec "$VM1" bash -c 'echo off > /dev/udp/192.168.33.77/9'
	kctl "$VTEP1" ls set kv1 vni "$VNI" ovn-option on &&
	kctl "$VTEP1" -j ls show kv1 vni "$VNI" | jq -e '.[0].ovn_opt == true and .[0].encap == "geneve"' >/dev/null
	log_test $? 0 "$tag ls set ovn-option on (ls show says so)"
	# On: from p1 (port 10) and from p4 (port 11).
	ip netns exec "$VM1" bash -c 'echo on > /dev/udp/192.168.33.77/10'
	ip netns exec "$VM4" bash -c 'echo on > /dev/udp/192.168.33.77/11'
	stop_captures

	out=$(tx_opts "$pcap" 9)
	log_info "$tag option off: class/type/data/C/VNI '$out'"
	[ "$out" = "   0 0x000021" ]
	log_test $? 0 "$tag ovn-option off: no option sent"
	out=$(tx_opts "$pcap" 10)
	log_info "$tag from p1: class/type/data/C/VNI '$out'"
	[ "$out" = "0x0102 0x80 00050007 1 0x000021" ]
	log_test $? 0 "$tag from p1: OVN option ingress 5 egress 7, C flag, VNI 33"
	out=$(tx_opts "$pcap" 11)
	log_info "$tag from p4: class/type/data/C/VNI '$out'"
	[ "$out" = "0x0102 0x80 00060007 1 0x000021" ]
	log_test $? 0 "$tag from p4: OVN option ingress 6 egress 7"
	kctl "$VTEP1" ls set kv1 vni "$VNI" ovn-option off
}

if setup_keyed; then
	log_test 0 0 "kvtep with bindings p1 (ovn-key 5) and p4 (ovn-key 6)"
	test_ovn_rx
	test_ovn_tx
else
	log_test 1 0 "kvtep with bindings p1 (ovn-key 5) and p4 (ovn-key 6)"
fi
[ "$VERBOSE" = 0 ] || kctl "$VTEP1" stats kv1

kmsg_check_since "$kmsg_start"
log_test $? 0 "no kernel warnings"

exit_tests
