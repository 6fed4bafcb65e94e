#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kvtep: one logical switch with a VXLAN and a Geneve remote.
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

require_cmd bridge

kmsg_start=$(kmsg_mark)

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
	# tcpdump reads faster than tshark under TCG.
	tcpdump -n -r "$p2" 2>/dev/null | grep -q "who-has 192.168.33.99" &&
	tcpdump -n -r "$p3" 2>/dev/null | grep -q "who-has 192.168.33.99"
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

test_mixed

kmsg_check_since "$kmsg_start"
log_test $? 0 "no kernel warnings"

exit_tests
