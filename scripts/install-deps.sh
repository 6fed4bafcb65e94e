#!/bin/bash
# Install everything kvtep needs from Debian's archive (bookworm + bookworm-backports).
# Idempotent: when everything is present it only checks and returns in seconds.
set -euo pipefail

[ "$(id -u)" = 0 ] || { echo "install-deps: must run as root" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive

BPO_LIST=/etc/apt/sources.list.d/kvtep-bookworm-backports.sources

# Packages named without a kernel version.
PKGS="build-essential bc bison flex libelf-dev libssl-dev kmod cpio xz-utils zstd
      qemu-system-x86 busybox-static libmnl-dev libnl-3-dev libnl-genl-3-dev
      libjansson-dev libcap-dev pkg-config dkms iproute2 tcpdump tshark iperf3 python3-scapy
      openvswitch-switch openvswitch-vtep sparse clang libclang-rt-14-dev ethtool
      iputils-ping gnuplot-nox"

have_all() {
	# shellcheck disable=SC2086
	dpkg-query -W -f='${Status}\n' "$@" 2>/dev/null | grep -vq 'install ok installed' && return 1
	[ "$(dpkg-query -W -f='${Status}\n' "$@" 2>/dev/null | wc -l)" -eq "$#" ]
}

# Kernel flavours we target: the stock 6.1 LTS of bookworm and 6.12 LTS of backports.
kernel_pkgs() {
	ls /boot/vmlinuz-6.1.*-amd64 /boot/vmlinuz-6.12.*-amd64 >/dev/null 2>&1 || return 1
	ls -d /usr/src/linux-headers-6.1.*-amd64 /usr/src/linux-headers-6.12.*-amd64 >/dev/null 2>&1 || return 1
	ls /usr/src/linux-source-6.1.tar.* /usr/src/linux-source-6.12.tar.* >/dev/null 2>&1 || return 1
}

# shellcheck disable=SC2086
if have_all $PKGS && kernel_pkgs; then
	echo "install-deps: all dependencies present"
	exit 0
fi

if [ ! -f "$BPO_LIST" ]; then
	cat > "$BPO_LIST" <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

# Third-party lists on some machines are unreachable; do not let them fail the update.
apt-get update -o Acquire::Retries=3 || echo "install-deps: apt-get update reported errors, continuing"

# Resolve the versioned kernel packages behind the metapackages of each suite, so that
# both kernels stay installed side by side.
dep_of() { # $1 = metapackage, $2 = suite
	apt-cache show "$1/$2" 2>/dev/null | sed -n 's/^Depends: //p' | head -n1 |
		tr ',' '\n' | sed 's/ *(.*//; s/^ *//' | grep -E '^linux-(image|headers)-[0-9]' | head -n1
}
K61_IMG=$(dep_of linux-image-amd64 bookworm)
K61_HDR=$(dep_of linux-headers-amd64 bookworm)
K612_IMG=$(dep_of linux-image-amd64 bookworm-backports)
K612_HDR=$(dep_of linux-headers-amd64 bookworm-backports)
for v in K61_IMG K61_HDR K612_IMG K612_HDR; do
	[ -n "${!v}" ] || { echo "install-deps: cannot resolve $v" >&2; exit 1; }
done
echo "install-deps: kernels $K61_IMG $K612_IMG"

# shellcheck disable=SC2086
apt-get install -y --no-install-recommends $PKGS \
	"$K61_IMG" "$K61_HDR" linux-source-6.1 \
	"$K612_IMG/bookworm-backports" "$K612_HDR/bookworm-backports" \
	linux-source-6.12/bookworm-backports

# The package scripts of openvswitch-switch may start daemons on a real host; the tests start
# their own ovsdb-server, so stop the system ones where they run (harmless when absent).
if command -v systemctl >/dev/null 2>&1 && systemctl is-system-running >/dev/null 2>&1; then
	systemctl stop openvswitch-switch ovs-vswitchd ovsdb-server 2>/dev/null || true
fi
echo "install-deps: done"
