#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kvtep Geneve receive rules and OVN's option, with packets made by scapy.
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
# Test 5 (bad packets): version 1, Opt Len past the end, an unknown critical
#  option, the O bit, protocol 0x0800, a truncated header: each dropped and
#  counted in its own drop reason (kvtepctl -j stats deltas), nothing else
#  moves; an unknown non-critical option is skipped and the frame delivered.
#
# Environment: KVTEPCTL (default ctl/kvtepctl of this tree), VERBOSE=1.

source "$(dirname "$(readlink -f "$0")")/lib.sh"
source "$(dirname "$(readlink -f "$0")")/geneve_lib.sh"

VM4_IP=192.168.33.4
SEND=$TOP/selftests/geneve_send.py
REASONS=(geneve_version geneve_optlen geneve_critical geneve_oam geneve_proto truncated)

"$PY" -c 'from scapy.contrib.geneve import GENEVE' 2>/dev/null ||
	skip_test "could not run test without scapy ($PY)"

kmsg_start=$(kmsg_mark)

# No IPv6 in the VMs: their own multicast would add frames to the captures.
setup_quiet_vm() { # NS IP PEER_NS PEER_DEV
	ip netns exec "$1" sysctl -wq net.ipv6.conf.all.disable_ipv6=1 &&
	ip netns exec "$1" sysctl -wq net.ipv6.conf.default.disable_ipv6=1 &&
	setup_vm "$@"
}

# send_cases CASE...: scapy from HV; prints the JSON of geneve_send.py.
send_cases() {
	ip netns exec "$HV" "$PY" "$SEND" u2 "$U1_MAC" 10.0.0.2 10.0.0.1 \
		"ip netns exec $VTEP1 $KVTEPCTL -j stats kv1" "$@"
}

# delta JSON CASE KEY: change of stats KEY (jq path under .stats) over CASE.
delta() {
	jq -r --arg c "$2" "(map(.case) | index(\$c)) as \$i |
		(.[\$i].stats[0].stats.$3) - (.[\$i - 1].stats[0].stats.$3)" <<<"$1"
}

# count_dport PCAP PORT: inner frames to UDP port PORT in a VM capture.
count_dport() {
	tshark_fields "$1" "udp.dstport == $2" udp.dstport | grep -c .
}

setup() {
	VM1='' VM4='' VTEP1='' HV=''
	setup_ns VM1 VM4 VTEP1 HV || return 1
	setup_quiet_vm "$VM1" "$VM1_IP" "$VTEP1" p1 &&
	setup_quiet_vm "$VM4" "$VM4_IP" "$VTEP1" p4 &&
	setup_underlay 4 "$VTEP1" "$HV" &&
	setup_kvtep "$VTEP1" kv1 p1 10.0.0.1 geneve &&
	kctl "$VTEP1" bind add kv1 port p1 vni "$VNI" ovn-key 5 &&
	kctl "$VTEP1" port add kv1 p4 &&
	kctl "$VTEP1" bind add kv1 port p4 vni "$VNI" ovn-key 6 || return 1
	U1_MAC=$(mac_of "$VTEP1" u1)
	# The ARP entry for 10.0.0.2 on the way back (ICMP errors): static.
	ip -n "$VTEP1" neigh replace 10.0.0.2 lladdr "$(mac_of "$HV" u2)" dev u1
}

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

# tx_opts PCAP: "class type data" of the Geneve frames with inner UDP port 9.
tx_opts() {
	tshark_fields "$1" "udp.port == 6081 && udp.dstport == 9" geneve.option.class \
		geneve.option.type geneve.option.unknown.data | sort -u | tr '\t' ' '
}

