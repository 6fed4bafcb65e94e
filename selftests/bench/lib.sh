#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the kvtep benchmarks (selftests/bench/*.sh), sourced inside
# the VM. Builds on selftests/lib.sh (setup_ns, cleanup, busywait...).
#
# Every measurement appends one line to $BENCH_OUT/samples.tsv:
#
#	TEST <tab> CONTENDER <tab> ROUND <tab> VALUE <tab> UNIT
#
# which build/bench/benchstat turns into medians, paired ratios and targets
# (selftests/bench/targets.conf). Extra raw figures (packets sent, elapsed
# time, meminfo snapshots) go to $BENCH_OUT/raw.tsv for inspection.
#
# A benchmark never fails because the machine is slow: a contender that
# cannot be set up is logged and left out (its target reads "n/a").

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=../lib.sh
source "$BENCH_DIR/../lib.sh"
TOP=$(cd "$BENCH_DIR/../.." && pwd -P)
KVTEPCTL=${KVTEPCTL:-$TOP/ctl/kvtepctl}

: "${BENCH_OUT:?BENCH_OUT must name the results directory}"
if [ -r "$BENCH_OUT/bench.env" ]; then
	# shellcheck disable=SC1091
	source "$BENCH_OUT/bench.env"
fi
# Defaults (scripts/bench.sh writes the effective values to bench.env).
: "${BENCH_ROUNDS:=5}"		# alternating rounds per contender
: "${BENCH_PPS_SECS:=4}"	# pktgen window per pps sample
: "${BENCH_TCP_SECS:=8}"	# iperf3 -t per TCP sample
: "${BENCH_FDB_SIZES:=1000 100000 1000000}"
: "${BENCH_FDB_LOAD_TIMEOUT:=900}"	# seconds for one bulk FDB load
: "${BENCH_KVTEP_UDPCSUM:=off}"	# same wire format as Linux vxlan / OVS
: "${BENCH_OVS_WAIT:=600}"	# seconds ovs-vtep may take to program a MAC
: "${BENCH_PARTS:=pps decap tcp fdb ctrl}"
: "${BENCH_PERF=kvtep vxlan}"	# contenders of pps/decap to profile
: "${BENCH_PPS_CONTENDERS:=aa kvtep kvtep-geneve vxlan ovs l2 mirred aa2}"

SAMPLES=$BENCH_OUT/samples.tsv
RAW=$BENCH_OUT/raw.tsv
VNI=33
# shellcheck disable=SC2034 # used by the part scripts
REMOTE_MAC=02:be:00:00:00:02	# the pktgen destination: a remote MAC
INNER_SRC=10.99.0.1
INNER_DST=10.99.0.2

blog() {
	echo "BENCH $(date +%T) $*"
}

# sample TEST CONTENDER ROUND VALUE UNIT
sample() {
	printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$SAMPLES"
	blog "  $1 $2 round $3: $4 $5"
}

raw() { # free-form TSV for inspection
	local IFS=$'\t'
	echo "$*" >>"$RAW"
}

kctl() { # NS ARGS...
	local ns=$1
	shift
	ip netns exec "$ns" "$KVTEPCTL" "$@"
}

mac_of() { # NS DEV
	ip -n "$1" -j link show dev "$2" | jq -r '.[0].address'
}

# veth_pair NS_A DEV_A NS_B DEV_B [MTU]
veth_pair() {
	local mtu=${5:-1500}
	ip link add "$2" netns "$1" mtu "$mtu" type veth peer name "$4" netns "$3" mtu "$mtu" &&
		ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up
}

# underlay NS_A NS_B N: u1 10.0.N.1/24 in NS_A <-> u2 10.0.N.2/24 in NS_B,
# MTU 1600, each side's neighbour pinned (a drop filter on the sink also
# drops ARP replies, and an expired neighbour silently eats frames).
underlay() {
	local a=$1 b=$2 n=$3
	veth_pair "$a" u1 "$b" u2 1600 &&
		ip -n "$a" addr add "10.0.$n.1/24" dev u1 &&
		ip -n "$b" addr add "10.0.$n.2/24" dev u2 &&
		ip -n "$a" neigh replace "10.0.$n.2" lladdr "$(mac_of "$b" u2)" dev u1 nud permanent &&
		ip -n "$b" neigh replace "10.0.$n.1" lladdr "$(mac_of "$a" u1)" dev u2 nud permanent
}

