#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kvtepctl ovsdb (the hardware_vtep agent) selecting Geneve: Logical_Switch
# other_config:kvtep-encap=geneve|vxlan, against a real ovsdb-server with
# the vtep schema, driven by vtep-ctl, with Linux geneve / vxlan devices in
# a bridge as the "hypervisor".
#
#  +--- VM1 ---+   +-------- VTEP ---------+   +------------- HV --------------+   +--- VM2 ---+
#  | eth0      +---+ p0 -- br0 (kvtep)     |   | gnv0 (geneve id 33) -- br0    |   |      eth0 |
#  | .33.1/24  |   |  u1 10.0.0.1/24 +-----+---+ u2 10.0.0.2/24         |  p2 -+---+  .33.2/24 |
#  +-----------+   |     fd00::1/64        |   |    fd00::2/64 (vx0, gnv6)     |   +-----------+
#                  +-----------------------+   +-------------------------------+
#
# Physical_Switch br0 tunnel_ips = 10.0.0.1 and fd00::1; ls0 (tunnel_key 33)
# bound to p0 vlan 0, with unknown-dst and VM2's MAC behind 10.0.0.2.
#
# Test 1 (geneve): other_config:kvtep-encap=geneve: the kernel LS has encap
#   geneve, `kvtepctl -j remote show` shows 10.0.0.2 encap geneve only, the
#   FDB entry and flood list point at it; ping VM1 <-> VM2 over Linux's
#   geneve driver; on the underlay, Geneve (UDP 6081, VNI 33) both ways and
#   no VXLAN (4789).
# Test 2 (back to vxlan): kvtep-encap=vxlan: the same LS (ls-set, not
#   re-created, the binding untouched) with its entries re-pointed
#   to a VXLAN remote; the hypervisor's bridge takes vx0 instead of gnv0;
#   ping both ways, VXLAN on the wire and no Geneve.
# Test 3 (bad value): ls1 (tunnel_key 34, p0 vlan 10, a remote MAC) with
#   kvtep-encap=foo: logged with ls1's UUID, switch_fault_status
#   unspecified_fault, nothing of ls1 in the kernel (LS, binding, entry),
#   ls0 still forwards; kvtep-encap=geneve then applies ls1; made bad
#   again (bar), it leaves the kernel; unbound and deleted, the fault
#   clears. (An LS bound to no port of the switch is not checked.)
# Test 4 (IPv6 locators): ls0 back to geneve with its Ucast/Mcast_Macs_Remote
#   locators at dst_ip fd00::2 (an IPv6 underlay; the hypervisor's gnv6 has
#   remote fd00::1): the kernel remote is fd00::2 encap geneve; ping both
#   ways; Geneve over IPv6 with VNI 33 on the wire.
#
# Environment: KVTEPCTL (default ctl/kvtepctl of this tree), VERBOSE=1.

source "$(dirname "$(readlink -f "$0")")/kvtep_ovsdb_lib.sh"

require_cmd tcpdump tshark
VTEP_IP6=fd00::1
HV_IP6=fd00::2
CAPTURES=()

# ---- helpers ---------------------------------------------------------------

# start_capture NS DEV PCAP FILTER: tcpdump in the background until
# stop_captures; returns once the capture is running.
start_capture() {
	ip netns exec "$1" tcpdump -n -i "$2" -U -w "$3" "$4" >/dev/null 2>&1 &
	CAPTURES+=($!)
	busywait 5000 test -s "$3" >/dev/null
	sleep 0.5
}

stop_captures() {
	local pid
	sleep 2		# frames sent just before may still be on their way
	for pid in "${CAPTURES[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	CAPTURES=()
}

# n_frames PCAP DISPLAY-FILTER: matching frames, decoded with tshark.
n_frames() {
	tshark -r "$1" -n -d udp.port==4789,vxlan -d udp.port==6081,geneve \
		-Y "$2" -T fields -e frame.number 2>/dev/null | grep -c .
}

