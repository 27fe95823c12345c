#!/usr/bin/env bash
# Resident memory (VmRSS from /proc/PID/status) of both agents, for one or more sets of JVM flags:
# at idle, IDLE seconds after start with the default 2 spares, and holding TUNNELS registered
# tunnels (the inside with spares = TUNNELS, a fresh pair). Each set of flags is one argument,
# LABEL=FLAGS; the runs of one set follow each other, the sets run one after the other. Words of
# FLAGS such as MALLOC_ARENA_MAX=2 (upper case, before the first flag) go to the environment; %a
# in FLAGS stands for the agent (outside, inside), e.g. -XX:SharedArchiveFile=cds/%a.jsa.
#
#   bench/memory.sh 'defaults=' 'serial=-XX:+UseSerialGC' 'heap=-XX:+UseSerialGC -Xmx32m'
#
# Environment: JARS (a folder with outside.jar and inside.jar; default this tree's build, built
# if missing), TUNNELS (1000), IDLE (60 s: when the idle figure is read, and the earliest the
# figure with tunnels is read), SETTLE (30 s: how long the tunnels are held before it is read),
# REPS (1: runs of each set), SECRET (a base64 key by default; a passphrase measures Argon2id's
# 64 MiB as well), OUT_DIR (bench/out/memory-DATE), OUT_PORT, STATUS_PORT (24222, 24100).
#
# The agents run without a status endpoint while measured (Vert.x's meters would count too). Once
# the figure with tunnels is read, the outside is given one by a reload, and its /health says how
# many tunnels it holds: that count is in the table. No echo service is needed: tunnels register
# with the outside without sending to the service. Sends only to 127.0.0.1; stops only the
# processes it started, by PID; every wait is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: bench/memory.sh LABEL=FLAGS ..." >&2; exit 2; }
TUNNELS="${TUNNELS:-1000}"; IDLE="${IDLE:-60}"; SETTLE="${SETTLE:-30}"; REPS="${REPS:-1}"
OUT_PORT="${OUT_PORT:-24222}"; STATUS_PORT="${STATUS_PORT:-24100}"
SECRET="${SECRET:-base64:82Ual4wpCWNElIRmyxumy5OW9jOOlkHAViPtx3EF6R8=}"
OUT="${OUT_DIR:-bench/out/memory-$(date -u +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
if [ -z "${JARS:-}" ]; then
  JARS="$OUT/jars"; mkdir -p "$JARS"
  [ -f outside-verticle/target/outside.jar ] || mvn -B -q -o package -DskipTests || mvn -B -q package -DskipTests
  cp outside-verticle/target/outside.jar inside-verticle/target/inside.jar "$JARS/"
fi
nofile=$(ulimit -Hn)
[ "$nofile" = unlimited ] || [ "$nofile" -ge $((2 * TUNNELS + 500)) ] || {
  echo "memory: the open-files limit ($nofile) is below 2 x $TUNNELS + 500" >&2; exit 2; }
ulimit -n "$nofile"

