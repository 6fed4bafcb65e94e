#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kvtepctl ovsdb (the hardware_vtep agent) against a real ovsdb-server with
# the vtep schema, driven by the real vtep-ctl: the VTEP emulator guide's
# scenario, verbatim, with a Linux vxlan + bridge "hypervisor" as the peer.
#
#  +--- VM1 ---+   +-------- VTEP ---------+   +----------- HV -----------+   +--- VM2 ---+
#  | eth0      +---+ p0 -- br0 (kvtep)     |   | vx0 (vxlan id 33) -- br0 |   |      eth0 |
#  | .33.1/24  |   |  u1 10.0.0.1/24 +-----+---+ u2 10.0.0.2/24    |  p2 -+---+  .33.2/24 |
#  +-----------+   +-----------------------+   +--------------------------+   +-----------+
#
#  ovsdb-server (fresh db from vtep.ovsschema, punix: socket in a temp dir)
#  runs in the root namespace; the agent runs in VTEP.
#
# Test 1 (seed scenario): vtep-ctl add-ps br0; set Physical_Switch br0
#   tunnel_ips=10.0.0.1; agent started (creates br0, publishes p0 once it
#   is enslaved); add-ls ls0; bind-ls br0 p0 0 ls0; set Logical_Switch ls0
#   tunnel_key=33; add-mcast-remote ls0 unknown-dst 10.0.0.2;
#   add-ucast-remote ls0 VM2-MAC 10.0.0.2; set-replication-mode ls0
#   source_node. Checks: kernel objects, ping VM1 <-> VM2, list-local-macs
#   shows VM1's MAC and the unknown-dst locator, del-ucast-remote removes
#   the kernel entry, unbind-ls stops the traffic.
#
# Then, with ls0 bound again:
# Test 2 (hitless restart): continuous ping VM1 -> VM2 while the agent is
#   killed with SIGKILL and restarted: no packet lost, no FDB event (kvtepctl
#   monitor), the device's config generation unchanged, the static entry not
#   re-added (its age keeps growing), the new agent applies no change.
# Test 3 (server restart): ovsdb-server stopped; meanwhile the database file
#   is changed with ovsdb-tool (ucast remote deleted, replication_mode
#   service_node); server started: the agent reconnects, resyncs, applies
#   both, and later vtep-ctl changes apply too.
# Test 4 (bad rows, inserted with ovsdb-client transact next to a good
#   one): malformed MAC, locator with a bad dst_ip, tunnel_key out of
#   range, a second LS with an already used tunnel_key: logged with their
#   UUIDs, switch_fault_status / port_fault_status set, the good row applied,
#   the agent keeps running; removing them clears the faults.
# Test 5: Logical_Binding_Stats of p0 vlan 0 grow with traffic
#   (--stats-interval 1).
# Test 6 (batching): 5000 Ucast_Macs_Remote rows in one transaction reach
#   the kernel in a handful of netlink requests, not one per MAC.
# Test 7 (ENOBUFS): the agent is stopped (SIGSTOP) while 2000 source MACs
#   are learned on p0, overflowing its notification socket; once continued
#   it resyncs by dump + diff and Ucast_Macs_Local lists all 2000.
#
# Environment: KVTEPCTL (default ctl/kvtepctl of this tree), VERBOSE=1.

source "$(dirname "$(readlink -f "$0")")/lib.sh"

TOP=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
KVTEPCTL=${KVTEPCTL:-$TOP/ctl/kvtepctl}
SCHEMA=/usr/share/openvswitch/vtep.ovsschema
VNI=33
VM1_IP=192.168.33.1
VM2_IP=192.168.33.2
VTEP_IP=10.0.0.1
HV_IP=10.0.0.2

require_root
require_cmd ip jq ovsdb-server ovsdb-tool ovsdb-client vtep-ctl bridge
[ -r "$SCHEMA" ] || skip_test "no $SCHEMA (openvswitch-vtep)"
if command -v ping >/dev/null 2>&1; then
	PING=(ping)
