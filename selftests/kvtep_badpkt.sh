#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Malformed VXLAN packets at the VTEP's UDP port 4789.
#
#  +--- VM ---+   +------------ VTEP -------------+   +--------- UL ---------+
#  | eth0     +---+ p1 -- kv0 (kvtep, LS 33)      |   | u2 10.0.0.2/24       |
#  | tcpdump  |   |       local 10.0.0.1   u1 +---+---+ python3: crafted UDP |
#  +----------+   +-------------------------------+   +----------------------+
#
# The UL namespace sends one crafted UDP datagram per case from a plain UDP
# socket (the payload is the whole VXLAN packet):
#
#   case          VXLAN packet                          expected
#   iflag-clear   flags 0, VNI 33, good inner frame     drops.bad_vxlan_flags +1
#   trunc-0/4/7   UDP payload of 0, 4, 7 bytes          drops.truncated +1 each
#   unknown-vni   VNI 999 (no LS)                       drops.no_ls +1
#   runt-13       13-byte inner frame                   drops.runt +1
#   runt-0        VXLAN header alone, no inner frame    drops.runt +1
#   bad-length    inner 802.3 length 200, 20 bytes      drops.bad_length +1
#   mcast-src     inner source MAC multicast            drops.loop +1
#   reserved      I flag + every reserved bit set       accepted (RFC 7348:
#                                                       reserved bits are
#                                                       ignored on receipt),
#                                                       drops.vxlan_reserved +1
#   good          a valid packet                        accepted, no counter
#
# Every drop counter moves by exactly its expected delta and no other counter
# moves; decap_packets grows only for the accepted packets; tcpdump in the VM
# sees exactly the inner frames of "reserved" and "good" (each inner frame
# has its own source MAC 02:00:00:00:0b:NN); no kernel warning.
#
# Environment: KVTEPCTL (default ctl/kvtepctl of this tree), VERBOSE=1.

source "$(dirname "$(readlink -f "$0")")/lib.sh"

TOP=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
KVTEPCTL=${KVTEPCTL:-$TOP/ctl/kvtepctl}
VNI=33

require_root
require_cmd ip jq python3 tcpdump
require_kvtep

TMPD=$(mktemp -d)
trap 'cleanup; rm -rf "$TMPD"' EXIT

kmsg_start=$(kmsg_mark)

# The crafted packets, by case name (see the table above).
PY_BAD='
import socket, struct, sys
case = sys.argv[1]
I = 0x08000000
def vxh(flags, vni, low=0):
    return struct.pack("!II", flags, (vni << 8) | low)
def inner(n, ethertype=0x88b5, payload=None):
    src = bytes([2, 0, 0, 0, 0x0b, n])
    if payload is None:
        payload = b"kvtep-badpkt".ljust(46, b"\0")
    return b"\xff" * 6 + src + struct.pack("!H", ethertype) + payload
cases = {
    "iflag-clear": vxh(0, 33) + inner(1),
    "trunc-0": b"",
    "trunc-4": vxh(I, 33)[:4],
    "trunc-7": vxh(I, 33)[:7],
    "unknown-vni": vxh(I, 999) + inner(3),
    "runt-13": vxh(I, 33) + inner(4)[:13],
    "runt-0": vxh(I, 33),
    "bad-length": vxh(I, 33) + inner(5, 200, b"x" * 20),
    "mcast-src": vxh(I, 33) + b"\xff" * 6 + bytes([3, 0, 0, 0, 0x0b, 6]) +
                 struct.pack("!H", 0x88b5) + b"kvtep-badpkt".ljust(46, b"\0"),
    "reserved": vxh(0xffffffff, 33, 0xff) + inner(7),
    "good": vxh(I, 33) + inner(8),
}
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.0.0.2", 0))
s.sendto(cases[case], ("10.0.0.1", 4789))
'

send_case() { # CASE
	ip netns exec "$UL" python3 -c "$PY_BAD" "$1"
}

stats_json() {
	kctl "$VTEP" -j stats kv0 | jq -c '.[0].stats'
}

# drops_delta BEFORE AFTER: "reason=+N ..." for every drop counter that moved
drops_delta() {
	jq -rn --argjson a "$1" --argjson b "$2" \
		'[$b.drops | to_entries[] | select(.value != $a.drops[.key]) |
		  "\(.key)=+\(.value - $a.drops[.key])"] | join(" ")'
}

decap_of() { # STATS_JSON
	jq -r '.decap_packets' <<<"$1"
}

