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
 */
public record OutsideServiceConfig(String name, HostPort listen, List<String> secrets, int maxTunnels,
                                   int maxSpares, Duration keepaliveInterval, int maxPendingClients)
    implements ServiceSettings {

  public static final Set<String> KEYS = Set.of("name", "listen", "secret", "maxTunnels", "maxSpares",
      "keepaliveInterval", "maxPendingClients");
  public static final int DEFAULT_MAX_TUNNELS = 100;
  public static final Duration DEFAULT_KEEPALIVE = Duration.ofSeconds(25);

  static OutsideServiceConfig fromJson(JsonObject json, String path) {
    JsonFields f = new JsonFields(json, path, KEYS);
    int maxTunnels = f.integer("maxTunnels", DEFAULT_MAX_TUNNELS, 1, 1_000_000);
    return new OutsideServiceConfig(
        f.serviceName("name"),
        f.hostPort("listen"),
        f.secrets("secret"),
        maxTunnels,
        f.integer("maxSpares", Math.min(maxTunnels, 64), 1, 1_000_000),
        f.seconds("keepaliveInterval", DEFAULT_KEEPALIVE, 0.1, 3600),
        f.integer("maxPendingClients", 256, 0, 100_000));
  }

  /** How long the outside keeps a tunnel that sends no keepalive: 2 x interval + 5 s. */
  public Duration tunnelExpiry() {
    return keepaliveInterval.multipliedBy(2).plusSeconds(5);
  }
}