k_ls_encap_is() { # VNI ENCAP
	kctl "$VTEP" -j ls show br0 |
		jq -e --argjson v "$1" --arg e "$2" 'any(.[]; .vni == $v and .encap == $e)' >/dev/null
}
k_no_ls() { # VNI
	kctl "$VTEP" -j ls show br0 | jq -e --argjson v "$1" 'all(.[]; .vni != $v)' >/dev/null
}
# The device's remotes are exactly IP with ENCAP (no other encap of it).
k_remotes_are() { # IP ENCAP
	kctl "$VTEP" -j remote show br0 |
		jq -e --arg ip "$1" --arg e "$2" \
			'length == 1 and .[0].ip == $ip and .[0].encap == $e' >/dev/null
}
k_fdb_remote_is() { # VNI MAC IP ENCAP
	kctl "$VTEP" -j fdb show br0 vni "$1" |
		jq -e --arg m "$2" --arg ip "$3" --arg e "$4" \
			'any(.[]; .mac == $m and .remotes[0].ip == $ip and .remotes[0].encap == $e)' \
			>/dev/null
}
k_flood_remote_is() { # VNI IP ENCAP
	kctl "$VTEP" -j flood show br0 vni "$1" |
		jq -e --arg ip "$2" --arg e "$3" \
			'.[0].remotes | length == 1 and .[0].ip == $ip and .[0].encap == $e' >/dev/null
}
switch_faulted() {
	set_has Physical_Switch br0 switch_fault_status unspecified_fault
}
switch_clean() {
	[ "$(vctl get Physical_Switch br0 switch_fault_status)" = "[]" ]
}

# HV's bridge: exactly one tunnel device (gnv0, vx0 or gnv6) in it.
hv_use() { # DEV
	local d
	for d in gnv0 vx0 gnv6; do
		ip -n "$HV" link show "$d" >/dev/null 2>&1 || continue
		if [ "$d" = "$1" ]; then
			ip -n "$HV" link set "$d" master br0 && ip -n "$HV" link set "$d" up
		else
			ip -n "$HV" link set "$d" down && ip -n "$HV" link set "$d" nomaster
		fi || return 1
	done
	ip netns exec "$HV" bridge fdb flush dev br0 2>/dev/null
	return 0
}

# ping_both TAG: 0% loss VM1 -> VM2 and VM2 -> VM1 (a first ping warms
# the FDBs and neighbour caches up).
ping_both() {
	local loss
	ping_loss "$VM1" "$VM2_IP" 2 >/dev/null
	loss=$(ping_loss "$VM1" "$VM2_IP" 5)
	log_info "$1: ping VM1 -> VM2: ${loss:-?}% loss"
	[ "$loss" = 0 ]
	log_test $? 0 "$1: ping VM1 (kvtep) -> VM2 (Linux hypervisor)"
	loss=$(ping_loss "$VM2" "$VM1_IP" 5)
	log_info "$1: ping VM2 -> VM1: ${loss:-?}% loss"
	[ "$loss" = 0 ]
	log_test $? 0 "$1: ping VM2 -> VM1"
}

