#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Part 2: TCP across the tunnel, VM to VM (test "tcp", Gbit/s received).
#
# The contender is on the near side; the far side is the same Linux
# "hypervisor" for every contender (except l2, which has no tunnel):
#
#  VM1              DUT (contender)              HV                      VM2
#  eth0 ---veth--- p0 -> [VTEP] -> u1 ---veth--- u2 -> vxlan0 id 33 -- br0 -- p2 ---veth--- eth0
#  192.168.33.1    MTU 1500   10.0.N.1 MTU 1600  10.0.N.2 (static FDB for VM1)       192.168.33.2
#
#   kvtep  kvtep device: static remote entry for VM2, flood list = HV
#   vxlan  Linux bridge + vxlan0 with static FDB (as on the far side)
#   ovs    OVS kernel datapath driven by ovs-vtep (ucast + unknown-dst remote)
#   l2     no tunnel: bridge {p0, u1} and on the far side bridge {u2, p2}
#
# Neighbours of VM1/VM2 are pinned (no ARP through the tunnels), iperf3
# -t BENCH_TCP_SECS with the first second omitted, one stream; each
# contender has its own five namespaces, rounds alternate as in part 1.

source "$(dirname "$(readlink -f "$0")")/lib.sh"
trap cleanup EXIT

TEST=tcp
: "${BENCH_TCP_CONTENDERS:=kvtep vxlan ovs l2}"
VM1_IP=192.168.33.1
VM2_IP=192.168.33.2
nidx=0
declare -A VM1NS DUTNS

