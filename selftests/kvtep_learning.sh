#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kvtep MAC learning: monitor events, ageing, static entries that learning
# must not move, and the FDB limits under a MAC flood.
#
#  +-- VM1 --+   +--------------- VTEP ----------------+   +------ UL ------+
#  | eth0    +---+ p1 --+                              |   |                |
#  +---------+   |      |  kv0 (kvtep, local 10.0.0.1) |   | u2 10.0.0.2/24 |
#  +-- VM2 --+   |      +- LS 33: (p1, 0) (p2, 0)      |   |    10.0.0.3/24 |
#  | eth0    +---+ p2 --+                              |   |  (crafted      |
#  +---------+   |         LS 100: (p3, 0)             |   |   VXLAN)       |
#  +-- ATT --+   |                      u1 10.0.0.1/24 +---+                |
#  | eth0    +---+ p3                                  |   +----------------+
#  +---------+   +-------------------------------------+
#
# IPv6 is off in every namespace, so that no host sends a frame of its own:
# frames come only from the python3 raw-socket sender below.
#
# Checks:
#  a) "kvtepctl -j monitor" reports VM1's MAC as a learn event (learned-local,
#     port p1) after VM1 sends a frame; fdb show lists it.
#  b) with "dev set kv0 ageing 3" the entry leaves fdb show and the monitor
#     reports an age event.
#  c) static entries are never moved: a static-local (VM2's MAC on p2) and a
#     static-remote (10.0.0.2) entry stay as they are when frames from the
#     other port, or from a tunnel (tunnel-learning on), claim their MACs; each
#     such frame counts once in drops.static_move, a frame from the entry's
#     own place does not.
#  d) MAC flood: 10000 frames with distinct random source MACs into p3 with
#     "ls set kv0 vni 100 fdb-max 1000": exactly 1000 entries are learned,
#     the count never goes above (sampled during the flood), drops.fdb_full
#     counts every refused learn; then the same with the per-device limit.
#  e) "fdb flush kv0 dynamic" removes learned-local and learned-remote entries
#     and keeps static ones, in one request (under strace: as many netlink
#     messages as a flush of one type).
#  No kernel warning.
#
# Environment: KVTEPCTL (default ctl/kvtepctl of this tree), VERBOSE=1.

source "$(dirname "$(readlink -f "$0")")/lib.sh"

TOP=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
KVTEPCTL=${KVTEPCTL:-$TOP/ctl/kvtepctl}
VNI=33
FVNI=100
LIMIT=1000
NFLOOD=10000

require_root
require_cmd ip jq python3
require_kvtep

TMPD=$(mktemp -d)
trap 'cleanup; rm -rf "$TMPD"' EXIT

kmsg_start=$(kmsg_mark)

stat_of() { # JQ-PATH (under .stats) of kv0
	kctl "$VTEP" -j stats kv0 | jq -r ".[0].stats.$1"
}

drop_of() { # REASON
	stat_of "drops.$1"
}

# Ethernet frames from a raw socket.
#   one IFACE SRC DST COUNT          COUNT frames SRC -> DST
#   flood IFACE N DST SEED           N frames, N distinct random unicast
#                                    source MACs, to DST
# Ethertype 0x88b5 (local experimental), 46 bytes of payload. Prints the
# number of frames sent.
PY_ETH='
import errno, random, socket, struct, sys, time
mode, ifname = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((ifname, 0))
def mac(t):
    return bytes(int(x, 16) for x in t.split(":"))
def frame(dst, src):
    return dst + src + struct.pack("!H", 0x88b5) + b"kvtep-learning".ljust(46, b"\0")
def send(f):
    while True:
        try:
            return s.send(f)
        except OSError as e:
            if e.errno != errno.ENOBUFS:
                raise
            time.sleep(0.001)
frames = []
if mode == "one":
    frames = [frame(mac(sys.argv[4]), mac(sys.argv[3]))] * int(sys.argv[5])
else:
    n, dst, rnd = int(sys.argv[3]), mac(sys.argv[4]), random.Random(int(sys.argv[5]))
    seen = set()
    while len(frames) < n:
        m = (rnd.getrandbits(48) & ~(1 << 40)) | (1 << 41)
        if m in seen:
            continue
        seen.add(m)
        frames.append(frame(dst, m.to_bytes(6, "big")))
for f in frames:
    send(f)
