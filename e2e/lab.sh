# shellcheck shell=bash
# The lab's small internet, built from network namespaces and veth pairs (sourced by run.sh).
#
#   home ---- hrtr ---- cgn ---- net ---- vps
#    |  (NAT + firewall) (CG-NAT)  |  \
#    |                             |   attacker
#    |                          wnat (NAT for IPv4, stateful firewall for IPv6)
#    +------ direct link ------- work
#
# Every address below exists only inside these namespaces. Nothing here touches the root
# namespace's interfaces, routes or firewall: veth pairs are created directly inside the lab's
# namespaces, and deleting the namespaces removes everything.

LAB_ID="${LAB_ID:-rl$(printf '%04x' $((RANDOM % 65536)))}"
NS_HOME="$LAB_ID-home" NS_HRTR="$LAB_ID-hrtr" NS_CGN="$LAB_ID-cgn" NS_NET="$LAB_ID-net"
NS_VPS="$LAB_ID-vps" NS_WNAT="$LAB_ID-wnat" NS_WORK="$LAB_ID-work" NS_ATK="$LAB_ID-atk"
LAB_NAMESPACES=("$NS_HOME" "$NS_HRTR" "$NS_CGN" "$NS_NET" "$NS_VPS" "$NS_WNAT" "$NS_WORK" "$NS_ATK")

# WireGuard devices: their UAPI sockets live in the shared /var/run/wireguard, so names carry the id.
WG_SRV="${LAB_ID}s" WG_CLI="${LAB_ID}c" WG_DSRV="${LAB_ID}d" WG_DCLI="${LAB_ID}e"

# Addresses (IPv4 private and shared-address ranges, IPv6 unique-local), inside the lab only.
HOME4=10.10.0.2 HOME6=fd00:10::2 HRTR_LAN4=10.10.0.1 HRTR_LAN6=fd00:10::1
HRTR_WAN4=100.64.1.2 HRTR_WAN6=fd00:64:1::2 CGN_IN4=100.64.1.1 CGN_IN6=fd00:64:1::1
CGN_PUB4=10.200.1.2 CGN_PUB6=fd00:200:1::2 NET_CGN4=10.200.1.1 NET_CGN6=fd00:200:1::1
VPS4=10.200.2.2 VPS6=fd00:200:2::2 NET_VPS4=10.200.2.1 NET_VPS6=fd00:200:2::1
WNAT_PUB4=10.200.3.2 NET_WNAT4=10.200.3.1 WNAT_LAN4=10.30.0.1 WORK4=10.30.0.2
WNAT_PUB6=fd00:200:3::2 NET_WNAT6=fd00:200:3::1 WNAT_LAN6=fd00:30::1 WORK6=fd00:30::2
ATK4=10.200.4.2 ATK6=fd00:200:4::2 NET_ATK4=10.200.4.1 NET_ATK6=fd00:200:4::1
SPOOF_NET4=10.201.0.0/16
DIRECT_HOME4=10.99.0.1 DIRECT_WORK4=10.99.0.2
WG_SRV_IP=10.77.0.1 WG_CLI_IP=10.77.0.2 WG_DSRV_IP=10.78.0.1 WG_DCLI_IP=10.78.0.2
RUT_PORT=51000 WG_PORT=51820 WG_DPORT=51821

LAB_PIDS=()

nsx() { local ns="$1"; shift; ip netns exec "$ns" "$@"; }

LAB_DEVS=()

# veth NS_A IF_A NS_B IF_B: a veth pair created straight inside the two namespaces.
veth() {
  ip -n "$1" link add "$2" type veth peer name "$4" netns "$3"
  ip -n "$1" link set "$2" up
  ip -n "$3" link set "$4" up
  LAB_DEVS+=("$1:$2" "$3:$4")
}

# lab_gro on|off: "on" turns receive offload on on every link of the lab, as a real NIC has it by
# default; on a veth, GRO takes effect only with NAPI in threaded mode, so both are set. "off"
# leaves the veths as the kernel makes them (no GRO in effect).
lab_gro() {
  local d ns dev
  [[ "$1" == on ]] || return 0
  for d in "${LAB_DEVS[@]}"; do
    ns="${d%%:*}" dev="${d#*:}"
    nsx "$ns" ethtool -K "$dev" gro on >/dev/null 2>&1 || return 1
    nsx "$ns" sh -c "echo 1 > /sys/class/net/$dev/threaded" || return 1
  done
}

