#!/usr/bin/env bash
# RUT's benchmark in one command: builds udpbench (gcc) and the agents (mvn package), starts the
# echo service and an outside/inside pair on loopback, measures every point through the tunnel
# and, in the same run, directly against the echo service, then prints medians and ratios.
#
#   bench/run.sh          every point, REPS runs each (default 3; about 20 minutes)
#   bench/run.sh quick    a few points, one short run each (about 2 minutes), for smoke tests
#   bench/run.sh scale    the scale point only (about 4 minutes)
#
# Environment: REPS, DURATION (s per throughput/latency run), OUT_PORT (23222), ECHO_PORT (23820),
# SCALE_TUNNELS (10000), JAVA_OPTS (flags for both agents), SKIP_BUILD=1, OUT_DIR, JARS (a folder
# with outside.jar and inside.jar to measure instead of this tree's build, e.g. an older build),
# CDS (1: the first launch records a class data sharing archive per agent, measured as a launch
# without it; every later launch uses it, as docs/PERFORMANCE.md describes; 0: none).
# Results: bench/out/<date>/results.jsonl (one JSON line per run), summary.txt, agent logs.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE="${1:-full}"
case "$MODE" in
  full)
    SIZES="64 1400"; CLIENTS="1 16 200"; SETUP_N="16 200"
    REPS="${REPS:-3}"; DURATION="${DURATION:-5}"; SCALE_TUNNELS="${SCALE_TUNNELS:-10000}"; IDLE=25; HOLD=10 ;;
  quick)
    SIZES="64"; CLIENTS="16 200"; SETUP_N="200"
    REPS="${REPS:-1}"; DURATION="${DURATION:-2}"; SCALE_TUNNELS="${SCALE_TUNNELS:-1000}"; IDLE=5; HOLD=3 ;;
  scale)
    SIZES=""; CLIENTS=""; SETUP_N=""
    REPS="${REPS:-1}"; DURATION="${DURATION:-5}"; SCALE_TUNNELS="${SCALE_TUNNELS:-10000}"; IDLE=25; HOLD=10 ;;
  *) echo "usage: bench/run.sh [full|quick|scale]" >&2; exit 2 ;;
esac
OUT_PORT="${OUT_PORT:-23222}"
ECHO_PORT="${ECHO_PORT:-23820}"
JAVA_OPTS="${JAVA_OPTS:-}"
OUT="${OUT_DIR:-bench/out/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
RES="$OUT/results.jsonl"
UB=bench/target/udpbench
TUNNEL="127.0.0.1:$OUT_PORT"
DIRECT="127.0.0.1:$ECHO_PORT"

say() { echo "bench: $*" >&2; }

# ---- build -------------------------------------------------------------------------------------
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  say "building udpbench (gcc) and the agents (mvn package)"
  mkdir -p bench/target
  gcc -O2 -Wall -Wextra -o "$UB" bench/udpbench.c
  [ -n "${JARS:-}" ] || mvn -B -q -o package -DskipTests 2>/dev/null || mvn -B -q package -DskipTests
fi
OUTSIDE_JAR="${JARS:-outside-verticle/target}/outside.jar"
INSIDE_JAR="${JARS:-inside-verticle/target}/inside.jar"

# ---- machine, load -----------------------------------------------------------------------------
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "command: bench/run.sh $MODE (REPS=$REPS DURATION=$DURATION SCALE_TUNNELS=$SCALE_TUNNELS JAVA_OPTS='$JAVA_OPTS')"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)${JARS:+ (jars from $JARS)}"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "memory: $(grep MemTotal /proc/meminfo | awk '{printf "%.1f GiB", $2/1048576}')"
  echo "kernel: $(uname -sr)"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "open files: $(ulimit -Hn) (hard limit)"
} > "$OUT/machine.txt"
load() { echo "$(date +%T) $1 $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/load.txt"; }