print(len(frames))
'

eth_send() { # NS ARGS... (see PY_ETH)
	local ns=$1
	shift
	ip netns exec "$ns" python3 -c "$PY_ETH" "$@"
}

# vxlan_send NS SRC_IP DST_IP VNI INNER_SRC INNER_DST: one VXLAN packet
# (I flag, VNI) carrying an Ethernet frame, from a plain UDP socket.
PY_VXLAN='
import socket, struct, sys
src_ip, dst_ip, vni, isrc, idst = sys.argv[1:6]
def mac(t):
    return bytes(int(x, 16) for x in t.split(":"))
inner = mac(idst) + mac(isrc) + struct.pack("!H", 0x88b5) + b"kvtep-tunnel".ljust(46, b"\0")
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((src_ip, 0))
s.sendto(struct.pack("!II", 0x08000000, int(vni) << 8) + inner, (dst_ip, 4789))
'

vxlan_send() {
	local ns=$1
	shift
	ip netns exec "$ns" python3 -c "$PY_VXLAN" "$@"
}


veth_pair() { # NS_A DEV_A NS_B DEV_B
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" &&
	ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up
}

# fdb_entry VNI MAC: the entry as compact JSON (empty if none)
fdb_entry() {
	kctl "$VTEP" -j fdb show kv0 vni "$1" |
		jq -c --arg m "$2" '.[] | select(.mac == $m)'
}

fdb_has() { # VNI MAC TYPE
	kctl "$VTEP" -j fdb show kv0 vni "$1" |
		jq -e --arg m "$2" --arg t "$3" \
			'any(.[]; .mac == $m and .type == $t)' >/dev/null
}

ls_count() { # VNI
	kctl "$VTEP" -j ls show kv0 vni "$1" | jq -r '.[0].fdb_count'
}

# mon_has EVENT MAC [TYPE]: the monitor printed that event
mon_has() {
	jq -R -e --arg e "$1" --arg m "$2" --arg t "${3:-}" \
		'fromjson? | select(.event == $e and .mac == $m and
				    ($t == "" or .type == $t))' \
		"$TMPD/monitor.json" >/dev/null
}

# counter_is PATH VALUE: a kv0 counter reached VALUE
counter_is() {
	[ "$(stat_of "$1")" = "$2" ]
}

# ---- setup ------------------------------------------------------------------

setup_ns VM1 VM2 ATT VTEP UL || exit "$ksft_fail"
no_ipv6 "$VM1" "$VM2" "$ATT" "$VTEP" "$UL" &&
veth_pair "$VTEP" p1 "$VM1" eth0 &&
veth_pair "$VTEP" p2 "$VM2" eth0 &&
veth_pair "$VTEP" p3 "$ATT" eth0 &&
veth_pair "$VTEP" u1 "$UL" u2 &&
ip -n "$VTEP" addr add 10.0.0.1/24 dev u1 &&
ip -n "$UL" addr add 10.0.0.2/24 dev u2 &&
ip -n "$UL" addr add 10.0.0.3/24 dev u2 &&
ip -n "$VTEP" link add kv0 type kvtep &&
kctl "$VTEP" dev set kv0 local 10.0.0.1 &&
kctl "$VTEP" port add kv0 p1 && kctl "$VTEP" port add kv0 p2 &&
kctl "$VTEP" port add kv0 p3 &&
ip -n "$VTEP" link set kv0 up &&
kctl "$VTEP" ls add kv0 vni "$VNI" &&
kctl "$VTEP" ls add kv0 vni "$FVNI" &&
kctl "$VTEP" bind add kv0 port p1 vlan 0 vni "$VNI" &&
kctl "$VTEP" bind add kv0 port p2 vlan 0 vni "$VNI" &&
kctl "$VTEP" bind add kv0 port p3 vlan 0 vni "$FVNI"
rc=$?
log_test $rc 0 "kvtep with three ports, LS $VNI and LS $FVNI configured"
[ $rc = 0 ] || exit_tests

MAC1=$(mac_of "$VM1" eth0)
MAC2=$(mac_of "$VM2" eth0)
MACR=02:00:00:00:aa:01	# behind 10.0.0.2
BCAST=ff:ff:ff:ff:ff:ff

# ---- a) monitor reports a learn ----------------------------------------------

