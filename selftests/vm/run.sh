#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run a command inside a throw-away qemu VM booted from one of the host's own
# Debian kernels, with the host root as a read-only 9p+overlayfs root and the
# kvtep source tree mounted read-write at the same path as on the host.
#
# Usage: selftests/vm/run.sh [--kernel KVER] [--timeout SECONDS] [--log FILE]
#                            [--mem MB] [--quiet] -- COMMAND [ARGS...]
#
#   --kernel KVER    kernel to boot: /boot/vmlinuz-KVER and /lib/modules/KVER
#                    must exist (default: newest such kernel)
#   --timeout SECS   kill the VM after SECS seconds (default 1200)
#   --log FILE       console log (default build/vm/KVER/console.log); always kept
#   --mem MB         guest memory (default 2048)
#   --quiet          do not copy the console to stdout (it is still logged)
#
# Environment:
#   KVTEP_VM_ACCEL=auto|kvm|tcg   accelerator (default tcg; auto: KVM only if a
#                                 short probe guest runs correctly under it)
#
# If build/KVER/kvtep.ko exists in the source tree, the guest installs it to
# /lib/modules/KVER/updates/ and runs depmod before running COMMAND.
#
# Exit status: COMMAND's exit status, unless the run itself failed:
#   124  the VM timed out (qemu killed)
#   125  no exit status was recorded (guest crashed/panicked, qemu failed...)
#   1    (or COMMAND's status if that is a failure other than 4/skip)
#        the kernel log shows a BUG/WARNING/Oops/stall/... or the final taint
#        has unexpected bits (only P, O and E are accepted)
# The failure cause and the console log path are printed on stderr.

set -euo pipefail

# Parse everything before running anything: the file may be edited (or
# checked out) while a run is in progress.
{

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
SRC=$(cd "$SCRIPT_DIR/../.." && pwd -P)
PROG=kvtep-vm

# Modules needed in the initramfs to mount the roots (if not built in).
INITRAMFS_MODULES="virtio_pci 9pnet_virtio 9p overlay"
# Taint bits that do not fail a run: P(0) proprietary, O(12) out-of-tree,
# E(13) unsigned module.
TAINT_OK=$(((1 << 0) | (1 << 12) | (1 << 13)))
TAINT_LETTERS=PFSRMBUDAWCIOELKXTNJ

# kmemleak's "suspected memory leaks" is not here: with kmemleak (the debug
# kernel) selftests/vm/debug-suite.sh decides which leaks are kvtep's.
KERNEL_BAD_RE='BUG:|kernel BUG at|BUG [a-z0-9_-]+ \(|ODEBUG:|ref_tracker:|possible circular locking|WARNING:|Oops|general protection|RCU stall|rcu: INFO: rcu_(sched|preempt) detected stall|detected stalls on CPUs|rcu_preempt detected stall|UBSAN:|KASAN:|refcount_t:|unregister_netdevice: waiting for|list_add corruption|list_del corruption|Kernel panic|soft lockup|hard LOCKUP|blocked for more than [0-9]+ seconds'

usage() {
	sed -n '/^# Usage:/,/^# The failure cause/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
	exit "${1:-2}"
}

msg() {
	echo "$PROG: $*" >&2
}

die() {
	msg "error: $*"
	exit 2
}

kver=
timeout_s=1200
log=
mem=2048
quiet=0
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kver=${2:?--kernel needs an argument}; shift 2 ;;
	--kernel=*) kver=${1#*=}; shift ;;
	--timeout) timeout_s=${2:?--timeout needs an argument}; shift 2 ;;
	--timeout=*) timeout_s=${1#*=}; shift ;;
	--log) log=${2:?--log needs an argument}; shift 2 ;;
	--log=*) log=${1#*=}; shift ;;
	--mem) mem=${2:?--mem needs an argument}; shift 2 ;;
	--mem=*) mem=${1#*=}; shift ;;
	-q|--quiet) quiet=1; shift ;;
	-h|--help) usage 0 ;;
	--) shift; break ;;
	*) msg "unknown argument: $1"; usage 2 ;;
	esac
done
[ $# -gt 0 ] || { msg "missing COMMAND"; usage 2; }
[[ "$timeout_s" =~ ^[1-9][0-9]*$ ]] || die "bad --timeout: $timeout_s"
[[ "$mem" =~ ^[1-9][0-9]*$ ]] || die "bad --mem: $mem"
case "$SRC" in
*[[:space:]]*) die "source tree path must not contain whitespace: $SRC" ;;
esac

for c in qemu-system-x86_64 cpio timeout sha256sum; do
	command -v "$c" >/dev/null || die "$c not found"
