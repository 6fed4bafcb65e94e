#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kvtep VLAN bindings (issue 3, selftest 4): one trunk port carrying three
# logical switches, VLANs local to each port, no leak between logical
# switches, per-binding counters, and the device bound as its own port.
#
#  +---- TRUNK ----+   +------- VTEPA -------+   +------- VTEPB -------+   +-- VMB1 --+
#  | eth0.100 .100.1+---+ pa -- kva (kvtep)   |   |   kvb (kvtep) -- b1 +---+ eth0.10  |
#  | eth0.200 .200.1|   |  100 -> VNI 100     |   |  b1 vlan 10 -> 100  |   | .100.2   |
#  | eth0     .30.1 |   |  200 -> VNI 200     |   |  b2 vlan 20 -> 200  |   +----------+
#  +----------------+   |  untagged -> 300    |   |  b3 untagged -> 300 +-- VMB2: eth0.20 .200.2
#                       |  kva itself:        |   |                     +-- VMB3: eth0    .30.2
#                       |   untagged -> 300   |   |                     |
#                       |   (kva .30.10)      |   |                     |
#                       |   vlan 200 -> 200   |   |                     |
#                       |   (kva.200 .200.10) |   |                     |
#                       +-- u1 10.0.0.1 ------+---+-- u2 10.0.0.2 ------+
#
#  Every LS floods to the other VTEP. IPv6 is off in every netns so the
#  only frames are the ones the test sends (counters are compared exactly).
#
#  Checks: ping inside each LS; each frame reaches B's VM with B's tag
#  (tcpdump -e: vlan 10 / vlan 20 / untagged) and the trunk with A's tag
#  (vlan 100 / vlan 200 / untagged); per-binding counters of "kvtepctl
#  -j bind show" grow by the pings on the bindings of the LS used and
#  only on them;
#  a ping from LS 100 to an address that lives only in LS 200 gets no reply
#  and none of its frames shows up on LS 200's port; an address on kva
#  itself (self port, untagged and through the vlan device kva.200)
#  reaches remote VMs and the local trunk, also with TX VLAN offload off
#  (tag inside the frame).
#
# Environment: KVTEPCTL (default ctl/kvtepctl of this tree), VERBOSE=1.

source "$(dirname "$(readlink -f "$0")")/lib.sh"

TOP=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
KVTEPCTL=${KVTEPCTL:-$TOP/ctl/kvtepctl}

require_root
require_cmd ip jq tcpdump
require_kvtep ping

TMPD=$(mktemp -d)
trap 'cleanup; rm -rf "$TMPD"' EXIT

kmsg_start=$(kmsg_mark)



# vm_if NS DEV VLAN IP: an address on DEV (VLAN 0) or on DEV.VLAN.
vm_if() {
	local ns=$1 dev=$2 vlan=$3 ip=$4
	if [ "$vlan" != 0 ]; then
		ip -n "$ns" link add link "$dev" name "$dev.$vlan" type vlan id "$vlan" &&
		ip -n "$ns" link set "$dev.$vlan" up || return 1
		dev=$dev.$vlan
	fi
	ip -n "$ns" addr add "$ip/24" dev "$dev"
}

# bind_stat NS DEV PORT VLAN FIELD: one counter of one binding.
bind_stat() {
	kctl "$1" -j bind show "$2" |
		jq -r --arg p "$3" --argjson v "$4" \
			'.[] | select(.port == $p and .vlan == $v) | .stats.'"$5"
}

# All rx/tx counters of the bindings of DEV as "port/vlan rx tx" lines.
bind_snapshot() { # NS DEV
	kctl "$1" -j bind show "$2" |
		jq -r '.[] | "\(.port)/\(.vlan) \(.stats.rx_packets) \(.stats.tx_packets)"' |
		sort
}

# cap_start NS:DEV:NAME...: tcpdump on each into $TMPD/NAME.pcap, all at once
declare -A CAP_PID
cap_start() {
	local spec ns dev name
	for spec in "$@"; do
		IFS=: read -r ns dev name <<< "$spec"
		rm -f "$TMPD/$name.pcap"
		ip netns exec "$ns" tcpdump -n -i "$dev" -U -w "$TMPD/$name.pcap" \
			>/dev/null 2>&1 &
		CAP_PID[$name]=$!
		defer "kill ${CAP_PID[$name]}"
	done
	for spec in "$@"; do
		IFS=: read -r ns dev name <<< "$spec"
		busywait 10000 test -s "$TMPD/$name.pcap"
	done
	sleep 1		# the header is written before the socket is live
}

