#!/usr/bin/env bash
# Builds RUT and runs a tunnel on loopback: a UDP echo service (standing in for WireGuard), the
# outside agent, the inside agent, and a client whose datagrams cross the tunnel and come back.
# Stops by itself after COUNT datagrams (default 20), or on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")"
COUNT="${COUNT:-20}"
# JVM options for both agents: by default the settings for a small host, as in the systemd units
# (docs/PERFORMANCE.md, "Memory on a small host"); JAVA_OPTS=" " runs them with the JVM's defaults.
JAVA_OPTS="${JAVA_OPTS:--XX:+UseSerialGC -Xms8m -Xmx96m -XX:TrimNativeHeapInterval=10000 -Dvertx.options.internalBlockingPoolSize=2}"

echo "demo: building (mvn -B -q package -DskipTests)"
# Maven writes terminal escape codes (colour resets) even in batch mode; only the text goes on.
mvn -B -q package -DskipTests 2>&1 | sed $'s/\x1b\\[[0-9;]*[A-Za-z]//g'

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "demo: echo service on 127.0.0.1:51820, outside agent on [::]:2222, inside agent between them"
java -cp inside-verticle/target/inside.jar io.rut.tools.UdpEcho 127.0.0.1:51820 & pids+=($!)
# shellcheck disable=SC2086 # JAVA_OPTS holds several words
java $JAVA_OPTS -jar outside-verticle/target/outside.jar -conf conf/outside.json & pids+=($!)
# shellcheck disable=SC2086
java $JAVA_OPTS -jar inside-verticle/target/inside.jar -conf conf/inside.json & pids+=($!)

echo "demo: a client sends $COUNT datagrams to the outside agent (127.0.0.1:2222)"
java -cp outside-verticle/target/outside.jar io.rut.tools.UdpProbe 127.0.0.1:2222 "$COUNT" 250