elif command -v busybox >/dev/null 2>&1; then
	PING=(busybox ping)
else
	skip_test "could not run test without ping"
fi
[ -x "$KVTEPCTL" ] || skip_test "$KVTEPCTL not built (make ctl)"
modinfo kvtep >/dev/null 2>&1 ||
	skip_test "kvtep module not installed (build/\$(uname -r)/kvtep.ko + selftests/vm/run.sh)"
modprobe kvtep || skip_test "cannot load kvtep"

TMPD=$(mktemp -d)
SOCK=$TMPD/db.sock
DB=unix:$SOCK
AGENT_LOG=$TMPD/agent.log
trap 'cleanup; rm -rf "$TMPD"' EXIT

kmsg_start=$(kmsg_mark)

vctl() {
	vtep-ctl --timeout=10 --db="$DB" "$@"
}

kctl() { # NS ARGS...
	local ns=$1
	shift
	ip netns exec "$ns" "$KVTEPCTL" "$@"
}

mac_of() { # NS DEV
	ip -n "$1" -j link show dev "$2" | jq -r '.[0].address'
}

ping_loss() { # NS DST COUNT
	local out
	out=$(ip netns exec "$1" "${PING[@]}" -q -c "$3" -i 0.2 -W 2 "$2" 2>&1)
	[ "$VERBOSE" = 0 ] || printf '%s\n' "$out" | sed 's/^/    /' >&2
	printf '%s\n' "$out" | sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p'
}

veth_pair() { # NS_A DEV_A NS_B DEV_B MTU
	ip link add "$2" netns "$1" mtu "$5" type veth peer name "$4" netns "$3" mtu "$5" &&
	ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up
}

start_ovsdb() {
	[ -e "$TMPD/vtep.db" ] || ovsdb-tool create "$TMPD/vtep.db" "$SCHEMA" || return 1
	ovsdb-server --remote=punix:"$SOCK" --pidfile="$TMPD/ovsdb.pid" \
		--unixctl="$TMPD/ovsdb.ctl" --log-file="$TMPD/ovsdb.log" --detach \
		"$TMPD/vtep.db" || return 1
	busywait 5000 test -S "$SOCK"
}

stop_ovsdb() {
	[ -s "$TMPD/ovsdb.pid" ] && kill "$(cat "$TMPD/ovsdb.pid")" 2>/dev/null
	busywait 5000 not test -S "$SOCK"
}

start_agent() { # NS [ARGS...]
	local ns=$1
	shift
	local v=()
	[ "$VERBOSE" = 0 ] || v=(--verbose)
	ip netns exec "$ns" "$KVTEPCTL" ovsdb --db="$DB" --pidfile="$TMPD/agent.pid" \
		--detach --log-file="$AGENT_LOG" --stats-interval 1 "${v[@]}" "$@" br0
}

stop_agent() { # [SIGNAL]
	local pid
	pid=$(cat "$TMPD/agent.pid" 2>/dev/null) || return 0
	kill "-${1:-TERM}" "$pid" 2>/dev/null
	busywait 5000 not kill -0 "$pid" 2>/dev/null
}

dump_logs() {
	[ "$VERBOSE" = 0 ] && [ "$nfail" = 0 ] && return
	echo "---- agent log"; tail -n 60 "$AGENT_LOG" 2>/dev/null
	kill -0 "$(cat "$TMPD/agent.pid")" 2>/dev/null && echo "(agent running)" || echo "(agent NOT running)"
	dmesg | grep -i -E "segfault|kvtepctl" | tail -5
	echo "---- ovsdb log"; tail -n 10 "$TMPD/ovsdb.log" 2>/dev/null
}

