package io.rut.config;

import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * Where the metrics and status endpoint listens; {@code listen} null means off.
 *
 * @param listen address of the HTTP endpoint, or null
 * @param token  optional bearer token the endpoint demands, or null
 */
public record MetricsConfig(HostPort listen, String token) {

  public static final MetricsConfig OFF = new MetricsConfig(null, null);

  static MetricsConfig fromJson(JsonObject json) {
    if (json == null) {
      return OFF;
    }
    JsonFields f = new JsonFields(json, "metrics", Set.of("listen", "token"));
    return new MetricsConfig(f.has("listen") ? f.hostPort("listen") : null, f.string("token", null));
  }
}
