#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Send hand-made Geneve packets (good and bad) to a kvtep device.

Usage: geneve_send.py IFACE DST_MAC SRC_IP DST_IP STATS_CMD CASE...

Sends COUNT (3) packets of each CASE out of IFACE to DST_MAC/DST_IP, UDP
port 6081, VNI 33; after the last packet of each case (and once before the
first) runs STATS_CMD (a shell command printing "kvtepctl -j stats") and
prints one JSON array: [{"case": NAME, "stats": STATS}, ...], the first
entry being "start".

Cases:
  plain        valid: no options, inner UDP to port 10000
  ovn:K        valid: OVN option (class 0x0102, type 0x80) with egress key
               K and ingress key 1; inner UDP to port 10000 + K
  noncrit      valid: an unknown option without the critical bit
  version      version 1
  optlen       Opt Len (80 bytes) past the end of the packet
  critical     an unknown option with the critical bit set
  oam          O bit set
  proto        protocol 0x0800 (IPv4) instead of 0x6558
  truncated    3 bytes of UDP payload: less than the 8-byte header
"""
import json
import subprocess
import sys
import time

# Only what is used: "from scapy.all import *" takes minutes under TCG.
from scapy.arch import get_if_hwaddr
from scapy.config import conf
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether
from scapy.packet import Raw
from scapy.sendrecv import sendp
from scapy.contrib.geneve import GENEVE, GeneveOptions

COUNT = 3
VNI = 33
INNER_SRC = "02:00:00:00:aa:01"
INNER_DST = "02:00:00:00:99:99"	# unknown unicast: flooded unless a key says


def inner(dport):
    return (Ether(src=INNER_SRC, dst=INNER_DST) /
            IP(src="192.168.33.200", dst="192.168.33.201") /
            UDP(sport=4242, dport=dport) / Raw(b"kvtep-geneve-test"))


def geneve_payload(case):
    teb = 0x6558
    if case == "plain":
        return GENEVE(vni=VNI, proto=teb) / inner(10000)
    if case.startswith("ovn:"):
        key = int(case[4:])
        opt = GeneveOptions(classid=0x0102, type=0x80,
                            data=bytes([0, 1, key >> 8, key & 0xff]))
        return GENEVE(vni=VNI, proto=teb, critical=1, options=[opt]) / inner(10000 + key)
    if case == "noncrit":
        opt = GeneveOptions(classid=0xffee, type=0x01, data=b"\x00" * 4)
        return GENEVE(vni=VNI, proto=teb, options=[opt]) / inner(10000)
    if case == "version":
        return GENEVE(version=1, vni=VNI, proto=teb) / inner(10000)
    if case == "optlen":
        return GENEVE(optionlen=20, vni=VNI, proto=teb) / Raw(b"\x00" * 16)
    if case == "critical":
        opt = GeneveOptions(classid=0xffee, type=0x81, data=b"\x00" * 4)
        return GENEVE(vni=VNI, proto=teb, critical=1, options=[opt]) / inner(10000)
    if case == "oam":
        return GENEVE(oam=1, vni=VNI, proto=teb) / inner(10000)
    if case == "proto":
        return (GENEVE(vni=VNI, proto=0x0800) /
                IP(src="192.168.33.200", dst="192.168.33.201") / UDP(dport=10000))
    if case == "truncated":
        return Raw(b"\x00\x00\x65")
    raise SystemExit("unknown case " + case)


def main():
    if len(sys.argv) < 7:
        raise SystemExit(__doc__)
    iface, dst_mac, src_ip, dst_ip, stats_cmd = sys.argv[1:6]
    conf.verb = 0
    src_mac = get_if_hwaddr(iface)

    def stats():
        out = subprocess.run(stats_cmd, shell=True, check=True,
                             capture_output=True, text=True).stdout
        return json.loads(out)

    results = [{"case": "start", "stats": stats()}]
    for case in sys.argv[6:]:
        pkt = (Ether(src=src_mac, dst=dst_mac) / IP(src=src_ip, dst=dst_ip) /
               UDP(sport=40000, dport=6081) / geneve_payload(case))
        sendp(pkt, iface=iface, count=COUNT)
        time.sleep(0.5)
        results.append({"case": case, "stats": stats()})
    print(json.dumps(results))


if __name__ == "__main__":
    main()