pids=()
stop() { # stop PIDs: SIGTERM, then up to 10 s, then SIGKILL
  for p in "$@"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "$@"; do
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
}
cleanup() { [ ${#pids[@]} -eq 0 ] || stop "${pids[@]}"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

outside_conf() { # $1: with a status endpoint (1) or not (0)
  local metrics=""
  [ "$1" = 1 ] && metrics=", \"metrics\": { \"listen\": \"127.0.0.1:$STATUS_PORT\" }"
  cat <<EOF
{ "services": [ { "name": "mem", "listen": "127.0.0.1:$OUT_PORT", "secret": "$SECRET",
    "maxTunnels": $((TUNNELS + 100)), "maxSpares": $((TUNNELS + 100)), "maxTunnelsPerIp": 100000,
    "newClientsPerSecondPerIp": 100000, "newClientsPerSecond": 100000, "challengesPerSecondPerIp": 100000 } ],
  "logLevel": "info"$metrics }
EOF
}
inside_conf() { # $1: spares
  cat <<EOF
{ "services": [ { "name": "mem", "outside": "127.0.0.1:$OUT_PORT", "target": "127.0.0.1:9",
    "secret": "$SECRET", "spares": $1, "maxTunnels": $((TUNNELS + 100)) } ],
  "logLevel": "info" }
EOF
}
rss() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
hwm() { awk '/^VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$1/stat"; }
sockets() { find "/proc/$1/fd" -lname 'socket:*' 2>/dev/null | wc -l; }

# run LABEL REP FLAGS KIND(idle|tunnels): sets RESULT to "rss_out hwm_out cpu_out rss_in hwm_in cpu_in tunnels setup_s"
run() {
  local label="$1" rep="$2" flags="$3" kind="$4" d="$OUT/$1-$2-$4" o i t0 spares=2 n="-" setup="-"
  mkdir -p "$d"
  [ "$kind" = tunnels ] && spares="$TUNNELS"
  outside_conf 0 > "$d/outside.json"; inside_conf "$spares" > "$d/inside.json"
  local env=() jvm=() w
  # shellcheck disable=SC2086 # flags are words
  for w in $flags; do
    if [ ${#jvm[@]} -eq 0 ] && [[ "$w" =~ ^[A-Z_][A-Z0-9_]*= ]]; then env+=("$w"); else jvm+=("$w"); fi
  done
  t0=$(date +%s)
  env "${env[@]}" java "${jvm[@]//%a/outside}" -jar "$JARS/outside.jar" -conf "$d/outside.json" 2>"$d/outside.log" & o=$!; pids+=("$o")
  env "${env[@]}" java "${jvm[@]//%a/inside}" -jar "$JARS/inside.jar" -conf "$d/inside.json" 2>"$d/inside.log" & i=$!; pids+=("$i")
  for _ in $(seq 600); do
    grep -qs event=started "$d/outside.log" && grep -qs event=started "$d/inside.log" && break
    kill -0 "$o" 2>/dev/null && kill -0 "$i" 2>/dev/null || break
    sleep 0.1
  done
  if ! grep -q event=started "$d/outside.log" || ! grep -q event=started "$d/inside.log"; then
    echo "memory: $label: an agent did not start (see $d)" >&2; stop "$i" "$o"; RESULT="- - - - - - - -"; return
  fi
  if [ "$kind" = tunnels ]; then
    # an inside tunnel holds two sockets; wait (at most 120 s) until all are open, then SETTLE
    for _ in $(seq 1200); do [ "$(sockets "$i")" -ge $((2 * TUNNELS)) ] && break; sleep 0.1; done
    setup=$(( $(date +%s) - t0 ))
    sleep "$SETTLE"
  fi
  while [ $(( $(date +%s) - t0 )) -lt "$IDLE" ]; do sleep 1; done
  local line
  line="$(rss "$o") $(hwm "$o") $(cpu "$o") $(rss "$i") $(hwm "$i") $(cpu "$i")"
  if [ "$kind" = tunnels ]; then
    outside_conf 1 > "$d/outside.json"; kill -HUP "$o"
    for _ in $(seq 100); do
      n=$(curl -sf "http://127.0.0.1:$STATUS_PORT/health" 2>/dev/null \
          | python3 -c 'import json,sys; print(sum(s["tunnels"] for s in json.load(sys.stdin)["services"]))' 2>/dev/null) && break
      n="?"; sleep 0.1
    done
  fi
  stop "$i" "$o"
  RESULT="$line $n $setup"
}

{
  echo "# bench/memory.sh $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f MB", $2/1024}' /proc/meminfo), $(java -version 2>&1 | head -1)"
  echo "# jars: $JARS ($(du -k "$JARS/outside.jar" | cut -f1) KB, $(du -k "$JARS/inside.jar" | cut -f1) KB); TUNNELS=$TUNNELS IDLE=$IDLE SETTLE=$SETTLE; secret: $( [[ "$SECRET" == base64:* ]] && echo base64 || echo passphrase)"
  echo "# MB; RSS = VmRSS when read, peak = VmHWM, CPU = seconds of CPU since start; at idle: ${IDLE} s after start"
  printf '%-14s %3s | %7s %7s %5s | %7s %7s %5s || %7s %7s %5s | %7s %7s %5s | %7s %5s | %s\n' \
    set rep "out RSS" peak CPU "in RSS" peak CPU "out RSS" peak CPU "in RSS" peak CPU tunnels "set-up" flags
  printf '%-14s %3s | %-21s | %-21s || %-21s | %-21s | %13s |\n' "" "" "outside, idle" "inside, idle" \
    "outside, $TUNNELS tunnels" "inside, $TUNNELS tunnels" ""
} | tee "$OUT/memory.txt"
for arg in "$@"; do
  label="${arg%%=*}"; flags="${arg#*=}"
  for rep in $(seq "$REPS"); do
    echo "memory: $label ($flags), run $rep/$REPS" >&2
    run "$label" "$rep" "$flags" idle; read -r -a idle <<< "$RESULT"
    run "$label" "$rep" "$flags" tunnels; read -r -a tun <<< "$RESULT"
    printf '%-14s %3s | %7s %7s %5s | %7s %7s %5s || %7s %7s %5s | %7s %7s %5s | %7s %5s | %s\n' \
      "$label" "$rep" "${idle[@]:0:6}" "${tun[@]:0:6}" "${tun[6]}" "${tun[7]}" "${flags:-(none)}" | tee -a "$OUT/memory.txt"
  done
done
echo "memory: results in $OUT/memory.txt" >&2
