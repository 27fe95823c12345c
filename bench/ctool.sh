#!/usr/bin/env bash
# Measures RUT against the C tool it replaces (`udp-tunnel` 1.3, built from its own source by the
# user) in the same run, on loopback: both pairs side by side in front of one echo service, runs
# alternating RUT, C tool, direct so that whatever else the machine does falls on all alike.
# Points: 200 clients at once on freshly started pairs; throughput (round trips per second,
# loss, the agents' CPU time per round trip, in all and per agent: outside/inside); latency at
# 2,000 datagrams/s; a bulk point (one client, 1,400 B, 64 in flight, sent and read with GSO/GRO
# as wireguard-go and QUIC stacks do, the echo answering the same way) with each agent's CPU per
# relayed datagram (a round trip is two). Prints medians and each path's ratio to direct.
#
#   bench/ctool.sh PATH_TO_UDP_TUNNEL
#
# Environment: RUNS (3), DURATION (4 s), POINTS ("64:16 1400:16 64:200 1400:200", size:clients),
# BULK ("1400:1:64", size:clients:window; empty for none),
# JARS (a folder with outside.jar and inside.jar; default this tree's build), RUT_JAVA_OPTS (the
# agents' JVM options; default those of the shipped systemd units, what users run), CTOOL_PREFIX and
# RUT_PREFIX (a command that starts the C tool's processes or RUT's agents, e.g. "chrt -b 0" for
# Linux's SCHED_BATCH policy; see docs/PERFORMANCE.md; none by default), AWAKE (1: keep every core
# awake during the measured points with one busy loop per core at nice 19, which yields to every
# other task, to see what waking halted virtual CPUs costs each path; see bench/awake.sh).
# Sends only to 127.0.0.1; stops only the processes it started, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 1 ] && [ -x "$1" ] || { echo "usage: bench/ctool.sh PATH_TO_UDP_TUNNEL (an executable)" >&2; exit 2; }
CTOOL="$1"
RUNS="${RUNS:-3}"; DURATION="${DURATION:-4}"; POINTS="${POINTS:-64:16 1400:16 64:200 1400:200}"
BULK="${BULK-1400:1:64}"
OUT="$(mktemp -d /tmp/rut-ctool.XXXXXX)"
RES="$OUT/results.jsonl"
UB=bench/target/udpbench
mkdir -p bench/target
gcc -O2 -Wall -Wextra -o "$UB" bench/udpbench.c
if [ -z "${JARS:-}" ]; then
  mvn -B -q -o package -DskipTests 2>/dev/null || mvn -B -q package -DskipTests
fi
UNIT_OPTS=$(sed -n 's/^Environment="JAVA_OPTS=\(.*\)"$/\1/p' conf/systemd/rut-outside.service)
[ -n "$UNIT_OPTS" ] || { echo "ctool: no JAVA_OPTS in conf/systemd/rut-outside.service" >&2; exit 1; }
RUT_JAVA_OPTS="${RUT_JAVA_OPTS-$UNIT_OPTS}"
OUTSIDE_JAR="${JARS:-outside-verticle/target}/outside.jar"
INSIDE_JAR="${JARS:-inside-verticle/target}/inside.jar"

pids=()
stop_pid() {
  local p="$1"
  kill -TERM "$p" 2>/dev/null || return 0
  for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$p" 2>/dev/null || true
}
cleanup() { for p in "${pids[@]}"; do stop_pid "$p"; done; }
trap cleanup EXIT
trap 'exit 130' INT TERM

ECHO=127.0.0.1:26820
declare -A TARGET=([rut]=127.0.0.1:26222 [c]=127.0.0.1:26322 [direct]=$ECHO) PIDS=()
SECRET="bench-$(date +%s)"
"$UB" echo --listen "$ECHO" 2>>"$OUT/echo.log" & pids+=($!)
for f in outside.json inside.json; do
  sed -e "s/23222/26222/g" -e "s/23820/26820/g" "bench/conf/$f" > "$OUT/$f"
done

# Lines with `event=started` in a RUT agent's log: each agent logs one once all its services run.
started() { local n; n=$(grep -c 'event=started' "$OUT/rut-$1.log" 2>/dev/null); echo "${n:-0}"; }

