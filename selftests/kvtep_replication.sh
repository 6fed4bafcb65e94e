#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kvtep BUM replication (issue 3, selftest 5): a broadcast in a logical
# switch whose flood list has three remotes.
#
#  +-- VM --+   +------------ VTEP ------------+   +-- R1: u 10.0.1.2 (tcpdump udp 4789)
#  | eth0   +---+ p0 -- kv0 (kvtep)  u1 10.0.1.1 +---+
#  | .50.1  |   |  untagged -> VNI 50 u2 10.0.2.1 +---+-- R2: u 10.0.2.2 (tcpdump udp 4789)
#  +--------+   |  local 10.0.0.1 (lo)u3 10.0.3.1 +---+
#               +------------------------------+   +-- R3: u 10.0.3.2 (tcpdump udp 4789)
#
#  Flood list of VNI 50: 10.0.1.2 10.0.2.2 10.0.3.2. IPv6 is off
#  everywhere, so the VM sends only what the test makes it send.
#
#  Checks: N=5 broadcasts (ping -b 192.168.50.255) reach
#   - source_node: each remote exactly N times (and nothing else does),
#     LS encap counter +3N;
#   - service_node: exactly one remote N times, the others 0, LS encap
#     counter +N; a second round of N goes to the same remote.
#
# Environment: KVTEPCTL (default ctl/kvtepctl of this tree), VERBOSE=1.

source "$(dirname "$(readlink -f "$0")")/lib.sh"

TOP=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
KVTEPCTL=${KVTEPCTL:-$TOP/ctl/kvtepctl}
VNI=50
N=5
REMOTES=(10.0.1.2 10.0.2.2 10.0.3.2)

require_root
require_cmd ip jq tcpdump
require_kvtep ping

TMPD=$(mktemp -d)
trap 'cleanup; rm -rf "$TMPD"' EXIT

kmsg_start=$(kmsg_mark)


ls_encap() { # the LS's encap_packets counter
	kctl "$VTEP" -j ls show kv0 vni "$VNI" | jq -r '.[0].stats.encap_packets'
}

declare -A CAP_PID
# cap_start I: capture UDP 4789 arriving at remote I
cap_start() {
	local f=$TMPD/r$1.pcap ns=${RNS[$1]}
	rm -f "$f"
	ip netns exec "$ns" tcpdump -n -i u -U -w "$f" udp dst port 4789 >/dev/null 2>&1 &
	CAP_PID[$1]=$!
	defer "kill ${CAP_PID[$1]}"
	busywait 5000 test -s "$f"
	sleep 1		# the header is written before the socket is live
}

cap_stop() { # I
	kill "${CAP_PID[$1]}" 2>/dev/null
	wait "${CAP_PID[$1]}" 2>/dev/null
	tcpdump -r "$TMPD/r$1.pcap" -n 2>/dev/null > "$TMPD/r$1.txt"
	[ "$VERBOSE" = 0 ] || sed "s/^/    [R$1] /" "$TMPD/r$1.txt" >&2
}

# counts: "ICMP/ALL" per remote, one word each: ICMP = echo requests to
# 192.168.50.255 inside VXLAN VNI 50, ALL = VXLAN packets (tcpdump prints
# the outer header and the inner frame on two lines)
counts() {
	local i icmp all
	for i in 0 1 2; do
		all=$(grep -c "VXLAN.* vni $VNI\b" "$TMPD/r$i.txt")
		icmp=$(grep -c '192.168.50.1 > 192.168.50.255: ICMP echo request' "$TMPD/r$i.txt")
		printf '%s/%s ' "$icmp" "$all"
	done
}

# burst: N broadcasts from the VM, captured at the three remotes; prints
# counts and the LS encap delta
burst() {
	local i e0 e1
	for i in 0 1 2; do
		cap_start "$i"
	done
	e0=$(ls_encap)
	ip netns exec "$VM" "${PING[@]}" -q -b -c "$N" -i 0.2 -W 1 192.168.50.255 \
		>/dev/null 2>&1
	# Let the last copies cross the underlay before counting.
	slowwait 10 test "$(($(ls_encap) - e0))" -ge "$N" >/dev/null
	sleep 1
	e1=$(ls_encap)
	for i in 0 1 2; do
		cap_stop "$i"
	done
	echo "$(counts)$((e1 - e0))"
}

VM='' VTEP='' R0='' R1='' R2=''
setup_ns VM VTEP R0 R1 R2 || skip_test "cannot create namespaces"
RNS=("$R0" "$R1" "$R2")
no_ipv6 "${NS_LIST[@]}"

