#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Part 3: FDB scale. For each N in BENCH_FDB_SIZES (default 1k 100k 1M):
#
#   fdb_load  seconds to load N static remote entries in one bulk command:
#             `kvtepctl -b FILE` ("fdb add kv0 vni 33 mac M remote IP")
#             vs `bridge -batch FILE` ("fdb add M dev vxlan0 dst IP")
#   fdb_mem   kernel memory per entry: the delta of SUnreclaim + Percpu +
#             VmallocUsed (/proc/meminfo) across the load, divided by N
#             (slab objects, per-CPU route caches, big hash tables)
#   fdb_pps   64-byte pps (as part 1, encapsulation) with pktgen spreading
#             its destination MACs at random over min(N, 65536) of the
#             entries (pktgen varies only the last two bytes + carry)
#
# Contenders kvtep-1k, kvtep-100k, kvtep-1m, vxlan-1k, ... each keep their
# own namespaces and entries, so fdb_pps rounds alternate between them like
# part 1 and "1M / 1k" is a paired ratio. Linux vxlan here is a bridge
# {p0, vxlan0} with the entries on vxlan0 only (the bridge floods the
# unknown MAC to its one other port), as `bridge fdb add ... dst` gives.
# A load that exceeds BENCH_FDB_LOAD_TIMEOUT is stopped and reported as
# such: its time is projected from the rate reached, its memory per entry
# taken over the entries loaded when they are at least N/2, and its
# contender is left out of fdb_pps.

source "$(dirname "$(readlink -f "$0")")/lib.sh"
trap cleanup EXIT

TEST=fdb_pps
: "${BENCH_FDB_CONTENDERS:=kvtep vxlan}"
FDB_MAC_BASE=02:fd:00:00:00:00
nidx=0
TMPD=$(mktemp -d /tmp/kvtep-bench-fdb.XXXXXX)
defer "rm -rf $TMPD"

label() { # N -> 1k, 100k, 1m
	local n=$1
	if [ $((n % 1000000)) = 0 ]; then
		echo "$((n / 1000000))m"
	elif [ $((n % 1000)) = 0 ]; then
		echo "$((n / 1000))k"
	else
		echo "$n"
	fi
}

# gen_macs N FORMAT: one line per entry i < N, FORMAT's %s = the MAC
# 02:fd:00:ii:ii:ii (the same MACs pktgen walks from FDB_MAC_BASE).
gen_macs() {
	awk -v n="$1" -v fmt="$2" 'BEGIN {
		for (i = 0; i < n; i++) {
			m = sprintf("02:fd:00:%02x:%02x:%02x", int(i / 65536) % 256,
				    int(i / 256) % 256, i % 256)
			printf fmt "\n", m
		}
	}'
}

trio() {
	local vg=G_$1 vd=D_$1 vs=S_$1
	vg=${vg//-/_} vd=${vd//-/_} vs=${vs//-/_}
	setup_ns "$vg" "$vd" "$vs" || return 1
	G=${!vg} D=${!vd} S=${!vs}
	nidx=$((nidx + 1))
	veth_pair "$G" g0 "$D" p0 1500 &&
		underlay "$D" "$S" "$nidx" && sink_add "$S" u2
}

# load NAME N FILE CMD...: time CMD (bounded), memory delta; prints nothing,
# records fdb_load and fdb_mem; fails on timeout or error.
load() {
	local name=$1 n=$2 file=$3 m0 m1 s0 s1 t0 t1 rc secs
	shift 3
	settle_mem
	m0=$(kmem_kb)
	s0=$(kmem_snapshot)
	cp /proc/slabinfo "$TMPD/slab0" 2>/dev/null
	t0=$(date +%s%N)
	timeout "$BENCH_FDB_LOAD_TIMEOUT" "$@" >"$TMPD/load.out" 2>&1
	rc=$?
	t1=$(date +%s%N)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b - a) / 1e9}')
	if [ $rc = 124 ]; then
		# Report the projected time at the rate reached (lower bound:
		# the cost per entry only grows with the table).
		local got
		got=$(count_entries)
		blog "  $name: load of $n entries stopped after $BENCH_FDB_LOAD_TIMEOUT s (BENCH_FDB_LOAD_TIMEOUT) with ${got:-?} loaded"
		raw fdb_load "$name" 1 "timeout=$BENCH_FDB_LOAD_TIMEOUT" "n=$n" "loaded=${got:-?}"
		if [ "${got:-0}" -gt 0 ]; then
			sample fdb_load "$name" 1 "$(awk -v t="$secs" -v n="$n" -v g="$got" \
				'BEGIN {printf "%.1f", t * n / g}')" "s(projected)"
			# Memory per entry of what did load (at least half of
			# N, so that the table sizes are comparable).
			if [ "$got" -ge $((n / 2)) ]; then
				settle_mem
				m1=$(kmem_kb)
				raw fdb_mem "$name" 1 "n=$got(partial)" "before: $s0" "after: $(kmem_snapshot)"
				sample fdb_mem "$name" 1 "$(awk -v a="$m0" -v b="$m1" -v n="$got" \
					'BEGIN {printf "%.1f", (b - a) * 1024 / n}')" "B/entry(partial)"
			fi
		fi
		return 1
	fi
	if [ $rc != 0 ]; then
		blog "  $name: load failed (exit $rc): $(head -3 "$TMPD/load.out")"
		return 1
	fi
	sample fdb_load "$name" 1 "$secs" s
	settle_mem
	m1=$(kmem_kb)
	s1=$(kmem_snapshot)
	raw fdb_mem "$name" 1 "n=$n" "before: $s0" "after: $s1"
	slab_growth "$n" "$TMPD/slab0" | while read -r l; do
		raw fdb_slab "$name" 1 "$l"
	done
	sample fdb_mem "$name" 1 "$(awk -v a="$m0" -v b="$m1" -v n="$n" \
		'BEGIN {printf "%.1f", (b - a) * 1024 / n}')" B/entry
}