# cap_stop NAME...: stop them, decode each into $TMPD/NAME.txt (tcpdump -e)
cap_stop() {
	local name
	sleep 0.5
	for name in "$@"; do
		kill "${CAP_PID[$name]}" 2>/dev/null
		wait "${CAP_PID[$name]}" 2>/dev/null
		tcpdump -r "$TMPD/$name.pcap" -e -n 2>/dev/null > "$TMPD/$name.txt"
		[ "$VERBOSE" = 0 ] || sed "s/^/    [$name] /" "$TMPD/$name.txt" >&2
	done
}

# icmp_lines NAME IP: the ICMP echo frames to or from IP in capture NAME
icmp_lines() {
	grep -E "(^| )${2//./\\.}[ :]" "$TMPD/$1.txt" | grep 'ICMP echo'
}

# icmp_tags NAME IP: the 802.1Q tags ("vlan N" or "untagged") of those
# frames, one per distinct tag
icmp_tags() {
	icmp_lines "$1" "$2" |
		awk '{ t = "untagged"; if (match($0, /vlan [0-9]+,/))
			t = substr($0, RSTART, RLENGTH - 1); print t }' |
		sort -u | tr '\n' ' ' | sed 's/ $//'
}

icmp_count() { # NAME IP
	icmp_lines "$1" "$2" | wc -l
}

TRUNK='' VTEPA='' VTEPB='' VMB1='' VMB2='' VMB3=''
setup_ns TRUNK VTEPA VTEPB VMB1 VMB2 VMB3 || skip_test "cannot create namespaces"
no_ipv6 "$TRUNK" "$VTEPA" "$VTEPB" "$VMB1" "$VMB2" "$VMB3"

setup() {
	veth_pair "$VTEPA" u1 "$VTEPB" u2 1600 &&
	ip -n "$VTEPA" addr add 10.0.0.1/24 dev u1 &&
	ip -n "$VTEPB" addr add 10.0.0.2/24 dev u2 &&
	veth_pair "$VTEPA" pa "$TRUNK" eth0 1500 &&
	veth_pair "$VTEPB" b1 "$VMB1" eth0 1500 &&
	veth_pair "$VTEPB" b2 "$VMB2" eth0 1500 &&
	veth_pair "$VTEPB" b3 "$VMB3" eth0 1500 &&
	vm_if "$TRUNK" eth0 100 192.168.100.1 &&
	vm_if "$TRUNK" eth0 200 192.168.200.1 &&
	vm_if "$TRUNK" eth0 0 192.168.30.1 &&
	vm_if "$VMB1" eth0 10 192.168.100.2 &&
	vm_if "$VMB2" eth0 20 192.168.200.2 &&
	vm_if "$VMB3" eth0 0 192.168.30.2 || return 1

	ip -n "$VTEPA" link add kva type kvtep &&
	kctl "$VTEPA" dev set kva local 10.0.0.1 &&
	ip -n "$VTEPA" link set pa master kva &&
	ip -n "$VTEPA" link set kva up &&
	ip -n "$VTEPB" link add kvb type kvtep &&
	kctl "$VTEPB" dev set kvb local 10.0.0.2 &&
	kctl "$VTEPB" port add kvb b1 &&
	kctl "$VTEPB" port add kvb b2 &&
	kctl "$VTEPB" port add kvb b3 &&
	ip -n "$VTEPB" link set kvb up || return 1

	local vni
	for vni in 100 200 300; do
		kctl "$VTEPA" ls add kva vni "$vni" &&
		kctl "$VTEPA" flood set kva vni "$vni" remote 10.0.0.2 &&
		kctl "$VTEPB" ls add kvb vni "$vni" &&
		kctl "$VTEPB" flood set kvb vni "$vni" remote 10.0.0.1 || return 1
	done
	kctl "$VTEPA" bind add kva port pa vlan 100 vni 100 &&
	kctl "$VTEPA" bind add kva port pa vlan 200 vni 200 &&
	kctl "$VTEPA" bind add kva port pa vni 300 &&
	kctl "$VTEPB" bind add kvb port b1 vlan 10 vni 100 &&
	kctl "$VTEPB" bind add kvb port b2 vlan 20 vni 200 &&
	kctl "$VTEPB" bind add kvb port b3 vlan 0 vni 300
}

setup
rc=$?
log_test $rc 0 "trunk port with VLANs 100, 200, untagged on A; three ports on B"
[ $rc = 0 ] || exit_tests
[ "$VERBOSE" = 0 ] || { kctl "$VTEPA" bind show kva; kctl "$VTEPB" bind show kvb; }