# Kernel checks (JSON from kvtepctl).
k_ls_has() { # VNI REPLICATION
	kctl "$VTEP" -j ls show br0 |
		jq -e --argjson v "$1" --arg r "$2" 'any(.[]; .vni == $v and .replication == $r)' >/dev/null
}
k_bind_has() { # PORT VLAN VNI
	kctl "$VTEP" -j bind show br0 |
		jq -e --arg p "$1" --argjson l "$2" --argjson v "$3" \
			'any(.[]; .port == $p and .vlan == $l and .vni == $v)' >/dev/null
}
k_flood_is() { # VNI IP
	kctl "$VTEP" -j flood show br0 vni "$1" |
		jq -e --arg ip "$2" '.[0].remotes | length == 1 and .[0].ip == $ip' >/dev/null
}
k_fdb_has() { # VNI MAC TYPE
	kctl "$VTEP" -j fdb show br0 vni "$1" |
		jq -e --arg m "$2" --arg t "$3" 'any(.[]; .mac == $m and .type == $t)' >/dev/null
}
db_local_macs_has() { # LS TEXT
	vctl list-local-macs "$1" | grep -qi -- "$2"
}
db_ports_has() { # PORT
	vctl list-ports br0 | grep -qx -- "$1"
}

setup_topology() {
	VM1='' VTEP='' HV='' VM2=''
	setup_ns VM1 VTEP HV VM2 || return 1
	veth_pair "$VTEP" p0 "$VM1" eth0 1500 &&
	ip -n "$VM1" addr add "$VM1_IP/24" dev eth0 &&
	veth_pair "$HV" p2 "$VM2" eth0 1500 &&
	ip -n "$VM2" addr add "$VM2_IP/24" dev eth0 &&
	veth_pair "$VTEP" u1 "$HV" u2 1600 &&
	ip -n "$VTEP" addr add "$VTEP_IP/24" dev u1 &&
	ip -n "$HV" addr add "$HV_IP/24" dev u2 &&
	ip -n "$HV" link add vx0 type vxlan id "$VNI" dstport 4789 local "$HV_IP" nolearning &&
	ip -n "$HV" link add br0 type bridge &&
	ip -n "$HV" link set vx0 master br0 &&
	ip -n "$HV" link set p2 master br0 &&
	ip -n "$HV" link set vx0 up && ip -n "$HV" link set br0 up &&
	ip netns exec "$HV" bridge fdb append 00:00:00:00:00:00 dev vx0 dst "$VTEP_IP"
}

# ---- test 1: the seed scenario ---------------------------------------------