done
BUSYBOX=${BUSYBOX:-/bin/busybox}
[ -x "$BUSYBOX" ] || die "$BUSYBOX not found (install busybox-static)"
file -L "$BUSYBOX" 2>/dev/null | grep -q 'dynamically linked' &&
	die "$BUSYBOX is dynamically linked (install busybox-static)"

# --- kernel --------------------------------------------------------------

kernel_ok() {
	[ -r "/boot/vmlinuz-$1" ] && [ -d "/lib/modules/$1" ] &&
		[ -r "/lib/modules/$1/modules.dep" ]
}

if [ -z "$kver" ]; then
	for k in $(find /boot -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n' |
		sed 's/^vmlinuz-//' | sort -rV); do
		if kernel_ok "$k"; then
			kver=$k
			break
		fi
	done
	[ -n "$kver" ] || die "no kernel with /boot/vmlinuz-KVER and /lib/modules/KVER"
fi
kernel_ok "$kver" || die "kernel $kver: need /boot/vmlinuz-$kver and /lib/modules/$kver/modules.dep"
MODDIR=/lib/modules/$kver

BUILD=$SRC/build/vm/$kver
mkdir -p "$BUILD"
[ -n "$log" ] || log=$BUILD/console.log
mkdir -p "$(dirname "$log")"
log=$(cd "$(dirname "$log")" && pwd -P)/$(basename "$log")

# --- initramfs -----------------------------------------------------------

# Print "relpath" of NAME's module file (relative to $MODDIR), "builtin" or
# nothing.
module_path() {
	local name=$1 re
	re="(^|/)${name//[-_]/[-_]}\\.ko(\\.(xz|gz|zst))?:"
	if grep -qE "(^|/)${name//[-_]/[-_]}\\.ko\$" "$MODDIR/modules.builtin" 2>/dev/null; then
		echo builtin
		return
	fi
	grep -E "$re" "$MODDIR/modules.dep" | head -n1 | cut -d: -f1
}

# Append PATH's dependencies then PATH (relative paths) to $mod_order.
declare -A mod_seen=()
mod_order=()
add_module() {
	local path=$1 deps dep
	[ -z "${mod_seen[$path]:-}" ] || return 0
	mod_seen[$path]=1
	deps=$(grep -E "^${path//./\\.}:" "$MODDIR/modules.dep" | cut -d: -f2-)
	for dep in $deps; do
		add_module "$dep"
	done
	mod_order+=("$path")
}

for m in $INITRAMFS_MODULES; do
	p=$(module_path "$m")
	case "$p" in
	builtin) ;;
	"") die "kernel $kver: module $m is neither built in nor in $MODDIR/modules.dep" ;;
	*) add_module "$p" ;;
	esac
done

initramfs=$BUILD/initramfs.cpio
stamp=$(
	{
		echo "kver=$kver"
		sha256sum "$BUSYBOX" "$SCRIPT_DIR/initramfs-init" "${BASH_SOURCE[0]}"
		for p in "${mod_order[@]}"; do
			stat -L -c '%n %s %Y' "$MODDIR/$p"
		done
	} | sha256sum | cut -d' ' -f1
)

build_initramfs() {
	local tmp p base out
	tmp=$(mktemp -d "$BUILD/initramfs.XXXXXX")
	mkdir -p "$tmp"/{bin,dev,proc,sys,modules,lower,rw,newroot}
	cp "$BUSYBOX" "$tmp/bin/busybox"
	ln -s busybox "$tmp/bin/sh"
	install -m 0755 "$SCRIPT_DIR/initramfs-init" "$tmp/init"
	if [ "$(id -u)" = 0 ]; then
		mknod -m 600 "$tmp/dev/console" c 5 1
		mknod -m 666 "$tmp/dev/null" c 1 3
	fi
	: >"$tmp/modules/order"
	for p in "${mod_order[@]}"; do
		base=$(basename "$p")
		out=$tmp/modules/${base%%.ko*}.ko
		case "$p" in
		*.ko) cp "$MODDIR/$p" "$out" ;;
		*.ko.xz) xz -dc "$MODDIR/$p" >"$out" ;;
		*.ko.gz) gzip -dc "$MODDIR/$p" >"$out" ;;
		*.ko.zst) zstd -q -dc "$MODDIR/$p" >"$out" ;;
		*) rm -rf "$tmp"; die "unsupported module file $p" ;;
		esac
		basename "$out" >>"$tmp/modules/order"
	done
	(cd "$tmp" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) >"$initramfs.tmp.$$"
	mv -f "$initramfs.tmp.$$" "$initramfs"
	echo "$stamp" >"$initramfs.stamp"
	rm -rf "$tmp"
}

