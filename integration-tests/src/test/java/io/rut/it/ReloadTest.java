package io.rut.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.protocol.ServiceKeys;
import io.rut.tools.UdpEcho;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration files change under running agents that carry traffic. */
class ReloadTest {

  @TempDir
  Path dir;
  private Path outsideFile;
  private Path insideFile;
  private Rig rig;
  private int portA;
  private UdpEcho echoA;

  @BeforeEach
  void start() {
    rig = new Rig();
    echoA = rig.startEcho("127.0.0.1", 0);
    portA = Rig.freePort();
    outsideFile = dir.resolve("outside.json");
    insideFile = dir.resolve("inside.json");
    Rig.write(outsideFile, outside(outsideService("a", portA)));
    Rig.write(insideFile, inside(insideService("a", portA, echoA.port())));
    rig.startOutsideFile(outsideFile);
    rig.startInsideFile(insideFile);
    awaitThat(() -> spares("a") >= 1, "service a registered");
  }

  @AfterEach
  void stop() {
    rig.close();
  }

  private static JsonObject outside(JsonObject... services) {
    return new JsonObject().put("services", new JsonArray(java.util.List.of((Object[]) services)))
        .put("configScanPeriod", 0.2);
  }

  private static JsonObject inside(JsonObject... services) {
    return outside(services);
  }

  private static JsonObject outsideService(String name, int port) {
    return new JsonObject().put("name", name).put("listen", "127.0.0.1:" + port).put("secret", Rig.SECRET)
        .put("keepaliveInterval", 1).put("maxTunnelsPerIp", 1000).put("newClientsPerSecondPerIp", 1000);
  }

  private static JsonObject insideService(String name, int outsidePort, int targetPort) {
    return new JsonObject().put("name", name).put("outside", "127.0.0.1:" + outsidePort)
        .put("target", "127.0.0.1:" + targetPort).put("secret", Rig.SECRET).put("keepaliveInterval", 1);
  }

  private int spares(String service) {
    var relay = rig.outside.relay(service);
    return relay == null ? -1 : Rig.await(relay.status()).getInteger("spares");
  }

  private double reloads(String agent, String result) {
    var c = rig.registry.find("rut_config_reloads").tag("agent", agent).tag("result", result).counter();
    return c == null ? 0 : c.count();
  }