addr4() { ip -n "$1" addr add "$3/24" dev "$2"; }
addr6() { ip -n "$1" addr add "$3/64" dev "$2" nodad; }

lab_up() {
  local ns
  for ns in "${LAB_NAMESPACES[@]}"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    nsx "$ns" sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
  done
  for ns in "$NS_HRTR" "$NS_CGN" "$NS_NET" "$NS_WNAT"; do
    nsx "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
  done
  # The attacker's provider does no source filtering: the internet router lets spoofed sources by.
  nsx "$NS_NET" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0

  # home <-> home router (LAN)
  veth "$NS_HOME" eth0 "$NS_HRTR" lan0
  addr4 "$NS_HOME" eth0 $HOME4; addr6 "$NS_HOME" eth0 $HOME6
  addr4 "$NS_HRTR" lan0 $HRTR_LAN4; addr6 "$NS_HRTR" lan0 $HRTR_LAN6
  ip -n "$NS_HOME" route add default via $HRTR_LAN4
  ip -n "$NS_HOME" -6 route add default via $HRTR_LAN6
  # home router <-> carrier-grade NAT
  veth "$NS_HRTR" wan0 "$NS_CGN" sub0
  addr4 "$NS_HRTR" wan0 $HRTR_WAN4; addr6 "$NS_HRTR" wan0 $HRTR_WAN6
  addr4 "$NS_CGN" sub0 $CGN_IN4; addr6 "$NS_CGN" sub0 $CGN_IN6
  ip -n "$NS_HRTR" route add default via $CGN_IN4
  ip -n "$NS_HRTR" -6 route add default via $CGN_IN6
  ip -n "$NS_CGN" -6 route add fd00:10::/64 via $HRTR_WAN6
  # carrier-grade NAT <-> internet
  veth "$NS_CGN" pub0 "$NS_NET" cgn0
  addr4 "$NS_CGN" pub0 $CGN_PUB4; addr6 "$NS_CGN" pub0 $CGN_PUB6
  addr4 "$NS_NET" cgn0 $NET_CGN4; addr6 "$NS_NET" cgn0 $NET_CGN6
  ip -n "$NS_CGN" route add default via $NET_CGN4
  ip -n "$NS_CGN" -6 route add default via $NET_CGN6
  ip -n "$NS_NET" -6 route add fd00:10::/64 via $CGN_PUB6
  ip -n "$NS_NET" -6 route add fd00:64:1::/64 via $CGN_PUB6
  # internet <-> VPS
  veth "$NS_NET" vps0 "$NS_VPS" eth0
  addr4 "$NS_NET" vps0 $NET_VPS4; addr6 "$NS_NET" vps0 $NET_VPS6
  addr4 "$NS_VPS" eth0 $VPS4; addr6 "$NS_VPS" eth0 $VPS6
  ip -n "$NS_VPS" route add default via $NET_VPS4
  ip -n "$NS_VPS" -6 route add default via $NET_VPS6
  # internet <-> work NAT <-> work host (IPv4 behind the NAT; IPv6 routed, no NAT66)
  veth "$NS_NET" wnat0 "$NS_WNAT" pub0
  addr4 "$NS_NET" wnat0 $NET_WNAT4; addr4 "$NS_WNAT" pub0 $WNAT_PUB4
  addr6 "$NS_NET" wnat0 $NET_WNAT6; addr6 "$NS_WNAT" pub0 $WNAT_PUB6
  ip -n "$NS_WNAT" route add default via $NET_WNAT4
  ip -n "$NS_WNAT" -6 route add default via $NET_WNAT6
  ip -n "$NS_NET" -6 route add fd00:30::/64 via $WNAT_PUB6
  veth "$NS_WNAT" lan0 "$NS_WORK" eth0
  addr4 "$NS_WNAT" lan0 $WNAT_LAN4; addr4 "$NS_WORK" eth0 $WORK4
  addr6 "$NS_WNAT" lan0 $WNAT_LAN6; addr6 "$NS_WORK" eth0 $WORK6
  ip -n "$NS_WORK" route add default via $WNAT_LAN4
  ip -n "$NS_WORK" -6 route add default via $WNAT_LAN6
  # internet <-> attacker; replies to the spoofed range die at the internet router
  veth "$NS_NET" atk0 "$NS_ATK" eth0
  addr4 "$NS_NET" atk0 $NET_ATK4; addr6 "$NS_NET" atk0 $NET_ATK6
  addr4 "$NS_ATK" eth0 $ATK4; addr6 "$NS_ATK" eth0 $ATK6
  ip -n "$NS_ATK" route add default via $NET_ATK4
  ip -n "$NS_ATK" -6 route add default via $NET_ATK6
  ip -n "$NS_NET" route add blackhole $SPOOF_NET4
  local i; for i in cgn0 vps0 wnat0 atk0; do nsx "$NS_NET" sysctl -qw "net.ipv4.conf.$i.rp_filter=0"; done
  # the direct link, for the baseline: WireGuard with nothing between the peers
  veth "$NS_HOME" direct0 "$NS_WORK" direct0
  ip -n "$NS_HOME" addr add $DIRECT_HOME4/30 dev direct0
  ip -n "$NS_WORK" addr add $DIRECT_WORK4/30 dev direct0

  firewall_nat "$NS_HRTR" lan0 wan0 v6firewall
  firewall_nat "$NS_CGN" sub0 pub0 v6routed
  firewall_nat "$NS_WNAT" lan0 pub0 v6firewall
  nat_mode port-preserving
}

