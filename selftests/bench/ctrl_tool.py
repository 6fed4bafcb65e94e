#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Part 4 of the kvtep bench (ctrl.sh): OVSDB commit -> kernel entry.

One process per measurement, one OVSDB connection, and a check of the
kernel that costs no process start (every exec is tens of ms under TCG):

  ctrl_tool.py --db SOCK --ls NAME --ip LOCATOR_IP CHECK sync N PREFIX TIMEOUT
  ctrl_tool.py --db SOCK --ls NAME --ip LOCATOR_IP CHECK single K PREFIX TIMEOUT
  ctrl_tool.py --db SOCK --ls NAME --ip LOCATOR_IP clear [KEEP_MAC]

CHECK is --kvtep DEV (run inside DEV's netns: KVTEP_CMD_DEV_GET over
generic netlink, its fdb_count, polled every --poll-ms) or --ovs BRIDGE
(ovs-ofctl dump-flows BRIDGE table=1, "dl_dst=PREFIX" flows, polled every
--poll-ms: ovs-vtep programs about 4 MACs a second under TCG).

sync: one transaction inserts N Ucast_Macs_Remote rows (MACs PREFIX:xx:xx:xx, PREFIX 3 bytes)
  in LS NAME towards LOCATOR_IP; the clock starts once it has committed
  (its reply) and stops once the kernel holds all N. Prints
    done SECONDS commit=SECONDS
  or, when TIMEOUT seconds pass first,
    timeout ELAPSED GOT FIRST_T FIRST_GOT
  (GOT entries after ELAPSED s, the first seen FIRST_GOT at FIRST_T s:
  ctrl.sh projects the full time from that rate). commit= is the time
  from sending the transaction to its reply.
single: K transactions of one row each, the clock started before each is
  sent (so a one-row commit is counted), waiting for each entry before the
  next (and 20 ms more, so every change starts from an idle agent); prints
  "single I MS commit=MS" per change (the second: send to reply), or
  "single I timeout" if it never came.
clear: deletes every Ucast_Macs_Remote row of LS NAME (but KEEP_MAC).
"""
import argparse
import json
import os
import re
import select
import socket
import struct
import subprocess
import sys
import time

# --- OVSDB JSON-RPC ---------------------------------------------------------


class Ovsdb:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(path)
        self.buf = ""
        self.dec = json.JSONDecoder()
        self.next_id = 1

    def send(self, method, params):
        i = self.next_id
        self.next_id += 1
        self.s.sendall(json.dumps({"method": method, "params": params,
                                   "id": i}).encode())
        return i

    def _msg(self):
        while True:
            self.buf = self.buf.lstrip()
            if self.buf:
                try:
                    msg, end = self.dec.raw_decode(self.buf)
                    self.buf = self.buf[end:]
                    return msg
                except ValueError:
                    pass
            chunk = self.s.recv(1 << 20)
            if not chunk:
                raise EOFError("database closed the connection")
            self.buf += chunk.decode()

    def reply(self, i):
        while True:
            msg = self._msg()
            if msg.get("method") == "echo":
                self.s.sendall(json.dumps({"result": msg.get("params"), "error": None,
                                           "id": msg.get("id")}).encode())
                continue
            if msg.get("id") == i:
                if msg.get("error"):
                    raise RuntimeError("ovsdb: %s" % msg["error"])
                for r in msg.get("result") or []:
                    if r and "error" in r:
                        raise RuntimeError("ovsdb: %s" % r)
                return msg["result"]

    def transact(self, ops):
        return self.reply(self.send("transact", ["hardware_vtep"] + ops))


def uuid_of(db, table, where):
    rows = db.transact([{"op": "select", "table": table, "where": where,
                         "columns": ["_uuid"]}])[0]["rows"]
    return rows[0]["_uuid"][1] if rows else None


def macs(prefix, first, n):
    """PREFIX (three bytes, "02:c1:00") + a 3-byte counter."""
    return ["%s:%02x:%02x:%02x" % (prefix, (i >> 16) & 255, (i >> 8) & 255, i & 255)
            for i in range(first, first + n)]


def locator(db, ip):
    """["uuid", U] of the vxlan locator for IP, or a named-uuid + its insert."""
    u = uuid_of(db, "Physical_Locator", [["dst_ip", "==", ip],
                                         ["encapsulation_type", "==", "vxlan_over_ipv4"]])
    if u:
        return ["uuid", u], []
    return ["named-uuid", "loc"], [{"op": "insert", "table": "Physical_Locator",
                                    "uuid-name": "loc",
                                    "row": {"dst_ip": ip,
                                            "encapsulation_type": "vxlan_over_ipv4"}}]


# --- kernel checks ------------------------------------------------------------

NETLINK_GENERIC = 16
NLMSG_ERROR = 2
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2


def enum_index(header, enum, name):
    """Value of NAME in enum ENUM of the uapi header (counted, no '=')."""
    text = open(header).read()
    body = re.search(r"enum %s \{(.*?)\};" % enum, text, re.S).group(1)
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    names = [w.strip() for w in body.split(",") if w.strip()]
    return names.index(name)


def nla(typ, data):
    a = struct.pack("=HH", 4 + len(data), typ) + data
    return a + b"\0" * (-len(a) % 4)


def nla_parse(data):
    out, off = {}, 0
    while off + 4 <= len(data):
        ln, typ = struct.unpack_from("=HH", data, off)
        if ln < 4:
            break
        out[typ & 0x3fff] = data[off + 4:off + ln]
        off += (ln + 3) & ~3
    return out


class Genl:
    def __init__(self):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.s.bind((0, 0))
        self.seq = 0

    def request(self, fam, cmd, attrs):
        self.seq += 1
        payload = struct.pack("=BBH", cmd, 1, 0) + attrs
        self.s.send(struct.pack("=IHHII", 16 + len(payload), fam, 1, self.seq, 0) + payload)
        while True:
            data = self.s.recv(65536)
            ln, typ, _, seq, _ = struct.unpack_from("=IHHII", data, 0)
            if seq != self.seq:
                continue
            if typ == NLMSG_ERROR:
                err = struct.unpack_from("=i", data, 16)[0]
                raise OSError(-err, "netlink request failed")
            return nla_parse(data[20:ln])

    def family(self, name):
        a = self.request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                         nla(CTRL_ATTR_FAMILY_NAME, name.encode() + b"\0"))
        return struct.unpack("=H", a[CTRL_ATTR_FAMILY_ID][:2])[0]


class KvtepCount:
    """Entries of a kvtep device (KVTEP_A_FDB_COUNT of KVTEP_CMD_DEV_GET)."""

    def __init__(self, dev, header):
        self.nl = Genl()
        self.fam = self.nl.family("kvtep")
        self.cmd = enum_index(header, "kvtep_cmd", "KVTEP_CMD_DEV_GET")
        self.a_name = enum_index(header, "kvtep_attr", "KVTEP_A_IFNAME")
        self.a_count = enum_index(header, "kvtep_attr", "KVTEP_A_FDB_COUNT")
        self.req = nla(self.a_name, dev.encode() + b"\0")

    def count(self, prefix=None):
        a = self.nl.request(self.fam, self.cmd, self.req)
        return struct.unpack("=I", a[self.a_count][:4])[0]


class OvsCount:
    """dl_dst=PREFIX flows in table 1 of ovs-vtep's logical switch bridge."""

    def __init__(self, bridge):
        self.bridge = bridge

    def count(self, prefix):
        out = subprocess.run(["ovs-ofctl", "dump-flows", self.bridge, "table=1"],
                             capture_output=True, text=True).stdout
        return out.count("dl_dst=" + prefix)