test_seed() {
	local rc loss mac1 mac2

	setup_topology
	log_test $? 0 "topology: VM1 - VTEP ... Linux vxlan hypervisor - VM2"
	start_ovsdb
	log_test $? 0 "ovsdb-server on a fresh hardware_vtep database"

	vctl add-ps br0 &&
	vctl set Physical_Switch br0 tunnel_ips="$VTEP_IP"
	log_test $? 0 "vtep-ctl add-ps br0; set Physical_Switch br0 tunnel_ips=$VTEP_IP"

	start_agent "$VTEP"
	log_test $? 0 "kvtepctl ovsdb br0 started (--detach)"
	defer stop_agent

	busywait 10000 ip -n "$VTEP" link show br0 >/dev/null
	log_test $? 0 "agent created the kvtep device br0"
	busywait 10000 sh -c "ip netns exec '$VTEP' '$KVTEPCTL' -j dev show br0 | jq -e '.[0].local_ip4 == \"$VTEP_IP\"'" >/dev/null
	log_test $? 0 "br0's local address is the switch's tunnel_ips"

	ip -n "$VTEP" link set p0 master br0
	busywait 10000 db_ports_has p0
	log_test $? 0 "agent published Physical_Port p0 once enslaved"

	vctl add-ls ls0 &&
	vctl bind-ls br0 p0 0 ls0 &&
	vctl set Logical_Switch ls0 tunnel_key=$VNI &&
	vctl add-mcast-remote ls0 unknown-dst "$HV_IP"
	log_test $? 0 "vtep-ctl add-ls, bind-ls, tunnel_key=$VNI, add-mcast-remote unknown-dst"

	mac1=$(mac_of "$VM1" eth0)
	mac2=$(mac_of "$VM2" eth0)
	vctl add-ucast-remote ls0 "$mac2" "$HV_IP" &&
	vctl set-replication-mode ls0 source_node
	log_test $? 0 "vtep-ctl add-ucast-remote ls0 VM2-MAC, set-replication-mode source_node"

	busywait 10000 k_ls_has "$VNI" source_node
	log_test $? 0 "kernel: logical switch vni $VNI, replication source_node"
	busywait 10000 k_bind_has p0 0 "$VNI"
	log_test $? 0 "kernel: binding p0 vlan 0 -> vni $VNI"
	busywait 10000 k_flood_is "$VNI" "$HV_IP"
	log_test $? 0 "kernel: flood list of vni $VNI = $HV_IP"
	busywait 10000 k_fdb_has "$VNI" "$mac2" static-remote
	log_test $? 0 "kernel: static remote FDB entry for VM2's MAC"
	[ "$VERBOSE" = 0 ] || { kctl "$VTEP" fdb show br0; kctl "$VTEP" flood show br0; }

	loss=$(ping_loss "$VM1" "$VM2_IP" 5)
	log_info "ping VM1 -> VM2: ${loss:-?}% loss"
	[ "$loss" = 0 ]
	log_test $? 0 "ping VM1 (kvtep) -> VM2 (Linux vxlan hypervisor)"
	loss=$(ping_loss "$VM2" "$VM1_IP" 5)
	[ "$loss" = 0 ]
	log_test $? 0 "ping VM2 -> VM1"

	busywait 10000 db_local_macs_has ls0 "$mac1 -> vxlan_over_ipv4/$VTEP_IP"
	log_test $? 0 "vtep-ctl list-local-macs ls0 shows VM1's MAC"
	db_local_macs_has ls0 "unknown-dst -> vxlan_over_ipv4/$VTEP_IP"
	log_test $? 0 "vtep-ctl list-local-macs ls0 shows unknown-dst -> own locator"
	[ "$VERBOSE" = 0 ] || vctl list-local-macs ls0

	vctl del-ucast-remote ls0 "$mac2"
	busywait 10000 not k_fdb_has "$VNI" "$mac2" static-remote
	log_test $? 0 "del-ucast-remote removes the kernel entry"

	vctl unbind-ls br0 p0 0
	busywait 10000 not k_bind_has p0 0 "$VNI"
	log_test $? 0 "unbind-ls removes the kernel binding"
	loss=$(ping_loss "$VM1" "$VM2_IP" 3)
	log_info "ping VM1 -> VM2 after unbind-ls: ${loss:-?}% loss"
	[ "$loss" = 100 ]
	log_test $? 0 "unbind-ls stops the traffic"

	MAC1=$mac1 MAC2=$mac2
}

rebind() {
	vctl bind-ls br0 p0 0 ls0 &&
	vctl add-ucast-remote ls0 "$MAC2" "$HV_IP" &&
	busywait 10000 k_fdb_has "$VNI" "$MAC2" static-remote &&
	busywait 10000 k_bind_has p0 0 "$VNI" &&
	[ "$(ping_loss "$VM1" "$VM2_IP" 3)" = 0 ]
	log_test $? 0 "bind-ls and add-ucast-remote again: traffic flows"
}

# ---- test 5: binding counters ----------------------------------------------

lbs_get() { # COLUMN
	local u
	u=$(vctl get Physical_Port p0 vlan_stats:0 2>/dev/null) && [ -n "$u" ] &&
		vctl get Logical_Binding_Stats "$u" "$1"
}

lbs_at_least() { # COLUMN N
	local v
	v=$(lbs_get "$1") && [ "$v" -ge "$2" ]
}

