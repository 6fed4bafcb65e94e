#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared by kvtep_ovsdb*.sh: the topology (VM1 - VTEP with kvtep br0 -
# Linux vxlan hypervisor - VM2), ovsdb-server on a fresh hardware_vtep
# database, the agent, the seed scenario (test 1), and checks of the
# kernel and database state. Sourced, not run; all in functions.

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
require_kvtep ping
modprobe kvtep || skip_test "cannot load kvtep"

TMPD=$(mktemp -d)
SOCK=$TMPD/db.sock
DB=unix:$SOCK
AGENT_LOG=$TMPD/agent.log
trap 'cleanup; rm -rf "$TMPD"' EXIT

kmsg_start=$(kmsg_mark)

vctl() {
	vtep-ctl --timeout=60 --db="$DB" "$@"
}

ping_loss() { # NS DST COUNT
	local out
	out=$(ip netns exec "$1" "${PING[@]}" -q -c "$3" -i 0.2 -W 2 "$2" 2>&1)
	[ "$VERBOSE" = 0 ] || printf '%s\n' "$out" | sed 's/^/    /' >&2
	printf '%s\n' "$out" | sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p'
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

	busywait 30000 ip -n "$VTEP" link show br0 >/dev/null
	log_test $? 0 "agent created the kvtep device br0"
	busywait 30000 sh -c "ip netns exec '$VTEP' '$KVTEPCTL' -j dev show br0 | jq -e '.[0].local_ip4 == \"$VTEP_IP\"'" >/dev/null
	log_test $? 0 "br0's local address is the switch's tunnel_ips"

	ip -n "$VTEP" link set p0 master br0
	busywait 30000 db_ports_has p0
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

	busywait 30000 k_ls_has "$VNI" source_node
	log_test $? 0 "kernel: logical switch vni $VNI, replication source_node"
	busywait 30000 k_bind_has p0 0 "$VNI"
	log_test $? 0 "kernel: binding p0 vlan 0 -> vni $VNI"
	busywait 30000 k_flood_is "$VNI" "$HV_IP"
	log_test $? 0 "kernel: flood list of vni $VNI = $HV_IP"
	busywait 30000 k_fdb_has "$VNI" "$mac2" static-remote
	log_test $? 0 "kernel: static remote FDB entry for VM2's MAC"
	[ "$VERBOSE" = 0 ] || { kctl "$VTEP" fdb show br0; kctl "$VTEP" flood show br0; }

	loss=$(ping_loss "$VM1" "$VM2_IP" 5)
	log_info "ping VM1 -> VM2: ${loss:-?}% loss"
	[ "$loss" = 0 ]
	log_test $? 0 "ping VM1 (kvtep) -> VM2 (Linux vxlan hypervisor)"
	loss=$(ping_loss "$VM2" "$VM1_IP" 5)
	[ "$loss" = 0 ]
	log_test $? 0 "ping VM2 -> VM1"

	busywait 30000 db_local_macs_has ls0 "$mac1 -> vxlan_over_ipv4/$VTEP_IP"
	log_test $? 0 "vtep-ctl list-local-macs ls0 shows VM1's MAC"
	db_local_macs_has ls0 "unknown-dst -> vxlan_over_ipv4/$VTEP_IP"
	log_test $? 0 "vtep-ctl list-local-macs ls0 shows unknown-dst -> own locator"
	[ "$VERBOSE" = 0 ] || vctl list-local-macs ls0

	vctl del-ucast-remote ls0 "$mac2"
	busywait 30000 not k_fdb_has "$VNI" "$mac2" static-remote
	log_test $? 0 "del-ucast-remote removes the kernel entry"

	vctl unbind-ls br0 p0 0
	busywait 30000 not k_bind_has p0 0 "$VNI"
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
	busywait 30000 k_fdb_has "$VNI" "$MAC2" static-remote &&
	busywait 30000 k_bind_has p0 0 "$VNI" &&
	[ "$(ping_loss "$VM1" "$VM2_IP" 3)" = 0 ]
	log_test $? 0 "bind-ls and add-ucast-remote again: traffic flows"
}


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


set_has() { # TABLE ROW COLUMN WORD
	vctl get "$1" "$2" "$3" | grep -qw -- "$4"
}

# setup_quick: the seed scenario's configuration without its checks, for
# tests that build on it; one result: traffic flows.
setup_quick() {
	setup_topology && start_ovsdb &&
	vctl add-ps br0 && vctl set Physical_Switch br0 tunnel_ips="$VTEP_IP" &&
	start_agent "$VTEP" || { log_test 1 0 "seed configuration"; return 1; }
	defer stop_agent
	busywait 30000 ip -n "$VTEP" link show br0 >/dev/null &&
	ip -n "$VTEP" link set p0 master br0 &&
	busywait 30000 db_ports_has p0 &&
	MAC1=$(mac_of "$VM1" eth0) && MAC2=$(mac_of "$VM2" eth0) &&
	vctl add-ls ls0 && vctl bind-ls br0 p0 0 ls0 &&
	vctl set Logical_Switch ls0 tunnel_key=$VNI &&
	vctl add-mcast-remote ls0 unknown-dst "$HV_IP" &&
	vctl add-ucast-remote ls0 "$MAC2" "$HV_IP" &&
	vctl set-replication-mode ls0 source_node &&
	busywait 30000 k_fdb_has "$VNI" "$MAC2" static-remote &&
	busywait 30000 k_ls_has "$VNI" source_node &&
	[ "$(ping_loss "$VM1" "$VM2_IP" 3)" = 0 ]
	log_test $? 0 "seed configuration (vtep-ctl), traffic flows"
}

ls_fdb_count() {
	kctl "$VTEP" -j ls show br0 vni "$VNI" | jq '.[0].fdb_count'
}

ls_fdb_count_is() { # N
	[ "$(ls_fdb_count)" = "$1" ]
}

# finish: stop the daemons, check the logs and the kernel, exit.
finish() {
	dump_logs
	stop_agent
	stop_ovsdb
	grep -hE '\|(ERR)\|' "$TMPD"/agent*.log | sed 's/^/    /'
	kmsg_check_since "$kmsg_start"
	log_test $? 0 "no kernel warnings"
	exit_tests
}