if [ ! -f "$initramfs" ] || [ "$(cat "$initramfs.stamp" 2>/dev/null)" != "$stamp" ]; then
	msg "building initramfs for $kver (modules: ${mod_order[*]:-none})"
	build_initramfs
fi

# --- kvtep module ---------------------------------------------------------

# depmod over the whole module tree takes ~30 s in a TCG guest, so run it on
# the host against a shadow tree (symlinks to /lib/modules/KVER plus
# updates/kvtep.ko) and let the guest copy the resulting index files.
KO=$SRC/build/$kver/kvtep.ko
KMOD=$BUILD/kmod
prepare_kmod() {
	local stamp tmp base f
	command -v depmod >/dev/null || die "depmod not found (install kmod)"
	stamp=$(sha256sum "$KO" | cut -d' ' -f1)
	[ "$(cat "$KMOD/stamp" 2>/dev/null)" != "$stamp" ] || return 0
	msg "running depmod for $KO"
	tmp=$(mktemp -d "$BUILD/kmod.XXXXXX")
	base=$tmp/lib/modules/$kver
	mkdir -p "$base/updates"
	for f in kernel modules.order modules.builtin modules.builtin.modinfo; do
		[ ! -e "$MODDIR/$f" ] || ln -s "$MODDIR/$f" "$base/$f"
	done
	cp "$KO" "$base/updates/kvtep.ko"
	depmod -b "$tmp" "$kver" || { rm -rf "$tmp"; die "depmod failed"; }
	rm -rf "$KMOD.old"
	[ ! -e "$KMOD" ] || mv "$KMOD" "$KMOD.old"
	mkdir -p "$KMOD/updates"
	find "$base" -maxdepth 1 -type f -name 'modules.*' -exec cp {} "$KMOD/" \;
	cp "$base/updates/kvtep.ko" "$KMOD/updates/kvtep.ko"
	echo "$stamp" >"$KMOD/stamp"
	rm -rf "$tmp" "$KMOD.old"
}
if [ -f "$KO" ]; then
	prepare_kmod
fi

# --- accelerator ---------------------------------------------------------

# Boot a 512-byte boot sector that enables interrupts, waits for three BIOS
# timer ticks with hlt and then writes to isa-debug-exit (qemu exits with 3).
# KVM is only used if that completes quickly.
kvm_works() {
	local img=$BUILD/../kvm-probe.img rc=0
	[ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
	# sti; mov cx,3; 1: hlt; loop 1b; mov al,1; out 0xf4,al; jmp .
	printf '\373\271\003\000\364\342\375\260\001\346\364\353\376' >"$img.$$"
	truncate -s 510 "$img.$$"
	printf '\125\252' >>"$img.$$"
	timeout -k 1 3 qemu-system-x86_64 -accel kvm -display none -nodefaults \
		-no-user-config -monitor none -serial none -parallel none -m 16 \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-drive "file=$img.$$,format=raw,if=floppy" </dev/null >/dev/null 2>&1 || rc=$?
	rm -f "$img.$$"
	[ "$rc" = 3 ]
}

# TCG unless asked: on these machines the boot-sector probe has passed
# while a real kernel then died under KVM (a BMI2 instruction at boot) and
# hung the run until its timeout.
accel=${KVTEP_VM_ACCEL:-tcg}
case "$accel" in
auto) if kvm_works; then accel=kvm; else accel=tcg; fi ;;
kvm|tcg) ;;
*) die "bad KVTEP_VM_ACCEL=$accel (auto, kvm or tcg)" ;;
esac
if [ "$accel" = kvm ]; then
	accel_args=(-accel kvm -cpu host)
else
	accel_args=(-accel "tcg,thread=multi" -cpu max)
fi

# --- run -----------------------------------------------------------------

rundir=$(mktemp -d "$BUILD/run.XXXXXX")
qpid=
# shellcheck disable=SC2317 # invoked by trap
cleanup() {
	if [ -n "$qpid" ]; then
		kill -TERM "$qpid" 2>/dev/null || true
		wait "$qpid" 2>/dev/null || true
	fi
	rm -rf "$rundir"
}
trap cleanup EXIT
trap 'msg "interrupted"; exit 130' INT TERM HUP

# The guest sources this: "set -- 'arg1' 'arg2' ..." (single-quote escaped).
{
	printf 'set --'
	for a in "$@"; do
		printf " '%s'" "${a//\'/\'\\\'\'}"
	done
	printf '\n'
} >"$rundir/cmd"
# Tell the guest where the prepared kvtep module tree is (if any).
if [ -f "$KO" ]; then
	echo "$KMOD" >"$rundir/kmod"
fi

if [ "$quiet" = 1 ]; then
	console=(-chardev "file,id=con,path=$log")
