#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kvtep Geneve against Linux's own geneve driver.
#
# Test 2 (interop): VTEP2 replaced by a hypervisor netns with Linux's geneve
#  driver ("ip link add gnv0 type geneve id 33 remote 10.0.0.1") in a bridge
#  with VM2. Checks: ping both ways.
#
# Test 3 (one LS with a VXLAN and a Geneve remote): kvtep_geneve_mixed.sh.
#
# Environment: KVTEPCTL (default ctl/kvtepctl of this tree), VERBOSE=1.

source "$(dirname "$(readlink -f "$0")")/lib.sh"
source "$(dirname "$(readlink -f "$0")")/geneve_lib.sh"

require_cmd bridge

kmsg_start=$(kmsg_mark)

# ---- test 2: kvtep <-> Linux geneve -----------------------------------------

test_interop() {
	local tag="Linux geneve interop:" loss rc

	VM1='' VTEP1='' HV='' VM2=''
	setup_ns VM1 VTEP1 HV VM2 || { log_test 1 0 "$tag namespaces"; return; }
	setup_vm "$VM1" "$VM1_IP" "$VTEP1" p1 &&
	setup_vm "$VM2" "$VM2_IP" "$HV" p2 &&
	setup_underlay 4 "$VTEP1" "$HV" &&
	setup_kvtep "$VTEP1" kv1 p1 10.0.0.1 geneve 10.0.0.2 &&
	ip -n "$HV" link add gnv0 type geneve id "$VNI" remote 10.0.0.1 &&
	ip -n "$HV" link add br0 type bridge &&
	ip -n "$HV" link set gnv0 master br0 &&
	ip -n "$HV" link set p2 master br0 &&
	ip -n "$HV" link set gnv0 up && ip -n "$HV" link set br0 up
	rc=$?
	log_test $rc 0 "$tag kvtep and a Linux geneve+bridge hypervisor configured"
	if [ $rc != 0 ]; then
		cleanup_ns "$VM1" "$VTEP1" "$HV" "$VM2"
		return
	fi
	loss=$(ping_loss "$VM1" "$VM2_IP" 5)
	log_info "$tag ping kvtep VM1 -> geneve VM2: ${loss:-?}% loss"
	[ "$loss" = 0 ]
	log_test $? 0 "$tag ping kvtep side -> Linux geneve side"
	loss=$(ping_loss "$VM2" "$VM1_IP" 5)
	log_info "$tag ping geneve VM2 -> kvtep VM1: ${loss:-?}% loss"
	[ "$loss" = 0 ]
	log_test $? 0 "$tag ping Linux geneve side -> kvtep side"
	[ "$VERBOSE" = 0 ] || kctl "$VTEP1" stats kv1
	cleanup_ns "$VM1" "$VTEP1" "$HV" "$VM2"
}

test_interop

kmsg_check_since "$kmsg_start"
log_test $? 0 "no kernel warnings"

exit_tests
