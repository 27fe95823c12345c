package io.rut.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** /metrics, /health and /tunnels of real agents, read over HTTP as Prometheus and operators do. */
class StatusEndpointTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private Rig rig;

  @AfterEach
  void tearDown() {
    if (rig != null) {
      rig.close();
    }
  }

  private static JsonObject metricsOn() {
    return new JsonObject().put("metrics", new JsonObject().put("listen", "127.0.0.1:0"));
  }

  /** A rig whose agents serve their status endpoints, with Vert.x's own metrics on. */
  private Rig start(JsonObject outsideMetrics) {
    rig = new Rig(true);
    rig.startEcho("127.0.0.1", 0);
    rig.outside = new io.rut.outside.OutsideVerticle(io.rut.config.OutsideConfig.fromJson(new JsonObject()
        .put("services", new JsonArray().add(Rig.outsideService("127.0.0.1:0"))).mergeIn(outsideMetrics)),
        null, rig.registry);
    Rig.await(rig.vertx.deployVerticle(rig.outside));
    rig.inside = new io.rut.inside.InsideVerticle(io.rut.config.InsideConfig.fromJson(new JsonObject()
        .put("services", new JsonArray().add(Rig.insideService("127.0.0.1:" + rig.outsidePort(),
            "127.0.0.1:" + rig.echo.port()))).mergeIn(metricsOn())), null, rig.registry,
        io.rut.config.HostPort::resolve);
    Rig.await(rig.vertx.deployVerticle(rig.inside));
    rig.awaitSpares(2);
    return rig;
  }

  private static HttpResponse<String> get(int port, String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static double sample(String scrape, String name, String... labels) {
    for (String line : scrape.split("\n")) {
      if (!line.startsWith(name + "{")) {
        continue;
      }
      boolean all = true;
      for (String l : labels) {
        all &= line.contains(l);
      }
      if (all) {
        Matcher m = Pattern.compile("} ([0-9.eE+-]+)").matcher(line);
        if (m.find()) {
          return Double.parseDouble(m.group(1));
        }
      }
    }
    return Double.NaN;
  }

  @Test
  void metricsCountExactlyWhatWasSentAndWhatWasDropped() throws Exception {
    start(metricsOn());
    int port = rig.outside.statusPort();
    try (TestClient client = TestClient.to(rig.outsidePort())) {
      for (int i = 0; i < 25; i++) {
        assertArrayEquals(("n" + i).getBytes(), client.roundTrip(("n" + i).getBytes(), 2000));
      }
      for (int i = 0; i < 3; i++) {
        client.send(new byte[0]);
      }
      assertArrayEquals("last".getBytes(), client.roundTrip("last".getBytes(), 2000));
    }
    HttpResponse<String> r = get(port, "/metrics", null);
    assertEquals(200, r.statusCode());
    String scrape = r.body();
    assertEquals(26, sample(scrape, "rut_forwarded_datagrams_total", "agent=\"outside\"",
        "direction=\"client_to_tunnel\"", "service=\"test\""));
    assertEquals(26, sample(scrape, "rut_forwarded_datagrams_total", "agent=\"inside\"",
        "direction=\"service_to_tunnel\""));
    assertEquals(3, sample(scrape, "rut_drops_total", "agent=\"outside\"", "reason=\"empty\""));
    assertEquals(0, sample(scrape, "rut_drops_total", "agent=\"outside\"", "reason=\"replay\""));
    assertEquals(1, sample(scrape, "rut_tunnels", "agent=\"outside\"", "state=\"active\""));
    assertTrue(sample(scrape, "rut_control_messages_total", "agent=\"outside\"", "type=\"bind\"", "way=\"out\"") >= 1);
    assertTrue(sample(scrape, "rut_client_setup_seconds_count", "agent=\"outside\"") >= 1);
    assertTrue(scrape.contains("\nvertx_eventbus_handlers "), "Vert.x event-bus metrics are present");
    assertTrue(!scrape.contains("127.0.0.1"), "no client or tunnel address in any label");
  }

  @Test
  void healthIs200WithAPathAnd503Without() throws Exception {
    start(metricsOn());
    HttpResponse<String> inside = get(rig.inside.statusPort(), "/health", null);
    assertEquals(200, inside.statusCode(), inside.body());
    JsonObject service = new JsonObject(inside.body()).getJsonArray("services").getJsonObject(0);
    assertTrue(service.getDouble("secondsSinceAck") >= 0);
    assertEquals(2, service.getInteger("registered"));
    assertEquals(200, get(rig.outside.statusPort(), "/health", null).statusCode());

    Rig.await(rig.vertx.undeploy(rig.inside.deploymentID()));
    rig.awaitStatus(s -> s.getInteger("tunnels") == 0, java.time.Duration.ofSeconds(2));
    HttpResponse<String> outside = get(rig.outside.statusPort(), "/health", null);
    assertEquals(503, outside.statusCode(), "no usable tunnel path: " + outside.body());
  }

  @Test
  void tunnelsShowTheClientsAsTheOutsideSeesThem() throws Exception {
    start(metricsOn());
    try (TestClient client = TestClient.to(rig.outsidePort())) {
      assertArrayEquals("hi".getBytes(), client.roundTrip("hi".getBytes(), 2000));
      String clientAddress = "127.0.0.1:" + client.port();
      JsonArray outside = new JsonArray(get(rig.outside.statusPort(), "/tunnels", null).body());
      JsonObject active = outside.stream().map(o -> (JsonObject) o)
          .filter(t -> "active".equals(t.getString("state"))).findFirst().orElseThrow();
      assertEquals(clientAddress, active.getString("client"));
      assertEquals(1, active.getLong("datagramsToTunnel"));
      assertEquals(1, active.getLong("datagramsToClient"));
      JsonArray inside = new JsonArray(get(rig.inside.statusPort(), "/tunnels", null).body());
      JsonObject mine = inside.stream().map(o -> (JsonObject) o)
          .filter(t -> "active".equals(t.getString("state"))).findFirst().orElseThrow();
      assertEquals(clientAddress, mine.getString("client"), "the inside knows its service's real peer");
      assertEquals(active.getString("tunnel"), mine.getString("tunnel"));
      assertEquals(active.getString("address"), mine.getString("publicAddress"));
      assertEquals(2, mine.getLong("bytesToService"));
    }
  }

  @Test
  void aTokenGuardsTheEndpoint() throws Exception {
    start(new JsonObject().put("metrics", new JsonObject().put("listen", "127.0.0.1:0").put("token", "s3cret")));
    int port = rig.outside.statusPort();
    assertEquals(401, get(port, "/metrics", null).statusCode());
    assertEquals(401, get(port, "/metrics", "wrong").statusCode());
    assertEquals(200, get(port, "/metrics", "s3cret").statusCode());
    assertEquals(404, get(port, "/nothing", "s3cret").statusCode());
  }

  @Test
  void everyMetricTheGrafanaDashboardUsesExists() throws Exception {
    start(metricsOn());
    try (TestClient client = TestClient.to(rig.outsidePort())) {
      assertArrayEquals("hi".getBytes(), client.roundTrip("hi".getBytes(), 2000));
    }
    Rig.await(rig.vertx.undeploy(rig.inside.deploymentID())); // closes tunnels: rut_tunnels_closed_total
    rig.awaitStatus(s -> s.getInteger("tunnels") == 0, java.time.Duration.ofSeconds(2));
    String scrape = get(rig.outside.statusPort(), "/metrics", null).body();
    String dashboard = java.nio.file.Files.readString(java.nio.file.Path.of("..", "conf", "grafana", "rut-dashboard.json"));
    Matcher m = Pattern.compile("rut_[a-z_]+").matcher(dashboard);
    java.util.Set<String> names = new java.util.TreeSet<>();
    while (m.find()) {
      names.add(m.group());
    }
    assertTrue(names.size() >= 10, names.toString());
    for (String name : names) {
      // rut_events_total and rut_config_reloads_total appear with their first event / first reload
      if (name.equals("rut_events_total") || name.equals("rut_config_reloads_total")) {
        continue;
      }
      assertTrue(scrape.contains("\n" + name + "{"), "the scrape has " + name);
    }
  }
}
