#!/usr/bin/env bash
# RUT's real-world lab: WireGuard through RUT across a home NAT and a carrier-grade NAT, built from
# network namespaces on this machine, and the lab's scenarios. One command:
#
#   sudo e2e/run.sh            # installs what is missing, builds the jars if missing, runs, tears down
#   RECORD=1 e2e/run.sh        # also writes e2e/RESULTS.md from this run
#   LAB_SCENARIOS="1 2" e2e/run.sh   # only these scenarios (default: all, "1 2 3 4 5 6 8 9 7")
#
# Prints one verdict and its figures per scenario and "N passed, M failed"; exits non-zero on any
# failure. Without root or without `ip netns` it says why it skips and exits 0.
set -u -o pipefail
E2E="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$E2E")"
OUTSIDE_JAR="$ROOT/outside-verticle/target/outside.jar"
INSIDE_JAR="$ROOT/inside-verticle/target/inside.jar"
LAB_KEEPALIVE="${LAB_KEEPALIVE:-1}"        # RUT keepalive interval in the lab (s)
LAB_GRO="${LAB_GRO:-on}"                   # receive offload (GRO, threaded NAPI) on the lab's links: on|off
LAB_CONN_TIMEOUT="${LAB_CONN_TIMEOUT:-30}" # RUT idle timeout in the lab (s)
WG_KEEPALIVE="${WG_KEEPALIVE:-2}"          # the work client's PersistentKeepalive (s)
# LAB_JAVA_OPTS: the agents' JVM options (default: those of the shipped systemd units, see lab.sh)
MAX_SECONDS="${MAX_SECONDS:-840}"          # the whole run is stopped after this long

skip() { echo "lab: skipped: $*"; exit 0; }
[[ "$(id -u)" == 0 ]] || skip "needs root (network namespaces, NAT, raw sockets)"
command -v ip >/dev/null 2>&1 || skip "iproute2 ('ip') is not installed"
probe="rutlab-probe-$$"
ip netns add "$probe" >/dev/null 2>&1 || skip "'ip netns add' does not work here (no CAP_SYS_ADMIN or no netns support)"
ip netns del "$probe"
[[ -c /dev/net/tun ]] || skip "/dev/net/tun is missing: userspace WireGuard (wireguard-go) cannot create its device"

# ---- what the lab needs --------------------------------------------------------------------------
need=()
for pair in wireguard-go:wireguard-go wg:wireguard-tools iperf3:iperf3 iptables:iptables nft:nftables \
            conntrack:conntrack tcpdump:tcpdump ping:iputils-ping python3:python3 ethtool:ethtool; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair#*:}")