setup() {
	VM1='' VTEP='' HV='' VM2=''
	setup_ns VM1 VTEP HV VM2 || return 1
	veth_pair "$VTEP" p0 "$VM1" eth0 1500 &&
	ip -n "$VM1" addr add "$VM1_IP/24" dev eth0 &&
	veth_pair "$HV" p2 "$VM2" eth0 1500 &&
	ip -n "$VM2" addr add "$VM2_IP/24" dev eth0 &&
	veth_pair "$VTEP" u1 "$HV" u2 1600 &&
	ip -n "$VTEP" addr add "$VTEP_IP/24" dev u1 &&
	ip -n "$HV" addr add "$HV_IP/24" dev u2 &&
	ip -n "$VTEP" addr add "$VTEP_IP6/64" dev u1 nodad &&
	ip -n "$HV" addr add "$HV_IP6/64" dev u2 nodad &&
	ip -n "$HV" link add br0 type bridge &&
	ip -n "$HV" link set p2 master br0 &&
	ip -n "$HV" link set br0 up &&
	ip -n "$HV" link add gnv0 type geneve id "$VNI" remote "$VTEP_IP" &&
	ip -n "$HV" link add vx0 type vxlan id "$VNI" dstport 4789 local "$HV_IP" \
		remote "$VTEP_IP" nolearning &&
	hv_use gnv0 || return 1

	start_ovsdb &&
	vctl add-ps br0 &&
	vctl set Physical_Switch br0 tunnel_ips="\"$VTEP_IP\",\"$VTEP_IP6\"" &&
	start_agent "$VTEP" --verbose || return 1
	defer stop_agent
	busywait 30000 ip -n "$VTEP" link show br0 >/dev/null &&
	ip -n "$VTEP" link set p0 master br0 &&
	busywait 30000 db_ports_has p0 || return 1
	MAC1=$(mac_of "$VM1" eth0) && MAC2=$(mac_of "$VM2" eth0)
}

# ---- test 1: geneve ----------------------------------------------------------

test_geneve() {
	local pcap=$TMPD/geneve.pcap tx rx vx

	vctl add-ls ls0 &&
	vctl bind-ls br0 p0 0 ls0 &&
	vctl set Logical_Switch ls0 tunnel_key=$VNI other_config:kvtep-encap=geneve &&
	vctl add-mcast-remote ls0 unknown-dst "$HV_IP" &&
	vctl add-ucast-remote ls0 "$MAC2" "$HV_IP" &&
	vctl set-replication-mode ls0 source_node
	log_test $? 0 "geneve: vtep-ctl add-ls ls0 ... other_config:kvtep-encap=geneve"

	busywait 30000 k_ls_encap_is "$VNI" geneve
	log_test $? 0 "geneve: kernel LS vni $VNI has encap geneve"
	busywait 30000 k_fdb_remote_is "$VNI" "$MAC2" "$HV_IP" geneve &&
	busywait 30000 k_flood_remote_is "$VNI" "$HV_IP" geneve
	log_test $? 0 "geneve: FDB entry and flood list -> $HV_IP encap geneve"
	k_remotes_are "$HV_IP" geneve
	log_test $? 0 "geneve: kvtepctl -j remote show: $HV_IP encap geneve, nothing else"
	[ "$VERBOSE" = 0 ] || kctl "$VTEP" remote show br0

	start_capture "$VTEP" u1 "$pcap" udp
	ping_both "geneve"
	stop_captures
	tx=$(n_frames "$pcap" "ip.src == $VTEP_IP && udp.dstport == 6081 && geneve.vni == $VNI && geneve.proto_type == 0x6558")
	rx=$(n_frames "$pcap" "ip.src == $HV_IP && udp.dstport == 6081 && geneve.vni == $VNI")
	vx=$(n_frames "$pcap" "udp.port == 4789")
	log_info "geneve: underlay: $tx Geneve frames sent, $rx received, $vx VXLAN"
	[ "$tx" -ge 5 ] && [ "$rx" -ge 5 ] && [ "$vx" = 0 ]
	log_test $? 0 "geneve: tshark: Geneve (6081, VNI $VNI, TEB) both ways, no VXLAN on 4789"
}

# ---- test 2: back to vxlan ---------------------------------------------------

