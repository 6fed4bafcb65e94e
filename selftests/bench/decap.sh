#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Part 1, decapsulation direction (test "decap"): 64-byte inner frames
# arrive VXLAN-encapsulated from the underlay and leave on the VM port.
# pktgen cannot encapsulate, so it transmits on a Linux vxlan device of the
# generator namespace (the same encapsulation work for every contender):
#
#   UL (generator)                      DUT                       VM (sink)
#   vxlan0 id 33 (pktgen) -> u2 ---veth--- u1 -> [contender] -> p0 ---veth--- eth0
#   10.0.N.2 -> 10.0.N.1 UDP 4789          10.0.N.1/24                 tc ingress drop
#
#   kvtep   kvtep device, LS 33 bound to p0, static local FDB entry for
#           the VM's MAC
#   vxlan   Linux bridge {vxlan0 id 33, p0}, static FDB entry for the
#           VM's MAC on p0
#   aa, aa2 A/A: the encapsulated frames are dropped by a tc filter on u1
#           before any VTEP sees them

source "$(dirname "$(readlink -f "$0")")/lib.sh"
trap cleanup EXIT

TEST=decap
: "${BENCH_DECAP_CONTENDERS:=aa kvtep vxlan aa2}"
nidx=0

# trio NAME: UL, DUT, VM namespaces; the underlay with a vxlan generator;
# sets U D V and VM_MAC.
trio() {
	local vu=U_$1 vd=D_$1 vv=V_$1
	vu=${vu//-/_} vd=${vd//-/_} vv=${vv//-/_}
	setup_ns "$vu" "$vd" "$vv" || return 1
	U=${!vu} D=${!vd} V=${!vv}
	nidx=$((nidx + 1))
	underlay "$D" "$U" "$nidx" &&
		veth_pair "$D" p0 "$V" eth0 1500 &&
		VM_MAC=$(mac_of "$V" eth0) &&
		ip -n "$U" link add vxlan0 type vxlan id "$VNI" local "10.0.$nidx.2" \
			remote "10.0.$nidx.1" dstport 4789 nolearning &&
		ip -n "$U" link set vxlan0 up &&
		pktgen_setup "$U" vxlan0 "$VM_MAC"
}

try_setup() { # NAME FUNC
	"$2" "$1" && return 0
	blog "$TEST: contender $1 could not be set up, left out"
	return 1
}

setup_aa() {
	trio "$1" && sink_add "$D" u1 &&
		register_contender "$1" "$U" vxlan0 "$D" u1
}

setup_kvtep() {
	trio "$1" && sink_add "$V" eth0 &&
		kvtep_setup "$D" kv0 p0 "10.0.$nidx.1" &&
		kctl "$D" fdb add kv0 vni "$VNI" mac "$VM_MAC" port p0 replace &&
		register_contender "$1" "$U" vxlan0 "$V" eth0
}

setup_vxlan() {
	trio "$1" && sink_add "$V" eth0 &&
		vxlan_setup "$D" p0 "10.0.$nidx.1" &&
		ip netns exec "$D" bridge fdb replace "$VM_MAC" dev p0 master static &&
		register_contender "$1" "$U" vxlan0 "$V" eth0
}

main() {
	local c

	blog "$TEST: setting up contenders: $BENCH_DECAP_CONTENDERS"
	for c in $BENCH_DECAP_CONTENDERS; do
		case "$c" in
		aa*) try_setup "$c" setup_aa ;;
		*) try_setup "$c" "setup_${c//-/_}" ;;
		esac
	done
	pps_rounds "$TEST"
	# shellcheck disable=SC2086 # a list
	perf_profile "$TEST" $BENCH_PERF
}

main; exit 0	# one line: the file may change during a run
