#!/bin/bash
# Runs inside the demo VM (see scripts/demo.sh): the VTEP emulator guide's
# walkthrough with kvtep instead of ovs-vtep. A physical switch br0 (a kvtep
# device) with port p0 towards VM1, driven by kvtepctl ovsdb from an
# hardware_vtep database that vtep-ctl configures as a stand-in NVC; the
# far end is a Linux vxlan + bridge "hypervisor" with VM2. Each "VM" and
# host is a network namespace:
#
#   VM1 (192.168.33.1) -- p0 [br0 kvtep, 10.0.0.1] ==VXLAN 33== [10.0.0.2 vx0+bridge] -- VM2 (192.168.33.2)
set -euo pipefail
cd "$(dirname "$0")/.."
PATH=$PWD/ctl:$PATH
T=$(mktemp -d)
SOCK=$T/db.sock

show() { echo; echo "\$ $*"; "$@"; }
# nsrun NS CMD...: run in a namespace, shown as "[NS] CMD".
nsrun() { local ns=$1; shift; echo; echo "[$ns]\$ $*"; ip netns exec "$ns" "$@"; }

cleanup() {
	[ -s "$T/agent.pid" ] && kill "$(cat "$T/agent.pid")" 2>/dev/null || true
	[ -s "$T/ovsdb.pid" ] && kill "$(cat "$T/ovsdb.pid")" 2>/dev/null || true
	for ns in vm1 vtep hv vm2; do ip netns del "$ns" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT

echo "== the lab: namespaces vm1, vtep, hv (Linux vxlan hypervisor), vm2"
modprobe kvtep
for ns in vm1 vtep hv vm2; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip link add p0 netns vtep type veth peer name eth0 netns vm1
ip link add u1 netns vtep mtu 1600 type veth peer name u2 netns hv mtu 1600
ip link add p2 netns hv type veth peer name eth0 netns vm2
for l in "vtep p0" "vtep u1" "vm1 eth0" "hv u2" "hv p2" "vm2 eth0"; do
	set -- $l; ip -n "$1" link set "$2" up
done
ip -n vm1 addr add 192.168.33.1/24 dev eth0
ip -n vm2 addr add 192.168.33.2/24 dev eth0
ip -n vtep addr add 10.0.0.1/24 dev u1
ip -n hv addr add 10.0.0.2/24 dev u2
ip -n hv link add vx0 type vxlan id 33 dstport 4789 local 10.0.0.2 nolearning
ip -n hv link add br0 type bridge
ip -n hv link set vx0 master br0; ip -n hv link set p2 master br0
ip -n hv link set vx0 up; ip -n hv link set br0 up
ip netns exec hv bridge fdb append 00:00:00:00:00:00 dev vx0 dst 10.0.0.1

echo
echo "== startup: the database (ovsdb-server with the vtep schema)"
show ovsdb-tool create "$T/vtep.db" /usr/share/openvswitch/vtep.ovsschema
show ovsdb-server --pidfile="$T/ovsdb.pid" --detach --log-file="$T/ovsdb.log" \
	--unixctl="$T/ovsdb.ctl" --remote=punix:"$SOCK" "$T/vtep.db"
VTEPCTL=(vtep-ctl --db=unix:"$SOCK")

echo
echo "== the physical switch br0 and its port p0"
nsrun vtep ip link add br0 type kvtep
nsrun vtep ip link set p0 master br0
show "${VTEPCTL[@]}" add-ps br0
show "${VTEPCTL[@]}" set Physical_Switch br0 tunnel_ips=10.0.0.1

echo
echo "== the VTEP: kvtepctl ovsdb instead of ovs-vtep"
nsrun vtep kvtepctl ovsdb --db=unix:"$SOCK" --log-file="$T/agent.log" \
	--pidfile="$T/agent.pid" --detach br0
for _ in $(seq 100); do
	"${VTEPCTL[@]}" list-ports br0 2>/dev/null | grep -qx p0 && break
	sleep 0.1
done
show "${VTEPCTL[@]}" list-ports br0

echo
echo "== simulating an NVC with vtep-ctl"
VM2_MAC=$(ip -n vm2 -j link show eth0 | jq -r '.[0].address')
show "${VTEPCTL[@]}" add-ls ls0
show "${VTEPCTL[@]}" bind-ls br0 p0 0 ls0
show "${VTEPCTL[@]}" set Logical_Switch ls0 tunnel_key=33
show "${VTEPCTL[@]}" add-mcast-remote ls0 unknown-dst 10.0.0.2
show "${VTEPCTL[@]}" set-replication-mode ls0 source_node
show "${VTEPCTL[@]}" add-ucast-remote ls0 "$VM2_MAC" 10.0.0.2
for _ in $(seq 100); do
	ip netns exec vtep kvtepctl -j fdb show br0 vni 33 2>/dev/null |
		jq -e --arg m "$VM2_MAC" 'any(.[]; .mac == $m)' >/dev/null && break
	sleep 0.1
done

echo
echo "== traffic: VM1 behind kvtep pings VM2 behind the Linux vxlan hypervisor"
nsrun vm1 ping -c 3 -i 0.3 192.168.33.2 || echo "demo: ping failed"
sleep 6	# one Logical_Binding_Stats refresh (every 5 s)

echo
echo "== what the kernel holds (programmed by the agent)"
nsrun vtep kvtepctl ls show br0
nsrun vtep kvtepctl bind show br0
nsrun vtep kvtepctl flood show br0
nsrun vtep kvtepctl fdb show br0

echo
echo "== what the agent published in the database"
show "${VTEPCTL[@]}" list-local-macs ls0
show "${VTEPCTL[@]}" list-remote-macs ls0
show "${VTEPCTL[@]}" list-bindings br0 p0
show "${VTEPCTL[@]}" get Physical_Switch br0 description
stats=$("${VTEPCTL[@]}" get Physical_Port p0 vlan_stats:0)
show "${VTEPCTL[@]}" list Logical_Binding_Stats "$stats"

echo
echo "== the agent's log"
sed 's/^/    /' "$T/agent.log"
echo
echo "demo: done"