done
if ((${#need[@]})); then
  echo "lab: installing ${need[*]}"
  # --no-install-recommends: wireguard-tools would otherwise pull in a kernel image
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"; } \
    >/tmp/rutlab-apt.log 2>&1 || { echo "lab: FAILED to install ${need[*]} (see /tmp/rutlab-apt.log)"; exit 1; }
fi
if [[ ! -f "$OUTSIDE_JAR" || ! -f "$INSIDE_JAR" ]]; then
  echo "lab: building the jars (mvn -B -q package -DskipTests)"
  (cd "$ROOT" && mvn -B -q package -DskipTests) || { echo "lab: FAILED to build the jars"; exit 1; }
fi

# shellcheck source=lab.sh
source "$E2E/lab.sh"
LAB_DIR="$(mktemp -d /tmp/rutlab.XXXXXX)"
PINGSTAT=(python3 "$E2E/tools/pingstat.py")
ATTACKER=(python3 "$E2E/tools/attacker.py")
RESULTS=()
PASSED=0 FAILED=0
RUN_START=$(date +%s)

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [[ -n "${WATCHDOG:-}" ]] && kill "$WATCHDOG" 2>/dev/null
  lab_down
  echo "lab: torn down; logs kept in $LAB_DIR"
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "lab: interrupted"; exit 130' INT
trap 'echo "lab: stopped (time limit of ${MAX_SECONDS}s or TERM)"; exit 124' TERM
# Stopped (TERM), the watchdog ends its sleep and exits quietly; it holds no output open.
( trap 'kill "$nap" 2>/dev/null; exit 0' TERM
  sleep "$MAX_SECONDS" & nap=$!
  wait "$nap" && kill -TERM $$ 2>/dev/null ) >/dev/null 2>&1 &
WATCHDOG=$!

now() { date +%s.%N; }
# fle A B: A <= B (floats)
fle() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
calc() { awk "BEGIN { printf \"%.3f\", $* }"; }
# kv "k1=v1 k2=v2" KEY
kv() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p" | head -1; }

# LAB_KNOWN_SHORT: scenarios whose target RUT is known not to meet yet (e.g. "2 5-inside-crash"):
# their misses are shown as BELOW TARGET and listed, but do not fail the run.
SHORT=0
record() { # NUMBER TITLE PASS|FAIL FIGURES
  local verdict="$3"
  if [[ "$verdict" == FAIL && " ${LAB_KNOWN_SHORT:-} " == *" $1 "* ]]; then
    verdict="BELOW TARGET (known)"
    SHORT=$((SHORT + 1))
  elif [[ "$verdict" == PASS ]]; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); fi
  RESULTS+=("$1|$2|$verdict|$4")
  printf 'scenario %s: %s: %s\n    %s\n' "$1" "$2" "$verdict" "$4"
}

# ping_bg FILE SECONDS [INTERVAL] [TARGET]: a continuous ping from the work host through WireGuard.
ping_bg() {
  bg "$NS_WORK" "$1" ping -D -n -i "${3:-0.1}" -W 1 -w "$2" "${4:-$WG_SRV_IP}"
  PING_PID=$BGPID
}
ping_wait() { wait "$PING_PID" 2>/dev/null; }

# wait_ping SECONDS: until one ping through WireGuard is answered.
wait_ping() {
  nsx "$NS_WORK" ping -n -c 1 -i 0.1 -w "$1" "$WG_SRV_IP" >/dev/null 2>&1
}

# iperf_bps TARGET SECONDS: TCP throughput work -> home (bits/s, received), 0 on failure.
iperf_bps() {
  local out
  out=$(nsx "$NS_WORK" timeout $(( $2 + 15 )) iperf3 -c "$1" -t "$2" -O 1 -J 2>/dev/null) || { echo 0; return; }
  python3 -c 'import json,sys; print(int(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]))' <<<"$out" 2>/dev/null || echo 0
}
mbps() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1e6 }'; }
# cpu_ticks PID...: user+system clock ticks of each process, space separated
cpu_ticks() { local p; for p in "$@"; do awk '{printf "%d ", $14 + $15}' "/proc/$p/stat" 2>/dev/null || printf '0 '; done; }

# Tunnel control messages on the VPS's link (UDP payload 88 bytes), for the attacker's replays.
capture_control() { # FILE SECONDS
  bg "$NS_VPS" "$1.log" timeout "$2" tcpdump -Z root -U -n -i eth0 -c 2000 -w "$1" "udp port $RUT_PORT and udp[4:2] = 96"
}

echo "lab: id $LAB_ID, logs in $LAB_DIR; machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "lab: RUT keepaliveInterval ${LAB_KEEPALIVE}s, connectionTimeout ${LAB_CONN_TIMEOUT}s; WireGuard PersistentKeepalive ${WG_KEEPALIVE}s; GRO on the links: $LAB_GRO"

# ---- set-up --------------------------------------------------------------------------------------
set_up() {
  lab_up || return 1
  lab_gro "$LAB_GRO" || { echo "lab: cannot set GRO $LAB_GRO on the links (ethtool, /sys/class/net/*/threaded)"; return 1; }
  wg_up || return 1
  write_configs || return 1
  capture_control "$LAB_DIR/control-setup.pcap" 12
  start_outside || return 1
  start_inside || return 1
  wait_registered 2 20 || { echo "lab: the inside agent's spares did not register"; return 1; }
}
if ! set_up; then
  echo "lab: FAILED to set the lab up"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "lab: up: 8 namespaces, WireGuard server and inside agent at home, outside agent on the VPS"

# ---- 1. first contact ----------------------------------------------------------------------------
scenario_1() {
  local t0 st path hs figs verdict=PASS
  t0=$(now)
  wg_client_peer "$VPS4:$RUT_PORT" "$WG_KEEPALIVE"
  nsx "$NS_WORK" ping -D -n -i 0.05 -c 1 -w 10 "$WG_SRV_IP" >"$LAB_DIR/s1-first.ping" 2>&1
  st=$("${PINGSTAT[@]}" "$LAB_DIR/s1-first.ping" --start "$t0" --interval 0.05)
  nsx "$NS_WORK" ping -D -n -i 0.05 -c 40 -w 10 "$WG_SRV_IP" >"$LAB_DIR/s1-rtt.ping" 2>&1
  local rtt; rtt=$(sed -n 's/^rtt .* = \([0-9.]*\)\/\([0-9.]*\)\/.*/\2/p' "$LAB_DIR/s1-rtt.ping")
  local loss; loss=$(kv "$("${PINGSTAT[@]}" "$LAB_DIR/s1-rtt.ping")" loss_pct)
  path=$(grep -m1 "event=tunnel_bound" "$OUTSIDE_LOG" | sed 's/.*tunnel=\([0-9a-f]*\) client=\(.*\)/\1 \2/')
  local tid="${path%% *}" client="${path#* }"
  local taddr; taddr=$(grep "event=tunnel_registered.*tunnel=$tid" "$OUTSIDE_LOG" | sed 's/.*address=//' | head -1)
  local first; first=$(kv "$st" first_reply)
  [[ -n "$first" ]] && fle "$first" 5 || verdict=FAIL
  fle "${loss:-100}" 0 || verdict=FAIL
  [[ "$taddr" == "$CGN_PUB4:"* && "$client" == "$WNAT_PUB4:"* ]] || verdict=FAIL
  figs="first reply ${first:-none} s after the client was configured (handshake included; target < 5 s, i.e. no lost initiation); then 40 pings: loss ${loss}%, rtt avg ${rtt:-?} ms; the outside saw the tunnel at $taddr (CG-NAT) and the client at $client (work NAT)"
  record 1 "handshake and ping through RUT across both NATs" "$verdict" "$figs"
}

# ---- 2. throughput ---------------------------------------------------------------------------------
scenario_2() {
  bg "$NS_HOME" "$LAB_DIR/iperf3-server.log" iperf3 -s
  local srv=$BGPID i d r ds=() rs=()
  sleep 0.5
  nsx "$NS_WORK" ping -n -c 2 -i 0.2 -w 3 "$WG_DSRV_IP" >/dev/null 2>&1
  local c0 c1 t0 t1
  for i in 1 2; do
    d=$(iperf_bps "$WG_DSRV_IP" 6); ds+=("$d")
    c0=$(cpu_ticks "$OUTSIDE_PID" "$INSIDE_PID" "${WG_PIDS[0]}" "${WG_PIDS[1]}"); t0=$(now)
    r=$(iperf_bps "$WG_SRV_IP" 6); rs+=("$r")
    c1=$(cpu_ticks "$OUTSIDE_PID" "$INSIDE_PID" "${WG_PIDS[0]}" "${WG_PIDS[1]}"); t1=$(now)
  done
  # CPU used during the last run through RUT, in % of one core: outside, inside, WireGuard server, client
  local cpu; cpu=$(paste -d' ' <(tr ' ' '\n' <<<"$c0") <(tr ' ' '\n' <<<"$c1") \
    | awk -v s="$(calc "$t1 - $t0")" -v hz="$(getconf CLK_TCK)" 'NF==2 {printf "%d ", ($2-$1)/hz/s*100}')
  read -r cpu_o cpu_i cpu_ws cpu_wc <<<"$cpu"
  stop_pid "$srv"
  local dmean rmean ratio verdict=PASS
  dmean=$(calc "(${ds[0]} + ${ds[1]}) / 2")
  rmean=$(calc "(${rs[0]} + ${rs[1]}) / 2")
  if fle "$dmean" 0; then ratio=0; else ratio=$(calc "$rmean / $dmean"); fi
  fle 0.8 "$ratio" || verdict=FAIL
  record 2 "TCP throughput inside WireGuard: through RUT vs direct link" "$verdict" \
    "through RUT $(mbps "${rs[0]}"), $(mbps "${rs[1]}") Mbit/s; direct $(mbps "${ds[0]}"), $(mbps "${ds[1]}") Mbit/s; ratio $ratio (target >= 0.8); CPU during the last run through RUT, % of one core: outside agent $cpu_o, inside agent $cpu_i, wireguard-go server $cpu_ws, client $cpu_wc (2 cores in all); load average $(cut -d' ' -f1 /proc/loadavg)"
}

# ---- 3. NAT reboot ----------------------------------------------------------------------------------
scenario_3_mode() {
  local mode="$1" te st moves0 moves1 reb0 reb1 rec out loss verdict=PASS
  nat_mode "$mode"
  nat_reboot
  wait_ping 10
  sleep 2
  moves0=$(log_count "$OUTSIDE_LOG" "event=tunnel_moved")
  ping_bg "$LAB_DIR/s3-$mode.ping" 10
  sleep 3
  te=$(now)
  nat_reboot
  ping_wait
  moves1=$(log_count "$OUTSIDE_LOG" "event=tunnel_moved")
  st=$("${PINGSTAT[@]}" "$LAB_DIR/s3-$mode.ping" --event "$te")
  rec=$(kv "$st" recovery) out=$(kv "$st" outage) loss=$(kv "$st" loss_pct)
  fle "$rec" 2 || verdict=FAIL
  record "3-$mode" "NAT reboot (conntrack -F in both home NATs) during a ping, $mode NAT" "$verdict" \
    "pings back $rec s after the flush (target <= 2 s), longest silence $out s, loss $loss% of $(kv "$st" sent) pings at 0.1 s; tunnels moved to a new public address: $((moves1 - moves0))"
}
scenario_3() { scenario_3_mode port-preserving; scenario_3_mode fully-random; }

# ---- 4. NAT mapping expiry ------------------------------------------------------------------------------
scenario_4() {
  local ns v saved=() ka=1.5 perns="yes" i trials=() worst=0 moves0 moves1 verdict=PASS
  # Are the conntrack timeouts per network namespace here? Set them in the two home NATs only.
  local root_before; root_before=$(sysctl -n net.netfilter.nf_conntrack_udp_timeout 2>/dev/null)
  for ns in "$NS_HRTR" "$NS_CGN"; do
    saved+=("$(nsx "$ns" sysctl -n net.netfilter.nf_conntrack_udp_timeout) $(nsx "$ns" sysctl -n net.netfilter.nf_conntrack_udp_timeout_stream)")
    nsx "$ns" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=1 net.netfilter.nf_conntrack_udp_timeout_stream=1
  done
  [[ "$(sysctl -n net.netfilter.nf_conntrack_udp_timeout 2>/dev/null)" == "$root_before" \
     && "$(nsx "$NS_VPS" sysctl -n net.netfilter.nf_conntrack_udp_timeout)" != 1 ]] || perns="no"
  # Keepalives slower than the NATs forget: every mapping expires between two keepalives.
  stop_inside; stop_outside
  write_configs "$ka"
  start_outside && start_inside && wait_registered 2 20
  wg_client_peer "$VPS4:$RUT_PORT" off
  wait_ping 15
  moves0=$(log_count "$OUTSIDE_LOG" "event=tunnel_moved")
  for i in 1 2 3 4 5; do
    sleep 4 # idle: no WireGuard traffic at all, the NATs forget every mapping in 1 s
    local t0 st f
    t0=$(now)
    nsx "$NS_WORK" ping -D -n -i 0.1 -c 1 -w 10 "$WG_SRV_IP" >"$LAB_DIR/s4-idle-$i.ping" 2>&1
    st=$("${PINGSTAT[@]}" "$LAB_DIR/s4-idle-$i.ping" --start "$t0")
    f=$(kv "$st" first_reply); f=${f:-99}
    trials+=("$f")
    fle "$f" "$worst" || worst=$f
  done
  ping_bg "$LAB_DIR/s4-steady.ping" 10 0.2
  ping_wait
  moves1=$(log_count "$OUTSIDE_LOG" "event=tunnel_moved")
  local steady; steady=$("${PINGSTAT[@]}" "$LAB_DIR/s4-steady.ping")
  local entries; entries=$(nsx "$NS_CGN" conntrack -L -p udp 2>/dev/null | grep -c "dport=$RUT_PORT")
  fle "$worst" 2 || verdict=FAIL
  fle "$(kv "$steady" loss_pct)" 5 || verdict=FAIL
  record 4 "NAT mapping expiry: conntrack UDP timeouts 1 s, RUT keepalive ${ka} s, $LAB_NAT_MODE NAT" "$verdict" \
    "after 4 s idle, first reply in ${trials[*]} s (worst $worst s, target <= 2 s); steady ping at 0.2 s: loss $(kv "$steady" loss_pct)% of $(kv "$steady" sent); tunnel moves at the outside (expired mappings re-validated): $((moves1 - moves0)); conntrack UDP timeout sysctls per namespace: $perns"
  # put things back
  i=0
  for ns in "$NS_HRTR" "$NS_CGN"; do
    read -r v w <<<"${saved[$i]}"; i=$((i + 1))
    nsx "$ns" sysctl -qw net.netfilter.nf_conntrack_udp_timeout="$v" net.netfilter.nf_conntrack_udp_timeout_stream="$w"
  done
  stop_inside; stop_outside
  write_configs
  start_outside && start_inside && wait_registered 2 20
  wg_client_peer "$VPS4:$RUT_PORT" "$WG_KEEPALIVE"
  wait_ping 15
}

# ---- 5. agent restarts ------------------------------------------------------------------------------------
scenario_5_agent() {
  local which="$1" te hs0 hs1 ep0 ep1 st rec verdict=PASS kept restored="" expired0
  expired0=$(log_count "$OUTSIDE_LOG" "reason=expired")
  wg_rehandshake "$VPS4:$RUT_PORT" "$WG_KEEPALIVE"  # so that no 2-minute rekey falls in the window
  wait_ping 10; sleep 1
  hs0=$(wg_last_handshake)
  ep0=$(nsx "$NS_HOME" wg show "$WG_SRV" endpoints | awk '{print $2}')
  ping_bg "$LAB_DIR/s5-$which.ping" 16
  sleep 2
  te=$(now)
  case "$which" in
    outside) stop_outside; start_outside || verdict=FAIL ;;
    inside) stop_inside; start_inside || verdict=FAIL ;;
    inside-crash) # no CLOSE at all: the home host lost power, or the agent was killed
      kill -KILL "$INSIDE_PID"; wait "$INSIDE_PID" 2>/dev/null; INSIDE_PID=""
      start_inside || verdict=FAIL ;;
  esac
  local tready; tready=$(now) # the new agent is up: from here on it is RUT's protocol at work
  ping_wait
  st=$("${PINGSTAT[@]}" "$LAB_DIR/s5-$which.ping" --event "$te")
  local ready; ready=$("${PINGSTAT[@]}" "$LAB_DIR/s5-$which.ping" --event "$tready")
  hs1=$(wg_last_handshake)
  ep1=$(nsx "$NS_HOME" wg show "$WG_SRV" endpoints | awk '{print $2}')
  rec=$(kv "$st" recovery)
  local rready; rready=$(kv "$ready" recovery)
  fle "$rready" 3 || verdict=FAIL
  if [[ "$hs0" == "$hs1" ]]; then kept="yes (no new handshake)"
  elif (( hs0 > 0 && hs1 - hs0 >= 110 )); then kept="rekeyed on WireGuard's 2-minute timer"
  else kept="no: new handshake $((hs1 - hs0)) s after the previous one"; fi
  [[ "$which" == outside ]] && restored=", bindings restored by the new outside: $(log_count "$OUTSIDE_LOG" "event=binding_restored")"
  [[ "$which" == inside-crash ]] && restored=", tunnels the outside let expire meanwhile (silent for 2 x keepaliveInterval + 5 s): $(( $(log_count "$OUTSIDE_LOG" "reason=expired") - expired0 ))"
  local title="$which agent restart during a ping"
  [[ "$which" == inside-crash ]] && title="inside agent killed (SIGKILL, no CLOSE sent) and started again during a ping"
  record "5-$which" "$title" "$verdict" \
    "pings back $rready s after the new agent was up (target <= 3 s), $rec s after the stop began (agent stop and JVM start $(calc "$tready - $te") s), loss $(kv "$st" loss_pct)% of $(kv "$st" sent); WireGuard kept its session: $kept; server's view of the client endpoint $ep0 -> $ep1$restored"
}
scenario_5() { scenario_5_agent outside; scenario_5_agent inside; scenario_5_agent inside-crash; }