# settled REASON N BEFORE_DECAP DECAP_DELTA: kv0 shows drops.REASON +N over
# the snapshot in $snap and decap_packets +DECAP_DELTA
settled() {
	local now
	now=$(stats_json)
	[ "$(jq -r ".drops.$1" <<<"$now")" -ge $(($(jq -r ".drops.$1" <<<"$snap") + $2)) ] &&
	[ "$(decap_of "$now")" -ge $(($3 + $4)) ]
}

# ---- setup ------------------------------------------------------------------

setup_ns VM VTEP UL || exit "$ksft_fail"
for ns in "$VM" "$VTEP" "$UL"; do
	ip netns exec "$ns" sysctl -wq net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
done
ip link add p1 netns "$VTEP" type veth peer name eth0 netns "$VM" &&
ip link add u1 netns "$VTEP" type veth peer name u2 netns "$UL" &&
ip -n "$VTEP" link set p1 up && ip -n "$VM" link set eth0 up &&
ip -n "$VTEP" link set u1 up && ip -n "$UL" link set u2 up &&
ip -n "$VTEP" addr add 10.0.0.1/24 dev u1 &&
ip -n "$UL" addr add 10.0.0.2/24 dev u2 &&
ip -n "$VTEP" link add kv0 type kvtep &&
kctl "$VTEP" dev set kv0 local 10.0.0.1 &&
ip -n "$VTEP" link set p1 master kv0 &&
ip -n "$VTEP" link set kv0 up &&
kctl "$VTEP" ls add kv0 vni "$VNI" &&
kctl "$VTEP" bind add kv0 port p1 vlan 0 vni "$VNI"
rc=$?
log_test $rc 0 "kvtep kv0 with LS $VNI on port p1, underlay 10.0.0.0/24"
[ $rc = 0 ] || exit_tests

pcap=$TMPD/vm.pcap
ip netns exec "$VM" tcpdump -n -i eth0 -U -w "$pcap" ether proto 0x88b5 \
	>/dev/null 2>&1 &
tpid=$!
defer "kill $tpid"
busywait 10000 test -s "$pcap"
sleep 0.5

# check_case CASE REASON N DECAP_DELTA: send CASE, expect drops.REASON +N
# (REASON "-": no drop counter) and decap_packets +DECAP_DELTA.
check_case() {
	local case=$1 reason=$2 n=$3 ddecap=$4 after got want
	snap=$(stats_json)
	send_case "$case" || { log_test 1 0 "$case: sent"; return; }
	if [ "$reason" = - ]; then
		busywait 10000 settled no_ls 0 "$(decap_of "$snap")" "$ddecap"
	else
		busywait 10000 settled "$reason" "$n" "$(decap_of "$snap")" "$ddecap"
	fi
	sleep 0.3	# anything else the packet might (wrongly) move
	after=$(stats_json)
	got=$(drops_delta "$snap" "$after")
	want=""
	[ "$reason" = - ] || want="$reason=+$n"
	log_info "$case: drops moved: ${got:-none}; decap +$(($(decap_of "$after") - $(decap_of "$snap")))"
	[ "$got" = "$want" ] &&
	[ $(($(decap_of "$after") - $(decap_of "$snap"))) = "$ddecap" ]
	log_test $? 0 "$case: ${want:-no drop counter} only, decap_packets +$ddecap"
}

check_case iflag-clear bad_vxlan_flags 1 0
check_case trunc-0 truncated 1 0
check_case trunc-4 truncated 1 0
check_case trunc-7 truncated 1 0
check_case unknown-vni no_ls 1 0
check_case runt-13 runt 1 0
check_case runt-0 runt 1 0
check_case bad-length bad_length 1 0
check_case mcast-src loop 1 0
check_case reserved vxlan_reserved 1 1
check_case good - 0 1

sleep 1
kill "$tpid" 2>/dev/null
wait "$tpid" 2>/dev/null
srcs=$(tcpdump -r "$pcap" -n -e 2>/dev/null |
	awk '$2 ~ /^[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]$/ {print $2}' |
	sort | tr '\n' ' ')
log_info "inner frames seen in the VM, by source MAC: ${srcs:-none}"
[ "$srcs" = "02:00:00:00:0b:07 02:00:00:00:0b:08 " ]
log_test $? 0 "the VM received the reserved-bits and the good frame, nothing else"
[ "$VERBOSE" = 0 ] || kctl "$VTEP" stats kv0

kmsg_check_since "$kmsg_start"
log_test $? 0 "no kernel warnings"

exit_tests