test_vxlan() {
	local pcap=$TMPD/vxlan.pcap tx rx gn from changes

	from=$(wc -l <"$AGENT_LOG")
	vctl set Logical_Switch ls0 other_config:kvtep-encap=vxlan
	busywait 30000 k_ls_encap_is "$VNI" vxlan
	log_test $? 0 "vxlan: kvtep-encap=vxlan: kernel LS vni $VNI has encap vxlan"
	busywait 30000 k_fdb_remote_is "$VNI" "$MAC2" "$HV_IP" vxlan &&
	busywait 30000 k_flood_remote_is "$VNI" "$HV_IP" vxlan &&
	busywait 30000 k_remotes_are "$HV_IP" vxlan
	log_test $? 0 "vxlan: FDB entry and flood list moved to $HV_IP encap vxlan (no geneve remote left)"
	changes=$(tail -n +"$((from + 1))" "$AGENT_LOG" | sed -n 's/.*change: //p' | sort | uniq -c |
		  awk '{ printf "%s%s x%s", sep, $2, $1; sep = ", " }')
	log_info "vxlan: agent changes: $changes"
	[[ "$changes" == *ls-set* && "$changes" != *ls-add* && "$changes" != *ls-del* &&
	   "$changes" != *bind-* ]] && k_bind_has p0 0 "$VNI"
	log_test $? 0 "vxlan: one ls-set and re-pointed entries (LS and binding not re-created)"

	hv_use vx0
	ip netns exec "$HV" bridge fdb append 00:00:00:00:00:00 dev vx0 dst "$VTEP_IP" 2>/dev/null
	start_capture "$VTEP" u1 "$pcap" udp
	ping_both "vxlan"
	stop_captures
	tx=$(n_frames "$pcap" "ip.src == $VTEP_IP && udp.dstport == 4789 && vxlan.vni == $VNI")
	rx=$(n_frames "$pcap" "ip.src == $HV_IP && udp.dstport == 4789 && vxlan.vni == $VNI")
	gn=$(n_frames "$pcap" "udp.port == 6081")
	log_info "vxlan: underlay: $tx VXLAN frames sent, $rx received, $gn Geneve"
	[ "$tx" -ge 5 ] && [ "$rx" -ge 5 ] && [ "$gn" = 0 ]
	log_test $? 0 "vxlan: tshark: VXLAN (4789, VNI $VNI) both ways, no Geneve on 6081"
}

# ---- test 3: a bad kvtep-encap -----------------------------------------------

test_bad_value() {
	local ls1

	switch_clean
	log_test $? 0 "bad value: no switch fault before"
	vctl add-ls ls1 &&
	vctl set Logical_Switch ls1 tunnel_key=34 other_config:kvtep-encap=foo &&
	vctl bind-ls br0 p0 10 ls1 &&
	vctl add-ucast-remote ls1 02:00:00:00:00:34 "$HV_IP"
	log_test $? 0 "bad value: ls1 tunnel_key=34 other_config:kvtep-encap=foo, bound, a remote MAC"
	ls1=$(vctl get Logical_Switch ls1 _uuid)

	busywait 30000 switch_faulted
	log_test $? 0 "bad value: Physical_Switch switch_fault_status = unspecified_fault"
	busywait 30000 grep -q "$ls1.*kvtep-encap \"foo\"" "$AGENT_LOG"
	log_test $? 0 "bad value: logged with ls1's UUID"
	[ "$VERBOSE" = 0 ] || grep "kvtep-encap" "$AGENT_LOG" | tail -2 | sed 's/^/    /'
	k_no_ls 34 && ! k_bind_has p0 10 34 &&
	! kctl "$VTEP" -j fdb show br0 | jq -e 'any(.[]; .mac == "02:00:00:00:00:34")' >/dev/null
	log_test $? 0 "bad value: nothing of ls1 in the kernel (LS 34, binding p0/10, entry)"
	k_ls_encap_is "$VNI" vxlan && [ "$(ping_loss "$VM1" "$VM2_IP" 3)" = 0 ] &&
	kill -0 "$(cat "$TMPD/agent.pid")"
	log_test $? 0 "bad value: ls0 untouched, still forwards; agent running"

	vctl set Logical_Switch ls1 other_config:kvtep-encap=geneve
	busywait 30000 k_ls_encap_is 34 geneve &&
	busywait 30000 k_bind_has p0 10 34 &&
	busywait 30000 k_fdb_remote_is 34 02:00:00:00:00:34 "$HV_IP" geneve
	log_test $? 0 "bad value: fixed to geneve: ls1 applied (LS 34 geneve, binding, entry)"

	vctl set Logical_Switch ls1 other_config:kvtep-encap=bar
	busywait 30000 switch_faulted && busywait 30000 k_no_ls 34 &&
	! k_bind_has p0 10 34 && k_ls_encap_is "$VNI" vxlan
	log_test $? 0 "bad value: applied ls1 made bad (bar): fault back, LS 34 and its binding gone"
	vctl unbind-ls br0 p0 10 && vctl del-ucast-remote ls1 02:00:00:00:00:34 &&
	vctl del-ls ls1
	busywait 30000 switch_clean
	log_test $? 0 "bad value: ls1 unbound and deleted: switch_fault_status cleared"
}

