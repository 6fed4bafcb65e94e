#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kvtep and OVN's Geneve option on receive, with packets made by scapy.
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
#  dropped as critical.
#  OVN option TX: kvtep_geneve_ovn_tx.sh.
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

if setup_keyed; then
	log_test 0 0 "kvtep with bindings p1 (ovn-key 5) and p4 (ovn-key 6)"
	test_ovn_rx
else
	log_test 1 0 "kvtep with bindings p1 (ovn-key 5) and p4 (ovn-key 6)"
fi
[ "$VERBOSE" = 0 ] || kctl "$VTEP1" stats kv1

kmsg_check_since "$kmsg_start"
log_test $? 0 "no kernel warnings"

exit_tests