# ---- ping inside each LS, tags on both sides, per-binding counters ---------

# One capture for the whole test on each VM-side interface: the trunk
# (A's tags) and B's three VMs (B's tags).
cap_start "$TRUNK:eth0:trunk" "$VMB1:eth0:vmb1" "$VMB2:eth0:vmb2" "$VMB3:eth0:vmb3"

# ls_ping VNI TRUNK_IP REMOTE_IP A_VLAN B_VLAN B_PORT
ls_ping() {
	local vni=$1 tip=$2 rip=$3 avlan=$4 bvlan=$5 bport=$6
	local loss before after line rc
	local tag="LS $vni:"

	before=$(bind_snapshot "$VTEPA" kva; bind_snapshot "$VTEPB" kvb)
	loss=$(ping_loss "$TRUNK" "$rip" 5 -I "$tip")
	after=$(bind_snapshot "$VTEPA" kva; bind_snapshot "$VTEPB" kvb)

	log_info "$tag ping $tip -> $rip: ${loss:-?}% loss"
	[ "$loss" = 0 ]
	log_test $? 0 "$tag ping trunk (A vlan $avlan) -> B's VM (B vlan $bvlan)"

	# The two bindings of this LS moved by >= 5 each way, no other did.
	rc=0
	while read -r line; do
		local key rx0 tx0 rx1 tx1 want
		read -r key rx1 tx1 <<< "$line"
		read -r _ rx0 tx0 <<< "$(printf '%s\n' "$before" | grep "^$key ")"
		want=0
		[ "$key" = "pa/$avlan" ] && want=1
		[ "$key" = "$bport/$bvlan" ] && want=1
		[ "$VERBOSE" = 0 ] || log_info "$tag $key rx +$((rx1 - rx0)) tx +$((tx1 - tx0))"
		if [ $want = 1 ]; then
			[ $((rx1 - rx0)) -ge 5 ] && [ $((tx1 - tx0)) -ge 5 ] || {
				rc=1
				log_info "$tag binding $key: rx +$((rx1 - rx0)) tx +$((tx1 - tx0)), expected >= 5"
			}
		else
			# An ARP refresh of an earlier LS may pass (1-2
			# frames); the 5 echoes of this LS may not.
			[ $((rx1 - rx0)) -lt 5 ] && [ $((tx1 - tx0)) -lt 5 ] || {
				rc=1
				log_info "$tag binding $key moved: rx +$((rx1 - rx0)) tx +$((tx1 - tx0))"
			}
		fi
	done <<< "$after"
	log_test $rc 0 "$tag per-binding counters grow on pa/$avlan and $bport/$bvlan only"
}

ls_ping 100 192.168.100.1 192.168.100.2 100 10 b1
ls_ping 200 192.168.200.1 192.168.200.2 200 20 b2
ls_ping 300 192.168.30.1 192.168.30.2 0 0 b3

# ---- cross-LS isolation ----------------------------------------------------

# VMB2 (LS 200) also takes 192.168.100.3 on its LS-200 interface. The trunk
# asks for it from LS 100: the ARP request floods LS 100 (VMB1 sees it)
# and never reaches LS 200's port.
ip -n "$VMB2" addr add 192.168.100.3/24 dev eth0.20
loss=$(ping_loss "$TRUNK" 192.168.100.3 3 -I 192.168.100.1)
log_info "cross-LS: ping LS 100 -> 192.168.100.3 (an address in LS 200): ${loss:-?}% loss"
[ "$loss" = 100 ]
log_test $? 0 "cross-LS: no reply from an address that lives in another LS"
ip -n "$VMB2" addr del 192.168.100.3/24 dev eth0.20

# ---- the device as its own port -------------------------------------------

kctl "$VTEPA" bind add kva port kva vni 300 &&
ip -n "$VTEPA" addr add 192.168.30.10/24 dev kva
log_test $? 0 "self port: bind kva itself (untagged) to VNI 300, address on kva"
s0=$(bind_stat "$VTEPA" kva kva 0 rx_packets)
loss=$(ping_loss "$VTEPA" 192.168.30.2 5)
s1=$(bind_stat "$VTEPA" kva kva 0 rx_packets)
log_info "self port: ping kva -> VMB3 through the tunnel: ${loss:-?}% loss, binding kva/0 rx ${s0:-?} -> ${s1:-?}"
[ "$loss" = 0 ] && [ $((s1 - s0)) -ge 5 ]
log_test $? 0 "self port: kva's address pings a remote VM (VMB3) through the tunnel"
loss=$(ping_loss "$VTEPA" 192.168.30.1 5)
log_info "self port: ping kva -> trunk (local, untagged): ${loss:-?}% loss"
[ "$loss" = 0 ]
log_test $? 0 "self port: kva's address pings the trunk on the same VTEP"

