#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kvtep Geneve receive rules (RFC 8926), with packets made by scapy.
#
# Topology as kvtep_geneve_ovn.sh: kv1 in VTEP1 (LS vni 33, encap geneve,
# bindings p1 and p4), scapy in HV on the underlay sends to 10.0.0.1:6081.
#
# Test 5 (bad packets): version 1, Opt Len past the end, an unknown critical
#  option, the O bit, protocol 0x0800, a truncated header: each dropped and
#  counted in its own drop reason (kvtepctl -j stats deltas), nothing else
#  moves, nothing decapsulated; an unknown non-critical option is skipped
#  and the frame delivered. No kernel warning.
#
# Environment: KVTEPCTL (default ctl/kvtepctl of this tree), VERBOSE=1.

source "$(dirname "$(readlink -f "$0")")/lib.sh"
source "$(dirname "$(readlink -f "$0")")/geneve_lib.sh"

REASONS=(geneve_version geneve_optlen geneve_critical geneve_oam geneve_proto truncated)

"$PY" -c 'from scapy.contrib.geneve import GENEVE' 2>/dev/null ||
	skip_test "could not run test without scapy ($PY)"

kmsg_start=$(kmsg_mark)

# all_deltas JSON: one line per case, "CASE REASON+N... decap+N": the change
# of each drop reason and of the decapsulated packets over that case (one
# jq run: jq is slow to start under TCG).
all_deltas() {
	jq -r --arg rs "${REASONS[*]}" '($rs | split(" ")) as $rs | . as $a |
		range(1; length) as $i | ($a[$i].stats[0].stats) as $n |
		($a[$i - 1].stats[0].stats) as $o |
		([$a[$i].case] + [$rs[] | "\(.)+\($n.drops[.] - $o.drops[.])"] +
		 ["decap+\($n.decap_packets - $o.decap_packets)"]) | join(" ")' <<<"$1"
}

test_bad() {
	local tag="bad Geneve:" out deltas case want tok rc

	out=$(send_cases version optlen critical oam proto truncated noncrit)
	deltas=$(all_deltas "$out")
	if [ -z "$deltas" ]; then
		log_test 1 0 "$tag scapy sent the packets"
		return
	fi
	while read -r case rest; do
		log_info "$tag $case: $rest"
		case $case in
		noncrit)
			[ "${rest##*decap+}" = 3 ] && [[ " $rest " == *" geneve_critical+0 "* ]]
			log_test $? 0 "$tag unknown non-critical option skipped, frames delivered"
			continue
			;;
		truncated) want=truncated ;;
		*) want=geneve_$case ;;
		esac
		rc=0
		for tok in $rest; do
			case $tok in
			"$want+3") ;;
			*+0) ;;
			*) rc=1 ;;
			esac
		done
		[[ " $rest " == *" $want+3 "* ]] || rc=1
		log_test $rc 0 "$tag $case: 3 dropped, counted as $want only"
	done <<<"$deltas"
}

if setup_keyed; then
	log_test 0 0 "kvtep with a Geneve LS"
	test_bad
else
	log_test 1 0 "kvtep with a Geneve LS"
fi
[ "$VERBOSE" = 0 ] || kctl "$VTEP1" stats kv1

kmsg_check_since "$kmsg_start"
log_test $? 0 "no kernel warnings"

exit_tests