# slab_growth N BEFORE: slab caches that grew by at least N/2 objects
# since the BEFORE copy of /proc/slabinfo: "cache objsize +objs +bytes".
slab_growth() {
	awk -v n="$1" 'FNR == NR { if (FNR > 2) before[$1] = $2; next }
		FNR > 2 && $2 - before[$1] >= n / 2 {
			printf "%s objsize=%d objs=+%d bytes=+%d\n", $1, $4,
			       $2 - before[$1], ($2 - before[$1]) * $4
		}' "$2" /proc/slabinfo 2>/dev/null
}

pktgen_spread() { # N
	local cnt=$1
	[ "$cnt" -le 65536 ] || cnt=65536
	pktgen_setup "$G" g0 "$FDB_MAC_BASE" "dst_mac_count $cnt" "flag MACDST_RND"
}

# count_entries: entries in the FDB of the contender being loaded
count_entries() {
	case "$CUR" in
	kvtep) kctl "$D" -j ls show kv0 vni "$VNI" | jq -r '.[0].fdb_count // empty' ;;
	vxlan) ip netns exec "$D" bridge fdb show dev vxlan0 | grep -c ' dst ' ;;
	esac
}

setup_kvtep() { # NAME N
	local name=$1 n=$2 file=$TMPD/kvtep.batch count
	CUR=kvtep
	trio "$name" &&
		kvtep_setup "$D" kv0 p0 "10.0.$nidx.1" || return 1
	gen_macs "$n" "fdb add kv0 vni $VNI mac %s remote 10.0.$nidx.2" >"$file" || return 1
	load "$name" "$n" "$file" ip netns exec "$D" "$KVTEPCTL" -b "$file" || return 1
	rm -f "$file"
	count=$(count_entries)
	blog "  $name: LS $VNI holds ${count:-?} entries"
	pktgen_spread "$n" && register_contender "$name" "$G" g0 "$S" u2
}

setup_vxlan() { # NAME N
	local name=$1 n=$2 file=$TMPD/vxlan.batch
	CUR=vxlan
	trio "$name" &&
		vxlan_setup "$D" p0 "10.0.$nidx.1" || return 1
	gen_macs "$n" "fdb add %s dev vxlan0 dst 10.0.$nidx.2" >"$file" || return 1
	load "$name" "$n" "$file" ip netns exec "$D" bridge -batch "$file" || return 1
	rm -f "$file"
	pktgen_spread "$n" && register_contender "$name" "$G" g0 "$S" u2
}

main() {
	local n c name

	blog "fdb: sizes $BENCH_FDB_SIZES, contenders $BENCH_FDB_CONTENDERS"
	for n in $BENCH_FDB_SIZES; do
		for c in $BENCH_FDB_CONTENDERS; do
			name=$c-$(label "$n")
			blog "fdb: $name: loading $n entries"
			"setup_$c" "$name" "$n" ||
				blog "fdb: contender $name left out"
		done
	done
	pps_rounds "$TEST"
}

main; exit 0	# one line: the file may change during a run
