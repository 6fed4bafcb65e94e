#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build and install the kvtep debug kernel: Debian's linux-source-6.12 with
# `make tinyconfig` plus selftests/config-debug (KASAN, lockdep, PROVE_RCU,
# kmemleak, UBSAN, DEBUG_NET, refcount trackers...), everything built in.
# It is installed next to the stock kernels as an extra kernel with its own
# release, so `make module KVER=...` and selftests/vm/run.sh work unchanged:
#
#   /boot/vmlinuz-<release>, /boot/System.map-<release>, /boot/config-<release>
#   /lib/modules/<release>/{modules.*,build -> the build tree}
#
# The build is cached: when the installed kernel was built from the same
# source tarball, fragment and script, a run only checks and prints the
# release (seconds).
#
# usage: scripts/debug-kernel.sh [--print-release] [--force]
#   --print-release  print the release this build has or will have, and exit
#   --force          rebuild even if the installed kernel is up to date
#
# Environment:
#   KVTEP_DEBUG_KERNEL_DIR  where the source and build trees live
#                           (default /var/cache/kvtep/debug-kernel)
#   KVTEP_DEBUG_KERNEL_SRC  the source tarball
#                           (default /usr/src/linux-source-6.12.tar.xz)
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd -P)
FRAGMENT=$TOP/selftests/config-debug
TARBALL=${KVTEP_DEBUG_KERNEL_SRC:-/usr/src/linux-source-6.12.tar.xz}
CACHE=${KVTEP_DEBUG_KERNEL_DIR:-/var/cache/kvtep/debug-kernel}
SUFFIX=-kvtepdbg

print_release=0
force=0
for a in "$@"; do
	case "$a" in
	--print-release) print_release=1 ;;
	--force) force=1 ;;
	-h|--help) sed -n '3,/^set -euo/s/^# \{0,1\}//p' "$0" | sed '$d'; exit 0 ;;
	*) echo "debug-kernel: unknown argument: $a" >&2; exit 2 ;;
	esac
done

msg() { echo "debug-kernel: $*" >&2; }
die() { msg "error: $*"; exit 1; }

[ -r "$TARBALL" ] || die "no $TARBALL (make deps installs linux-source-6.12)"
[ -r "$FRAGMENT" ] || die "no $FRAGMENT"

# The cache key: which source, which options, which build steps.
key=$({ stat -L -c '%n %s %Y' "$TARBALL"; sha256sum "$FRAGMENT" "$0" | cut -d' ' -f1; } |
	sha256sum | cut -c1-16)
top=$(basename "$TARBALL" .tar.xz)
srcdir=$CACHE/src/$top
objdir=$CACHE/build-$key

# The release: the tarball's kernel version plus our suffix, read from the
# extracted Makefile, or from the tarball when not extracted yet.
kernel_version() {
	local mk
	if [ -r "$srcdir/Makefile" ]; then
		mk=$(head -n 6 "$srcdir/Makefile")
	else
		mk=$(tar -xOJf "$TARBALL" "$top/Makefile" | head -n 6)
	fi
	awk -F' *= *' '/^VERSION/{v=$2} /^PATCHLEVEL/{p=$2} /^SUBLEVEL/{s=$2}
		END{printf "%s.%s.%s\n", v, p, s}' <<<"$mk"
}
release=$(kernel_version)$SUFFIX
if [ "$print_release" = 1 ]; then
	echo "$release"
	exit 0
fi

moddir=/lib/modules/$release
if [ "$force" = 0 ] && [ -r "/boot/vmlinuz-$release" ] &&
   [ "$(cat "$moddir/kvtep-debug-kernel.key" 2>/dev/null)" = "$key" ] &&
   [ -e "$moddir/build/Makefile" ]; then
	msg "$release is up to date (key $key)"
	echo "$release"
	exit 0
fi

[ "$(id -u)" = 0 ] || die "must run as root (installs into /boot and /lib/modules)"
t0=$SECONDS
mkdir -p "$CACHE/src"
if [ ! -r "$srcdir/Makefile" ] || [ "$(cat "$srcdir/.kvtep-tarball" 2>/dev/null)" != "$(stat -L -c '%s %Y' "$TARBALL")" ]; then
	msg "extracting $TARBALL"
	rm -rf "$srcdir"
	tar -xJf "$TARBALL" -C "$CACHE/src"
	stat -L -c '%s %Y' "$TARBALL" >"$srcdir/.kvtep-tarball"
fi
# Older build trees of other keys are no longer wanted.
find "$CACHE" -maxdepth 1 -name 'build-*' ! -name "build-$key" -exec rm -rf {} +
mkdir -p "$objdir"

kmake() { make -C "$srcdir" O="$objdir" ARCH=x86_64 LOCALVERSION= "$@"; }

msg "configuring $release in $objdir"
kmake -s tinyconfig
cat "$FRAGMENT" <(echo "CONFIG_LOCALVERSION=\"$SUFFIX\""; echo "# CONFIG_LOCALVERSION_AUTO is not set") \
	>"$objdir/kvtep.config"
"$srcdir/scripts/kconfig/merge_config.sh" -m -O "$objdir" "$objdir/.config" "$objdir/kvtep.config" >"$objdir/merge.log"
kmake -s olddefconfig

# Every line of the fragment must have survived: a silently dropped option
# (an unmet dependency) would leave a checker off without anybody noticing.
missing=()
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*) grep -qxF -- "$line" "$objdir/.config" || missing+=("$line") ;;
	"# CONFIG_"*" is not set")
		opt=${line#"# "}; opt=${opt%% *}
		! grep -q "^$opt=" "$objdir/.config" || missing+=("$line") ;;
	esac
done <"$objdir/kvtep.config"
if [ ${#missing[@]} -gt 0 ]; then
	for l in "${missing[@]}"; do
		opt=${l#"# "}; opt=${opt%%[= ]*}
		msg "option not in the final .config: $l (now: $(grep -E "^(# )?$opt[= ]" "$objdir/.config" || echo absent))"
	done
	die "${#missing[@]} option(s) of $FRAGMENT did not survive olddefconfig"
fi

jobs=$(($(nproc) + 1))
msg "building $release with -j$jobs"
kmake -j"$jobs" bzImage modules >"$objdir/build.log" 2>&1 ||
	{ tail -n 40 "$objdir/build.log" >&2; die "kernel build failed (log: $objdir/build.log)"; }

got=$(cat "$objdir/include/config/kernel.release")
[ "$got" = "$release" ] || die "kernel release is $got, expected $release"

msg "installing $release"
rm -rf "$moddir"
kmake -s modules_install INSTALL_MOD_STRIP=1 >/dev/null
ln -sfn "$objdir" "$moddir/build"
cp "$objdir/arch/x86/boot/bzImage" "/boot/vmlinuz-$release"
cp "$objdir/System.map" "/boot/System.map-$release"
cp "$objdir/.config" "/boot/config-$release"
depmod -a "$release"
echo "$key" >"$moddir/kvtep-debug-kernel.key"
msg "$release built and installed in $((SECONDS - t0)) s"
echo "$release"