# firewall_nat NS LAN WAN V6: a stateful firewall (only what the inside started comes back in)
# and IPv4 masquerade towards WAN. V6: v6firewall (home: same stateful rules, no NAT),
# v6routed (carrier: IPv6 routed as it is), v6none (no IPv6 forwarding).
firewall_nat() {
  local ns="$1" lan="$2" wan="$3" v6="$4" ipt
  nsx "$ns" iptables -t nat -A POSTROUTING -o "$wan" -j MASQUERADE
  for ipt in iptables ip6tables; do
    nsx "$ns" $ipt -P INPUT DROP
    nsx "$ns" $ipt -A INPUT -i lo -j ACCEPT
    nsx "$ns" $ipt -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
    nsx "$ns" $ipt -A INPUT -i "$lan" -j ACCEPT
    nsx "$ns" $ipt -P FORWARD DROP
    nsx "$ns" $ipt -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
    nsx "$ns" $ipt -A FORWARD -i "$lan" -o "$wan" -j ACCEPT
  done
  nsx "$ns" ip6tables -A INPUT -p ipv6-icmp -j ACCEPT
  nsx "$ns" ip6tables -A FORWARD -p ipv6-icmp -j ACCEPT
  case "$v6" in
    v6routed) nsx "$ns" ip6tables -P FORWARD ACCEPT ;;
    v6none) nsx "$ns" sysctl -qw net.ipv6.conf.all.forwarding=0 ;;
  esac
}

# nat_mode port-preserving|fully-random: the masquerade of both home NATs (home router, CG-NAT).
# Existing mappings keep their ports until they are flushed.
nat_mode() {
  local extra=() ns
  [[ "$1" == fully-random ]] && extra=(--random-fully)
  for ns in "$NS_HRTR" "$NS_CGN"; do
    local wan=wan0; [[ "$ns" == "$NS_CGN" ]] && wan=pub0
    nsx "$ns" iptables -t nat -R POSTROUTING 1 -o "$wan" -j MASQUERADE "${extra[@]}"
  done
  LAB_NAT_MODE="$1"
}

# Flush the connection tracking (and so every NAT mapping) of both home NATs: a NAT reboot.
nat_reboot() {
  nsx "$NS_HRTR" conntrack -F >/dev/null 2>&1
  nsx "$NS_CGN" conntrack -F >/dev/null 2>&1
}

