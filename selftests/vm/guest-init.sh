#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# PID 1 of the kvtep selftest VM after switch_root (see selftests/vm/run.sh).
#
# Usage (by the initramfs only): guest-init.sh SRCDIR RUNDIR
#   SRCDIR  source tree, mounted read-write at the same path as on the host
#   RUNDIR  per-run directory in the source tree; holds "cmd" (written by the
#           host: "set -- ARGS..."), and receives "status", "taint", "dmesg"
#
# Console markers parsed by run.sh:
#   KVTEP-VM: STATUS <n>
#   KVTEP-VM: TAINT <n>
#   KVTEP-VM: DONE

src=${1:?}
run=${2:?}
kver=$(uname -r)

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb KVTEP_VM=1 KVTEP_SRC="$src"
umask 022

say() {
	read -r up _ </proc/uptime
	echo "KVTEP-VM: t=${up}s $*"
}

# qemu runs with -no-reboot, so a reboot ends it as well as a power-off;
# a kernel without ACPI (the debug kernel) cannot power off, only reboot.
poweroff_now() {
	sync
	if [ -d /sys/firmware/acpi ]; then
		/bin/busybox poweroff -f 2>/dev/null
		echo o >/proc/sysrq-trigger
	fi
	/bin/busybox reboot -f 2>/dev/null
	echo b >/proc/sysrq-trigger
	sleep 30
}

say "guest-init started"
hostname kvtep-vm
ip link set lo up
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
mkdir -p /var/tmp /root 2>/dev/null

# Install the kvtep module built for this kernel (build/KVER/kvtep.ko), if
# any, so that modprobe, "ip link add ... type kvtep" and genetlink family
# autoload work.  The host ran depmod already (run.sh) and tells us where the
# module and the index files are in "$run/kmod".
kmod=
[ ! -r "$run/kmod" ] || read -r kmod <"$run/kmod"
if [ -n "$kmod" ] && [ -f "$kmod/updates/kvtep.ko" ]; then
	mkdir -p "/lib/modules/$kver/updates" &&
		cp "$kmod/updates/kvtep.ko" "/lib/modules/$kver/updates/kvtep.ko" &&
		cp "$kmod"/modules.* "/lib/modules/$kver/" &&
		say "installed $src/build/$kver/kvtep.ko"
elif [ -f "$src/build/$kver/kvtep.ko" ]; then
	mkdir -p "/lib/modules/$kver/updates" &&
		cp "$src/build/$kver/kvtep.ko" "/lib/modules/$kver/updates/" &&
		depmod -a "$kver" &&
		say "installed $src/build/$kver/kvtep.ko (depmod in guest)"
else
	say "no $src/build/$kver/kvtep.ko, kvtep module not installed"
fi

status=255
if [ -r "$run/cmd" ]; then
	# shellcheck disable=SC1091
	. "$run/cmd"
	say "RUN $*"
	# Run in a child so PID 1 survives whatever the command does.
	if cd "$src"; then
		( exec "$@" ) </dev/null
		status=$?
	fi
else
	say "no command file $run/cmd"
fi

echo "$status" >"$run/status"
taint=$(cat /proc/sys/kernel/tainted)
echo "$taint" >"$run/taint"
dmesg >"$run/dmesg" 2>/dev/null
sync
echo "KVTEP-VM: STATUS $status"
echo "KVTEP-VM: TAINT $taint"
say "DONE"
poweroff_now
