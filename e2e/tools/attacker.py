#!/usr/bin/env python3
"""The lab's attacker: sends forged, replayed and flooded datagrams at RUT, from its own address
or from spoofed sources (raw IPv4 socket, needs root). It sniffs nothing: replays come from a
capture file made earlier, standing in for traffic recorded some other day.

attacker.py forge  --to IP:PORT --service NAME [--from own|random|IP:PORT] [--ids HEX,...]
                   [--types 1,3,4,7] [--count N] [--rate PPS]
attacker.py forge  --against FILE --service NAME [--count N] [--rate PPS]
                   (the real tunnels of a capture: forged messages both ways, sources spoofed)
attacker.py replay --pcap FILE [--mode original|own|random] [--repeat K] [--rate PPS]
attacker.py flood  --to IP:PORT [--src-net 10.201.0.0/16] [--count N] [--rate PPS]

Every run is bounded in count and in time (--max-seconds, default 30) and prints what it sent.
"""
import hashlib
import ipaddress
import os
import random
import socket
import struct
import sys
import time

MAGIC = b"RUT\x01"
SIZE = 88


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def packet(src, sport, dst, dport, payload):
    udp_len = 8 + len(payload)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 17, udp_len)
    udp = struct.pack("!HHHH", sport, dport, udp_len, 0) + payload
    csum = checksum(pseudo + udp) or 0xFFFF
    udp = struct.pack("!HHHH", sport, dport, udp_len, csum) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, random.getrandbits(16), 0, 64, 17, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return ip + udp


class Sender:
    def __init__(self, rate, max_seconds):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        self.rate = rate
        self.deadline = time.monotonic() + max_seconds
        self.start = time.monotonic()
        self.sent = 0
        self.bytes = 0

    def send(self, src, sport, dst, dport, payload):
        if time.monotonic() > self.deadline:
            return False
        p = packet(src, sport, dst, dport, payload)
        try:
            self.sock.sendto(p, (dst, 0))
        except OSError:
            pass
        self.sent += 1
        self.bytes += len(p)
        due = self.start + self.sent / self.rate
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        return True


def hostport(s):
    host, port = s.rsplit(":", 1)
    return host, int(port)


def own_ip(dst):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((dst, 9))
    ip = s.getsockname()[0]
    s.close()
    return ip


def random_source(net):
    n = ipaddress.ip_network(net)
    return str(n[random.randrange(1, n.num_addresses - 1)]), random.randrange(1024, 65536)


def forged(type_, service_id, tunnel_id):
    """A control message with every field plausible and a tag made up: it must never verify."""
    head = MAGIC + bytes([type_, 1 if type_ in (1, 3, 4) else 0, 0, 0])
    counter = (1 << 63) - 1 - random.getrandbits(20)  # huge: would lock out the real sender if believed
    body = bytearray(40)
    if type_ in (3, 4, 6):  # AUTH, KEEPALIVE, BIND: a client address of the attacker's choosing
        off = 16 if type_ == 3 else 0
        body[off] = 4
        body[off + 1:off + 5] = socket.inet_aton("10.200.4.2")
        body[off + 17:off + 19] = struct.pack("!H", 4444)
    if type_ == 7:
        body[0] = 2
    msg = head + service_id + struct.pack("!QQ", tunnel_id, counter) + bytes(body)
    return msg + os.urandom(16)


def read_pcap(path):
    """UDP-over-IPv4 packets of a classic pcap file (Ethernet or Linux cooked capture)."""
    out = []
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return out
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if linktype == 1:
            if len(frame) < 14 or frame[12:14] != b"\x08\x00":
                continue
            ip = frame[14:]
        elif linktype == 113:
            if len(frame) < 16 or frame[14:16] != b"\x08\x00":
                continue
            ip = frame[16:]
        elif linktype in (101, 228):
            ip = frame
        else:
            continue
        if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        ihl = (ip[0] & 15) * 4
        src, dst = socket.inet_ntoa(ip[12:16]), socket.inet_ntoa(ip[16:20])
        sport, dport, ulen = struct.unpack("!HHH", ip[ihl:ihl + 6])
        payload = ip[ihl + 8:ihl + ulen]
        out.append((src, sport, dst, dport, payload))
    return out


