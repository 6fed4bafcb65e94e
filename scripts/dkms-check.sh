#!/bin/bash
# Prove the DKMS packaging: register the tree as kvtep/VERSION, build and
# install it for one kernel, check the installed module, then remove it all.
# usage: scripts/dkms-check.sh KVER
set -euo pipefail
cd "$(dirname "$0")/.."
kver=$1
ver=$(cat VERSION)

cleanup() { make --no-print-directory dkms-uninstall >/dev/null 2>&1 || true; }
trap cleanup EXIT

cleanup
make --no-print-directory dkms-install
dkms build -m kvtep -v "$ver" -k "$kver"
dkms install -m kvtep -v "$ver" -k "$kver" --force
ko=$(modinfo -k "$kver" -n kvtep)
echo "installed: $ko"
modinfo -k "$kver" kvtep | grep -E '^(version|vermagic|alias):'
modinfo -k "$kver" -F version kvtep | grep -qx "$ver"
modinfo -k "$kver" -F alias kvtep | grep -q 'rtnl-link-kvtep'
modinfo -k "$kver" -F alias kvtep | grep -q 'net-pf-16-proto-16-family-kvtep'
dkms status -m kvtep -v "$ver" -k "$kver" | grep -q installed