test_stats() {
	local from0 to0 from1 to1

	busywait 10000 lbs_get packets_from_local >/dev/null
	log_test $? 0 "Logical_Binding_Stats row for p0 vlan 0 (vlan_stats)"
	from0=$(lbs_get packets_from_local)
	to0=$(lbs_get packets_to_local)
	ping_loss "$VM1" "$VM2_IP" 10 >/dev/null
	busywait 10000 lbs_at_least packets_from_local $((from0 + 10)) &&
	busywait 10000 lbs_at_least packets_to_local $((to0 + 10))
	log_test $? 0 "Logical_Binding_Stats packets_from_local/to_local grow with traffic"
	from1=$(lbs_get packets_from_local)
	to1=$(lbs_get packets_to_local)
	log_info "packets_from_local $from0 -> $from1, packets_to_local $to0 -> $to1, bytes_from_local $(lbs_get bytes_from_local)"
}

# ---- test 2: hitless restart -----------------------------------------------

fdb_age() { # MAC
	kctl "$VTEP" -j fdb show br0 vni "$VNI" |
		jq -r --arg m "$1" '.[] | select(.mac == $m) | .age_ms'
}

test_restart() {
	local gen0 gen1 age0 age1 loss pingpid monpid out

	gen0=$(kctl "$VTEP" -j dev show br0 | jq '.[0].generation')
	age0=$(fdb_age "$MAC2")
	ip netns exec "$VTEP" "$KVTEPCTL" monitor >"$TMPD/monitor.out" 2>&1 &
	monpid=$!
	ip netns exec "$VM1" "${PING[@]}" -q -i 0.1 -c 80 -W 2 "$VM2_IP" >"$TMPD/ping.out" 2>&1 &
	pingpid=$!
	sleep 1
	stop_agent KILL
	log_test $? 0 "agent killed with SIGKILL"
	sleep 1
	AGENT_LOG=$TMPD/agent2.log
	start_agent "$VTEP"
	busywait 20000 grep -q "kernel state of br0" "$AGENT_LOG"
	log_test $? 0 "agent restarted, synced and dumped the kernel state"
	wait "$pingpid"
	loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$TMPD/ping.out")
	log_info "continuous ping across the restart: ${loss:-?}% loss ($(grep -o '[0-9]* received' "$TMPD/ping.out"))"
	[ "$loss" = 0 ]
	log_test $? 0 "no packet lost while the agent was dead and restarted"
	kill "$monpid" 2>/dev/null
	wait "$monpid" 2>/dev/null
	gen1=$(kctl "$VTEP" -j dev show br0 | jq '.[0].generation')
	age1=$(fdb_age "$MAC2")
	log_info "config generation $gen0 -> $gen1, static entry age ${age0}ms -> ${age1}ms"
	[ "$gen0" = "$gen1" ] && [ -n "$age1" ] && [ "$age1" -gt "$age0" ]
	log_test $? 0 "kernel untouched: same config generation, static entry not re-added"
	out=$(cat "$TMPD/monitor.out")
	[ -z "$out" ] || printf '%s\n' "$out" | head -5 | sed 's/^/    /'
	[ -z "$out" ]
	log_test $? 0 "kvtepctl monitor saw no FDB churn"
	! grep -q "applied" "$AGENT_LOG"
	log_test $? 0 "the restarted agent applied no change (dump + diff found none)"
}

# ---- test 3: ovsdb-server restart ------------------------------------------