setup() {
	local i
	veth_pair "$VTEP" p0 "$VM" eth0 1500 &&
	ip -n "$VM" addr add 192.168.50.1/24 dev eth0 &&
	ip -n "$VTEP" addr add 10.0.0.1/32 dev lo || return 1
	for i in 0 1 2; do
		veth_pair "$VTEP" "u$((i + 1))" "${RNS[$i]}" u 1600 &&
		ip -n "$VTEP" addr add "10.0.$((i + 1)).1/24" dev "u$((i + 1))" &&
		ip -n "${RNS[$i]}" addr add "${REMOTES[$i]}/24" dev u || return 1
		# No one listens on 4789 there: keep the ICMP errors quiet.
		ip netns exec "${RNS[$i]}" sysctl -wq net.ipv4.icmp_ratelimit=0 \
			net.ipv4.icmp_msgs_per_sec=0 2>/dev/null
	done
	ip -n "$VTEP" link add kv0 type kvtep &&
	kctl "$VTEP" dev set kv0 local 10.0.0.1 &&
	kctl "$VTEP" port add kv0 p0 &&
	ip -n "$VTEP" link set kv0 up &&
	kctl "$VTEP" ls add kv0 vni "$VNI" &&
	kctl "$VTEP" bind add kv0 port p0 vni "$VNI" &&
	kctl "$VTEP" flood set kv0 vni "$VNI" remote "${REMOTES[0]}" \
		remote "${REMOTES[1]}" remote "${REMOTES[2]}"
}

setup
rc=$?
log_test $rc 0 "VTEP with VNI $VNI, flood list of three remotes"
[ $rc = 0 ] || exit_tests
n=$(kctl "$VTEP" -j flood show kv0 vni "$VNI" | jq '[.. | .ip? // empty] | length')
log_info "flood list: $(kctl "$VTEP" flood show kv0 vni "$VNI" | tr '\n' ' ')"
[ "$n" = 3 ]
log_test $? 0 "flood show lists three remotes"

# ---- source_node -----------------------------------------------------------

read -r c0 c1 c2 enc <<< "$(burst)"
log_info "source_node: $N broadcasts -> remotes (echo/all UDP 4789): $c0 $c1 $c2, LS encap +$enc"
[ "$c0" = "$N/$N" ] && [ "$c1" = "$N/$N" ] && [ "$c2" = "$N/$N" ]
log_test $? 0 "source_node: each of the 3 remotes gets each broadcast exactly once"
[ "$enc" = $((3 * N)) ]
log_test $? 0 "source_node: LS encap counter +$((3 * N))"

# ---- service_node ----------------------------------------------------------

kctl "$VTEP" ls set kv0 vni "$VNI" replication service_node &&
kctl "$VTEP" -j ls show kv0 vni "$VNI" | jq -e '.[0].replication == "service_node"' >/dev/null
log_test $? 0 "ls set replication service_node"

# one_of C0 C1 C2: prints the index of the remote that got N, the others 0
one_of() {
	local i hit=-1 c
	for i in 0 1 2; do
		c=$1
		shift
		case $c in
		"$N/$N") [ $hit = -1 ] || return 1; hit=$i ;;
		0/0) ;;
		*) return 1 ;;
		esac
	done
	[ $hit != -1 ] && echo "$hit"
}

read -r c0 c1 c2 enc <<< "$(burst)"
log_info "service_node: $N broadcasts -> remotes: $c0 $c1 $c2, LS encap +$enc"
first=$(one_of "$c0" "$c1" "$c2")
[ -n "$first" ] && [ "$enc" = "$N" ]
log_test $? 0 "service_node: exactly one remote gets all $N, the others none"

read -r c0 c1 c2 enc <<< "$(burst)"
log_info "service_node again: $c0 $c1 $c2, LS encap +$enc"
second=$(one_of "$c0" "$c1" "$c2")
[ -n "$first" ] && [ "$second" = "$first" ] && [ "$enc" = "$N" ]
log_test $? 0 "service_node: the same remote (${REMOTES[${first:-0}]}) again"

# Back to source_node: all three again.
kctl "$VTEP" ls set kv0 vni "$VNI" replication source_node
read -r c0 c1 c2 enc <<< "$(burst)"
log_info "source_node again: $c0 $c1 $c2, LS encap +$enc"
[ "$c0" = "$N/$N" ] && [ "$c1" = "$N/$N" ] && [ "$c2" = "$N/$N" ]
log_test $? 0 "source_node again: each remote once per broadcast"

[ "$VERBOSE" = 0 ] || kctl "$VTEP" stats kv0

kmsg_check_since "$kmsg_start"
log_test $? 0 "no kernel warnings"

exit_tests