# ---- 6. loss on the WAN -------------------------------------------------------------------------------------
scenario_6() {
  local verdict=PASS st steady reg0 t0 treg="" expired expired0 flush back
  expired0=$(log_count "$OUTSIDE_LOG" "reason=expired")
  nsx "$NS_NET" iptables -N LAB_LOSS
  nsx "$NS_NET" iptables -N LAB_DROP
  nsx "$NS_NET" iptables -A LAB_DROP -p udp -m length --length 116 -i cgn0 -j DROP   # control, inside -> outside
  nsx "$NS_NET" iptables -A LAB_DROP -p udp -m length --length 116 -o cgn0 -j DROP   # control, outside -> inside
  nsx "$NS_NET" iptables -A LAB_DROP -j DROP
  nsx "$NS_NET" iptables -A LAB_LOSS -m statistic --mode random --probability 0.05 -j LAB_DROP
  nsx "$NS_NET" iptables -I FORWARD 1 -i cgn0 -j LAB_LOSS
  nsx "$NS_NET" iptables -I FORWARD 1 -o cgn0 -j LAB_LOSS
  ping_bg "$LAB_DIR/s6-events.ping" 22
  sleep 2
  # Every tunnel re-validates through the lossy WAN (fully-random NAT: new ports; KEEPALIVE,
  # CHALLENGE, AUTH, ACK may be lost) ...
  local moves0 moves1 te; moves0=$(log_count "$OUTSIDE_LOG" "event=tunnel_moved"); te=$(now)
  nat_reboot
  sleep 7
  moves1=$(log_count "$OUTSIDE_LOG" "event=tunnel_moved")
  # ... then fresh tunnels register through it: HELLO, CHALLENGE, AUTH, ACK, BIND may all be lost.
  stop_inside
  reg0=$(registered_count)
  start_inside
  t0=$(now) # the new agent's service is up (its JVM start is not RUT's protocol at work)
  wait_registered $((reg0 + 2)) 15 && treg=$(calc "$(now) - $t0")
  ping_wait
  flush=$("${PINGSTAT[@]}" "$LAB_DIR/s6-events.ping" --event "$te" --until "$(calc "$te + 5")")
  back=$("${PINGSTAT[@]}" "$LAB_DIR/s6-events.ping" --event "$t0")
  # steady state under loss
  ping_bg "$LAB_DIR/s6-steady.ping" 15
  ping_wait
  steady=$("${PINGSTAT[@]}" "$LAB_DIR/s6-steady.ping")
  bg "$NS_HOME" "$LAB_DIR/iperf3-server6.log" iperf3 -s
  local srv=$BGPID bps; sleep 0.5
  bps=$(iperf_bps "$WG_SRV_IP" 5)
  stop_pid "$srv"
  local counters; counters=$(nsx "$NS_NET" iptables -L LAB_DROP -v -n -x | awk 'NR>2 {printf "%s ", $1}')
  read -r c_in c_out other <<<"$counters"
  nsx "$NS_NET" iptables -D FORWARD -i cgn0 -j LAB_LOSS
  nsx "$NS_NET" iptables -D FORWARD -o cgn0 -j LAB_LOSS
  nsx "$NS_NET" iptables -F LAB_LOSS; nsx "$NS_NET" iptables -F LAB_DROP
  nsx "$NS_NET" iptables -X LAB_LOSS; nsx "$NS_NET" iptables -X LAB_DROP
  expired=$(( $(log_count "$OUTSIDE_LOG" "reason=expired") - expired0 ))
  local after_ok=no; wait_ping 5 && after_ok=yes
  local frec brec; frec=$(kv "$flush" recovery); brec=$(kv "$back" recovery)
  # Under 5 % loss each way a lost probe or CHALLENGE costs a retry: recovery must happen, and soon.
  fle "$frec" 10 || verdict=FAIL
  [[ -n "$treg" ]] && fle "$treg" 10 || verdict=FAIL
  fle "$brec" 5 || verdict=FAIL
  fle "$(kv "$steady" loss_pct)" 20 || verdict=FAIL
  [[ "$after_ok" == yes ]] || verdict=FAIL
  record 6 "5 % random loss each way on the WAN; NAT reboot, then inside agent restart under it" "$verdict" \
    "control messages dropped on the WAN: inside->outside ${c_in:-?}, outside->inside ${c_out:-?} (other datagrams ${other:-?}); NAT reboot: $((moves1 - moves0)) tunnels moved, pings back $frec s after it (target <= 10 s); inside restart: spares registered ${treg:-never} s after the new agent's service started (target <= 10 s), pings back $brec s after that (target <= 5 s); steady ping under loss: loss $(kv "$steady" loss_pct)% of $(kv "$steady" sent) (about 10 % expected from 5 % each way; target <= 20 %), longest silence $(kv "$steady" max_gap) s; tunnels expired at the outside: $expired; TCP through it $(mbps "$bps") Mbit/s; WireGuard up afterwards: $after_ok"
}