test_server_restart() {
	stop_ovsdb
	log_test $? 0 "ovsdb-server stopped"
	busywait 10000 grep -q "connection to .* closed" "$AGENT_LOG"
	log_test $? 0 "agent noticed the lost connection"
	ovsdb-tool transact "$TMPD/vtep.db" \
		'["hardware_vtep",
		  {"op":"delete","table":"Ucast_Macs_Remote","where":[["MAC","==","'"$MAC2"'"]]},
		  {"op":"update","table":"Logical_Switch","where":[["name","==","ls0"]],
		   "row":{"replication_mode":"service_node"}}]' >/dev/null
	log_test $? 0 "database changed offline (ovsdb-tool transact)"
	# The kernel still forwards with the old state meanwhile.
	k_fdb_has "$VNI" "$MAC2" static-remote && [ "$(ping_loss "$VM1" "$VM2_IP" 3)" = 0 ]
	log_test $? 0 "kernel keeps forwarding while the database is down"
	start_ovsdb
	log_test $? 0 "ovsdb-server started again"
	busywait 30000 k_ls_has "$VNI" service_node &&
	busywait 10000 not k_fdb_has "$VNI" "$MAC2" static-remote
	log_test $? 0 "agent reconnected and applied the offline changes"
	[ "$(grep -c "connected to" "$AGENT_LOG")" -ge 2 ]
	log_test $? 0 "agent log shows the reconnection"
	vctl add-ucast-remote ls0 "$MAC2" "$HV_IP" &&
	vctl set-replication-mode ls0 source_node &&
	busywait 10000 k_fdb_has "$VNI" "$MAC2" static-remote &&
	busywait 10000 k_ls_has "$VNI" source_node
	log_test $? 0 "vtep-ctl changes after the reconnection apply"
}

# ---- test 4: bad rows --------------------------------------------------------

set_has() { # TABLE ROW COLUMN WORD
	vctl get "$1" "$2" "$3" | grep -qw -- "$4"
}

test_bad_rows() {
	local ls loc out bad_mac bad_loc bad_key dup rc

	ls=$(vctl get Logical_Switch ls0 _uuid)
	loc=$(vctl --bare --columns=_uuid find Physical_Locator dst_ip="$HV_IP")
	out=$(ovsdb-client transact "$DB" '["hardware_vtep",
	  {"op":"insert","table":"Ucast_Macs_Remote","row":{"MAC":"02:00:00:zz:00:01",
	   "logical_switch":["uuid","'"$ls"'"],"locator":["uuid","'"$loc"'"]}},
	  {"op":"insert","table":"Physical_Locator","uuid-name":"badloc",
	   "row":{"encapsulation_type":"vxlan_over_ipv4","dst_ip":"10.0.0.300"}},
	  {"op":"insert","table":"Ucast_Macs_Remote","row":{"MAC":"02:00:00:00:00:78",
	   "logical_switch":["uuid","'"$ls"'"],"locator":["named-uuid","badloc"]}},
	  {"op":"insert","table":"Logical_Switch","uuid-name":"lsbad",
	   "row":{"name":"lsbad","tunnel_key":16777216}},
	  {"op":"insert","table":"Logical_Switch","uuid-name":"lsdup",
	   "row":{"name":"lsdup","tunnel_key":'"$VNI"'}},
	  {"op":"mutate","table":"Physical_Port","where":[["name","==","p0"]],
	   "mutations":[["vlan_bindings","insert",["map",[[5,["named-uuid","lsbad"]],
	                                                  [6,["named-uuid","lsdup"]]]]]]},
	  {"op":"insert","table":"Ucast_Macs_Remote","row":{"MAC":"02:00:00:00:00:77",
	   "logical_switch":["uuid","'"$ls"'"],"locator":["uuid","'"$loc"'"]}}]')
	rc=$?
	bad_mac=$(jq -r '.[0].uuid[1]' <<<"$out")
	bad_loc=$(jq -r '.[2].uuid[1]' <<<"$out")
	bad_key=$(jq -r '.[3].uuid[1]' <<<"$out")
	dup=$(jq -r '.[4].uuid[1]' <<<"$out")
	[ $rc = 0 ] && ! grep -q error <<<"$out"
	log_test $? 0 "bad rows + one good row inserted with ovsdb-client transact"

	busywait 10000 k_fdb_has "$VNI" 02:00:00:00:00:77 static-remote
	log_test $? 0 "the good Ucast_Macs_Remote row is applied"
	busywait 10000 grep -q "$bad_mac" "$AGENT_LOG" &&
	grep -q "$bad_loc.*bad dst_ip" "$AGENT_LOG" &&
	grep -q "$bad_key.*out of range" "$AGENT_LOG" &&
	grep -q "$dup.*already used" "$AGENT_LOG"
	log_test $? 0 "each bad row is logged with its UUID"
	[ "$VERBOSE" = 0 ] || grep "bad row" "$AGENT_LOG" | sed 's/^/    /'
	busywait 10000 set_has Physical_Switch br0 switch_fault_status unspecified_fault
	log_test $? 0 "Physical_Switch switch_fault_status = unspecified_fault"
	busywait 10000 set_has Physical_Port p0 port_fault_status invalid_vlan_map
	log_test $? 0 "Physical_Port p0 port_fault_status = invalid_vlan_map"
	! k_bind_has p0 5 16777216 && ! k_bind_has p0 6 "$VNI" && k_bind_has p0 0 "$VNI"
	log_test $? 0 "conflicting bindings not applied, the good one kept"
	kill -0 "$(cat "$TMPD/agent.pid")" && [ "$(ping_loss "$VM1" "$VM2_IP" 3)" = 0 ]
	log_test $? 0 "agent still running, traffic still flows"

	ovsdb-client transact "$DB" '["hardware_vtep",
	  {"op":"delete","table":"Ucast_Macs_Remote","where":[["_uuid","==",["uuid","'"$bad_mac"'"]]]},
	  {"op":"delete","table":"Ucast_Macs_Remote","where":[["MAC","==","02:00:00:00:00:78"]]},
	  {"op":"mutate","table":"Physical_Port","where":[["name","==","p0"]],
	   "mutations":[["vlan_bindings","delete",["set",[5,6]]]]}]' >/dev/null
	busywait 10000 sh -c "[ \"\$(vtep-ctl --db='$DB' get Physical_Switch br0 switch_fault_status)\" = '[]' ]" &&
	busywait 10000 sh -c "[ \"\$(vtep-ctl --db='$DB' get Physical_Port p0 port_fault_status)\" = '[]' ]"
	log_test $? 0 "fault status cleared once the bad rows are gone"
}

