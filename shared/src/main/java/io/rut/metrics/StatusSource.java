package io.rut.metrics;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** What an agent tells its status endpoint: health per service and the live tunnels. */
public interface StatusSource {

  /** Per service, with {@code "healthy"}: whether the service has a usable tunnel path. */
  Future<JsonArray> health();

  /** Every live tunnel, one object each. */
  Future<JsonArray> tunnels();
}