def main(argv):
    if len(argv) < 2 or argv[1] not in ("forge", "replay", "flood"):
        print(__doc__, file=sys.stderr)
        return 2
    cmd = argv[1]
    opts = {}
    i = 2
    while i < len(argv):
        opts[argv[i].lstrip("-")] = argv[i + 1]
        i += 2
    rate = float(opts.get("rate", 500))
    sender = Sender(rate, float(opts.get("max-seconds", 30)))
    kinds = {}

    def count(kind):
        kinds[kind] = kinds.get(kind, 0) + 1

    if cmd == "forge" and "against" in opts:
        service_id = hashlib.sha256(opts["service"].encode()).digest()[:8]
        tunnels = {}
        for src, sport, dst, dport, payload in read_pcap(opts["against"]):
            if len(payload) == SIZE and payload[:4] == MAGIC and payload[4] in (1, 3, 4):
                tunnels[(src, sport, dst, dport)] = struct.unpack("!Q", payload[16:24])[0]
        targets = sorted(tunnels.items())
        kinds["tunnels"] = len(targets)
        for n in range(int(opts.get("count", 100)) if targets else 0):
            (tsrc, tport, osrc, oport), tid = targets[n % len(targets)]
            if n % 2 == 0:  # as the inside, to the outside: AUTH, KEEPALIVE, CLOSE
                t = (3, 4, 7)[(n // 2) % 3]
                ok = sender.send(tsrc, tport, osrc, oport, forged(t, service_id, tid))
            else:  # as the outside, to the tunnel's NAT mapping: CHALLENGE, ACK, BIND, CLOSE, REJECT
                t = (2, 5, 6, 7, 8)[(n // 2) % 5]
                ok = sender.send(osrc, oport, tsrc, tport, forged(t, service_id, tid))
            if not ok:
                break
            count(f"type{t}")
    elif cmd == "forge":
        dst, dport = hostport(opts["to"])
        service_id = hashlib.sha256(opts["service"].encode()).digest()[:8]
        ids = [int(x, 16) for x in opts.get("ids", "").split(",") if x] or [random.getrandbits(63) | 1]
        types = [int(t) for t in opts.get("types", "1,3,4,7").split(",")]
        frm = opts.get("from", "own")
        me = own_ip(dst)
        for n in range(int(opts.get("count", 100))):
            t = types[n % len(types)]
            tid = ids[n % len(ids)]
            if frm == "own":
                src, sport = me, 40000 + (n % 16)
            elif frm == "random":
                src, sport = random_source(opts.get("src-net", "10.201.0.0/16"))
            else:
                src, sport = hostport(frm)
            if not sender.send(src, sport, dst, dport, forged(t, service_id, tid)):
                break
            count(f"type{t}")
    elif cmd == "replay":
        caps = [c for c in read_pcap(opts["pcap"]) if len(c[4]) == SIZE and c[4][:4] == MAGIC]
        mode = opts.get("mode", "original")
        repeat = int(opts.get("repeat", 1))
        me = None
        for _ in range(repeat):
            for src, sport, dst, dport, payload in caps:
                if mode == "own":
                    me = me or own_ip(dst)
                    src, sport = me, 40000 + payload[4]
                elif mode == "random":
                    src, sport = random_source(opts.get("src-net", "10.201.0.0/16"))
                if not sender.send(src, sport, dst, dport, payload):
                    break
                count(f"type{payload[4]}")
        kinds["captured"] = len(caps)
    else:
        dst, dport = hostport(opts["to"])
        net = opts.get("src-net", "10.201.0.0/16")
        for n in range(int(opts.get("count", 1000))):
            src, sport = random_source(net)
            k = n % 4
            if k == 0:
                payload, kind = os.urandom(random.randrange(1, 1400)), "junk"
            elif k == 1:
                payload, kind = MAGIC + os.urandom(SIZE - 4), "control-shaped"
            elif k == 2:
                payload, kind = b"\x01\0\0\0" + os.urandom(144), "wg-initiation-shaped"
            else:
                payload, kind = os.urandom(32), "small"
            if not sender.send(src, sport, dst, dport, payload):
                break
            count(kind)
    took = time.monotonic() - sender.start
    print(f"attacker {cmd}: sent={sender.sent} bytes={sender.bytes} seconds={took:.1f} "
          + " ".join(f"{k}={v}" for k, v in sorted(kinds.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
