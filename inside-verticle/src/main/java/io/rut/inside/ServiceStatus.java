package io.rut.inside;

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

  static JsonObject of(InsideServiceConfig config, int spares, int tunnels, List<JsonObject> each) {
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
        .put("healthy", registered > 0);
    if (registered == 0) {
      status.put("status", "down").put("reason", "no_tunnel_registered");
    } else if (registeredSpares == 0) {
      status.put("status", "degraded").put("reason", tunnels >= config.maxTunnels() ? "tunnel_limit" : "no_spare");
    } else {
      status.put("status", "ok");
    }
    return status.put("list", list);
  }
}