kctl "$VTEPA" bind add kva port kva vlan 200 vni 200 &&
ip -n "$VTEPA" link add link kva name kva.200 type vlan id 200 &&
ip -n "$VTEPA" link set kva.200 up &&
ip -n "$VTEPA" addr add 192.168.200.10/24 dev kva.200
log_test $? 0 "self port: vlan device kva.200, binding (kva, vlan 200) -> VNI 200"
loss=$(ping_loss "$VTEPA" 192.168.200.2 5)
log_info "self port: ping kva.200 -> VMB2: ${loss:-?}% loss"
[ "$loss" = 0 ]
log_test $? 0 "self port: kva.200 pings VMB2 (LS 200, vlan 20 at B)"
loss=$(ping_loss "$VTEPA" 192.168.200.1 5)
log_info "self port: ping kva.200 -> trunk eth0.200: ${loss:-?}% loss"
[ "$loss" = 0 ]
log_test $? 0 "self port: kva.200 pings the trunk's vlan 200 interface"

# Without TX VLAN offload the vlan device puts the tag into the frame:
# kva must still see VLAN 200. (Own source address: told apart at the end.)
txvlan_off=0
if command -v ethtool >/dev/null 2>&1 &&
   ip netns exec "$VTEPA" ethtool -K kva txvlan off >/dev/null 2>&1; then
	txvlan_off=1
	ip -n "$VTEPA" addr add 192.168.200.11/24 dev kva.200
	loss=$(ping_loss "$VTEPA" 192.168.200.2 5 -I 192.168.200.11)
	log_info "self port, txvlan off: ping kva.200 -> VMB2: ${loss:-?}% loss"
	[ "$loss" = 0 ]
	log_test $? 0 "self port: in-frame 802.1Q tag (txvlan off) still selects VLAN 200"
else
	log_skip "self port: in-frame 802.1Q tag (needs ethtool -K kva txvlan off)"
fi

# ---- what the captures saw -------------------------------------------------

cap_stop trunk vmb1 vmb2 vmb3

# seen NAME IP TAG WHAT: every echo frame of IP in capture NAME has TAG
seen() {
	local tags n
	tags=$(icmp_tags "$1" "$2")
	n=$(icmp_count "$1" "$2")
	log_info "$4: $n echo frames of $2 on $1, tags: ${tags:-none}"
	[ "$tags" = "$3" ] && [ "$n" -ge 6 ]
	log_test $? 0 "$4 ($3)"
}

seen vmb1 192.168.100.2 "vlan 10" "LS 100: frames leave B with B's tag"
seen vmb2 192.168.200.1 "vlan 20" "LS 200: frames leave B with B's tag"
seen vmb3 192.168.30.1 untagged "LS 300: frames leave B with B's tag"
seen trunk 192.168.100.2 "vlan 100" "LS 100: frames reach the trunk with A's tag"
seen trunk 192.168.200.2 "vlan 200" "LS 200: frames reach the trunk with A's tag"
seen trunk 192.168.30.2 untagged "LS 300: frames reach the trunk with A's tag"
seen vmb3 192.168.30.10 untagged "self port: kva's frames reach VMB3 untagged"
seen vmb2 192.168.200.10 "vlan 20" "self port: kva.200's frames reach VMB2 with B's tag"
[ $txvlan_off = 0 ] ||
	seen vmb2 192.168.200.11 "vlan 20" "self port, txvlan off: frames reach VMB2 with B's tag"

n=$(grep -c 'who-has 192.168.100.3' "$TMPD/vmb1.txt")
log_info "cross-LS: ARP requests for 192.168.100.3 seen in LS 100 (VMB1): $n"
[ "$n" -ge 1 ]
log_test $? 0 "cross-LS: the ARP request floods LS 100 (VMB1 sees it)"
n=$(grep -c '192\.168\.100\.' "$TMPD/vmb2.txt")
log_info "cross-LS: frames of 192.168.100.0/24 on LS 200's port (whole test): $n"
[ "$n" = 0 ]
log_test $? 0 "cross-LS: nothing of LS 100 ever appears on LS 200's port"

[ "$VERBOSE" = 0 ] || { kctl "$VTEPA" stats kva; kctl "$VTEPB" stats kvb; }

kmsg_check_since "$kmsg_start"
log_test $? 0 "no kernel warnings"

exit_tests
