#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Part 1: 64-byte frames per second, encapsulation direction (test "pps").
#
# Every contender has its own three namespaces, all set up once; rounds
# then alternate the contenders (rotated by one each round):
#
#   GEN                 DUT                                  SINK
#   g0 (pktgen) ---veth--- p0 -> [contender] -> u1 ---veth--- u2 (tc ingress
#   64-byte frames to      10.0.N.1/24, neighbour pinned      matchall drop:
#   02:be:00:00:00:02                                         the counter)
#
#   kvtep     kvtep device, LS 33, static remote FDB entry for the MAC
#   vxlan     Linux bridge + vxlan0 (nolearning), static FDB entry (self
#             dst 10.0.N.2 + master static): what Neutron l2pop/EVPN run
#   ovs       OVS kernel datapath driven by the real ovs-vtep, vtep-ctl:
#             add-ps, tunnel_ips, bind-ls, tunnel_key, add-ucast-remote
#   l2        plain L2 forwarding, no encapsulation: Linux bridge {p0, u1}
#             with a static FDB entry (the practical limit)
#   mirred    tc mirred redirect p0 -> u1 (the cheapest forwarding there is)
#   aa, aa2   A/A: frames dropped by a tc filter on p0 before any VTEP sees
#             them (same generator work); aa2/aa is the noise floor and
#             1/pps - 1/pps_aa the contender's own cost per frame
#   kvtep-geneve  when kvtepctl knows Geneve (issue 5), same as kvtep
#
# Rate = frames counted at the sink's drop filter / pktgen's own run time.

source "$(dirname "$(readlink -f "$0")")/lib.sh"
trap cleanup EXIT

TEST=pps
nidx=0

# trio NAME: three namespaces for NAME; sets G D S.
trio() {
	local vg=G_$1 vd=D_$1 vs=S_$1
	vg=${vg//-/_} vd=${vd//-/_} vs=${vs//-/_}
	setup_ns "$vg" "$vd" "$vs" || return 1
	G=${!vg} D=${!vd} S=${!vs}
	nidx=$((nidx + 1))
	veth_pair "$G" g0 "$D" p0 1500
}

register() { # NAME GEN_NS SINK_NS SINK_DEV
	register_contender "$1" "$2" g0 "$3" "$4"
}

try_setup() { # NAME FUNC
	if "$2" "$1"; then
		return 0
	fi
	blog "pps: contender $1 could not be set up, left out"
	return 1
}

setup_aa() {
	trio "$1" && sink_add "$D" p0 && pktgen_setup "$G" g0 "$REMOTE_MAC" &&
		register "$1" "$G" "$D" p0
}

# common part: underlay, sink and generator around a DUT netns
around() {
	underlay "$D" "$S" "$nidx" && sink_add "$S" u2 &&
		pktgen_setup "$G" g0 "$REMOTE_MAC"
}

setup_kvtep() {
	trio "$1" && around &&
		kvtep_setup "$D" kv0 p0 "10.0.$nidx.1" &&
		kctl "$D" fdb add kv0 vni "$VNI" mac "$REMOTE_MAC" remote "10.0.$nidx.2" &&
		register "$1" "$G" "$S" u2 && KV_NS=$D
}

setup_kvtep_geneve() {
	kvtep_supports_geneve || {
		blog "pps: kvtepctl has no Geneve yet (issue 5): kvtep-geneve left out"
		return 1
	}
	trio "$1" && around &&
		kvtep_setup "$D" kv0 p0 "10.0.$nidx.1" geneve &&
		kctl "$D" fdb add kv0 vni "$VNI" mac "$REMOTE_MAC" remote "10.0.$nidx.2" &&
		register "$1" "$G" "$S" u2
}

setup_vxlan() {
	trio "$1" && around &&
		vxlan_setup "$D" p0 "10.0.$nidx.1" &&
		vxlan_static "$D" "$REMOTE_MAC" "10.0.$nidx.2" &&
		register "$1" "$G" "$S" u2
}

setup_l2() {
	trio "$1" && around &&
		ip -n "$D" link add br0 type bridge &&
		ip -n "$D" link set p0 master br0 && ip -n "$D" link set u1 master br0 &&
		ip -n "$D" link set br0 up &&
		ip netns exec "$D" bridge fdb replace "$REMOTE_MAC" dev u1 master static &&
		register "$1" "$G" "$S" u2
}

setup_mirred() {
	trio "$1" && around &&
		tc -n "$D" qdisc add dev p0 clsact &&
		tc -n "$D" filter add dev p0 ingress pref 1 matchall \
			action mirred egress redirect dev u1 &&
		register "$1" "$G" "$S" u2
}

setup_ovs() {
	local tip
	trio "$1" && around || return 1
	tip=10.0.$nidx.1
	ovs_start "$D" p0 "$tip" || { blog "pps: OVS did not start"; return 1; }
	vtep-ctl add-port br0 p0 &&
		vtep-ctl add-ls ls0 &&
		vtep-ctl bind-ls br0 p0 0 ls0 &&
		vtep-ctl set Logical_Switch ls0 tunnel_key="$VNI" &&
		vtep-ctl add-ucast-remote ls0 "$REMOTE_MAC" "10.0.$nidx.2" || return 1
	blog "pps: waiting for ovs-vtep to program $REMOTE_MAC"
	if ! slowwait "$BENCH_OVS_WAIT" ovs_vtep_ready ls0 "$REMOTE_MAC"; then
		blog "pps: ovs-vtep did not program the remote MAC in $BENCH_OVS_WAIT s"
		ovs_dump_logs "$BENCH_OUT/ovs-fail"
		return 1
	fi
	OVS_CONTENDER=$1
	register "$1" "$G" "$S" u2
}

main() {
	local c

	blog "pps: setting up contenders: $BENCH_PPS_CONTENDERS"
	for c in $BENCH_PPS_CONTENDERS; do
		case "$c" in
		aa*) try_setup "$c" setup_aa ;;
		*) try_setup "$c" "setup_${c//-/_}" ;;
		esac
	done
	[ -z "$OVS_CONTENDER" ] || ovs_pause
	pps_rounds "$TEST"
	[ -z "${KV_NS:-}" ] || kctl "$KV_NS" -j stats kv0 >"$BENCH_OUT/kvtep-stats-pps.json" 2>&1
	# shellcheck disable=SC2086 # a list
	perf_profile "$TEST" $BENCH_PERF
	if [ -n "$OVS_CONTENDER" ]; then
		ovs_resume
		ovs_dump_logs "$BENCH_OUT/ovs-pps"
		ovs-appctl -t "$OVS_DIR/ovs-vswitchd.ctl" dpctl/dump-flows \
			>>"$BENCH_OUT/ovs-pps/state.txt" 2>&1
	fi
}

main; exit 0	# one line: the file may change during a run
