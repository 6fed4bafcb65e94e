#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared setup of the Geneve selftests (kvtep_geneve.sh, kvtep_geneve_ovn.sh):
# sourced after lib.sh. VMs are netns with eth0 (MTU 1500, 192.168.33.x/24),
# VTEPs are netns with a kvtep device, the underlay is a veth pair at MTU 1600.

TOP=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
KVTEPCTL=${KVTEPCTL:-$TOP/ctl/kvtepctl}
# Debian's scapy is for the system python, whatever python3 is first in PATH.
PY=${PY:-/usr/bin/python3}
VNI=33
VM1_IP=192.168.33.1
VM2_IP=192.168.33.2
VM3_IP=192.168.33.3

require_root
require_cmd ip jq tcpdump tshark
require_kvtep ping

TMPD=$(mktemp -d)
trap 'stop_captures; cleanup; rm -rf "$TMPD"' EXIT

# setup_kvtep NS DEV PORT LOCAL ENCAP [REMOTE...]: one port bound to VNI 33,
# whose default encapsulation is ENCAP; the REMOTEs (given without an encap)
# are its flood list.
setup_kvtep() {
	local ns=$1 dev=$2 port=$3 local=$4 encap=$5 r args=()

	shift 5
	for r in "$@"; do
		args+=(remote "$r")
	done
	ip -n "$ns" link add "$dev" type kvtep &&
	kctl "$ns" dev set "$dev" local "$local" &&
	kctl "$ns" port add "$dev" "$port" &&
	ip -n "$ns" link set "$dev" up &&
	kctl "$ns" ls add "$dev" vni "$VNI" encap "$encap" &&
	kctl "$ns" bind add "$dev" port "$port" vlan 0 vni "$VNI" &&
	kctl "$ns" flood set "$dev" vni "$VNI" "${args[@]}"
}

CAPTURES=()

# start_capture NS DEV PCAP FILTER...: tcpdump in the background until
# stop_captures; returns once the capture is running.
start_capture() {
	local ns=$1 dev=$2 pcap=$3
	shift 3
	ip netns exec "$ns" tcpdump -n -i "$dev" -U -w "$pcap" "$@" >/dev/null 2>&1 &
	CAPTURES+=($!)
	busywait 5000 test -s "$pcap" >/dev/null
	sleep 0.5
}

stop_captures() {
	local pid
	# Frames sent just before may still be on their way (TCG is slow).
	sleep 2
	for pid in "${CAPTURES[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	CAPTURES=()
}

# tshark_fields PCAP DISPLAY-FILTER FIELD...: one line per matching packet.
tshark_fields() {
	local pcap=$1 filter=$2 f args=()
	shift 2
	for f in "$@"; do
		args+=(-e "$f")
	done
	tshark -r "$pcap" -n -d udp.port==4789,vxlan -d udp.port==6081,geneve \
		-Y "$filter" -T fields -E occurrence=f "${args[@]}" 2>/dev/null
}

# ---- the keyed-bindings topology of kvtep_geneve_ovn.sh / _bad.sh ----------

VM4_IP=192.168.33.4
SEND=$TOP/selftests/geneve_send.py

# No IPv6 in the VMs: their own multicast would add frames to the captures.
setup_quiet_vm() { # NS IP PEER_NS PEER_DEV
	ip netns exec "$1" sysctl -wq net.ipv6.conf.all.disable_ipv6=1 &&
	ip netns exec "$1" sysctl -wq net.ipv6.conf.default.disable_ipv6=1 &&
	setup_vm "$@"
}

# send_cases CASE...: scapy from HV; prints the JSON of geneve_send.py.
send_cases() {
	ip netns exec "$HV" "$PY" "$SEND" u2 "$U1_MAC" 10.0.0.2 10.0.0.1 \
		"ip netns exec $VTEP1 $KVTEPCTL -j stats kv1" "$@"
}

# delta JSON CASE KEY: change of stats KEY (jq path under .stats) over CASE.
delta() {
	jq -r --arg c "$2" "(map(.case) | index(\$c)) as \$i |
		(.[\$i].stats[0].stats.$3) - (.[\$i - 1].stats[0].stats.$3)" <<<"$1"
}

# count_dport PCAP PORT: frames to UDP port PORT in a VM capture (tcpdump:
# much faster than tshark under TCG).
count_dport() {
	tcpdump -n -r "$1" "udp dst port $2" 2>/dev/null | grep -c .
}

# setup_keyed: VM1 - p1 (ovn-key 5), VM4 - p4 (ovn-key 6), kv1 in VTEP1 with
# LS 33 encap geneve, underlay to HV (where scapy runs).
setup_keyed() {
	VM1='' VM4='' VTEP1='' HV=''
	setup_ns VM1 VM4 VTEP1 HV || return 1
	setup_quiet_vm "$VM1" "$VM1_IP" "$VTEP1" p1 &&
	setup_quiet_vm "$VM4" "$VM4_IP" "$VTEP1" p4 &&
	setup_underlay 4 "$VTEP1" "$HV" &&
	setup_kvtep "$VTEP1" kv1 p1 10.0.0.1 geneve &&
	kctl "$VTEP1" bind add kv1 port p1 vni "$VNI" ovn-key 5 &&
	kctl "$VTEP1" port add kv1 p4 &&
	kctl "$VTEP1" bind add kv1 port p4 vni "$VNI" ovn-key 6 || return 1
	U1_MAC=$(mac_of "$VTEP1" u1)
	# The ARP entry for 10.0.0.2 on the way back (ICMP errors): static.
	ip -n "$VTEP1" neigh replace 10.0.0.2 lladdr "$(mac_of "$HV" u2)" dev u1
}