# ---- 8. attacker ----------------------------------------------------------------------------------------------
amp_counters() { # bytes attacker->VPS, bytes VPS->attacker or spoofed sources
  nsx "$NS_NET" iptables -t mangle -L LAB_AMP -v -n -x | awk 'NR>2 {printf "%s ", $2}'
}
scenario_8() {
  local verdict=PASS hs0 hs1 ep0 ep1 st out phase c0 c1 bound0 bound1
  nsx "$NS_NET" iptables -t mangle -N LAB_AMP
  nsx "$NS_NET" iptables -t mangle -A LAB_AMP -i atk0
  nsx "$NS_NET" iptables -t mangle -A LAB_AMP -i vps0 -d "$SPOOF_NET4"
  nsx "$NS_NET" iptables -t mangle -A LAB_AMP -i vps0 -d "$ATK4"
  nsx "$NS_NET" iptables -t mangle -I PREROUTING 1 -j LAB_AMP
  # What the attacker recorded some other day: the set-up's capture, plus one of the current tunnels.
  capture_control "$LAB_DIR/control-now.pcap" 4
  sleep 4.5
  wg_rehandshake "$VPS4:$RUT_PORT" "$WG_KEEPALIVE"
  wait_ping 10; sleep 1
  hs0=$(wg_last_handshake)
  ep0=$(nsx "$NS_HOME" wg show "$WG_SRV" endpoints | awk '{print $2}')
  bound0=$(log_count "$OUTSIDE_LOG" "event=tunnel_bound")
  ping_bg "$LAB_DIR/s8.ping" 32
  sleep 1
  local A=(nsx "$NS_ATK" timeout 40 "${ATTACKER[@]}")
  {
    "${A[@]}" forge --to "$VPS4:$RUT_PORT" --service lab --from own --count 400 --rate 400
    "${A[@]}" forge --to "$VPS4:$RUT_PORT" --service lab --from random --count 400 --rate 400
    "${A[@]}" forge --against "$LAB_DIR/control-now.pcap" --service lab --count 800 --rate 400
    "${A[@]}" replay --pcap "$LAB_DIR/control-setup.pcap" --mode original --repeat 3 --rate 400
    "${A[@]}" replay --pcap "$LAB_DIR/control-now.pcap" --mode original --repeat 3 --rate 400
    "${A[@]}" replay --pcap "$LAB_DIR/control-now.pcap" --mode own --repeat 2 --rate 400
  } >"$LAB_DIR/s8-attacker.log" 2>&1
  read -r c0 r0 a0 <<<"$(amp_counters)"
  "${A[@]}" replay --pcap "$LAB_DIR/control-setup.pcap" --mode random --repeat 5 --rate 400 >>"$LAB_DIR/s8-attacker.log" 2>&1
  sleep 0.5
  read -r c1 r1 a1 <<<"$(amp_counters)"
  "${A[@]}" flood --to "$VPS4:$RUT_PORT" --count 12000 --rate 1000 >>"$LAB_DIR/s8-attacker.log" 2>&1
  ping_wait
  sleep 0.5
  read -r c2 r2 a2 <<<"$(amp_counters)"
  st=$("${PINGSTAT[@]}" "$LAB_DIR/s8.ping")
  hs1=$(wg_last_handshake)
  ep1=$(nsx "$NS_HOME" wg show "$WG_SRV" endpoints | awk '{print $2}')
  bound1=$(log_count "$OUTSIDE_LOG" "event=tunnel_bound")
  local sent_total; sent_total=$(awk '{for (i=1;i<=NF;i++) if ($i ~ /^sent=/) {sub("sent=","",$i); s+=$i}} END {print s+0}' "$LAB_DIR/s8-attacker.log")
  local amp_all amp_replay
  amp_all=$(calc "($r2 + $a2) / ($c2 > 0 ? $c2 : 1)")
  amp_replay=$(calc "(($r1 + $a1) - ($r0 + $a0)) / (($c1 - $c0) > 0 ? ($c1 - $c0) : 1)")
  fle "$(kv "$st" loss_pct)" 1 || verdict=FAIL
  fle "$(kv "$st" max_gap)" 1 || verdict=FAIL
  [[ "$hs0" == "$hs1" ]] || (( hs1 - hs0 >= 110 )) || verdict=FAIL
  [[ "$ep0" == "$ep1" ]] || verdict=FAIL
  fle "$amp_all" 1 || verdict=FAIL
  fle "$amp_replay" 1 || verdict=FAIL
  record 8 "attacker on the public side: forged and replayed control, floods from random sources" "$verdict" \
    "attacker sent $sent_total datagrams ($c2 bytes); ping through WireGuard meanwhile: loss $(kv "$st" loss_pct)% of $(kv "$st" sent), longest silence $(kv "$st" max_gap) s; WireGuard handshake unchanged: $([[ "$hs0" == "$hs1" ]] && echo yes || echo "no ($hs0 -> $hs1)"); server's view of the client $ep0 -> $ep1; bytes the outside sent back to the attacker or spoofed sources per byte received: $amp_all overall, $amp_replay for replayed HELLOs from random sources (target <= 1); spare tunnels bound to flood sources: $((bound1 - bound0))"
  nsx "$NS_NET" iptables -t mangle -D PREROUTING -j LAB_AMP
}