# start_pair rut|c: starts that pair and waits for its first echo; for RUT, also until both agents
# have logged event=started.
start_pair() {
  local who="$1" o i before_o before_i k
  before_o=$(started outside); before_i=$(started inside)
  if [ "$who" = rut ]; then
    # shellcheck disable=SC2086 # options are words
    ${RUT_PREFIX:-} java $RUT_JAVA_OPTS -jar "$OUTSIDE_JAR" -conf "$OUT/outside.json" >>"$OUT/rut-outside.log" 2>&1 & o=$!
    # shellcheck disable=SC2086
    ${RUT_PREFIX:-} java $RUT_JAVA_OPTS -jar "$INSIDE_JAR" -conf "$OUT/inside.json" >>"$OUT/rut-inside.log" 2>&1 & i=$!
  else
    ${CTOOL_PREFIX:-} "$CTOOL" -l 26322 -k "$SECRET" >>"$OUT/c-outside.log" 2>&1 & o=$!
    ${CTOOL_PREFIX:-} "$CTOOL" -o 127.0.0.1:26322 -s "$ECHO" -k "$SECRET" >>"$OUT/c-inside.log" 2>&1 & i=$!
  fi
  pids+=("$o" "$i")
  PIDS[$who]="$o,$i"
  "$UB" first --target "${TARGET[$who]}" --t0 "$(date +%s%N)" --src_base 59200 --deadline 30 >/dev/null \
    || { echo "ctool: no echo through the $who pair within 30 s; logs in $OUT" >&2; exit 1; }
  if [ "$who" = rut ]; then
    for k in $(seq 300); do
      [ "$(started outside)" -gt "$before_o" ] && [ "$(started inside)" -gt "$before_i" ] && return 0
      sleep 0.1
    done
    echo "ctool: RUT's agents did not both log event=started within 30 s; logs in $OUT" >&2; exit 1
  fi
}
stop_pair() { local p; for p in ${PIDS[$1]//,/ }; do stop_pid "$p"; done; }

run() {  # run KIND WHO ARGS...: one measured run, appended to results.jsonl
  local kind="$1" who="$2"; shift 2
  local pids_arg=(); [ "$who" != direct ] && pids_arg=(--pids "${PIDS[$who]}")
  echo "ctool: $kind $who $*" >&2
  "$UB" "$kind" --target "${TARGET[$who]}" --path "$who" --rep "$rep" --out "$RES" "${pids_arg[@]}" "$@" >/dev/null
}

# 200 clients at once on a freshly started pair (1 s after it is ready), each pair in turn.
for rep in $(seq "$RUNS"); do
  for who in rut c; do
    start_pair "$who"; sleep 1
    run setup "$who" --clients 200
    stop_pair "$who"
  done
  run setup direct --clients 200
done

for who in rut c; do
  start_pair "$who"
  "$UB" tput --target "${TARGET[$who]}" --clients 16 --size 1400 --warmup 0 --duration 5 >/dev/null  # JIT warm-up
done
if [ "${AWAKE:-0}" = 1 ]; then
  for _ in $(seq "$(nproc)"); do nice -n 19 timeout 3600 sh -c 'while :; do :; done' & pids+=($!); done
fi
# Each point in turn, its runs alternating the paths' order; fewest clients first: after 200
# clients at once the C tool answers no one until its tunnels expire, which would spoil the
# points after it.
points_by_clients() { local p; for p in $POINTS $BULK; do IFS=: read -r _ c _ <<<"$p"; echo "$c $p"; done | sort -n -s -k1,1 | cut -d' ' -f2; }
for p in $(points_by_clients); do
  IFS=: read -r size clients window <<<"$p"
  shape=(); [ -n "$window" ] && shape=(--window "$window" --gso 1)
  for rep in $(seq "$RUNS"); do
    order="rut c direct"; [ $((rep % 2)) = 0 ] && order="direct c rut"
    for who in $order; do run tput "$who" --size "$size" --clients "$clients" "${shape[@]}" --duration "$DURATION"; done
  done
  [ -n "$window" ] && continue
  for rep in $(seq "$RUNS"); do
    order="rut c direct"; [ $((rep % 2)) = 0 ] && order="direct c rut"
    for who in $order; do run lat "$who" --size "$size" --clients "$clients" --duration "$DURATION" --rate 2000; done
  done
done

python3 - "$RES" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
def med(kind, point, path, f):
    v = [f(r) for r in rows if r["kind"] == kind and r["point"] == point and r["path"] == path]
    return statistics.median(v) if v else float("nan")
def cpu(r):
    return sum(v for k, v in r.items() if k.endswith("_cpu_us_per_rt"))
points = lambda kind: list(dict.fromkeys(r["point"] for r in rows if r["kind"] == kind))
n = max(r["rep"] for r in rows)
print(f"Throughput, round trips per second (medians of {n} runs); ratio = path/direct")
print(f"{'point':<12}{'direct':>9}{'RUT':>9}{'ratio':>8}{'C tool':>9}{'ratio':>8}{'RUT/C':>9}"
      f"{'RUT lost':>10}{'C lost':>9}{'CPU us/rt RUT':>15}{'C':>7}{'RUT out/in':>13}{'C out/in':>12}")
for p in points("tput"):
    d, r, c = (med("tput", p, w, lambda x: x["rt_per_s"]) for w in ("direct", "rut", "c"))
    lr, lc = (med("tput", p, w, lambda x: x["lost"]) for w in ("rut", "c"))
    cr, cc = (med("tput", p, w, cpu) for w in ("rut", "c"))
    split = lambda w: "/".join(f"{med('tput', p, w, lambda x: x.get(a + '_cpu_us_per_rt', float('nan'))):.1f}"
                               for a in ("out", "in"))
    print(f"{p:<12}{d:>9.0f}{r:>9.0f}{r/d:>8.3f}{c:>9.0f}{c/d:>8.4f}{r/c:>9.2f}{lr:>10.0f}{lc:>9.0f}{cr:>15.1f}{cc:>7.1f}"
          f"{split('rut'):>13}{split('c'):>12}")
bulk = [p for p in points("tput") if p.endswith("gso")]
if bulk:
    print("\nBulk (GSO/GRO): agents' CPU per relayed datagram in microseconds, outside + inside")
    for p in bulk:
        per_dg = lambda w, a: med("tput", p, w, lambda x: x.get(a + "_cpu_us_per_rt", float("nan")) / 2)
        for w in ("rut", "c"):
            o, i = per_dg(w, "out"), per_dg(w, "in")
            print(f"{p:<16}{w:<6}{o:>7.2f} + {i:.2f} = {o + i:.2f} us per datagram")
print("\nLatency at 2,000 datagrams/s, round trip p50/p99 in microseconds, added = path - direct")
print(f"{'point':<12}{'direct':>12}{'RUT':>12}{'C tool':>12}{'RUT added':>12}{'C added':>12}")
for p in points("lat"):
    q = {w: (med("lat", p, w, lambda x: x["p50_us"]), med("lat", p, w, lambda x: x["p99_us"]))
         for w in ("direct", "rut", "c")}
    f = lambda t: f"{t[0]:.0f}/{t[1]:.0f}"
    add = lambda w: (q[w][0] - q["direct"][0], q[w][1] - q["direct"][1])
    print(f"{p:<12}{f(q['direct']):>12}{f(q['rut']):>12}{f(q['c']):>12}{f(add('rut')):>12}{f(add('c')):>12}")
print("\n200 clients at once on a freshly started pair: all served (ms), first datagrams lost")
for p in points("setup"):
    for w in ("rut", "c", "direct"):
        print(f"{p:<12}{w:<8}{med('setup', p, w, lambda x: x['all_served_ms']):>10.1f} ms"
              f"{med('setup', p, w, lambda x: x['first_lost']):>8.0f} lost")
EOF
echo "ctool: RUT's JVM options: ${RUT_JAVA_OPTS:-none}" >&2
[ "${AWAKE:-0}" = 1 ] && echo "ctool: cores kept awake by a nice-19 busy loop each during the points" >&2
echo "ctool: raw results and logs in $OUT" >&2