else
	console=(-chardev "stdio,id=con,signal=off,logfile=$log")
fi
: >"$log"

append="console=ttyS0 panic=-1 loglevel=5 printk.time=1 earlyprintk=serial,ttyS0,115200"
append+=" nokaslr tsc=reliable no_timer_check rcupdate.rcu_expedited=1"
append+=" kvtepvm.src=$SRC kvtepvm.run=$rundir"

# Under TCG the kernel occasionally dies while patching its own text at
# boot (an int3 Oops in early initcalls, before any of our code runs).
# Such a boot is retried; a crash after guest-init started is never.
attempt=1
while :; do
	msg "booting $kver ($accel, ${mem}M, timeout ${timeout_s}s, attempt $attempt), console log: $log"
	: >"$log"
	start=$(date +%s)
	qrc=0
	timeout -k 10 "$timeout_s" qemu-system-x86_64 \
		"${accel_args[@]}" -smp 2 -m "$mem" \
		-nographic -nodefaults -no-user-config -no-reboot \
		-monitor none -parallel none \
		"${console[@]}" -serial chardev:con \
		-kernel "/boot/vmlinuz-$kver" -initrd "$initramfs" -append "$append" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-virtfs "local,path=$SRC,mount_tag=src,security_model=none,multidevs=remap" \
		</dev/null &
	qpid=$!
	wait "$qpid" || qrc=$?
	qpid=
	if [ "$attempt" -lt 3 ] && ! grep -q 'KVTEP-VM: t=' "$log" &&
	   grep -q 'Oops' "$log"; then
		cp "$log" "$log.boot-crash.$attempt"
		msg "kernel crashed during boot, before guest-init (kept $log.boot-crash.$attempt); retrying"
		attempt=$((attempt + 1))
		continue
	fi
	break
done
elapsed=$(($(date +%s) - start))

# --- verdict -------------------------------------------------------------

fail=()
status=
if [ -f "$rundir/status" ]; then
	status=$(tr -dc '0-9' <"$rundir/status")
fi
if [ -z "$status" ]; then
	status=$(sed -n 's/.*KVTEP-VM: STATUS \([0-9][0-9]*\).*/\1/p' "$log" | tail -n1)
fi
taint=
if [ -f "$rundir/taint" ]; then
	taint=$(tr -dc '0-9' <"$rundir/taint")
fi
if [ -z "$taint" ]; then
	taint=$(sed -n 's/.*KVTEP-VM: TAINT \([0-9][0-9]*\).*/\1/p' "$log" | tail -n1)
fi
if [ -f "$rundir/dmesg" ]; then
	cp "$rundir/dmesg" "$BUILD/dmesg"
else
	rm -f "$BUILD/dmesg"
fi

if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	fail+=("timeout after ${timeout_s}s (qemu killed)")
elif [ "$qrc" != 0 ]; then
	fail+=("qemu exited with status $qrc")
fi
[ -n "$status" ] || fail+=("no exit status recorded by the guest")

# Kernel messages carry a "[ seconds.usecs] " timestamp; only look at those
# so that user-space output cannot trigger (or hide) a failure.
splats=$(cat "$log" ${rundir:+"$rundir/dmesg"} 2>/dev/null |
	tr -d '\r' | grep -aE "\\[ *[0-9]+\\.[0-9]+\\] .*($KERNEL_BAD_RE)" |
	awk '!seen[$0]++' | head -n 8 || true)
if [ -n "$splats" ]; then
	fail+=("kernel log reports problems:")
	while IFS= read -r l; do
		fail+=("    $l")
	done <<<"$splats"
fi

if [ -z "$taint" ]; then
	[ -z "$status" ] || fail+=("no final taint value recorded")
elif [ $((taint & ~TAINT_OK)) != 0 ]; then
	letters=
	for ((i = 0; i < ${#TAINT_LETTERS}; i++)); do
		if [ $(((taint >> i) & 1)) = 1 ]; then
			letters+=${TAINT_LETTERS:i:1}
		fi
	done
	fail+=("kernel tainted: $taint ($letters); only P, O and E are expected")
fi

[ -z "$status" ] || echo "$status" >"$BUILD/status"

if [ ${#fail[@]} -gt 0 ]; then
	for f in "${fail[@]}"; do
		msg "FAIL: $f"
	done
	msg "console log kept at $log"
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		exit 124
	elif [ -z "$status" ]; then
		exit 125
	elif [ "$status" != 0 ] && [ "$status" != 4 ]; then
		exit "$status"
	fi
	exit 1
fi

msg "$kver: command exited with status $status after ${elapsed}s (taint $taint), console log: $log"
exit "$status"
}
