#!/usr/bin/env bash
# Latency at 2,000 datagrams/s with the CPUs left to idle as usual, and with them kept awake by
# one lowest-priority busy loop per core (nice 19: it yields to every other task). On a VM an idle
# virtual CPU is halted, and waking it again costs tens of microseconds; a tunnel wakes the agents
# four times per round trip, the direct path wakes the echo once. Runs alternate, ROUNDS each.
#
#   bench/awake.sh            (after a build: uses outside-verticle/target and inside-verticle/target)
#
# Environment: ROUNDS (3), DURATION (4 s), CLIENTS (16), SIZE (64). Sends only to 127.0.0.1;
# stops only the processes it started, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${ROUNDS:-3}"; DURATION="${DURATION:-4}"; CLIENTS="${CLIENTS:-16}"; SIZE="${SIZE:-64}"
OUT="$(mktemp -d /tmp/rut-awake.XXXXXX)"
UB=bench/target/udpbench
mkdir -p bench/target
gcc -O2 -Wall -Wextra -o "$UB" bench/udpbench.c

pids=(); spinners=()
stop() { for p in "$@"; do kill -TERM "$p" 2>/dev/null || true; done; for p in "$@"; do wait "$p" 2>/dev/null || true; done; }
cleanup() { stop "${spinners[@]}" "${pids[@]}"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

for f in outside.json inside.json; do
  sed -e "s/23222/28222/g" -e "s/23820/28820/g" "bench/conf/$f" > "$OUT/$f"
done
"$UB" echo --listen 127.0.0.1:28820 2>>"$OUT/echo.log" & pids+=($!)
java -jar outside-verticle/target/outside.jar -conf "$OUT/outside.json" >>"$OUT/outside.log" 2>&1 & pids+=($!)
java -jar inside-verticle/target/inside.jar -conf "$OUT/inside.json" >>"$OUT/inside.log" 2>&1 & pids+=($!)
"$UB" first --target 127.0.0.1:28222 --t0 "$(date +%s%N)" --src_base 59200 --deadline 30 --out /dev/null >/dev/null
"$UB" tput --target 127.0.0.1:28222 --clients "$CLIENTS" --size 1400 --warmup 0 --duration 5 >/dev/null  # JIT

for round in $(seq "$ROUNDS"); do
  for cpus in idle awake; do
    if [ "$cpus" = awake ]; then
      for _ in $(seq "$(nproc)"); do nice -n 19 timeout "$(( 2 * DURATION + 30 ))" sh -c 'while :; do :; done' & spinners+=($!); done
      sleep 0.5
    fi
    for path in tunnel direct; do
      to=127.0.0.1:28222; [ "$path" = direct ] && to=127.0.0.1:28820
      echo "awake: round $round/$ROUNDS, CPUs $cpus, $path" >&2
      "$UB" lat --target "$to" --path "$path-$cpus" --rep "$round" --clients "$CLIENTS" --size "$SIZE" \
        --duration "$DURATION" --rate 2000 --out "$OUT/results.jsonl" >/dev/null
    done
    stop "${spinners[@]}"; spinners=()
  done
done

python3 - "$OUT/results.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
def med(path, key):
    return statistics.median(r[key] for r in rows if r["path"] == path)
print(f"{'CPUs':<8}{'direct p50/p99':>18}{'tunnel p50/p99':>18}{'added p50':>11}{'added p99':>11}   (us, medians of runs)")
for cpus in ("idle", "awake"):
    d50, d99, t50, t99 = (med(f"{p}-{cpus}", k) for p in ("direct", "tunnel") for k in ("p50_us", "p99_us"))
    print(f"{cpus:<8}{d50:>9.0f}/{d99:<8.0f}{t50:>9.0f}/{t99:<8.0f}{t50 - d50:>11.0f}{t99 - d99:>11.0f}")
PY
echo "awake: raw results in $OUT/results.jsonl" >&2
