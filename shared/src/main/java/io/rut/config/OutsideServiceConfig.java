package io.rut.config;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * One service on the outside agent: the public port clients and tunnels share, and its limits.
 *
 * @param name              service name (both agents must use the same)
 * @param listen            public address; {@code [::]:port} takes IPv4 and IPv6 on one port
 * @param secrets           first signs, all verify (PROTOCOL.md section 3)
 * @param maxTunnels        tunnels (spare and active) this service holds at most
 * @param maxSpares         spare tunnels held at most
 * @param keepaliveInterval the inside agent's keepalive interval; tunnels expire after twice it plus 5 s
 * @param maxPendingClients new clients whose first datagrams wait for a spare, at most
 * @param allow             client sources that may bind a tunnel (empty: all)
 * @param deny              client sources that may not, whatever {@code allow} says
 * @param maxTunnelsPerIp   tunnels (and waiting clients) per client IPv4 address or IPv6 /64; no cap
 *                          by default, since many real users share one address behind a NAT (when
 *                          tunnels run out, a source over its fair share still makes room for others)
 * @param newClientsPerSecondPerIp  new bindings per second per source (bursts of twice that); by
 *                                  default the service's own rate
 * @param newClientsPerSecond       new bindings per second for the whole service (bursts of twice that)
 * @param challengesPerSecondPerIp  CHALLENGEs per second per source (bursts of twice that)
 * @param wireguardPublicKey        base64 public key of the WireGuard server behind the tunnel, or
 *                                  null: then only a valid handshake initiation binds a tunnel
 */
public record OutsideServiceConfig(String name, HostPort listen, List<String> secrets, int maxTunnels,
                                   int maxSpares, Duration keepaliveInterval, int maxPendingClients,
                                   List<Cidr> allow, List<Cidr> deny, int maxTunnelsPerIp,
                                   double newClientsPerSecondPerIp, double newClientsPerSecond,
                                   double challengesPerSecondPerIp, String wireguardPublicKey)
    implements ServiceSettings {

  public static final Set<String> KEYS = Set.of("name", "listen", "secret", "maxTunnels", "maxSpares",
      "keepaliveInterval", "maxPendingClients", "allow", "deny", "maxTunnelsPerIp", "newClientsPerSecondPerIp",
      "newClientsPerSecond", "challengesPerSecondPerIp", "wireguardPublicKey");
  public static final int DEFAULT_MAX_TUNNELS = 100;
  public static final Duration DEFAULT_KEEPALIVE = Duration.ofSeconds(25);
  /** The largest value a count setting takes: in effect, no cap. */
  static final int NO_CAP = 1_000_000;

  static OutsideServiceConfig fromJson(JsonObject json, String path) {
    JsonFields f = new JsonFields(json, path, KEYS);
    int maxTunnels = f.integer("maxTunnels", DEFAULT_MAX_TUNNELS, 1, 1_000_000);
    double serviceRate = f.rate("newClientsPerSecond", 1000);
    return new OutsideServiceConfig(
        f.serviceName("name"),
        f.hostPort("listen"),
        f.secrets("secret"),
        maxTunnels,
        f.integer("maxSpares", Math.min(maxTunnels, 64), 1, 1_000_000),
        f.seconds("keepaliveInterval", DEFAULT_KEEPALIVE, 0.1, 3600),
        f.integer("maxPendingClients", 256, 0, 100_000),
        f.cidrs("allow"),
        f.cidrs("deny"),
        f.integer("maxTunnelsPerIp", NO_CAP, 1, NO_CAP),
        f.rate("newClientsPerSecondPerIp", serviceRate),
        serviceRate,
        f.rate("challengesPerSecondPerIp", 2000),
        f.wireguardKey("wireguardPublicKey"));
  }

  /** How long the outside keeps a tunnel that sends no keepalive: 2 x interval + 5 s. */
  public Duration tunnelExpiry() {
    return keepaliveInterval.multipliedBy(2).plusSeconds(5);
  }
}