# ---- test 4: IPv6 locators ---------------------------------------------------

test_ipv6() {
	local pcap=$TMPD/ipv6.pcap tx rx

	ip -n "$HV" link add gnv6 type geneve id "$VNI" remote "$VTEP_IP6" &&
	ip -n "$HV" link del gnv0 &&
	hv_use gnv6
	log_test $? 0 "ipv6: hypervisor: gnv6 (geneve id $VNI remote $VTEP_IP6) in its bridge"

	vctl set Logical_Switch ls0 other_config:kvtep-encap=geneve &&
	vctl clear-remote-macs ls0 &&
	vctl add-ucast-remote ls0 "$MAC2" "$HV_IP6" &&
	vctl add-mcast-remote ls0 unknown-dst "$HV_IP6"
	log_test $? 0 "ipv6: ls0 geneve, Ucast/Mcast_Macs_Remote locators at dst_ip $HV_IP6"

	busywait 30000 k_fdb_remote_is "$VNI" "$MAC2" "$HV_IP6" geneve &&
	busywait 30000 k_flood_remote_is "$VNI" "$HV_IP6" geneve &&
	busywait 30000 k_remotes_are "$HV_IP6" geneve
	log_test $? 0 "ipv6: kernel remote $HV_IP6 encap geneve (FDB entry, flood list)"
	kctl "$VTEP" -j dev show br0 | jq -e --arg a "$VTEP_IP6" '.[0].local_ip6 == $a' >/dev/null
	log_test $? 0 "ipv6: the device's local IPv6 address is the switch's tunnel_ips"
	[ "$VERBOSE" = 0 ] || kctl "$VTEP" remote show br0

	start_capture "$VTEP" u1 "$pcap" "ip6 and udp"
	ping_both "ipv6"
	stop_captures
	tx=$(n_frames "$pcap" "ipv6.src == $VTEP_IP6 && udp.dstport == 6081 && geneve.vni == $VNI")
	rx=$(n_frames "$pcap" "ipv6.src == $HV_IP6 && udp.dstport == 6081 && geneve.vni == $VNI")
	log_info "ipv6: underlay: $tx Geneve/IPv6 frames sent, $rx received"
	[ "$tx" -ge 5 ] && [ "$rx" -ge 5 ]
	log_test $? 0 "ipv6: tshark: Geneve over IPv6 (6081, VNI $VNI) both ways"
	switch_clean
	log_test $? 0 "ipv6: no switch fault"
}

main() {
	local rc

	setup
	rc=$?
	log_test $rc 0 "topology, ovsdb-server, agent (tunnel_ips $VTEP_IP and $VTEP_IP6)"
	[ $rc = 0 ] || finish
	test_geneve
	test_vxlan
	test_bad_value
	test_ipv6
	stop_captures
	finish
}

main "$@"
exit
