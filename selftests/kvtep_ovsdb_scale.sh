#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kvtepctl ovsdb beyond the seed scenario (same topology and setup as
# kvtep_ovsdb.sh, from kvtep_ovsdb_lib.sh):
#
# Test 6 (batching): 5000 Ucast_Macs_Remote rows in one transaction reach
#   the kernel in a handful of netlink requests, not one per MAC; deleting
#   them empties the kernel again.
# Test 7 (ENOBUFS): the agent is stopped (SIGSTOP) while 2000 source MACs
#   are learned on p0, overflowing its notification socket; once continued
#   it resyncs by dump + diff and Ucast_Macs_Local lists all 2000; a flush
#   removes them again.
# Test 8 (runtime changes): tunnel_key 33 -> 34 -> 33, a multicast MAC with
#   a locator set of two, then one, then none; a second unknown-dst
#   locator; a port released (its Physical_Port row and local MACs go).
# Test 9: the kernel refuses an FDB entry (device fdb-max reached):
#   switch_fault_status mac_table_exhaustion; once the limit is lifted the
#   agent retries, the entry is applied and the fault cleared.
#
# Environment: KVTEPCTL (default ctl/kvtepctl of this tree), VERBOSE=1.

source "$(dirname "$(readlink -f "$0")")/kvtep_ovsdb_lib.sh"

# ---- test 6: batched FDB programming -----------------------------------------

test_batch() {
	local ls loc n=5000 line reqs base

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
	base=$(ls_fdb_count)
	db_transact "$TMPD/batch.json"
	log_test $? 0 "$n Ucast_Macs_Remote rows inserted in one transaction"
	busywait 60000 ls_fdb_count_is $((base + n))
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
	busywait 60000 ls_fdb_count_is "$base"
	log_test $? 0 "rows deleted: the $n entries leave the kernel"
}

# ---- test 7: notification overrun -> resync ----------------------------------

test_enobufs() {
	local pid n=2000 got base

	base=$(ls_fdb_count)
	pid=$(cat "$TMPD/agent.pid")
	kill -STOP "$pid"
	# Broadcast frames from 2000 source MACs, straight onto VM1's eth0.
	ip netns exec "$VM1" python3 - "$n" <<'PY'
import socket, sys
n = int(sys.argv[1])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
for i in range(n):
    s.send(b"\xff" * 6 + bytes([2, 0xcc, 0, 0, i >> 8, i & 255]) + b"\x88\xb5" + bytes(46))
PY
	busywait 20000 ls_fdb_count_is $((base + n))
	got=$(kctl "$VTEP" -j fdb show br0 vni "$VNI" |
		jq '[.[] | select((.mac | startswith("02:cc:")) and .type == "learned-local")] | length')
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
	busywait 30000 db_local_macs_has ls0 "$MAC1 -> vxlan_over_ipv4/$VTEP_IP"
	log_test $? 0 "VM1's MAC relearned and published again"
}

# ---- test 8: runtime changes --------------------------------------------------

k_fdb_remotes() { # VNI MAC: number of remotes of the entry
	kctl "$VTEP" -j fdb show br0 vni "$1" |
		jq --arg m "$2" '[.[] | select(.mac == $m) | .remotes | length] | first // 0'
}

k_fdb_nremotes_is() { # VNI MAC N
	[ "$(k_fdb_remotes "$1" "$2")" = "$3" ]
}

k_flood_n_is() { # VNI N
	[ "$(kctl "$VTEP" -j flood show br0 vni "$1" | jq '.[0].remotes | length')" = "$2" ]
}

test_runtime() {
	local mc=01:00:5e:00:00:fb

	vctl set Logical_Switch ls0 tunnel_key=34
	busywait 30000 k_ls_has 34 source_node &&
	busywait 30000 k_bind_has p0 0 34 &&
	busywait 30000 k_fdb_has 34 "$MAC2" static-remote &&
	busywait 30000 k_flood_is 34 "$HV_IP" &&
	busywait 30000 not k_ls_has "$VNI" source_node
	log_test $? 0 "tunnel_key 33 -> 34: LS, binding, entries, flood list move"
	vctl set Logical_Switch ls0 tunnel_key=$VNI
	busywait 30000 k_bind_has p0 0 "$VNI" &&
	busywait 30000 k_fdb_has "$VNI" "$MAC2" static-remote &&
	busywait 30000 not k_ls_has 34 source_node &&
	[ "$(ping_loss "$VM1" "$VM2_IP" 3)" = 0 ]
	log_test $? 0 "tunnel_key back to $VNI: traffic flows again"

	vctl add-mcast-remote ls0 "$mc" "$HV_IP" &&
	vctl add-mcast-remote ls0 "$mc" 10.0.0.3
	busywait 30000 k_fdb_has "$VNI" "$mc" mcast-remote &&
	busywait 30000 k_fdb_nremotes_is "$VNI" "$mc" 2
	log_test $? 0 "Mcast_Macs_Remote $mc -> mcast-remote entry with 2 remotes"
	vctl del-mcast-remote ls0 "$mc" 10.0.0.3
	busywait 30000 k_fdb_nremotes_is "$VNI" "$mc" 1
	log_test $? 0 "locator removed from its set: 1 remote left"
	vctl del-mcast-remote ls0 "$mc" "$HV_IP"
	busywait 30000 not k_fdb_has "$VNI" "$mc" mcast-remote
	log_test $? 0 "last locator removed: entry gone"

	vctl add-mcast-remote ls0 unknown-dst 10.0.0.3
	busywait 30000 k_flood_n_is "$VNI" 2
	log_test $? 0 "second unknown-dst locator: flood list of 2"
	vctl del-mcast-remote ls0 unknown-dst 10.0.0.3
	busywait 30000 k_flood_is "$VNI" "$HV_IP"
	log_test $? 0 "unknown-dst locator removed: flood list of 1"
}

test_port_release() {
	ip -n "$VTEP" link set p0 nomaster
	busywait 30000 not db_ports_has p0 &&
	busywait 30000 not db_local_macs_has ls0 "$MAC1"
	log_test $? 0 "port released: its Physical_Port row and local MACs go"
}

# ---- test 9: kernel refusal -> fault status ----------------------------------

test_exhaustion() {
	local cnt mac=02:dd:00:00:00:01

	cnt=$(kctl "$VTEP" -j dev show br0 | jq '.[0].fdb_count')
	kctl "$VTEP" dev set br0 fdb-max "$cnt"
	vctl add-ucast-remote ls0 "$mac" "$HV_IP"
	busywait 30000 set_has Physical_Switch br0 switch_fault_status mac_table_exhaustion
	log_test $? 0 "FDB full: switch_fault_status = mac_table_exhaustion"
	kctl "$VTEP" dev set br0 fdb-max 0
	busywait 15000 k_fdb_has "$VNI" "$mac" static-remote &&
	busywait 30000 sh -c "[ \"\$(vtep-ctl --db='$DB' get Physical_Switch br0 switch_fault_status)\" = '[]' ]"
	log_test $? 0 "limit lifted: the entry is applied on retry, fault cleared"
	vctl del-ucast-remote ls0 "$mac"
}

main() {
	setup_quick
	test_batch
	test_enobufs
	test_runtime
	test_exhaustion
	test_port_release
	finish
}

main "$@"
exit
