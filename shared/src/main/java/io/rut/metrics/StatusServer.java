package io.rut.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rut.config.MetricsConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The operator's window: {@code /metrics} (Prometheus text), {@code /health} (200, or 503 when a
 * service has no usable tunnel path) and {@code /tunnels} (the live tunnels as JSON), optionally
 * behind a bearer token.
 */
public final class StatusServer extends VerticleBase {

  private final MetricsConfig config;
  private final PrometheusMeterRegistry registry;
  private final StatusSource source;
  private HttpServer server;

  public StatusServer(MetricsConfig config, PrometheusMeterRegistry registry, StatusSource source) {
    this.config = config;
    this.registry = registry;
    this.source = source;
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer().requestHandler(this::handle);
    return server.listen(config.listen().port(), config.listen().host())
        .recover(e -> Future.failedFuture("cannot serve metrics on " + config.listen() + ": "
            + io.rut.net.Udp.describe(e)));
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  public int port() {
    return server.actualPort();
  }

  private void handle(HttpServerRequest req) {
    if (config.token() != null && !authorized(req.getHeader("Authorization"))) {
      req.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer").end();
      return;
    }
    switch (req.path()) {
      case "/metrics" -> req.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
          .end(registry.scrape());
      case "/health" -> source.health().onComplete(r -> {
        if (r.failed()) {
          req.response().setStatusCode(500).end();
          return;
        }
        boolean healthy = r.result().stream().allMatch(s -> ((JsonObject) s).getBoolean("healthy", false));
        json(req, healthy ? 200 : 503, new JsonObject().put("status", healthy ? "ok" : "unhealthy")
            .put("services", r.result()).encodePrettily());
      });
      case "/tunnels" -> source.tunnels().onComplete(r -> {
        if (r.failed()) {
          req.response().setStatusCode(500).end();
        } else {
          json(req, 200, r.result().encodePrettily());
        }
      });
      default -> req.response().setStatusCode(404).end();
    }
  }

  private boolean authorized(String header) {
    byte[] expected = ("Bearer " + config.token()).getBytes(StandardCharsets.UTF_8);
    return header != null && MessageDigest.isEqual(expected, header.getBytes(StandardCharsets.UTF_8));
  }

  private static void json(HttpServerRequest req, int status, String body) {
    req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
  }

  /** Convenience for sources: a JSON array of the results that succeeded. */
  public static JsonArray collect(java.util.List<Future<JsonObject>> parts) {
    JsonArray out = new JsonArray();
    for (Future<JsonObject> f : parts) {
      if (f.succeeded()) {
        out.add(f.result());
      }
    }
    return out;
  }
}