# ---- 7. IPv6-only home uplink, IPv4 work client ---------------------------------------------------------
scenario_7() {
  local verdict=PASS st bps v4gone=no taddr reg0
  stop_inside
  # The home router loses its IPv4 uplink altogether: IPv6 is all the home has.
  ip -n "$NS_HRTR" addr del "$HRTR_WAN4/24" dev wan0
  nsx "$NS_HOME" ping -n -c 1 -w 1 "$VPS4" >/dev/null 2>&1 || v4gone=yes
  write_configs "$LAB_KEEPALIVE" "[$VPS6]:$RUT_PORT"
  reg0=$(registered_count)
  start_inside && wait_registered $((reg0 + 2)) 20 || verdict=FAIL
  wait_ping 15 || verdict=FAIL
  ping_bg "$LAB_DIR/s7.ping" 5
  ping_wait
  st=$("${PINGSTAT[@]}" "$LAB_DIR/s7.ping")
  bg "$NS_HOME" "$LAB_DIR/iperf3-server7.log" iperf3 -s
  local srv=$BGPID; sleep 0.5
  bps=$(iperf_bps "$WG_SRV_IP" 5)
  stop_pid "$srv"
  taddr=$(grep "event=tunnel_bound" "$OUTSIDE_LOG" | tail -1 | sed 's/.*tunnel=\([0-9a-f]*\) client=\(.*\)/\1 \2/')
  local tid="${taddr%% *}" client="${taddr#* }" tun
  tun=$(grep -E "event=tunnel_(registered|moved).*tunnel=$tid" "$OUTSIDE_LOG" | tail -1 | sed 's/.*\(address\|to\)=//')
  [[ "$v4gone" == yes ]] || verdict=FAIL
  # the outside prints IPv6 addresses in full: [fd00:10:0:0:0:0:0:2]:port
  [[ "$tun" =~ ^\[fd00:10:[0:]*:2\]:[0-9]+$ && "$client" == "$WNAT_PUB4:"* ]] || verdict=FAIL
  fle "$(kv "$st" loss_pct)" 2 || verdict=FAIL
  fle 1 "$bps" || verdict=FAIL
  record 7 "IPv6-only home uplink, IPv4 work client" "$verdict" \
    "home has no IPv4 uplink: $v4gone; tunnel at the outside: $tun (IPv6, through the home firewall), client $client (IPv4); ping loss $(kv "$st" loss_pct)% of $(kv "$st" sent), rtt $(sed -n 's/^rtt .* = [0-9.]*\/\([0-9.]*\)\/.*/\1/p' "$LAB_DIR/s7.ping") ms; iperf3 TCP $(mbps "$bps") Mbit/s"
}

