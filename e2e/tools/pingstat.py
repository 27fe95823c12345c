#!/usr/bin/env python3
"""Reads the output of `ping -D -n -i INTERVAL ...` and prints figures as key=value.

pingstat.py FILE [--start T] [--event T [--until T]] [--interval S]
  sent, received, loss_pct      from ping's summary (or counted)
  first_reply                   seconds from --start to the first reply
  max_gap                       the longest silence between two consecutive replies (s)
  outage, recovery              with --event: the longest silence that spans or follows the event,
                                minus one interval (outage), and the time from the event to the
                                reply that ended it (recovery); 0 when no reply went missing;
                                --until: only silences that begin before T
"""
import re
import sys


def main(argv):
    path = argv[1]
    opts = {"--start": None, "--event": None, "--until": None, "--interval": "0.1"}
    i = 2
    while i < len(argv):
        opts[argv[i]] = argv[i + 1]
        i += 2
    interval = float(opts["--interval"])
    replies = []  # (arrival time, seq)
    sent = None
    with open(path, errors="replace") as f:
        for line in f:
            m = re.match(r"\[(\d+\.\d+)\] \d+ bytes from .*icmp_seq=(\d+)", line)
            if m:
                replies.append((float(m.group(1)), int(m.group(2))))
                continue
            m = re.match(r"(\d+) packets transmitted", line)
            if m:
                sent = int(m.group(1))
    # duplicates (DUP!) count once
    seen, uniq = set(), []
    for t, s in replies:
        if s not in seen:
            seen.add(s)
            uniq.append((t, s))
    replies = uniq
    if sent is None:
        sent = max((s for _, s in replies), default=0)
    out = {"sent": sent, "received": len(replies)}
    out["loss_pct"] = round(100.0 * (sent - len(replies)) / sent, 2) if sent else 100.0
    if opts["--start"] is not None and replies:
        out["first_reply"] = round(replies[0][0] - float(opts["--start"]), 3)
    gaps = [(replies[k + 1][0] - replies[k][0], replies[k][0], replies[k + 1][0]) for k in range(len(replies) - 1)]
    out["max_gap"] = round(max((g for g, _, _ in gaps), default=0.0), 3)
    if opts["--event"] is not None:
        ev = float(opts["--event"])
        until = float(opts["--until"]) if opts["--until"] is not None else float("inf")
        after = [g for g in gaps if g[2] >= ev and g[1] <= until]
        worst = max(after, default=None)
        if worst is None or worst[0] <= 2 * interval + 0.05:
            out["outage"] = 0.0
            out["recovery"] = 0.0
        else:
            out["outage"] = round(worst[0] - interval, 3)
            out["recovery"] = round(max(0.0, worst[2] - ev), 3)
        if not replies or replies[-1][0] < ev:
            out["outage"] = out["recovery"] = float("inf")
    print(" ".join(f"{k}={v}" for k, v in out.items()))


if __name__ == "__main__":
    main(sys.argv)
