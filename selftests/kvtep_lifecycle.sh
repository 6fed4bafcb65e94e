#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kvtep module and device lifecycle.
#
#   +------------------ host (init netns) ------------------+
#   |  modprobe kvtep / modprobe -r kvtep                    |
#   |                                                        |
#   |  +---------- NS1 ----------+  +-------- NS2 --------+  |
#   |  |  lo                     |  |  lo                 |  |
#   |  |  vtep0 (type kvtep)     |  |  vtep0 (kvtep),     |  |
#   |  |    add / show / del     |  |  netns deleted with |  |
#   |  |  vtep1 (type kvtep)     |  |  the device inside  |  |
#   |  |    module autoload      |  |                     |  |
#   |  +-------------------------+  +---------------------+  |
#   +--------------------------------------------------------+
#
# Checks: explicit load, device create/show/delete, netns teardown with a
# live device, module autoload from "ip link add ... type kvtep", unload, and
# a clean kernel log.

source "$(dirname "$(readlink -f "$0")")/lib.sh"

MOD=kvtep
SYSMOD=/sys/module/$MOD

require_root
require_cmd ip modprobe modinfo dmesg
modinfo "$MOD" >/dev/null 2>&1 ||
	skip_test "$MOD module not installed (build/\$(uname -r)/kvtep.ko + selftests/vm/run.sh)"

trap cleanup EXIT
defer "modprobe -r $MOD"

mod_loaded() {
	[ -d "$SYSMOD" ]
}

link_exists() { # NS DEV
	ip -n "$1" link show dev "$2" >/dev/null 2>&1
}

kmsg_start=$(kmsg_mark)

# Start from an unloaded module so that autoload is really tested later.
if mod_loaded; then
	modprobe -r "$MOD" 2>/dev/null
fi

# 1. explicit load
modprobe "$MOD" && mod_loaded
log_test $? 0 "modprobe $MOD loads the module"

# 2. create, inspect and delete a device in a fresh netns
setup_ns NS1 || exit "$ksft_fail"
ip -n "$NS1" link add vtep0 type kvtep && link_exists "$NS1" vtep0
log_test $? 0 "ip link add vtep0 type kvtep in $NS1"

details=$(ip -n "$NS1" -d link show dev vtep0 2>/dev/null)
[ "$VERBOSE" = 0 ] || printf '%s\n' "$details"
grep -qw kvtep <<<"$details"
log_test $? 0 "ip -d link shows kind kvtep"

grep -qE 'link/ether ([0-9a-f]{2}:){5}[0-9a-f]{2}' <<<"$details"
log_test $? 0 "vtep0 has an ethernet address"

ip -n "$NS1" link set dev vtep0 up
log_test $? 0 "vtep0 can be set up"

ip -n "$NS1" link del dev vtep0 && ! link_exists "$NS1" vtep0
log_test $? 0 "ip link del vtep0 removes the device"

# 3. delete a netns with a kvtep device still inside
setup_ns NS2 || exit "$ksft_fail"
ip -n "$NS2" link add vtep0 type kvtep && ip -n "$NS2" link set dev vtep0 up &&
	link_exists "$NS2" vtep0
log_test $? 0 "ip link add vtep0 type kvtep in $NS2"

ip netns del "$NS2" && busywait 10000 not ns_exists "$NS2"
log_test $? 0 "netns $NS2 deleted with a kvtep device inside"
cleanup_ns "$NS2" 2>/dev/null

# The netns is torn down asynchronously (cleanup_net); the module must not be
# pinned by the dead device.
busywait 20000 modprobe -r "$MOD" && busywait 5000 not mod_loaded
log_test $? 0 "module unloads after netns teardown"

# 4. autoload through rtnl_link (alias rtnl-link-kvtep)
ip -n "$NS1" link add vtep1 type kvtep && mod_loaded && link_exists "$NS1" vtep1
log_test $? 0 "ip link add type kvtep autoloads the module"

# 5. remove everything and unload
ip -n "$NS1" link del dev vtep1 && ! link_exists "$NS1" vtep1
log_test $? 0 "ip link del vtep1"

busywait 10000 modprobe -r "$MOD" && busywait 5000 not mod_loaded
log_test $? 0 "modprobe -r $MOD unloads the module"

# 6. nothing bad in the kernel log
kmsg_check_since "$kmsg_start"
log_test $? 0 "no WARNING/BUG in the kernel log"

exit_tests