# ---- processes -----------------------------------------------------------------------------------
ulimit -n "$(ulimit -Hn)"
pids=()
ECHO_PID=""; OUT_PID=""; IN_PID=""
stop_pid() {  # TERM, then KILL after 15 s; only our own PIDs
  local p="$1"
  [ -n "$p" ] || return 0
  kill -TERM "$p" 2>/dev/null || return 0
  for _ in $(seq 150); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
}
cleanup() {
  for p in "${pids[@]}"; do stop_pid "$p"; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Config files for this run: the ports, and an inside maxTunnels for the scale point that fits
# in the open-files limit (an inside agent holds two sockets per tunnel).
FD_MAX=$(ulimit -Hn)
FIT=$(( (FD_MAX - 400) / 2 - 50 ))
if [ "$SCALE_TUNNELS" -gt "$FIT" ]; then
  say "open files are limited to $FD_MAX here, and an inside agent holds 2 sockets per tunnel:"
  say "the scale point holds $(( FIT / 100 * 100 )) tunnels instead of $SCALE_TUNNELS"
  SCALE_TUNNELS=$(( FIT / 100 * 100 ))
fi
conf() { sed -e "s/23222/$OUT_PORT/g" -e "s/23820/$ECHO_PORT/g" "bench/conf/$1" > "$OUT/$1"; }
conf outside.json
conf inside.json
conf inside-scale.json
sed -i -e "s/\"maxTunnels\": 10050/\"maxTunnels\": $(( SCALE_TUNNELS + 50 ))/" "$OUT/inside-scale.json"

start_echo() {
  "$UB" echo --listen "$DIRECT" 2>>"$OUT/echo.log" & ECHO_PID=$!; pids+=("$ECHO_PID")
  sleep 0.3
  kill -0 "$ECHO_PID" 2>/dev/null || { say "echo service failed: $(tail -1 "$OUT/echo.log")"; exit 1; }
}

# Starts both agents at once and measures from `java -jar` to the first client echo.
# CDS_OUT / CDS_IN: class data sharing flags of each agent; LAUNCH: the label of the measurement.
CDS_OUT=""; CDS_IN=""; LAUNCH="tunnel"
start_pair() {
  local inside_conf="$1" t0
  STARTED_OUT=$(started outside); STARTED_IN=$(started inside)
  t0=$(date +%s%N)
  # Standard output too: recording an archive prints hundreds of warnings about classes it skips.
  java $JAVA_OPTS $CDS_OUT -jar "$OUTSIDE_JAR" -conf "$OUT/outside.json" >>"$OUT/outside.log" 2>&1 &
  OUT_PID=$!; pids+=("$OUT_PID")
  java $JAVA_OPTS $CDS_IN -jar "$INSIDE_JAR" -conf "$OUT/$inside_conf" >>"$OUT/inside.log" 2>&1 &
  IN_PID=$!; pids+=("$IN_PID")
  if ! "$UB" first --target "$TUNNEL" --t0 "$t0" --src_base 59000 --deadline 30 --path "$LAUNCH" \
      --out "$RES" >/dev/null; then
    say "no echo through the tunnel within 30 s; see $OUT/outside.log and $OUT/inside.log"
    tail -3 "$OUT/outside.log" "$OUT/inside.log" >&2
    exit 1
  fi
}
stop_pair() { stop_pid "$OUT_PID"; stop_pid "$IN_PID"; OUT_PID=""; IN_PID=""; }

# Waits until both agents of the pair just started have logged `event=started` (each logs it once
# all its services run). The logs are appended to across starts, so it counts the lines.
started() { local n; n=$(grep -c 'event=started' "$OUT/$1.log" 2>/dev/null); echo "${n:-0}"; }
await_started() {
  local i
  for i in $(seq 1 300); do
    if [ "$(started outside)" -gt "$STARTED_OUT" ] && [ "$(started inside)" -gt "$STARTED_IN" ]; then
      return 0
    fi
    sleep 0.1
  done
  say "the agents did not both log event=started within 30 s; see $OUT/outside.log and $OUT/inside.log"
  exit 1
}

run() {  # run KIND PATH ARGS...: one measured run, appended to results.jsonl
  local kind="$1" path="$2"; shift 2
  local to="$TUNNEL"; [ "$path" = direct ] && to="$DIRECT"
  load "$kind $path $*"
  "$UB" "$kind" --target "$to" --path "$path" --rep "$rep" --out "$RES" "$@" \
    | sed -e 's/.*"point":"\([^"]*\)".*"path":"\([^"]*\)".*/  \1 \2 done/' >&2
}

# ---- the points --------------------------------------------------------------------------------
say "results in $OUT"
load start
start_echo
rep=0
if [ "${CDS:-1}" = 1 ]; then
  say "recording class data sharing archives (a launch without them, then a little traffic)"
  CDS_OUT="-XX:ArchiveClassesAtExit=$OUT/outside.jsa"; CDS_IN="-XX:ArchiveClassesAtExit=$OUT/inside.jsa"
  LAUNCH="tunnel-nocds"
  start_pair inside.json
  await_started
  "$UB" tput --target "$TUNNEL" --clients 16 --size 1400 --warmup 0 --duration 1 >/dev/null
  stop_pair  # the archives are written as the agents exit
  CDS_OUT="-XX:SharedArchiveFile=$OUT/outside.jsa"; CDS_IN="-XX:SharedArchiveFile=$OUT/inside.jsa"
  LAUNCH="tunnel"
fi
say "starting the pair"
start_pair inside.json
await_started
if [ -n "$SIZES" ]; then
  say "warming up the tunnel (JIT), not measured"
  "$UB" tput --target "$TUNNEL" --clients 16 --size 1400 --warmup 0 --duration 5 >/dev/null
fi

for rep in $( [ -n "$SIZES" ] && seq "$REPS"); do
  for size in $SIZES; do
    for c in $CLIENTS; do
      say "run $rep/$REPS: throughput ${size}B ${c} clients"
      run tput direct --clients "$c" --size "$size" --duration "$DURATION"
      run tput tunnel --clients "$c" --size "$size" --duration "$DURATION" --pids "$OUT_PID,$IN_PID"
    done
  done
  for size in $SIZES; do
    for c in $CLIENTS; do
      say "run $rep/$REPS: latency at 2000/s ${size}B ${c} clients"
      run lat direct --clients "$c" --size "$size" --duration "$DURATION" --rate 2000
      run lat tunnel --clients "$c" --size "$size" --duration "$DURATION" --rate 2000
    done
  done
done

for rep in $( [ -n "$SETUP_N" ] && seq "$REPS"); do
  for n in $SETUP_N; do
    say "run $rep/$REPS: set-up of $n clients on a freshly started pair"
    stop_pair
    start_pair inside.json
    await_started
    sleep 1  # the pool of spares refills after the first client
    run setup tunnel --clients "$n" --src_base 0
    run setup direct --clients "$n" --src_base 0
    sleep 2
    # New clients again (sources of their own): the pair's pool of spares has grown meanwhile.
    run setup tunnel-warm --clients "$n" --src_base 1000
  done
done

say "scale: $SCALE_TUNNELS tunnels on a freshly started pair (idle CPU over $IDLE s)"
stop_pair
start_pair inside-scale.json
await_started
sleep 2
rep=1
run scale tunnel --clients "$SCALE_TUNNELS" --window 200 --retrans 1 --deadline 120 --hold "$HOLD" \
  --interval 5 --idle "$IDLE" --pids "$OUT_PID,$IN_PID"
stop_pair
load end

"$UB" report "$RES" | tee "$OUT/summary.txt"
{ echo; echo "load (1/5/15 min) during the run:"; cat "$OUT/load.txt"; } >> "$OUT/summary.txt"
say "load average at start and end: $(sed -n '1p;$p' "$OUT/load.txt" | awk '{print $(NF-2)}' | paste -sd' ')"
say "results: $RES; summary: $OUT/summary.txt; machine: $OUT/machine.txt"