# wnat_mode port-preserving|fully-random: the work NAT's masquerade (as nat_mode for the home's).
wnat_mode() {
  local extra=(); [[ "$1" == fully-random ]] && extra=(--random-fully)
  nsx "$NS_WNAT" iptables -t nat -R POSTROUTING 1 -o pub0 -j MASQUERADE "${extra[@]}"
}

# The work NAT reboots: every mapping of the client is forgotten.
wnat_reboot() { nsx "$NS_WNAT" conntrack -F >/dev/null 2>&1; }

# The port the work NAT maps the client's flow to the outside agent on (empty if none).
# IPV4_DST: the outside's IPv4 address.
wnat_mapped_port() {
  nsx "$NS_WNAT" conntrack -L -p udp -s "$WORK4" -d "$1" 2>/dev/null \
    | sed -n "s/.* src=$1 dst=$WNAT_PUB4 sport=[0-9]* dport=\([0-9]*\).*/\1/p" | head -1
}

# transparent_routing add|del: the policy routing that brings the service's replies to a client's
# address back to the inside agent at home (transparent mode), both families.
transparent_routing() {
  local op="$1"
  nsx "$NS_HOME" ip rule "$op" from 127.0.0.0/8 iif lo table 100
  nsx "$NS_HOME" ip -6 rule "$op" from ::1/128 iif lo table 100
  if [[ "$op" == add ]]; then
    nsx "$NS_HOME" ip route replace local 0.0.0.0/0 dev lo table 100
    nsx "$NS_HOME" ip -6 route replace local ::/0 dev lo table 100
  else
    nsx "$NS_HOME" ip route flush table 100
    nsx "$NS_HOME" ip -6 route flush table 100
  fi
}

# Starts a command in a namespace in the background; its PID goes to LAB_PIDS and to $BGPID.
bg() {
  local ns="$1" log="$2"; shift 2
  ip netns exec "$ns" "$@" >"$log" 2>&1 &
  BGPID=$!
  LAB_PIDS+=("$BGPID")
}