# sink_add NS DEV: count and drop everything arriving on DEV (tc ingress),
# so that the sink's own protocol work is excluded.
sink_add() {
	tc -n "$1" qdisc add dev "$2" clsact &&
		tc -n "$1" filter add dev "$2" ingress pref 1 matchall action drop
}

# sink_count NS DEV: packets the drop filter has seen (parsed without jq:
# every process start costs under TCG).
sink_count() {
	local out
	out=$(tc -n "$1" -s -j filter show dev "$2" ingress 2>/dev/null)
	[[ $out =~ \"packets\":([0-9]+) ]] || return 1
	echo "${BASH_REMATCH[1]}"
}

# ---- pktgen ------------------------------------------------------------

pg() { # NS FILE CMD
	ip netns exec "$1" sh -c "echo '$3' > /proc/net/pktgen/$2"
}

# pktgen_setup NS DEV DST_MAC [CMD...]: one pktgen device on kpktgend_0 of
# NS (pktgen is per netns), 64-byte frames (60 + FCS), UDP 10.99.0.1 ->
# 10.99.0.2, no delay, clone_skb 0 (veth does not allow more), then CMDs.
pktgen_setup() {
	local ns=$1 dev=$2 dmac=$3 c script
	shift 3
	modprobe pktgen 2>/dev/null
	[ -e /proc/net/pktgen/pgctrl ] || return 1
	# One shell per namespace: every exec is slow under TCG.
	script="set -e; cd /proc/net/pktgen; echo rem_device_all > kpktgend_0; echo 'add_device $dev' > kpktgend_0"
	for c in "count 0" "clone_skb 0" "pkt_size 60" "delay 0" \
		"dst_mac $dmac" "src_mac $(mac_of "$ns" "$dev")" \
		"dst $INNER_DST" "src_min $INNER_SRC" "src_max $INNER_SRC" \
		"udp_src_min 9" "udp_src_max 9" "udp_dst_min 9" "udp_dst_max 9" "$@"; do
		script+="; echo '$c' > $dev"
	done
	ip netns exec "$ns" sh -c "$script"
}

# pktgen_run NS DEV SECS: one window of SECS; prints "SENT USEC" as pktgen
# reports them (its own clock, from start to stop). One shell in NS.
# Writes to pgctrl return early when the pktgen thread is slow to react
# (a loaded TCG guest), so the window is bracketed by the thread's own
# "Running:" list: it begins once DEV runs, and the result is read once
# DEV has stopped (stop is repeated until it has). count stays 0.
pktgen_run() {
	local ns=$1 dev=$2 secs=$3 out
	out=$(ip netns exec "$ns" sh -c "cd /proc/net/pktgen || exit 1
		running() { grep -q '^Running: .*$dev ' kpktgend_0; }
		echo start > pgctrl &
		i=0
		while ! running && [ \$i -lt 600 ]; do sleep 0.05; i=\$((i + 1)); done
		sleep $secs
		echo stop > pgctrl
		i=0
		while running && [ \$i -lt 300 ]; do sleep 0.2; echo stop > pgctrl; i=\$((i + 1)); done
		wait
		cat $dev")
	[[ $out =~ Result:\ OK:\ ([0-9]+)\(.*usec,\ ([0-9]+)\  ]] || { echo "0 0"; return 1; }
	echo "${BASH_REMATCH[2]} ${BASH_REMATCH[1]}"
}

# pktgen_warm NS DEV: a short window first (neighbour, OVS upcall, caches).
pktgen_warm() {
	pktgen_run "$1" "$2" 0.3 >/dev/null
}

# measure_pps TEST CONTENDER ROUND GEN_NS GEN_DEV SINK_NS SINK_DEV:
# delivered frames per second at the sink over pktgen's own run time.
measure_pps() {
	local test=$1 c=$2 r=$3 gns=$4 gdev=$5 sns=$6 sdev=$7 c0 c1 sent usec pps
	pktgen_warm "$gns" "$gdev"
	c0=$(sink_count "$sns" "$sdev")
	read -r sent usec < <(pktgen_run "$gns" "$gdev" "$BENCH_PPS_SECS")
	sleep 0.2	# anything still queued on the way
	c1=$(sink_count "$sns" "$sdev")
	if [ "${usec:-0}" -le 0 ] || [ -z "$c0" ] || [ -z "$c1" ]; then
		blog "  $test $c round $r: no result (sent=$sent usec=$usec sink=$c0..$c1)"
		return 1
	fi
	pps=$(((c1 - c0) * 1000000 / usec))
	raw "$test" "$c" "$r" "sent=$sent" "delivered=$((c1 - c0))" "usec=$usec" \
		"sent_pps=$((sent * 1000000 / usec))"
	sample "$test" "$c" "$r" "$pps" pps
}

# ---- contenders and rounds -----------------------------------------------

CONTENDERS=()
declare -A GNS GDEV SNS SDEV
OVS_CONTENDER=

# register_contender NAME GEN_NS GEN_DEV SINK_NS SINK_DEV
register_contender() {
	CONTENDERS+=("$1")
	GNS[$1]=$2 GDEV[$1]=$3 SNS[$1]=$4 SDEV[$1]=$5
	blog "contender $1 ready"
}

# The OVS daemons only run during OVS's own measurements (see ovs_pause).
contender_enter() {
	[ "$1" != "$OVS_CONTENDER" ] || { ovs_resume; sleep 1; }
}

contender_leave() {
	[ "$1" != "$OVS_CONTENDER" ] || ovs_pause
}

# pps_rounds TEST: BENCH_ROUNDS rounds, every registered contender once a
# round, the order rotated by one each round.
pps_rounds() {
	local test=$1 r c list

	[ ${#CONTENDERS[@]} -gt 0 ] || { blog "$test: no contender"; return 0; }
	for ((r = 1; r <= BENCH_ROUNDS; r++)); do
		list=$(rotate $((r - 1)) "${CONTENDERS[@]}")
		blog "$test: round $r/$BENCH_ROUNDS: $list"
		for c in $list; do
			contender_enter "$c"
			measure_pps "$test" "$c" "$r" "${GNS[$c]}" "${GDEV[$c]}" "${SNS[$c]}" "${SDEV[$c]}"
			contender_leave "$c"
		done
	done
}

# perf_start FILE [PERF-ARGS...] / perf_stop: perf record (cpu-clock: TCG
# has no PMU) around a load window. perf takes many seconds to start in a
# TCG guest, so the load only begins once it writes samples.
PERF_PID=
perf_start() {
	local data=$1 i
	shift
	rm -f "$data"
	perf record -q -g -e cpu-clock -o "$data" "$@" >/dev/null 2>&1 &
	PERF_PID=$!
	for ((i = 0; i < 120; i++)); do
		[ "$(stat -c %s "$data" 2>/dev/null || echo 0)" -gt 4096 ] && break
		kill -0 "$PERF_PID" 2>/dev/null || break
		sleep 0.5
	done
	sleep 1
}

perf_stop() {
	kill -INT "$PERF_PID" 2>/dev/null
	wait "$PERF_PID" 2>/dev/null
	PERF_PID=
}

# perf_flat DATA [REPORT-ARGS...]: the flat profile by symbol, idle left out.
perf_flat() {
	local data=$1
	shift
	perf report -q -i "$data" --stdio --no-children --sort symbol -g none \
		--percent-limit 0.3 "$@" 2>/dev/null | grep -v -e '^$' -e '_safe_halt' | head -60
}

# perf_profile TEST CONTENDER...: one more pktgen window per contender,
# with `perf record -g` on CPU 0, where kpktgend_0 transmits and the whole
# forwarding path runs in its softirqs; the profile of kpktgend_0's samples
# (percentages relative to them) goes to $BENCH_OUT/perf-TEST-CONTENDER.txt.
perf_profile() {
	local test=$1 c data
	shift
	command -v perf >/dev/null 2>&1 || { blog "$test: no perf, no profile"; return 0; }
	for c in "$@"; do
		[ -n "${GNS[$c]:-}" ] || continue
		data=/tmp/kvtep-bench-perf-$test-$c.data
		contender_enter "$c"
		pktgen_warm "${GNS[$c]}" "${GDEV[$c]}"
		perf_start "$data" -C 0
		pktgen_run "${GNS[$c]}" "${GDEV[$c]}" $((BENCH_PPS_SECS * 2)) >/dev/null
		perf_stop
		contender_leave "$c"
		{
			echo "# $test $c: perf record -C 0 -g -e cpu-clock, samples of kpktgend_0 (forwarding path)"
			perf_flat "$data" --comm kpktgend_0 --percentage relative
		} >"$BENCH_OUT/perf-$test-$c.txt"
		rm -f "$data"
		blog "$test: perf profile of $c: perf-$test-$c.txt"
	done
}

# ---- meminfo -----------------------------------------------------------

# kmem_kb: unreclaimable slab + per-CPU + vmalloc, in kB (what an FDB entry
# can cost the kernel: its object, per-CPU caches, large hash tables).
kmem_snapshot() {
	awk '/^(SUnreclaim|Percpu|VmallocUsed|Slab):/ {printf "%s=%s ", $1, $2} END {print ""}' /proc/meminfo |
		tr -d ':'
}

kmem_kb() {
	awk '/^(SUnreclaim|Percpu|VmallocUsed):/ {s += $2} END {print s}' /proc/meminfo
}

settle_mem() { # let RCU callbacks and deferred frees run
	sync
	sleep 2
	echo 2 >/proc/sys/vm/drop_caches 2>/dev/null
	sleep 1
}

# ---- rounds ------------------------------------------------------------

# rotate N LIST...: LIST rotated left by N (each round starts one later,
# so no contender always runs first or right after the same one).
rotate() {
	local n=$1
	shift
	local a=("$@") i k=$#
	for ((i = 0; i < k; i++)); do
		printf '%s ' "${a[(i + n) % k]}"
	done
	echo
}

# ---- OVS + ovs-vtep ----------------------------------------------------

OVS_DIR=
OVS_PIDS=()

# ovs_start NS PORT TUNNEL_IP: ovsdb-server (vswitch + vtep schemas),
# ovs-vswitchd running in NS (its datapath and vxlan_sys_4789 live there),
# bridge br0 with PORT, Physical_Switch br0 with tunnel_ips, and the real
# ovs-vtep emulator (python3). Exports OVS_RUNDIR etc. for the ctl tools.
ovs_start() {
	local ns=$1 port=$2 tip=$3 d
	modprobe openvswitch 2>/dev/null
	modprobe vport-vxlan 2>/dev/null
	[ -x /usr/share/openvswitch/scripts/ovs-vtep ] || return 1
	OVS_DIR=$(mktemp -d /tmp/kvtep-bench-ovs.XXXXXX)
	export OVS_RUNDIR=$OVS_DIR OVS_LOGDIR=$OVS_DIR OVS_DBDIR=$OVS_DIR OVS_SYSCONFDIR=$OVS_DIR
	d=$OVS_DIR
	ovsdb-tool create "$d/ovs.db" /usr/share/openvswitch/vswitch.ovsschema &&
		ovsdb-tool create "$d/vtep.db" /usr/share/openvswitch/vtep.ovsschema || return 1
	ovsdb-server --pidfile="$d/ovsdb-server.pid" --detach --log-file="$d/ovsdb-server.log" \
		-vconsole:off --remote="punix:$d/db.sock" --unixctl="$d/ovsdb-server.ctl" \
		"$d/ovs.db" "$d/vtep.db" >/dev/null 2>&1 || return 1
	OVS_PIDS+=("$(cat "$d/ovsdb-server.pid")")
	ovs-vsctl --db="unix:$d/db.sock" --no-wait init || return 1
	ip netns exec "$ns" ovs-vswitchd --pidfile="$d/ovs-vswitchd.pid" --detach \
		--log-file="$d/ovs-vswitchd.log" --unixctl="$d/ovs-vswitchd.ctl" \
		-vconsole:off "unix:$d/db.sock" >/dev/null 2>&1 || return 1
	OVS_PIDS+=("$(cat "$d/ovs-vswitchd.pid")")
	ovs-vsctl --timeout=60 add-br br0 &&
		ovs-vsctl --timeout=60 add-port br0 "$port" &&
		vtep-ctl add-ps br0 &&
		vtep-ctl set Physical_Switch br0 tunnel_ips="$tip" || return 1
	ip netns exec "$ns" /usr/bin/python3 /usr/share/openvswitch/scripts/ovs-vtep \
		--log-file="$d/ovs-vtep.log" --pidfile="$d/ovs-vtep.pid" \
		-vconsole:off --detach br0 >/dev/null 2>&1 || return 1
	OVS_PIDS+=("$(cat "$d/ovs-vtep.pid")")
	defer ovs_stop
}

ovs_dump_logs() { # DIR
	mkdir -p "$1"
	cp "$OVS_DIR"/*.log "$1/" 2>/dev/null
	{
		ovs-vsctl show
		vtep-ctl show
		vtep-ctl list-remote-macs ls0
		ovs-ofctl dump-flows br0
		ovs-ofctl dump-flows "$(ovs_ls_bridge ls0)"
	} >"$1/state.txt" 2>&1
}

ovs_stop() {
	local i
	for ((i = ${#OVS_PIDS[@]} - 1; i >= 0; i--)); do
		kill -CONT "${OVS_PIDS[i]}" 2>/dev/null
		kill -TERM "${OVS_PIDS[i]}" 2>/dev/null
	done
	OVS_PIDS=()
}

# ovs_pause / ovs_resume: the OVS daemons (not ovsdb-server, idle anyway)
# are stopped while the other contenders are measured, so that ovs-vtep's
# once-a-second polling (it forks vtep-ctl/ovs-ofctl) is charged to OVS's
# own rounds only.
ovs_pause() {
	local p
	for p in "${OVS_PIDS[@]:1}"; do
		kill -STOP "$p" 2>/dev/null
	done
}

ovs_resume() {
	local p
	for p in "${OVS_PIDS[@]:1}"; do
		kill -CONT "$p" 2>/dev/null
	done
}

# ovs_ls_bridge LS: the bridge ovs-vtep made for LS (PS_vtep_lsN).
ovs_ls_bridge() {
	ovs-vsctl --bare --columns=name find Bridge \
		"external_ids:logical_switch_name=$1" 2>/dev/null
}

# ovs_vtep_ready LS MAC...: ovs-vtep has programmed every MAC as a remote
# unicast flow in its logical-switch bridge.
ovs_vtep_ready() {
	local ls=$1 flows m br
	shift
	br=$(ovs_ls_bridge "$ls")
	[ -n "$br" ] || return 1
	flows=$(ovs-ofctl dump-flows "$br" table=1 2>/dev/null) || return 1
	for m in "$@"; do
		grep -q "dl_dst=$m" <<<"$flows" || return 1
	done
}

# ---- kvtep ---------------------------------------------------------------

kvtep_supports_geneve() {
	# Hook for issue 5: kvtepctl advertises an encapsulation keyword.
	"$KVTEPCTL" help ls 2>&1 | grep -qi geneve
}

# kvtep_setup NS DEV PORT LOCAL [ENCAP]: device, port, LS $VNI, binding.
kvtep_setup() {
	local ns=$1 dev=$2 port=$3 local=$4 encap=${5:-}
	ip -n "$ns" link add "$dev" type kvtep &&
		kctl "$ns" dev set "$dev" local "$local" udp-csum "$BENCH_KVTEP_UDPCSUM" &&
		kctl "$ns" port add "$dev" "$port" &&
		ip -n "$ns" link set "$dev" up || return 1
	if [ -n "$encap" ]; then
		# Geneve (issue 5): adjust here once kvtepctl's syntax is merged.
		kctl "$ns" ls add "$dev" vni "$VNI" encap "$encap" || return 1
	else
		kctl "$ns" ls add "$dev" vni "$VNI" || return 1
	fi
	kctl "$ns" bind add "$dev" port "$port" vlan 0 vni "$VNI"
}

# ---- Linux vxlan + bridge --------------------------------------------------

# vxlan_setup NS PORT LOCAL: br0 { PORT, vxlan0 id $VNI }, no learning.
vxlan_setup() {
	local ns=$1 port=$2 local=$3
	ip -n "$ns" link add vxlan0 type vxlan id "$VNI" local "$local" dstport 4789 nolearning &&
		ip -n "$ns" link add br0 type bridge &&
		ip -n "$ns" link set vxlan0 master br0 &&
		ip -n "$ns" link set "$port" master br0 &&
		ip -n "$ns" link set vxlan0 up && ip -n "$ns" link set br0 up
}

# vxlan_static NS MAC DST: what Neutron l2pop / EVPN install ("replace":
# the bridge may have learned the MAC from a multicast frame already).
vxlan_static() {
	ip netns exec "$1" bridge fdb replace "$2" dev vxlan0 dst "$3" &&
		ip netns exec "$1" bridge fdb replace "$2" dev vxlan0 master static
}