# ---- test 6: batched FDB programming -----------------------------------------

# db_transact FILE: send the transaction in FILE (too big for a command
# line) over the database socket; fails if any operation failed.
db_transact() {
	python3 - "$SOCK" "$1" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(json.dumps({"method": "transact", "id": 1,
                      "params": json.load(open(sys.argv[2]))}).encode())
buf, dec = b"", json.JSONDecoder()
while True:
    chunk = s.recv(1 << 20)
    if not chunk:
        sys.exit(1)
    buf += chunk
    try:
        msg, _ = dec.raw_decode(buf.decode())
    except ValueError:
        continue
    if msg.get("id") != 1:
        buf = b""
        continue
    res = msg.get("result") or []
    sys.exit(1 if msg.get("error") or any("error" in r for r in res if r) else 0)
PY
}

test_batch() {
	local ls loc n=5000 line reqs cnt

	ls=$(vctl get Logical_Switch ls0 _uuid)
	loc=$(vctl --bare --columns=_uuid find Physical_Locator dst_ip="$HV_IP")
	python3 - "$ls" "$loc" "$n" >"$TMPD/batch.json" <<'PY'
import json, sys
ls, loc, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
ops = ["hardware_vtep"]
for i in range(n):
    ops.append({"op": "insert", "table": "Ucast_Macs_Remote",
                "row": {"MAC": "02:bb:00:00:%02x:%02x" % (i >> 8, i & 255),
                        "logical_switch": ["uuid", ls], "locator": ["uuid", loc]}})
print(json.dumps(ops))
PY
	db_transact "$TMPD/batch.json"
	log_test $? 0 "$n Ucast_Macs_Remote rows inserted in one transaction"
	busywait 60000 sh -c "[ \"\$(ip netns exec '$VTEP' '$KVTEPCTL' -j fdb show br0 vni $VNI | jq '[.[] | select(.mac | startswith(\"02:bb:\"))] | length')\" = $n ]"
	log_test $? 0 "all $n entries in the kernel"
	line=$(grep "applied $n changes" "$AGENT_LOG" | tail -1)
	reqs=$(sed -n 's/.* in \([0-9]*\) netlink requests.*/\1/p' <<<"$line")
	log_info "agent: ${line#*INFO|}"
	[ -n "$reqs" ] && [ "$reqs" -le 20 ]
	log_test $? 0 "$n FDB entries in ${reqs:-?} netlink requests (batched)"
	python3 - "$n" >"$TMPD/unbatch.json" <<'PY'
import json, sys
n = int(sys.argv[1])
print(json.dumps(["hardware_vtep"] + [{"op": "delete", "table": "Ucast_Macs_Remote",
      "where": [["MAC", "==", "02:bb:00:00:%02x:%02x" % (i >> 8, i & 255)]]} for i in range(n)]))
PY
	db_transact "$TMPD/unbatch.json"
	busywait 60000 sh -c "[ \"\$(ip netns exec '$VTEP' '$KVTEPCTL' -j fdb show br0 vni $VNI | jq '[.[] | select(.mac | startswith(\"02:bb:\"))] | length')\" = 0 ]"
	log_test $? 0 "rows deleted: the $n entries leave the kernel"
}