ip netns exec "$VTEP" "$KVTEPCTL" -j monitor >"$TMPD/monitor.json" 2>"$TMPD/monitor.err" &
mpid=$!
defer "kill $mpid"

# The monitor is listening once it reports a del of a learned entry.
mon_ready() {
	eth_send "$VM2" one eth0 "$MAC2" "$BCAST" 1 >/dev/null
	busywait 2000 fdb_has "$VNI" "$MAC2" learned-local &&
	kctl "$VTEP" fdb del kv0 vni "$VNI" mac "$MAC2" >/dev/null 2>&1
	mon_has del "$MAC2"
}
slowwait 30 mon_ready
log_test $? 0 "kvtepctl monitor is listening (reports a del of a learned entry)"

kctl "$VTEP" fdb flush kv0 vni "$VNI" dynamic
eth_send "$VM1" one eth0 "$MAC1" "$BCAST" 1 >/dev/null
busywait 10000 mon_has learn "$MAC1" learned-local
log_test $? 0 "monitor -j: learn event for VM1's MAC $MAC1 (learned-local)"
jq -R -e --arg m "$MAC1" \
	'fromjson? | select(.event == "learn" and .mac == $m and .port == "p1" and .vni == 33 and .dev == "kv0")' \
	"$TMPD/monitor.json" >/dev/null
log_test $? 0 "monitor -j: the learn event names dev kv0, vni $VNI, port p1"
fdb_has "$VNI" "$MAC1" learned-local
log_test $? 0 "fdb show: VM1's MAC is learned-local"
[ "$VERBOSE" = 0 ] || cat "$TMPD/monitor.json"

# ---- b) ageing ----------------------------------------------------------------

kctl "$VTEP" dev set kv0 ageing 3 &&
[ "$(kctl "$VTEP" -j dev show kv0 | jq -r '.[0].ageing')" = 3 ]
log_test $? 0 "dev set kv0 ageing 3"
slowwait 30 not fdb_has "$VNI" "$MAC1" learned-local
log_test $? 0 "ageing: VM1's entry leaves fdb show"
busywait 5000 mon_has age "$MAC1" learned-local
log_test $? 0 "monitor -j: age event for VM1's MAC"
kctl "$VTEP" dev set kv0 ageing 300

# ---- c) static entries are not moved ----------------------------------------

kctl "$VTEP" fdb add kv0 vni "$VNI" mac "$MAC2" port p2 vlan 0 &&
kctl "$VTEP" fdb add kv0 vni "$VNI" mac "$MACR" remote 10.0.0.2 &&
fdb_has "$VNI" "$MAC2" static-local && fdb_has "$VNI" "$MACR" static-remote
log_test $? 0 "static-local entry (VM2's MAC on p2) and static-remote entry added"
ent_l=$(fdb_entry "$VNI" "$MAC2" | jq -c 'del(.age_ms)')
ent_r=$(fdb_entry "$VNI" "$MACR" | jq -c 'del(.age_ms)')
log_info "static entries: $ent_l $ent_r"

# From the entry's own place: not a move, not counted.
sm0=$(drop_of static_move)
rx0=$(stat_of rx_packets)
eth_send "$VM2" one eth0 "$MAC2" "$BCAST" 3 >/dev/null
busywait 10000 counter_is rx_packets $((rx0 + 3))
sleep 0.5
sm1=$(drop_of static_move)
log_info "static_move after 3 frames of VM2 from p2: $sm0 -> $sm1"
[ "$sm1" = "$sm0" ]
log_test $? 0 "frames from the static-local entry's own port are not counted"

# From the other port: refused and counted, one per frame.
eth_send "$VM1" one eth0 "$MAC2" "$BCAST" 2 >/dev/null
eth_send "$VM1" one eth0 "$MACR" "$BCAST" 3 >/dev/null
busywait 10000 counter_is drops.static_move $((sm1 + 5))
rc=$?
log_info "static_move after 5 spoofed frames from p1: $sm1 -> $(drop_of static_move)"
log_test $rc 0 "frames from p1 claiming static MACs: drops.static_move +5"
[ "$(fdb_entry "$VNI" "$MAC2" | jq -c 'del(.age_ms)')" = "$ent_l" ] &&
[ "$(fdb_entry "$VNI" "$MACR" | jq -c 'del(.age_ms)')" = "$ent_r" ]
log_test $? 0 "static entries unchanged after frames from another port"

