#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kvtep and OVN's Geneve option on transmit.
#
# Topology as kvtep_geneve_ovn.sh: kv1 in VTEP1 with LS vni 33 (encap
# geneve), bindings p1 (VM1, OVN port key 5) and p4 (VM4, key 6); the
# underlay peer HV (10.0.0.2) only receives.
#
# Test 4, TX half: with a remote FDB entry 02:00:00:00:77:77 -> 10.0.0.2
#  carrying ovn-key 7, a frame VM1 -> that MAC leaves as plain Geneve while
#  the LS has ovn-option off (the default); after "ls set ... ovn-option on"
#  frames from VM1 carry the OVN option (class 0x0102, type 0x80, C flag)
#  with ingress 5 / egress 7, and from VM4 ingress 6 / egress 7 (tshark).
#
# Environment: KVTEPCTL (default ctl/kvtepctl of this tree), VERBOSE=1.

source "$(dirname "$(readlink -f "$0")")/lib.sh"
source "$(dirname "$(readlink -f "$0")")/geneve_lib.sh"

kmsg_start=$(kmsg_mark)

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
	test_ovn_tx
else
	log_test 1 0 "kvtep with bindings p1 (ovn-key 5) and p4 (ovn-key 6)"
fi
[ "$VERBOSE" = 0 ] || kctl "$VTEP1" stats kv1

kmsg_check_since "$kmsg_start"
log_test $? 0 "no kernel warnings"

exit_tests