# Stops one process we started: TERM, then KILL after a bounded wait.
stop_pid() {
  local pid="$1" i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

lab_down() {
  local pid ns
  for pid in "${LAB_PIDS[@]}"; do stop_pid "$pid"; done
  LAB_PIDS=()
  for ns in "${LAB_NAMESPACES[@]}"; do
    [[ -e "/var/run/netns/$ns" ]] || continue
    # Anything still running in a namespace of ours was started by this lab.
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
  done
  sleep 0.2
  for ns in "${LAB_NAMESPACES[@]}"; do
    [[ -e "/var/run/netns/$ns" ]] && ip netns del "$ns" 2>/dev/null
  done
  local d; for d in "$WG_SRV" "$WG_CLI" "$WG_DSRV" "$WG_DCLI"; do rm -f "/var/run/wireguard/$d.sock"; done
  return 0
}

# ---- WireGuard (userspace, wireguard-go) -------------------------------------------------------

# wg_dev NS NAME: starts wireguard-go in the foreground for device NAME inside NS, waits for its
# control socket (bounded).
wg_dev() {
  local ns="$1" dev="$2" i
  LOG_LEVEL=error bg "$ns" "$LAB_DIR/wg-$dev.log" wireguard-go -f "$dev"
  WG_PIDS+=("$BGPID")
  for i in $(seq 1 50); do
    [[ -S "/var/run/wireguard/$dev.sock" ]] && nsx "$ns" wg show "$dev" >/dev/null 2>&1 && return 0
    kill -0 "$BGPID" 2>/dev/null || break
    sleep 0.1
  done
  echo "lab: wireguard-go $dev did not come up in $ns:" >&2
  cat "$LAB_DIR/wg-$dev.log" >&2
  return 1
}

WG_PIDS=()

# The WireGuard server at home (behind both NATs), its client at work, and a second pair of
# devices that talks over the direct link (the baseline). The client's peer is set by the scenarios.
wg_up() {
  local k
  for k in srv cli dsrv dcli; do
    (umask 077; wg genkey >"$LAB_DIR/$k.key")
    wg pubkey <"$LAB_DIR/$k.key" >"$LAB_DIR/$k.pub"
  done
  wg_dev "$NS_HOME" "$WG_SRV" && wg_dev "$NS_WORK" "$WG_CLI" \
    && wg_dev "$NS_HOME" "$WG_DSRV" && wg_dev "$NS_WORK" "$WG_DCLI" || return 1
  nsx "$NS_HOME" wg set "$WG_SRV" private-key "$LAB_DIR/srv.key" listen-port $WG_PORT \
    peer "$(cat "$LAB_DIR/cli.pub")" allowed-ips $WG_CLI_IP/32
  nsx "$NS_WORK" wg set "$WG_CLI" private-key "$LAB_DIR/cli.key"
  nsx "$NS_HOME" wg set "$WG_DSRV" private-key "$LAB_DIR/dsrv.key" listen-port $WG_DPORT \
    peer "$(cat "$LAB_DIR/dcli.pub")" allowed-ips $WG_DCLI_IP/32
  nsx "$NS_WORK" wg set "$WG_DCLI" private-key "$LAB_DIR/dcli.key" \
    peer "$(cat "$LAB_DIR/dsrv.pub")" allowed-ips $WG_DSRV_IP/32 endpoint $DIRECT_HOME4:$WG_DPORT
  ip -n "$NS_HOME" addr add $WG_SRV_IP/24 dev "$WG_SRV"
  ip -n "$NS_WORK" addr add $WG_CLI_IP/24 dev "$WG_CLI"
  ip -n "$NS_HOME" addr add $WG_DSRV_IP/24 dev "$WG_DSRV"
  ip -n "$NS_WORK" addr add $WG_DCLI_IP/24 dev "$WG_DCLI"
  for k in "$NS_HOME:$WG_SRV" "$NS_WORK:$WG_CLI" "$NS_HOME:$WG_DSRV" "$NS_WORK:$WG_DCLI"; do
    ip -n "${k%%:*}" link set "${k#*:}" up
  done
}

# wg_client_peer ENDPOINT [KEEPALIVE]: points the work client at ENDPOINT (the outside agent).
wg_client_peer() {
  nsx "$NS_WORK" wg set "$WG_CLI" peer "$(cat "$LAB_DIR/srv.pub")" allowed-ips $WG_SRV_IP/32 \
    endpoint "$1" persistent-keepalive "${2:-off}"
}

# A fresh WireGuard session: the client forgets the peer and meets it again.
wg_rehandshake() {
  nsx "$NS_WORK" wg set "$WG_CLI" peer "$(cat "$LAB_DIR/srv.pub")" remove
  wg_client_peer "$@"
}

# The server's latest handshake with the client (Unix seconds, 0 if none).
wg_last_handshake() {
  nsx "$NS_HOME" wg show "$WG_SRV" latest-handshakes | awk '{print $2; exit}'
}

# ---- RUT agents --------------------------------------------------------------------------------

LAB_SECRET=""
OUTSIDE_PID="" INSIDE_PID=""
AGENT_RUNS=0

# write_configs [KEEPALIVE] [OUTSIDE_ADDRESS] [CLIENT_ADDRESS]: the lab's agent configurations
# (short timers). CLIENT_ADDRESS: none (the default, not written) or transparent (the inside sends
# to the WireGuard server from each client's public address; IPv6 clients go to [::1]:WG_PORT).
# Each file is replaced whole (rename), so an agent's reload never reads half of one.
write_configs() {
  local ka="${1:-$LAB_KEEPALIVE}" outside="${2:-$VPS4:$RUT_PORT}" mode="${3:-none}" extra=""
  [[ "$mode" == none ]] || extra=", \"clientAddress\": \"$mode\", \"otherFamilyTarget\": \"[::1]:$WG_PORT\""
  [[ -n "$LAB_SECRET" ]] || LAB_SECRET="base64:$(head -c 32 /dev/urandom | base64 -w0)"
  # The WireGuard server's public key: only real handshake initiations may bind a tunnel.
  local wgkey=""
  [[ -s "$LAB_DIR/srv.pub" ]] && wgkey=", \"wireguardPublicKey\": \"$(cat "$LAB_DIR/srv.pub")\""
  cat >"$LAB_DIR/outside.json.new" <<JSON
{
  "services": [
    {"name": "lab", "listen": "[::]:$RUT_PORT", "secret": "$LAB_SECRET",
     "maxTunnels": 64, "maxSpares": 16, "keepaliveInterval": $ka$wgkey}
  ],
  "logLevel": "debug"
}
JSON
  cat >"$LAB_DIR/inside.json.new" <<JSON
{
  "services": [
    {"name": "lab", "outside": "$outside", "target": "127.0.0.1:$WG_PORT", "secret": "$LAB_SECRET",
     "spares": 2, "maxTunnels": 64, "keepaliveInterval": $ka, "connectionTimeout": $LAB_CONN_TIMEOUT$extra}
  ],
  "logLevel": "debug"
}
JSON
  mv -f "$LAB_DIR/outside.json.new" "$LAB_DIR/outside.json"
  mv -f "$LAB_DIR/inside.json.new" "$LAB_DIR/inside.json"
}

# The agents run with the JVM options of the shipped systemd units, as users run them
# (LAB_JAVA_OPTS overrides them).
UNIT_JAVA_OPTS="$(sed -n 's/^Environment="JAVA_OPTS=\(.*\)"$/\1/p' "$ROOT/conf/systemd/rut-outside.service")"
[ -n "$UNIT_JAVA_OPTS" ] || { echo "lab: no JAVA_OPTS in conf/systemd/rut-outside.service"; exit 1; }
read -r -a JAVA_OPTS <<<"${LAB_JAVA_OPTS:-$UNIT_JAVA_OPTS}"

# wait_log FILE PATTERN SECONDS: waits until FILE holds a line matching PATTERN.
wait_log() {
  local i
  for i in $(seq 1 $(( $3 * 10 ))); do
    grep -q -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

start_outside() {
  AGENT_RUNS=$((AGENT_RUNS + 1))
  OUTSIDE_LOG="$LAB_DIR/outside.$AGENT_RUNS.log"
  bg "$NS_VPS" "$OUTSIDE_LOG" java "${JAVA_OPTS[@]}" -jar "$OUTSIDE_JAR" -conf "$LAB_DIR/outside.json"
  OUTSIDE_PID=$BGPID
  wait_log "$OUTSIDE_LOG" "listening" 30 || { echo "lab: outside agent did not start:" >&2; tail -20 "$OUTSIDE_LOG" >&2; return 1; }
}

start_inside() {
  AGENT_RUNS=$((AGENT_RUNS + 1))
  INSIDE_LOG="$LAB_DIR/inside.$AGENT_RUNS.log"
  bg "$NS_HOME" "$INSIDE_LOG" java "${JAVA_OPTS[@]}" -jar "$INSIDE_JAR" -conf "$LAB_DIR/inside.json"
  INSIDE_PID=$BGPID
  wait_log "$INSIDE_LOG" "service_started" 30 || { echo "lab: inside agent did not start:" >&2; tail -20 "$INSIDE_LOG" >&2; return 1; }
}

# Tunnels the current outside agent has registered so far.
registered_count() { log_count "${OUTSIDE_LOG:-/nonexistent}" "event=tunnel_registered"; }

# log_count FILE PATTERN: lines of FILE matching PATTERN (0 if none or no file).
log_count() {
  local n; n=$(grep -c -- "$2" "$1" 2>/dev/null); echo "${n:-0}"
}

# wait_registered N SECONDS: until the outside agent has registered N tunnels in total.
wait_registered() {
  local i
  for i in $(seq 1 $(( $2 * 10 ))); do
    (( $(registered_count) >= $1 )) && return 0
    sleep 0.1
  done
  return 1
}

stop_outside() { [[ -n "$OUTSIDE_PID" ]] && stop_pid "$OUTSIDE_PID"; OUTSIDE_PID=""; }
stop_inside() { [[ -n "$INSIDE_PID" ]] && stop_pid "$INSIDE_PID"; INSIDE_PID=""; }