# From a tunnel, with tunnel learning on.
kctl "$VTEP" dev set kv0 tunnel-learning on
sm2=$(drop_of static_move)
dc0=$(stat_of decap_packets)
vxlan_send "$UL" 10.0.0.2 10.0.0.1 "$VNI" "$MACR" "$BCAST"	# its own remote
busywait 10000 counter_is decap_packets $((dc0 + 1))
sleep 0.5
sm3=$(drop_of static_move)
[ "$sm3" = "$sm2" ]
log_test $? 0 "frame from the static-remote entry's own remote is not counted"
vxlan_send "$UL" 10.0.0.3 10.0.0.1 "$VNI" "$MACR" "$BCAST"	# another remote
vxlan_send "$UL" 10.0.0.2 10.0.0.1 "$VNI" "$MAC2" "$BCAST"	# a local MAC
busywait 10000 counter_is drops.static_move $((sm3 + 2))
rc=$?
log_info "static_move after 2 claiming tunnel frames: $sm3 -> $(drop_of static_move), decap $dc0 -> $(stat_of decap_packets)"
log_test $rc 0 "tunnel frames claiming static MACs: drops.static_move +2"
[ "$(fdb_entry "$VNI" "$MAC2" | jq -c 'del(.age_ms)')" = "$ent_l" ] &&
[ "$(fdb_entry "$VNI" "$MACR" | jq -c 'del(.age_ms)')" = "$ent_r" ] &&
! fdb_has "$VNI" "$MAC2" learned-remote && ! fdb_has "$VNI" "$MACR" learned-remote
log_test $? 0 "static entries unchanged after frames from tunnels"
kctl "$VTEP" dev set kv0 tunnel-learning off
! mon_has move "$MAC2" && ! mon_has move "$MACR"
log_test $? 0 "monitor: no move event for the static MACs"

# ---- d) MAC flood against the limits -----------------------------------------

# sample_max VNI FILE STOPFILE: keep the largest fdb_count of the LS seen.
sample_max() {
	local max=0 n
	while [ ! -e "$3" ]; do
		n=$(ls_count "$1")
		[ "${n:-0}" -gt "$max" ] && max=$n
		echo "$max" >"$2"
	done
}

# flood TAG SEED N EXPECT_LEARNED COUNT_CMD...: N frames from ATT, then
# check that COUNT_CMD (an FDB count) went up by EXPECT_LEARNED exactly
# and that fdb_full counts every other new MAC.
flood() {
	local tag=$1 seed=$2 n=$3 want=$4 limit=$5 rx0 ff0 rx1 ff1 sent max rc
	shift 5

	rx0=$(stat_of rx_packets)
	ff0=$(drop_of fdb_full)
	rm -f "$TMPD/stop"
	sample_max "$FVNI" "$TMPD/max" "$TMPD/stop" &
	local spid=$!
	sent=$(eth_send "$ATT" flood eth0 "$n" 02:00:00:00:00:fe "$seed")
	# Every frame sent reaches kv0's counters (veth does not drop here).
	busywait 30000 counter_is rx_packets $((rx0 + ${sent:-0}))
	touch "$TMPD/stop"
	wait "$spid"
	rx1=$(stat_of rx_packets)
	ff1=$(drop_of fdb_full)
	max=$(cat "$TMPD/max")
	log_info "$tag: sent $sent, kv0 rx +$((rx1 - rx0)), fdb_full +$((ff1 - ff0)), count now $("$@"), largest LS $FVNI count sampled $max"
	[ "${sent:-0}" = "$n" ] && [ $((rx1 - rx0)) = "$n" ]
	log_test $? 0 "$tag: $n frames with distinct source MACs reach kv0"
	[ "$("$@")" = "$limit" ]
	log_test $? 0 "$tag: FDB count equals the limit ($limit)"
	[ $((ff1 - ff0)) = $((n - want)) ]
	log_test $? 0 "$tag: drops.fdb_full counts each refused learn ($((n - want)))"
	[ "${max:-0}" -le "$limit" ]
	log_test $? 0 "$tag: the count never went above the limit while flooding"
}

dev_count() {
	kctl "$VTEP" -j dev show kv0 | jq -r '.[0].fdb_count'
}