test_ovn_tx() {
	local tag="OVN option TX:" pcap=$TMPD/ovn-tx-off.pcap out

	kctl "$VTEP1" fdb add kv1 vni "$VNI" mac 02:00:00:00:77:77 remote 10.0.0.2 ovn-key 7 &&
	kctl "$VTEP1" -j fdb show kv1 vni "$VNI" |
		jq -e 'any(.[]; .mac == "02:00:00:00:77:77" and .port_key == 7 and
			.remotes[0].encap == "geneve")' >/dev/null &&
	ip -n "$VM1" neigh add 192.168.33.77 lladdr 02:00:00:00:77:77 dev eth0 &&
	ip -n "$VM4" neigh add 192.168.33.77 lladdr 02:00:00:00:77:77 dev eth0
	log_test $? 0 "$tag remote FDB entry with ovn-key 7 (encap from the LS: geneve)"

	# ovn-option off (the default): plain Geneve.
	start_capture "$VTEP1" u1 "$pcap" udp port 6081
	ip netns exec "$VM1" bash -c 'echo off > /dev/udp/192.168.33.77/9'
	stop_captures
	out=$(tx_opts "$pcap")
	log_info "$tag option off: class/type/data '${out}'"
	[ -n "$(tshark_fields "$pcap" "udp.dstport == 9" geneve.vni)" ] && [ "$out" = "  " ]
	log_test $? 0 "$tag ovn-option off: no option sent"

	kctl "$VTEP1" ls set kv1 vni "$VNI" ovn-option on &&
	kctl "$VTEP1" -j ls show kv1 vni "$VNI" | jq -e '.[0].ovn_opt == true and .[0].encap == "geneve"' >/dev/null
	log_test $? 0 "$tag ls set ovn-option on (ls show says so)"

	pcap=$TMPD/ovn-tx-on1.pcap
	start_capture "$VTEP1" u1 "$pcap" udp port 6081
	ip netns exec "$VM1" bash -c 'echo on > /dev/udp/192.168.33.77/9'
	stop_captures
	out=$(tx_opts "$pcap")
	log_info "$tag from p1: class/type/data '$out'"
	[ "$out" = "0x0102 0x80 00050007" ] &&
	[ "$(tshark_fields "$pcap" "udp.dstport == 9" geneve.flags.critical geneve.vni)" = "$(printf '1\t0x000021')" ]
	log_test $? 0 "$tag from p1: OVN option ingress 5 egress 7, C flag, VNI 33"

	pcap=$TMPD/ovn-tx-on4.pcap
	start_capture "$VTEP1" u1 "$pcap" udp port 6081
	ip netns exec "$VM4" bash -c 'echo on > /dev/udp/192.168.33.77/9'
	stop_captures
	out=$(tx_opts "$pcap")
	log_info "$tag from p4: class/type/data '$out'"
	[ "$out" = "0x0102 0x80 00060007" ]
	log_test $? 0 "$tag from p4: OVN option ingress 6 egress 7"
	kctl "$VTEP1" ls set kv1 vni "$VNI" ovn-option off
}

test_bad() {
	local tag="bad Geneve:" out case want r d rc line

	out=$(send_cases version optlen critical oam proto truncated noncrit)
	if [ -z "$out" ]; then
		log_test 1 0 "$tag scapy sent the packets"
		return
	fi
	for case in version optlen critical oam proto truncated; do
		case $case in
		truncated) want=truncated ;;
		*) want=geneve_$case ;;
		esac
		rc=0 line=
		for r in "${REASONS[@]}"; do
			d=$(delta "$out" "$case" "drops.$r")
			line+=" $r+$d"
			if [ "$r" = "$want" ]; then
				[ "$d" = 3 ] || rc=1
			else
				[ "$d" = 0 ] || rc=1
			fi
		done
		d=$(delta "$out" "$case" decap_packets)
		[ "$d" = 0 ] || rc=1
		log_info "$tag $case:$line decap+$d"
		log_test $rc 0 "$tag $case: 3 dropped, counted as $want only"
	done
	d=$(delta "$out" noncrit decap_packets)
	log_info "$tag noncrit: decap+$d"
	[ "$d" = 3 ] && [ "$(delta "$out" noncrit drops.geneve_critical)" = 0 ]
	log_test $? 0 "$tag unknown non-critical option skipped, frames delivered"
}

if setup; then
	log_test 0 0 "kvtep with bindings p1 (ovn-key 5) and p4 (ovn-key 6)"
	test_ovn_rx
	test_ovn_tx
	test_bad
else
	log_test 1 0 "kvtep with bindings p1 (ovn-key 5) and p4 (ovn-key 6)"
fi
[ "$VERBOSE" = 0 ] || kctl "$VTEP1" stats kv1

kmsg_check_since "$kmsg_start"
log_test $? 0 "no kernel warnings"

exit_tests