# ---- 9. transparent mode: the WireGuard server sees the client's own address ------------------------------------
# The endpoint the WireGuard server holds for its client, and the client the outside bound last.
wg_server_endpoint() { nsx "$NS_HOME" wg show "$WG_SRV" endpoints | awk '{print $2; exit}'; }
bound_clients() { grep "event=tunnel_bound" "$OUTSIDE_LOG" 2>/dev/null | sed 's/.* client=//' | sort -u; }
# canon_ep ADDR:PORT...: each in one spelling (IPv6 compressed, as wg prints it), space separated
canon_ep() {
  python3 -c '
import ipaddress, sys
out = []
for a in sys.argv[1:]:
    try:
        h, p = a.rsplit(":", 1)
        out.append(("[%s]:%s" if h.startswith("[") else "%s:%s") % (ipaddress.ip_address(h.strip("[]")), int(p)))
    except ValueError:
        out.append(a or "-")
print(" ".join(out))' "$@"
}
# wait_endpoint PREFIX NOT SECONDS: until the server's endpoint for the client starts with PREFIX
# and is not NOT (polled every 0.1 s), and is a client address the outside logged binding. Sets EP
# to that endpoint (or to what it saw last, and whether the outside bound it) and EP_AT to when the
# server first held it.
wait_endpoint() {
  local end e c; end=$(calc "$(now) + $3")
  EP="" EP_AT=""
  while fle "$(now)" "$end"; do
    e=$(wg_server_endpoint) # IPv6 compressed, as canon_ep spells it
    [[ "$e" == "$EP" ]] || EP_AT=$(now)
    EP="$e"
    if [[ "$e" == "$1"* && "$e" != "$2" ]]; then
      c=" $(canon_ep $(bound_clients)) "
      [[ "$c" == *" $e "* ]] && return 0
    fi
    sleep 0.1
  done
  [[ "$c" == *" $EP "* ]] || EP="$EP (not a client the outside bound)"
  return 1
}
# wait_count FILE PATTERN N SECONDS: until FILE holds at least N lines matching PATTERN.
wait_count() {
  local i
  for i in $(seq 1 $(( $4 * 10 ))); do
    (( $(log_count "$1" "$2") >= $3 )) && return 0
    sleep 0.1
  done
  return 1
}
# inside_mode none|transparent: rewrites the inside's configuration and waits (bounded) for the
# running agent to apply it, and in transparent mode for its self-test to pass.
inside_mode() {
  local applied ready
  applied=$(log_count "$INSIDE_LOG" "event=services_applied")
  ready=$(log_count "$INSIDE_LOG" "event=transparent_ready")
  write_configs "$LAB_KEEPALIVE" "$VPS4:$RUT_PORT" "$1"
  wait_count "$INSIDE_LOG" "event=services_applied" $((applied + 1)) 10 || return 1
  [[ "$1" == none ]] || wait_count "$INSIDE_LOG" "event=transparent_ready" $((ready + 1)) 10
}
# WireGuard server datagrams leaving home by its uplink rather than through the agent: counters in
# the home's OUTPUT chain, all of them and handshake initiations (148-byte payload) apart.
bypass_rules() { # -I|-D
  local op="$1" pos=(); [[ "$op" == -I ]] && pos=(1)
  nsx "$NS_HOME" iptables "$op" OUTPUT "${pos[@]}" -o eth0 -p udp --sport $WG_PORT -m comment --comment lab-s9-all
  nsx "$NS_HOME" iptables "$op" OUTPUT "${pos[@]}" -o eth0 -p udp --sport $WG_PORT -m length --length 176 -m comment --comment lab-s9-init
  nsx "$NS_HOME" ip6tables "$op" OUTPUT "${pos[@]}" -o eth0 -p udp --sport $WG_PORT -m comment --comment lab-s9-all
  nsx "$NS_HOME" ip6tables "$op" OUTPUT "${pos[@]}" -o eth0 -p udp --sport $WG_PORT -m length --length 196 -m comment --comment lab-s9-init
}
bypass_count() { # all|init
  local n=0 ipt c
  for ipt in iptables ip6tables; do
    c=$(nsx "$NS_HOME" $ipt -L OUTPUT -v -n -x | awk -v p="lab-s9-$1 " '($0 " ") ~ p {print $1; exit}')
    n=$(( n + ${c:-0} ))
  done
  echo "$n"
}
# s9_note STEP: a line in s9-steps.log: time, step, the server's endpoint, bypassing datagrams so far.
s9_note() { echo "$(now) $1 endpoint=$(wg_server_endpoint) bypass=$(bypass_count all) initiations=$(bypass_count init)" >>"$LAB_DIR/s9-steps.log"; }
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
mbps_list() { local x o=""; for x in "$@"; do o+="$(mbps "$x"), "; done; echo "${o%, }"; }
# cpu_per_gbit TICKS... -- BPS...: CPU seconds per gigabit over 7 s iperf3 runs (the ticks include
# iperf3's 1 s warm-up, the throughput does not): less sensitive to other load than throughput.
cpu_per_gbit() {
  local t=0 b=0 x; while [[ "$1" != -- ]]; do t=$((t + $1)); shift; done; shift
  for x in "$@"; do b=$(calc "$b + $x"); done
  if fle "$b" 0; then echo "?"; else calc "$t / $(getconf CLK_TCK) / ($b * 7 / 1e9)"; fi
}
mean() { printf '%s\n' "$@" | awk '{s += $1} END {printf "%.0f", NR ? s / NR : 0}'; }