kctl "$VTEP" ls set kv0 vni "$FVNI" fdb-max "$LIMIT" &&
[ "$(ls_count "$FVNI")" = 0 ]
log_test $? 0 "ls set kv0 vni $FVNI fdb-max $LIMIT (LS empty)"
flood "LS limit" 1 "$NFLOOD" "$LIMIT" "$LIMIT" ls_count "$FVNI"
n=$(kctl "$VTEP" -j fdb show kv0 vni "$FVNI" |
	jq '[.[] | select(.type == "learned-local" and .port == "p3")] | length')
[ "$n" = "$LIMIT" ]
log_test $? 0 "LS limit: fdb show lists $LIMIT learned-local entries on p3 (got $n)"

# The per-device limit: 200 more entries than the device has now.
kctl "$VTEP" ls set kv0 vni "$FVNI" fdb-max 0
dlimit=$(($(dev_count) + 200))
kctl "$VTEP" dev set kv0 fdb-max "$dlimit"
log_test $? 0 "dev set kv0 fdb-max $dlimit"
flood "device limit" 2 2000 200 "$dlimit" dev_count
[ "$(ls_count "$FVNI")" = $((LIMIT + 200)) ]
log_test $? 0 "device limit: LS $FVNI holds $((LIMIT + 200)) entries"
kctl "$VTEP" dev set kv0 fdb-max 0

# ---- e) fdb flush dynamic: both learned types, one request -----------------

kctl "$VTEP" dev set kv0 tunnel-learning on
vxlan_send "$UL" 10.0.0.2 10.0.0.1 "$VNI" 02:00:00:00:bb:01 "$BCAST"
eth_send "$VM1" one eth0 "$MAC1" "$BCAST" 1 >/dev/null
busywait 10000 fdb_has "$VNI" 02:00:00:00:bb:01 learned-remote &&
busywait 10000 fdb_has "$VNI" "$MAC1" learned-local
log_test $? 0 "learned-remote and learned-local entries in LS $VNI"
kctl "$VTEP" dev set kv0 tunnel-learning off

# nl_sends OUT ARGS...: run kvtepctl ARGS under strace, print how many
# messages it sent
nl_sends() {
	local out=$1
	shift
	ip netns exec "$VTEP" strace -f -e trace=sendto,sendmsg -o "$out" \
		"$KVTEPCTL" "$@" >/dev/null || return 1
	grep -cE '(sendto|sendmsg)\(' "$out"
}

n_dyn=$(nl_sends "$TMPD/strace.dyn" fdb flush kv0 dynamic)
rc=$?
all=$(kctl "$VTEP" -j fdb show kv0)
log_info "after fdb flush kv0 dynamic: $(jq -r '[.[].type] | group_by(.) | map("\(.[0]) \(length)") | join(", ")' <<<"$all")"
[ $rc = 0 ] &&
[ "$(jq '[.[] | select(.type == "learned-local" or .type == "learned-remote")] | length' <<<"$all")" = 0 ] &&
fdb_has "$VNI" "$MAC2" static-local && fdb_has "$VNI" "$MACR" static-remote &&
[ "$(ls_count "$FVNI")" = 0 ]
log_test $? 0 "fdb flush dynamic removes every learned entry, keeps static ones"
if command -v strace >/dev/null 2>&1; then
	# A flush of one type is one request: dynamic must cost the same.
	n_one=$(nl_sends "$TMPD/strace.one" fdb flush kv0 type mcast-remote)
	log_info "netlink messages sent: flush dynamic $n_dyn, flush of one type $n_one"
	[ -n "$n_dyn" ] && [ "$n_dyn" = "$n_one" ]
	log_test $? 0 "fdb flush dynamic is a single kernel request"
else
	log_test "$ksft_skip" 0 "fdb flush dynamic is a single kernel request (no strace)"
fi

kill "$mpid" 2>/dev/null
wait "$mpid" 2>/dev/null
n=$(jq -R 'fromjson? | select(.event == "learn")' "$TMPD/monitor.json" | jq -s length)
log_info "monitor: $n learn events in all$(grep -c lost "$TMPD/monitor.err" | sed 's/^0$//; s/^[1-9].*/, some lost (receive buffer)/')"

if [ "$nfail" != 0 ] || [ "$VERBOSE" != 0 ]; then
	echo "monitor events (first 20):"
	head -20 "$TMPD/monitor.json" | sed 's/^/    /'
fi

kmsg_check_since "$kmsg_start"
log_test $? 0 "no kernel warnings"

exit_tests