# --- measurements -------------------------------------------------------------


def rows_ops(ls, loc, ms):
    return [{"op": "insert", "table": "Ucast_Macs_Remote",
             "row": {"MAC": m, "logical_switch": ["uuid", ls], "locator": loc}}
            for m in ms]


def do_sync(db, chk, ls, ip, n, prefix, timeout, poll):
    loc, pre = locator(db, ip)
    base = chk.count(prefix)
    ops = pre + rows_ops(ls, loc, macs(prefix, 0, n))
    msg = json.dumps({"method": "transact", "params": ["hardware_vtep"] + ops,
                      "id": 999999}).encode()
    first = None
    ts = time.monotonic()
    db.s.sendall(msg)
    db.reply(999999)
    # The clock starts when the transaction has committed (its reply): the
    # database's own commit time of N rows is not the agent's (it is the
    # same for both contenders, and under TCG it is many seconds at 100k).
    t0 = time.monotonic()
    tc = t0 - ts
    while True:
        got = chk.count(prefix) - base
        t = time.monotonic() - t0
        if got >= n:
            print("done %.4f commit=%.4f" % (t, tc))
            return
        if got > 0 and first is None:
            first = (t, got)
        if t > timeout:
            ft, fg = first or (t, 0)
            print("timeout %.3f %d %.3f %d" % (t, got, ft, fg))
            return
        time.sleep(poll)


def do_single(db, chk, ls, ip, k, prefix, timeout, poll):
    loc, pre = locator(db, ip)
    if pre:
        db.transact(pre)
        loc, pre = locator(db, ip)
    for i, m in enumerate(macs(prefix, 0, k)):
        base = chk.count(prefix)
        op = rows_ops(ls, loc, [m])
        t0 = time.monotonic()
        db.transact(op)
        tc = time.monotonic() - t0
        while chk.count(prefix) <= base:
            if time.monotonic() - t0 > timeout:
                print("single %d timeout" % (i + 1))
                break
            time.sleep(poll)
        else:
            print("single %d %.3f commit=%.3f" % (i + 1, (time.monotonic() - t0) * 1000,
                                                tc * 1000))
        sys.stdout.flush()
        time.sleep(0.02)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--db", required=True)
    p.add_argument("--ls", required=True)
    p.add_argument("--ip", required=True)
    p.add_argument("--kvtep")
    p.add_argument("--ovs")
    p.add_argument("--poll-ms", type=float, default=1.0)
    p.add_argument("--header", default=os.path.join(os.path.dirname(os.path.abspath(
        __file__)), "../../include/uapi/linux/kvtep.h"))
    p.add_argument("what")
    p.add_argument("args", nargs="*")
    o = p.parse_args()
    db = Ovsdb(o.db)
    ls = uuid_of(db, "Logical_Switch", [["name", "==", o.ls]])
    if not ls:
        sys.exit("no logical switch %s" % o.ls)
    if o.what == "clear":
        where = [["logical_switch", "==", ["uuid", ls]]]
        if o.args:
            where.append(["MAC", "!=", o.args[0]])
        db.transact([{"op": "delete", "table": "Ucast_Macs_Remote", "where": where}])
        return
    chk = KvtepCount(o.kvtep, o.header) if o.kvtep else OvsCount(o.ovs)
    n, prefix, timeout = int(o.args[0]), o.args[1], float(o.args[2])
    if o.what == "sync":
        do_sync(db, chk, ls, o.ip, n, prefix, timeout, o.poll_ms / 1000)
    elif o.what == "single":
        do_single(db, chk, ls, o.ip, n, prefix, timeout, o.poll_ms / 1000)
    else:
        sys.exit("unknown command %s" % o.what)


if __name__ == "__main__":
    main()
