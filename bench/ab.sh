#!/usr/bin/env bash
# Compares two builds of RUT on throughput, fairly on a shared machine: both pairs run side by
# side (A on one port, B on another, one echo service), and their runs alternate A, B, B, A...
# so that whatever else the machine does falls on both alike. Prints medians of round trips per
# second and of the agents' CPU time per round trip, and B/A. On a noisy machine, compare a
# build with itself first: here such an A/A run gave B/A 0.91-0.93 with RUNS=4, so smaller
# differences than that are noise.
#
#   bench/ab.sh JARS_A JARS_B     each a folder holding outside.jar and inside.jar
#
# Environment: RUNS (5), DURATION (4 s), POINTS ("64:16 1400:200", size:clients, or
# size:clients:window:gso for a bulk point sent and read with GSO/GRO, e.g. 1400:1:64:gso),
# JAVA_OPTS_A / JAVA_OPTS_B (JVM options of each build's agents, to compare flags on one build),
# INSIDE_OPTS_A / INSIDE_OPTS_B (more options for the inside agent alone),
# PREFIX_A / PREFIX_B (a command that starts each build's agents, e.g. "chrt -b 0"),
# DATA_PATH_A / DATA_PATH_B (a JSON object put in both agents' configurations as "dataPath", e.g.
# '{"gro": false}', to compare the batching settings of one build),
# KIND (tput, or lat: round-trip latency at 2,000 datagrams/s instead, medians of p50 and p99).
# Sends only to 127.0.0.1; stops only the processes it started, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { echo "usage: bench/ab.sh JARS_A JARS_B" >&2; exit 2; }
A="$1"; B="$2"
RUNS="${RUNS:-5}"; DURATION="${DURATION:-4}"; POINTS="${POINTS:-64:16 1400:200}"; KIND="${KIND:-tput}"
[[ "$KIND" == tput || "$KIND" == lat ]] || { echo "ab: KIND is tput or lat" >&2; exit 2; }
OUT="$(mktemp -d /tmp/rut-ab.XXXXXX)"
UB=bench/target/udpbench
mkdir -p bench/target
gcc -O2 -Wall -Wextra -o "$UB" bench/udpbench.c

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ECHO=127.0.0.1:25820
"$UB" echo --listen "$ECHO" 2>>"$OUT/echo.log" & pids+=($!)
declare -A PORT=([A]=25222 [B]=25322) PIDS=()
for who in A B; do
  jars="$A"; opts="${JAVA_OPTS_A:-}"; in_opts="${INSIDE_OPTS_A:-}"; prefix="${PREFIX_A:-}"
  [ "$who" = B ] && { jars="$B"; opts="${JAVA_OPTS_B:-}"; in_opts="${INSIDE_OPTS_B:-}"; prefix="${PREFIX_B:-}"; }
  dp="${DATA_PATH_A:-}"; [ "$who" = B ] && dp="${DATA_PATH_B:-}"
  for f in outside.json inside.json; do
    sed -e "s/23222/${PORT[$who]}/g" -e "s/23820/25820/g" "bench/conf/$f" > "$OUT/$who-$f"
    if [ -n "$dp" ]; then
      python3 - "$OUT/$who-$f" "$dp" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["dataPath"] = json.loads(sys.argv[2])
json.dump(c, open(sys.argv[1], "w"))
PY
    fi
  done
  # shellcheck disable=SC2086 # options are words
  $prefix java $opts -jar "$jars/outside.jar" -conf "$OUT/$who-outside.json" 2>>"$OUT/$who-outside.log" & o=$!; pids+=("$o")
  # shellcheck disable=SC2086
  $prefix java $opts $in_opts -jar "$jars/inside.jar" -conf "$OUT/$who-inside.json" 2>>"$OUT/$who-inside.log" & i=$!; pids+=("$i")
  PIDS[$who]="$o,$i"
  "$UB" first --target "127.0.0.1:${PORT[$who]}" --t0 "$(date +%s%N)" --src_base $([ "$who" = A ] && echo 59000 || echo 59100) \
    --deadline 30 --out "$OUT/first.jsonl" >/dev/null
  # JIT warm-up, not measured.
  "$UB" tput --target "127.0.0.1:${PORT[$who]}" --clients 16 --size 1400 --warmup 0 --duration 5 >/dev/null
done

# Which build runs first flips every run.
for run in $(seq "$RUNS"); do
  order="A B"; [ $((run % 2)) = 0 ] && order="B A"
  for p in $POINTS; do
    IFS=: read -r size clients window gso <<<"$p"
    shape=(); [ -n "$window" ] && shape+=(--window "$window"); [ "$gso" = gso ] && shape+=(--gso 1)
    for who in $order; do
      echo "ab: run $run/$RUNS $size B $clients clients ${window:+window $window }${gso}, build $who" >&2
      measure=(--pids "${PIDS[$who]}"); [ "$KIND" = lat ] && measure=(--rate 2000)
      "$UB" "$KIND" --target "127.0.0.1:${PORT[$who]}" --path "$who" --rep "$run" --size "$size" \
        --clients "$clients" "${shape[@]}" --duration "$DURATION" "${measure[@]}" --out "$OUT/results.jsonl" >/dev/null
    done
  done
done

python3 - "$OUT/results.jsonl" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
if "p50_us" in rows[0]:
    med = lambda who, point, k: statistics.median(r[k] for r in rows if r["point"] == point and r["path"] == who)
    print(f"{'point':<12}{'A p50 us':>10}{'B p50 us':>10}{'B/A':>7}{'A p99 us':>10}{'B p99 us':>10}{'B/A':>7}")
    for point in dict.fromkeys(r["point"] for r in rows):
        a50, b50, a99, b99 = med("A", point, "p50_us"), med("B", point, "p50_us"), med("A", point, "p99_us"), med("B", point, "p99_us")
        print(f"{point:<12}{a50:>10.0f}{b50:>10.0f}{b50/a50:>7.2f}{a99:>10.0f}{b99:>10.0f}{b99/a99:>7.2f}")
    sys.exit(0)
print(f"{'point':<12}{'A rt/s':>10}{'B rt/s':>10}{'B/A':>7}{'A CPU us/rt':>13}{'B CPU us/rt':>13}{'B/A':>7}")
for point in dict.fromkeys(r["point"] for r in rows):
    m = {}
    for who in "AB":
        rs = [r for r in rows if r["point"] == point and r["path"] == who]
        cpu = [sum(v for k, v in r.items() if k.endswith("_cpu_us_per_rt")) for r in rs]
        m[who] = (statistics.median(r["rt_per_s"] for r in rs), statistics.median(cpu), len(rs))
    (ra, ca, n), (rb, cb, _) = m["A"], m["B"]
    print(f"{point:<12}{ra:>10.0f}{rb:>10.0f}{rb/ra:>7.2f}{ca:>13.1f}{cb:>13.1f}{cb/ca:>7.2f}   ({n} runs each)")
EOF
echo "ab: raw results in $OUT/results.jsonl" >&2
