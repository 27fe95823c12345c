package io.rut.inside;

import static io.rut.protocol.ControlMessage.hex;

import io.rut.config.ClientAddress;
import io.rut.config.InsideServiceConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * One inside service as {@code /health} and {@code /tunnels} show it, from its tunnels' own
 * statuses: healthy while a tunnel is registered at the outside, degraded while none of them is a
 * registered spare (a new client would wait), down while none is registered.
 */
final class ServiceStatus {

  private ServiceStatus() {
  }

  /**
   * What the service agent knows itself.
   *
   * @param clientAddress the mode its tunnels use now
   * @param transparentProblem why transparent mode is refused, or null
   */
  record Counts(int spares, int tunnels, ClientAddress clientAddress, String transparentProblem) {
  }

  /** A tunnel that has not answered yet. */
  static JsonObject opening(InsideServiceConfig config, long id) {
    return new JsonObject().put("service", config.name()).put("tunnel", hex(id)).put("state", "opening")
        .put("registered", false);
  }

  static JsonObject of(InsideServiceConfig config, Counts counts, List<JsonObject> each) {
    int spares = counts.spares();
    int tunnels = counts.tunnels();
    JsonArray list = new JsonArray();
    int registered = 0;
    int registeredSpares = 0;
    double sinceAck = -1;
    for (JsonObject t : each) {
      list.add(t);
      if (Boolean.TRUE.equals(t.getBoolean("registered"))) {
        registered++;
        registeredSpares += "spare".equals(t.getString("state")) ? 1 : 0;
      }
      Double s = t.getDouble("secondsSinceAck");
      if (s != null && (sinceAck < 0 || s < sinceAck)) {
        sinceAck = s;
      }
    }
    JsonObject status = new JsonObject().put("service", config.name()).put("tunnels", tunnels)
        .put("spares", spares).put("registered", registered).put("secondsSinceAck", sinceAck)
        .put("healthy", registered > 0).put("clientAddress", counts.clientAddress().label());
    if (counts.transparentProblem() != null) {
      status.put("transparentProblem", counts.transparentProblem());
    }
    if (registered == 0 && counts.transparentProblem() != null && tunnels == 0) {
      status.put("status", "down").put("reason", "transparent_unavailable");
    } else if (registered == 0) {
      status.put("status", "down").put("reason", "no_tunnel_registered");
    } else if (registeredSpares == 0) {
      status.put("status", "degraded").put("reason", tunnels >= config.maxTunnels() ? "tunnel_limit" : "no_spare");
    } else {
      status.put("status", "ok");
    }
    return status.put("list", list);
  }
}
