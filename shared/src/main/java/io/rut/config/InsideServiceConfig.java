package io.rut.config;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * One service on the inside agent: where the outside agent is, where the real service is.
 *
 * @param name              service name (both agents must use the same)
 * @param outside           the outside agent's address for this service
 * @param target            the service the tunnels relay to, e.g. a WireGuard server
 * @param secrets           first signs, all verify (PROTOCOL.md section 3)
 * @param spares            registered spare tunnels kept ready
 * @param maxTunnels        tunnels (spare and active) at most
 * @param keepaliveInterval keepalive period of every tunnel, jittered by up to 10 %
 * @param connectionTimeout an active tunnel closes after this long without data, drawn within 20 %
 * @param clientAddress     what the service is told of each client's public address
 * @param otherFamilyTarget the service in the other address family than {@code target}, or null:
 *                          in transparent mode, where clients of that family are sent
 */
public record InsideServiceConfig(String name, HostPort outside, HostPort target, List<String> secrets,
                                  int spares, int maxTunnels, Duration keepaliveInterval,
                                  Duration connectionTimeout, ClientAddress clientAddress,
                                  HostPort otherFamilyTarget)
    implements ServiceSettings {

  public static final Set<String> KEYS = Set.of("name", "outside", "target", "secret", "spares", "maxTunnels",
      "keepaliveInterval", "connectionTimeout", "clientAddress", "otherFamilyTarget");
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  static InsideServiceConfig fromJson(JsonObject json, String path) {
    JsonFields f = new JsonFields(json, path, KEYS);
    int maxTunnels = f.integer("maxTunnels", OutsideServiceConfig.DEFAULT_MAX_TUNNELS, 1, 1_000_000);
    int spares = f.integer("spares", Math.min(2, maxTunnels), 1, 1_000_000);
    if (spares > maxTunnels) {
      throw f.error("spares", spares + " spares do not fit in maxTunnels " + maxTunnels);
    }
    HostPort outside = f.hostPort("outside");
    HostPort target = f.hostPort("target");
    if (outside.port() == 0) {
      throw f.error("outside", "port 0 is not a destination");
    }
    if (target.port() == 0) {
      throw f.error("target", "port 0 is not a destination");
    }
    HostPort otherTarget = f.has("otherFamilyTarget") ? f.hostPort("otherFamilyTarget") : null;
    if (otherTarget != null && (otherTarget.port() == 0 || !otherTarget.isLiteral() || !target.isLiteral()
        || otherTarget.host().contains(":") == target.host().contains(":"))) {
      throw f.error("otherFamilyTarget", "must be an address literal of the other family than target "
          + target + " (e.g. [::1]:" + target.port() + " for 127.0.0.1:" + target.port() + "), with a port");
    }
    return new InsideServiceConfig(
        f.serviceName("name"), outside, target, f.secrets("secret"), spares, maxTunnels,
        f.seconds("keepaliveInterval", OutsideServiceConfig.DEFAULT_KEEPALIVE, 0.1, 3600),
        f.seconds("connectionTimeout", DEFAULT_TIMEOUT, 0.1, 86_400),
        clientAddress(f), otherTarget);
  }

  /** The same service with another client address mode (a transparent service waiting for its check). */
  public InsideServiceConfig withClientAddress(ClientAddress mode) {
    return new InsideServiceConfig(name, outside, target, secrets, spares, maxTunnels, keepaliveInterval,
        connectionTimeout, mode, otherFamilyTarget);
  }

  private static ClientAddress clientAddress(JsonFields f) {
    String value = f.string("clientAddress", ClientAddress.NONE.label());
    ClientAddress mode = ClientAddress.parse(value);
    if (mode == null) {
      throw f.error("clientAddress", "'" + value + "' is not one of none, proxy-v2, transparent");
    }
    return mode;
  }
}