scenario_9() {
  local verdict=PASS ep_v4 mapped ep_reb ep_rst ep_v6 ep_back ready_problem="" te t_reb="" pre_rst
  local f_v4 f_reb f_rst f_v6
  transparent_routing add
  bypass_rules -I
  bg "$NS_HOME" "$LAB_DIR/s9-bypass.log" timeout 300 tcpdump -Z root -U -n -i eth0 -w "$LAB_DIR/s9-bypass.pcap" "udp src port $WG_PORT"
  local cap=$BGPID
  sleep 0.5
  wnat_mode fully-random
  wg_client_peer "$VPS4:$RUT_PORT" "$WG_KEEPALIVE"
  wait_ping 10

  # IPv4 client: the server's endpoint becomes the work NAT's public address and mapped port.
  if ! inside_mode transparent; then
    verdict=FAIL
    ready_problem=" (inside: $(grep -m1 -o 'event=transparent_unavailable.*' "$INSIDE_LOG" || echo "no transparent_ready within 10 s"))"
  fi
  wait_ping 10
  wait_endpoint "$WNAT_PUB4:" "" 10 || verdict=FAIL
  ep_v4=$EP
  mapped=$(wnat_mapped_port "$VPS4")
  [[ "$ep_v4" == "$WNAT_PUB4:$mapped" ]] || verdict=FAIL
  s9_note v4
  f_v4="IPv4 client: server's endpoint $ep_v4 (work NAT's mapping ${WNAT_PUB4}:${mapped:-none})$ready_problem"

  # The work NAT reboots (fully random: a new public port); the client goes on pinging.
  ping_bg "$LAB_DIR/s9-nat-reboot.ping" 40 0.2
  sleep 1
  te=$(now)
  wnat_reboot
  if wait_endpoint "$WNAT_PUB4:" "$ep_v4" 35; then t_reb=$(calc "$EP_AT - $te"); else verdict=FAIL; fi
  ep_reb=$EP
  stop_pid "$PING_PID"
  [[ "$ep_reb" == "$WNAT_PUB4:$(wnat_mapped_port "$VPS4")" ]] || verdict=FAIL
  s9_note nat-reboot
  local back; back=$(kv "$("${PINGSTAT[@]}" "$LAB_DIR/s9-nat-reboot.ping" --event "$te")" recovery)
  f_reb="after the work NAT's reboot: $ep_reb, held by the server ${t_reb:-never (35 s)} s after the flush, pings back after $back s"

  # The inside agent restarts: the server still sees the client's public address.
  wait_ping 10; sleep 1
  pre_rst=$(canon_ep "$(wg_server_endpoint)")
  local reg0; reg0=$(registered_count)
  stop_inside
  s9_note inside-stopped
  start_inside || verdict=FAIL
  wait_log "$INSIDE_LOG" "event=transparent_ready" 10 || verdict=FAIL
  wait_registered $((reg0 + 2)) 15 || verdict=FAIL
  wait_ping 15 || verdict=FAIL
  sleep 1
  wait_endpoint "$WNAT_PUB4:" "" 10 || verdict=FAIL
  ep_rst=$EP
  [[ "$ep_rst" == "$pre_rst" ]] || verdict=FAIL
  s9_note inside-restart
  f_rst="after an inside agent restart: $pre_rst -> $ep_rst"

  # IPv6 client: the work host (fd00:30::2, routed through the work firewall) reaches the outside
  # over IPv6; a fresh handshake from there binds it.
  wg_rehandshake "[$VPS6]:$RUT_PORT" "$WG_KEEPALIVE"
  wait_ping 15 || verdict=FAIL
  wait_endpoint "[$WORK6]:" "" 10 || verdict=FAIL
  ep_v6=$EP
  s9_note v6
  f_v6="IPv6 client: $ep_v6"
  wg_rehandshake "$VPS4:$RUT_PORT" "$WG_KEEPALIVE"
  wait_ping 15 || verdict=FAIL
  wait_endpoint "$WNAT_PUB4:" "" 10 || verdict=FAIL
  ep_back=$EP
  s9_note back-to-v4
  # WireGuard clears its sticky source address when it retries a handshake ("stopped hearing
  # back"), so such initiations leave by the home's uplink; any other datagram there is a reply
  # that missed the agent.
  local bypass binit; bypass=$(bypass_count all); binit=$(bypass_count init)
  stop_pid "$cap"
  (( bypass - binit == 0 )) || verdict=FAIL

  # Throughput inside WireGuard, modes none and transparent interleaved.
  bg "$NS_HOME" "$LAB_DIR/iperf3-server9.log" iperf3 -s
  local srv=$BGPID m b e p none=() transp=() bad=""
  sleep 0.5
  iperf_bps "$WG_SRV_IP" 3 >/dev/null # warm-up, not counted
  # Pairs in alternating order (none first, then transparent first, ...), so that a drift of the
  # machine's load favours neither mode.
  local order mode=transparent pn pt ratios=() c0 c1 cpu_n=() cpu_t=()
  for p in $(seq 1 "${LAB_S9_PAIRS:-5}"); do
    order="none transparent"; (( p % 2 )) || order="transparent none"
    for m in $order; do
      if [[ "$m" != "$mode" ]]; then inside_mode "$m" || bad+=" $m:not-applied"; mode=$m; fi
      wait_ping 10
      c0=$(cpu_ticks "$INSIDE_PID")
      b=$(iperf_bps "$WG_SRV_IP" 6)
      c1=$(cpu_ticks "$INSIDE_PID")
      e=$(canon_ep "$(wg_server_endpoint)")
      if [[ "$m" == none ]]; then none+=("$b") pn=$b; cpu_n+=("$((c1 - c0))"); [[ "$e" == 127.0.0.1:* ]] || bad+=" none:$e"
      else transp+=("$b") pt=$b; cpu_t+=("$((c1 - c0))"); [[ "$e" == "$WNAT_PUB4:"* ]] || bad+=" transparent:$e"; fi
    done
    if fle "$pn" 0; then ratios+=(0); else ratios+=("$(calc "$pt / $pn")"); fi
  done
  stop_pid "$srv"
  [[ -z "$bad" ]] || verdict=FAIL
  local mn mt dn dt ratio_mean ratio_med ratio_pairs
  mn=$(mean "${none[@]}"); mt=$(mean "${transp[@]}")
  dn=$(median "${none[@]}"); dt=$(median "${transp[@]}")
  if fle "$mn" 0; then ratio_mean=0; else ratio_mean=$(calc "$mt / $mn"); fi
  if fle "$dn" 0; then ratio_med=0; else ratio_med=$(calc "$dt / $dn"); fi
  ratio_pairs=$(median "${ratios[@]}")
  local cpn cpt; cpn=$(cpu_per_gbit "${cpu_n[@]}" -- "${none[@]}"); cpt=$(cpu_per_gbit "${cpu_t[@]}" -- "${transp[@]}")
  fle 0.95 "$ratio_pairs" || verdict=FAIL

  # Back to mode none, as the other scenarios expect the lab.
  inside_mode none || verdict=FAIL
  wnat_mode port-preserving
  bypass_rules -D
  transparent_routing del
  wait_ping 10 || verdict=FAIL
  record 9 "transparent mode: the WireGuard server sees the client's public address" "$verdict" \
    "$f_v4; $f_reb; $f_rst; $f_v6 (then back to IPv4: $ep_back); WireGuard server datagrams leaving home by its uplink instead of the agent: $bypass, of which handshake initiations $binit (WireGuard sends the handshake it starts after 15 s without hearing back without its sticky source address; target: no other datagram); TCP inside WireGuard, interleaved: mode none $(mbps_list "${none[@]}") Mbit/s (mean $(mbps "$mn"), median $(mbps "$dn")), transparent $(mbps_list "${transp[@]}") Mbit/s (mean $(mbps "$mt"), median $(mbps "$dt")); transparent/none in each pair ${ratios[*]}, median $ratio_pairs (target >= 0.95); ratio of the medians $ratio_med, of the means $ratio_mean; inside agent CPU seconds per gigabit carried: mode none $cpn, transparent $cpt; load average $(cut -d' ' -f1 /proc/loadavg)${bad:+; mode not in effect:$bad}"
}

