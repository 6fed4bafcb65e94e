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
# Tests 6-9 (batching, ENOBUFS, runtime changes, kernel refusals): see
# kvtep_ovsdb_scale.sh.
#
# Environment: KVTEPCTL (default ctl/kvtepctl of this tree), VERBOSE=1.

source "$(dirname "$(readlink -f "$0")")/kvtep_ovsdb_lib.sh"

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

	busywait 30000 lbs_get packets_from_local >/dev/null
	log_test $? 0 "Logical_Binding_Stats row for p0 vlan 0 (vlan_stats)"
	from0=$(lbs_get packets_from_local)
	to0=$(lbs_get packets_to_local)
	ping_loss "$VM1" "$VM2_IP" 10 >/dev/null
	busywait 30000 lbs_at_least packets_from_local $((from0 + 10)) &&
	busywait 30000 lbs_at_least packets_to_local $((to0 + 10))
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
	busywait 30000 grep -q "connection to .* closed" "$AGENT_LOG"
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
	busywait 30000 not k_fdb_has "$VNI" "$MAC2" static-remote
	log_test $? 0 "agent reconnected and applied the offline changes"
	[ "$(grep -c "connected to" "$AGENT_LOG")" -ge 2 ]
	log_test $? 0 "agent log shows the reconnection"
	vctl add-ucast-remote ls0 "$MAC2" "$HV_IP" &&
	vctl set-replication-mode ls0 source_node &&
	busywait 30000 k_fdb_has "$VNI" "$MAC2" static-remote &&
	busywait 30000 k_ls_has "$VNI" source_node
	log_test $? 0 "vtep-ctl changes after the reconnection apply"
}

# ---- test 4: bad rows --------------------------------------------------------

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

	busywait 30000 k_fdb_has "$VNI" 02:00:00:00:00:77 static-remote
	log_test $? 0 "the good Ucast_Macs_Remote row is applied"
	busywait 30000 grep -q "$bad_mac" "$AGENT_LOG" &&
	grep -q "$bad_loc.*bad dst_ip" "$AGENT_LOG" &&
	grep -q "$bad_key.*out of range" "$AGENT_LOG" &&
	grep -q "$dup.*already used" "$AGENT_LOG"
	log_test $? 0 "each bad row is logged with its UUID"
	[ "$VERBOSE" = 0 ] || grep "bad row" "$AGENT_LOG" | sed 's/^/    /'
	busywait 30000 set_has Physical_Switch br0 switch_fault_status unspecified_fault
	log_test $? 0 "Physical_Switch switch_fault_status = unspecified_fault"
	busywait 30000 set_has Physical_Port p0 port_fault_status invalid_vlan_map
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
	busywait 30000 sh -c "[ \"\$(vtep-ctl --db='$DB' get Physical_Switch br0 switch_fault_status)\" = '[]' ]" &&
	busywait 30000 sh -c "[ \"\$(vtep-ctl --db='$DB' get Physical_Port p0 port_fault_status)\" = '[]' ]"
	log_test $? 0 "fault status cleared once the bad rows are gone"
}

main() {
	test_seed
	rebind
	test_stats
	test_restart
	test_server_restart
	test_bad_rows
	finish
}

main "$@"
exit