  private static void awaitThat(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never happened: " + what);
      }
      Rig.sleep(20);
    }
  }

  /** Sends {@code count} datagrams one at a time to service a while {@code during} runs; returns echoes. */
  private int trafficOnA(int count, Runnable during) throws Exception {
    AtomicInteger echoed = new AtomicInteger();
    try (TestClient client = TestClient.to(portA)) {
      Thread t = new Thread(() -> {
        for (int i = 0; i < count; i++) {
          byte[] msg = ("a " + i).getBytes();
          if (client.roundTrip(msg, 1000) != null) {
            echoed.incrementAndGet();
          }
          Rig.sleep(2);
        }
      });
      t.start();
      during.run();
      t.join(60_000);
    }
    return echoed.get();
  }

  @Test
  void addingAServiceLosesNothingOnTheRunningOne() throws Exception {
    UdpEcho echoB = new UdpEcho(new InetSocketAddress("127.0.0.1", 0));
    Rig.await(rig.vertx.deployVerticle(echoB));
    int portB = Rig.freePort();
    int echoed = trafficOnA(600, () -> {
      Rig.sleep(200);
      Rig.write(outsideFile, outside(outsideService("a", portA), outsideService("b", portB)));
      Rig.write(insideFile, inside(insideService("a", portA, echoA.port()), insideService("b", portB, echoB.port())));
      awaitThat(() -> spares("b") >= 1, "service b came up");
    });
    assertEquals(600, echoed, "zero datagrams lost on the running service");
    try (TestClient client = TestClient.to(portB)) {
      byte[] msg = "to b".getBytes();
      assertArrayEquals(msg, client.roundTrip(msg, 2000));
    }
    assertEquals(1, reloads("outside", "ok"));
    assertEquals(1, reloads("inside", "ok"));
  }

  @Test
  void removingAServiceClosesItsTunnelsAndPortButNotTheOthers() throws Exception {
    UdpEcho echoB = new UdpEcho(new InetSocketAddress("127.0.0.1", 0));
    Rig.await(rig.vertx.deployVerticle(echoB));
    int portB = Rig.freePort();
    Rig.write(outsideFile, outside(outsideService("a", portA), outsideService("b", portB)));
    Rig.write(insideFile, inside(insideService("a", portA, echoA.port()), insideService("b", portB, echoB.port())));
    awaitThat(() -> spares("b") >= 1, "service b came up");

    int echoed = trafficOnA(400, () -> {
      Rig.sleep(100);
      Rig.write(insideFile, inside(insideService("a", portA, echoA.port())));
      awaitThat(() -> spares("b") == 0, "b's tunnels closed at the outside by the inside's CLOSE");
      Rig.write(outsideFile, outside(outsideService("a", portA)));
      awaitThat(() -> rig.outside.relay("b") == null, "service b gone from the outside");
    });
    assertEquals(400, echoed, "service a lost nothing");
    try (java.net.DatagramSocket again = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.1", portB))) {
      assertEquals(portB, again.getLocalPort(), "b's port is closed");
    }
    assertTrue(rig.registry.find("rut_drops").tag("service", "b").counters().isEmpty(),
        "b's meters are gone with it");
  }

  @Test
  void secretsRotateOnBothSidesInEitherOrderWithoutDroppingATunnel() throws Exception {
    String next = ServiceKeys.generate();
    JsonArray oldThenNew = new JsonArray().add(Rig.SECRET).add(next);
    JsonArray newThenOld = new JsonArray().add(next).add(Rig.SECRET);
    JsonArray onlyNew = new JsonArray().add(next);
    Set<String> peers;
    try (TestClient client = TestClient.to(portA)) {
      assertArrayEquals("x".getBytes(), client.roundTrip("x".getBytes(), 2000));
      peers = echoA.peers();
    }
    java.util.List<String> tunnelsBefore = tunnelIds();
    int echoed = trafficOnA(900, () -> {
      // 1. accept the new key (outside first), 2. sign with it (inside first), 3. drop the old one.
      rotate(true, oldThenNew);
      rotate(false, oldThenNew);
      rotate(false, newThenOld);
      rotate(true, newThenOld);
      rotate(true, onlyNew);
      rotate(false, onlyNew);
    });
    assertEquals(900, echoed, "nothing lost while the keys rotated");
    assertTrue(echoA.peers().containsAll(peers), "the first client's flow kept its inside socket");
    assertTrue(tunnelIds().containsAll(tunnelsBefore), "no tunnel was dropped or replaced");
    Rig.sleep(2500);
    assertTrue(tunnelIds().containsAll(tunnelsBefore), "keepalives under the new key alone are acknowledged");
    assertEquals(3, reloads("outside", "ok"));
    assertEquals(3, reloads("inside", "ok"));
  }

  private java.util.List<String> tunnelIds() {
    JsonArray list = Rig.await(rig.outside.relay("a").status()).getJsonArray("list");
    return list.stream().map(o -> ((JsonObject) o).getString("tunnel")).sorted().toList();
  }

  private void rotate(boolean outsideSide, JsonArray secrets) {
    double before = reloads(outsideSide ? "outside" : "inside", "ok");
    if (outsideSide) {
      Rig.write(outsideFile, outside(outsideService("a", portA).put("secret", secrets)));
    } else {
      Rig.write(insideFile, inside(insideService("a", portA, echoA.port()).put("secret", secrets)));
    }
    awaitThat(() -> reloads(outsideSide ? "outside" : "inside", "ok") > before, "reload applied");
    Rig.sleep(300);
  }

  @Test
  void aBrokenChangeIsRejectedAsAWholeAndTheRunningConfigurationStays() throws Exception {
    int portB = Rig.freePort();
    try (java.net.DatagramSocket taken = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      Rig.write(outsideFile, outside(outsideService("a", portA)).put("services", "not a list"));
      awaitThat(() -> reloads("outside", "rejected") == 1, "invalid configuration rejected");

      java.nio.file.Files.writeString(outsideFile, "{ \"services\": [ ");
      awaitThat(() -> reloads("outside", "rejected") == 2, "broken JSON rejected");

      // b's port is taken: b cannot start, so a's change in the same file must not apply either.
      Rig.write(outsideFile, outside(outsideService("a", portA).put("maxTunnels", 7),
          outsideService("b", portB), outsideService("c", taken.getLocalPort())));
      awaitThat(() -> reloads("outside", "rejected") == 3, "port in use rejected");
      assertNull(rig.outside.relay("b"), "no partial start");
      assertNull(rig.outside.relay("c"));
    }
    try (TestClient client = TestClient.to(portA)) {
      assertArrayEquals("still".getBytes(), client.roundTrip("still".getBytes(), 2000), "a still serves");
    }
    Rig.write(outsideFile, outside(outsideService("a", portA), outsideService("b", portB)));
    awaitThat(() -> reloads("outside", "ok") == 1, "a valid change applies");
    assertTrue(rig.outside.relay("b") != null);
  }

  @Test
  void changedIntervalsAndTimeoutsKeepTheLiveTunnels() throws Exception {
    Set<String> peers;
    try (TestClient client = TestClient.to(portA)) {
      assertArrayEquals("x".getBytes(), client.roundTrip("x".getBytes(), 2000));
      peers = echoA.peers();
      java.util.List<String> before = tunnelIds();
      Rig.write(insideFile, inside(insideService("a", portA, echoA.port()).put("keepaliveInterval", 0.5)
          .put("connectionTimeout", 30).put("spares", 3)));
      Rig.write(outsideFile, outside(outsideService("a", portA).put("keepaliveInterval", 0.5).put("maxTunnels", 50)));
      awaitThat(() -> reloads("inside", "ok") == 1 && reloads("outside", "ok") == 1, "both reloaded");
      awaitThat(() -> spares("a") >= 3, "the larger spare pool is filled");
      assertArrayEquals("y".getBytes(), client.roundTrip("y".getBytes(), 2000));
      assertTrue(tunnelIds().containsAll(before), "the old tunnels are still there");
    }
    assertEquals(peers, echoA.peers(), "the client kept its inside socket");
  }
}