# ---- test 7: notification overrun -> resync ----------------------------------

test_enobufs() {
	local pid n=2000 got

	pid=$(cat "$TMPD/agent.pid")
	kill -STOP "$pid"
	ip netns exec "$VM1" python3 - "$n" <<'PY' >/dev/null 2>&1
import sys
from scapy.all import Ether, IP, UDP, sendp
n = int(sys.argv[1])
frames = [Ether(src="02:cc:00:00:%02x:%02x" % (i >> 8, i & 255), dst="ff:ff:ff:ff:ff:ff") /
          IP(src="192.168.33.1", dst="192.168.33.255") / UDP(dport=9) for i in range(n)]
sendp(frames, iface="eth0", verbose=False)
PY
	got=$(kctl "$VTEP" -j fdb show br0 vni "$VNI" |
		jq '[.[] | select(.mac | startswith("02:cc:"))] | length')
	log_info "learned while the agent was stopped: $got MACs"
	[ "$got" = "$n" ]
	log_test $? 0 "$n source MACs learned on p0 while the agent is stopped"
	kill -CONT "$pid"
	busywait 20000 grep -q "events lost" "$AGENT_LOG"
	log_test $? 0 "agent saw the notification overrun (ENOBUFS)"
	busywait 60000 sh -c "[ \"\$(vtep-ctl --db='$DB' list-local-macs ls0 | grep -c 02:cc:)\" = $n ]"
	log_test $? 0 "resync: Ucast_Macs_Local lists all $n MACs"
	kctl "$VTEP" fdb flush br0 vni "$VNI" dynamic
	busywait 60000 sh -c "[ \"\$(vtep-ctl --db='$DB' list-local-macs ls0 | grep -c 02:cc:)\" = 0 ]"
	log_test $? 0 "learned entries flushed: their Ucast_Macs_Local rows go"
	# VM1's own MAC comes back with its next frame.
	[ "$(ping_loss "$VM1" "$VM2_IP" 3)" = 0 ] &&
	busywait 10000 db_local_macs_has ls0 "$MAC1 -> vxlan_over_ipv4/$VTEP_IP"
	log_test $? 0 "VM1's MAC relearned and published again"
}

test_seed
rebind
test_batch
test_enobufs
test_stats
test_restart
test_server_restart
test_bad_rows
dump_logs
stop_agent
stop_ovsdb

grep -hE '\|(ERR)\|' "$TMPD"/agent*.log | sed 's/^/    /'
kmsg_check_since "$kmsg_start"
log_test $? 0 "no kernel warnings"

exit_tests