# five NAME: VM1 - DUT - HV - VM2 namespaces, veths, far side; sets
# V1 D H V2 VM1_MAC VM2_MAC.
five() {
	local name=${1//-/_} v1 d h v2
	v1=V1_$name d=D_$name h=H_$name v2=V2_$name
	setup_ns "$v1" "$d" "$h" "$v2" || return 1
	V1=${!v1} D=${!d} H=${!h} V2=${!v2}
	nidx=$((nidx + 1))
	veth_pair "$V1" eth0 "$D" p0 1500 &&
		veth_pair "$V2" eth0 "$H" p2 1500 &&
		underlay "$D" "$H" "$nidx" &&
		ip -n "$V1" addr add "$VM1_IP/24" dev eth0 &&
		ip -n "$V2" addr add "$VM2_IP/24" dev eth0 || return 1
	VM1_MAC=$(mac_of "$V1" eth0)
	VM2_MAC=$(mac_of "$V2" eth0)
	ip -n "$V1" neigh replace "$VM2_IP" lladdr "$VM2_MAC" dev eth0 nud permanent &&
		ip -n "$V2" neigh replace "$VM1_IP" lladdr "$VM1_MAC" dev eth0 nud permanent
}

# far_vxlan: the hypervisor side, Linux vxlan + bridge, static FDB.
far_vxlan() {
	ip -n "$H" link add vxlan0 type vxlan id "$VNI" local "10.0.$nidx.2" dstport 4789 nolearning &&
		ip -n "$H" link add br0 type bridge &&
		ip -n "$H" link set vxlan0 master br0 && ip -n "$H" link set p2 master br0 &&
		ip -n "$H" link set vxlan0 up && ip -n "$H" link set br0 up &&
		ip netns exec "$H" bridge fdb append 00:00:00:00:00:00 dev vxlan0 dst "10.0.$nidx.1" &&
		vxlan_static "$H" "$VM1_MAC" "10.0.$nidx.1"
}

server() { # start iperf3 in VM2 (a daemon outlives its netns: kill it)
	local pidf=/tmp/kvtep-bench-iperf3-$V2.pid
	ip netns exec "$V2" iperf3 -s -D -p 5201 -I "$pidf" >/dev/null 2>&1 || return 1
	defer "kill \$(cat $pidf)"
	busywait 10000 port_listening "$V2" 5201
}

port_listening() { # NS PORT
	ip netns exec "$1" ss -Htln "sport = :$2" | grep -q .
}

register() {
	VM1NS[$1]=$V1 DUTNS[$1]=$D
	CONTENDERS+=("$1")
	blog "contender $1 ready"
}

try_setup() { # NAME FUNC
	"$2" "$1" && return 0
	blog "$TEST: contender $1 could not be set up, left out"
	return 1
}

setup_kvtep() {
	five "$1" && far_vxlan &&
		kvtep_setup "$D" kv0 p0 "10.0.$nidx.1" &&
		kctl "$D" flood set kv0 vni "$VNI" remote "10.0.$nidx.2" &&
		kctl "$D" fdb add kv0 vni "$VNI" mac "$VM2_MAC" remote "10.0.$nidx.2" &&
		server && register "$1"
}

setup_vxlan() {
	five "$1" && far_vxlan &&
		vxlan_setup "$D" p0 "10.0.$nidx.1" &&
		ip netns exec "$D" bridge fdb append 00:00:00:00:00:00 dev vxlan0 dst "10.0.$nidx.2" &&
		vxlan_static "$D" "$VM2_MAC" "10.0.$nidx.2" &&
		server && register "$1"
}

setup_ovs() {
	five "$1" && far_vxlan || return 1
	ovs_start "$D" p0 "10.0.$nidx.1" || { blog "$TEST: OVS did not start"; return 1; }
	vtep-ctl add-port br0 p0 &&
		vtep-ctl add-ls ls0 &&
		vtep-ctl bind-ls br0 p0 0 ls0 &&
		vtep-ctl set Logical_Switch ls0 tunnel_key="$VNI" &&
		vtep-ctl add-ucast-remote ls0 "$VM2_MAC" "10.0.$nidx.2" &&
		vtep-ctl add-mcast-remote ls0 unknown-dst "10.0.$nidx.2" || return 1
	blog "$TEST: waiting for ovs-vtep to program $VM2_MAC"
	if ! slowwait "$BENCH_OVS_WAIT" ovs_vtep_ready ls0 "$VM2_MAC"; then
		blog "$TEST: ovs-vtep did not program the remote MAC in $BENCH_OVS_WAIT s"
		ovs_dump_logs "$BENCH_OUT/ovs-fail-tcp"
		return 1
	fi
	OVS_CONTENDER=$1
	server && register "$1"
}

setup_l2() {
	five "$1" &&
		ip -n "$D" link add br0 type bridge &&
		ip -n "$D" link set p0 master br0 && ip -n "$D" link set u1 master br0 &&
		ip -n "$D" link set br0 up &&
		ip -n "$H" link add br0 type bridge &&
		ip -n "$H" link set u2 master br0 && ip -n "$H" link set p2 master br0 &&
		ip -n "$H" link set br0 up &&
		server && register "$1"
}

path_up() { # VM1NS: one ping to VM2 answered
	ip netns exec "$1" ping -q -c 1 -W 1 "$VM2_IP" >/dev/null 2>&1
}

# measure NAME ROUND
measure() {
	local c=$1 r=$2 out bps
	# A contender whose path is not up yet (OVS: datapath flows expired
	# while its daemons were stopped, reinstalled by upcalls) would lose
	# the window to SYN/RTO backoff and read 0: wait for it first.
	if ! busywait 30000 path_up "${VM1NS[$c]}"; then
		blog "  $TEST $c round $r: VM1 cannot reach VM2 (ping), no sample"
		return 1
	fi
	out=$(ip netns exec "${VM1NS[$c]}" timeout $((BENCH_TCP_SECS + 60)) \
		iperf3 -J -c "$VM2_IP" -p 5201 -t "$BENCH_TCP_SECS" -O 1 2>&1)
	bps=$(jq -r '.end.sum_received.bits_per_second // empty' <<<"$out" 2>/dev/null)
	if [ -z "$bps" ]; then
		blog "  $TEST $c round $r: no result: $(jq -r '.error // empty' <<<"$out" 2>/dev/null | head -1)"
		return 1
	fi
	raw "$TEST" "$c" "$r" "bps=$bps" \
		"sent_bytes=$(jq -r '.end.sum_sent.bytes // 0' <<<"$out")" \
		"received_bytes=$(jq -r '.end.sum_received.bytes // 0' <<<"$out")" \
		"retransmits=$(jq -r '.end.sum_sent.retransmits // 0' <<<"$out")"
	if [ "${bps%.*}" = 0 ]; then
		# Keep what explains a zero (the README's OVS rounds read 0).
		printf '%s\n' "$out" >"$BENCH_OUT/tcp-zero-$c-$r.json"
		ip netns exec "${DUTNS[$c]}" ip -s link >>"$BENCH_OUT/tcp-zero-$c-$r.json" 2>&1
	fi
	sample "$TEST" "$c" "$r" "$(awk -v b="$bps" 'BEGIN {printf "%.4f", b / 1e9}')" Gbit/s
}

# tcp_profile CONTENDER...: one more iperf3 run each, perf record -a -g
# (cpu-clock) around it; flat profile (idle left out, percentages of all
# samples) in $BENCH_OUT/perf-tcp-CONTENDER.txt.
tcp_profile() {
	local c data
	command -v perf >/dev/null 2>&1 || return 0
	for c in "$@"; do
		[ -n "${VM1NS[$c]:-}" ] || continue
		data=/tmp/kvtep-bench-perf-tcp-$c.data
		contender_enter "$c"
		perf_start "$data" -a
		ip netns exec "${VM1NS[$c]}" timeout $((BENCH_TCP_SECS + 60)) \
			iperf3 -c "$VM2_IP" -p 5201 -t "$BENCH_TCP_SECS" >/dev/null 2>&1
		perf_stop
		contender_leave "$c"
		{
			echo "# tcp $c: perf record -a -g -e cpu-clock during iperf3 (idle samples not shown)"
			perf_flat "$data"
		} >"$BENCH_OUT/perf-tcp-$c.txt"
		rm -f "$data"
		blog "$TEST: perf profile of $c: perf-tcp-$c.txt"
	done
}

main() {
	local c r list

	blog "$TEST: setting up contenders: $BENCH_TCP_CONTENDERS"
	for c in $BENCH_TCP_CONTENDERS; do
		try_setup "$c" "setup_${c//-/_}"
	done
	[ -z "$OVS_CONTENDER" ] || ovs_pause
	[ ${#CONTENDERS[@]} -gt 0 ] || return 0
	for ((r = 1; r <= BENCH_ROUNDS; r++)); do
		list=$(rotate $((r - 1)) "${CONTENDERS[@]}")
		blog "$TEST: round $r/$BENCH_ROUNDS: $list"
		for c in $list; do
			contender_enter "$c"
			measure "$c" "$r"
			contender_leave "$c"
		done
	done
	# shellcheck disable=SC2086 # a list
	tcp_profile $BENCH_PERF
	[ -z "${DUTNS[kvtep]:-}" ] ||
		kctl "${DUTNS[kvtep]}" -j stats kv0 >"$BENCH_OUT/kvtep-stats-tcp.json" 2>&1
	if [ -n "$OVS_CONTENDER" ]; then
		ovs_resume
		ovs_dump_logs "$BENCH_OUT/ovs-tcp"
		ovs-appctl -t "$OVS_DIR/ovs-vswitchd.ctl" dpctl/dump-flows \
			>>"$BENCH_OUT/ovs-tcp/state.txt" 2>&1
	fi
}

main; exit 0	# one line: the file may change during a run