for s in ${LAB_SCENARIOS:-1 2 3 4 5 6 8 9 7}; do
  echo "lab: scenario $s ($(( $(date +%s) - RUN_START )) s into the run)"
  "scenario_$s"
done

# ---- summary -----------------------------------------------------------------------------------------------
TOTAL_SECONDS=$(( $(date +%s) - RUN_START ))
{
  echo "| scenario | verdict | figures |"
  echo "|---|---|---|"
  for r in "${RESULTS[@]}"; do
    IFS='|' read -r n title v figs <<<"$r"
    echo "| $n. $title | **$v** | $figs |"
  done
} >"$LAB_DIR/summary.md"
echo
cat "$LAB_DIR/summary.md"
echo
if [[ "${RECORD:-0}" == 1 ]]; then
  {
    echo "# Lab results"
    echo
    echo "One full run of \`e2e/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'): $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME"), kernel $(uname -r), $(java -version 2>&1 | head -1), wireguard-go $(dpkg-query -W -f '${Version}' wireguard-go 2>/dev/null), iperf3 $(dpkg-query -W -f '${Version}' iperf3 2>/dev/null). The machine was shared with other builds; load average at the end $(cut -d' ' -f1-3 /proc/loadavg)."
    echo
    echo "Lab settings: RUT keepaliveInterval ${LAB_KEEPALIVE} s, connectionTimeout ${LAB_CONN_TIMEOUT} s, WireGuard PersistentKeepalive ${WG_KEEPALIVE} s; the run took ${TOTAL_SECONDS} s."
    echo
    cat "$LAB_DIR/summary.md"
    echo
    echo "$PASSED passed, $FAILED failed"
  } >"$E2E/RESULTS.md"
  echo "lab: wrote $E2E/RESULTS.md"
fi
echo "lab: the run took ${TOTAL_SECONDS} s"
[[ "$SHORT" == 0 ]] || echo "lab: $SHORT scenario(s) below their target, known and listed above"
echo "$PASSED passed, $FAILED failed"
[[ "$FAILED" == 0 ]]
