package io.rut.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.config.SeedFlags;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Limits and lost paths say so: in the log, rate-limited, and in each service's status. */
class LimitsTest {

  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      lines.add(r.getMessage());
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };
  private Rig rig;
  /** Held here: JUL keeps loggers weakly, and a collected one takes the handler with it. */
  private final Logger rut = Logger.getLogger("rut");

  @BeforeEach
  void listen() {
    // Vert.x resets JUL's configuration, handlers included, once when it loads: before we listen.
    io.vertx.core.internal.logging.LoggerFactory.getLogger(LimitsTest.class);
    rut.addHandler(capture);
  }

  @AfterEach
  void tearDown() {
    rut.removeHandler(capture);
    if (rig != null) {
      rig.close();
    }
  }

  private long count(String agent, String event) {
    return lines.stream().filter(l -> l.startsWith("agent=" + agent + " event=" + event + " ")).count();
  }

  private String first(String agent, String event) {
    return lines.stream().filter(l -> l.startsWith("agent=" + agent + " event=" + event + " ")).findFirst()
        .orElse("none");
  }

  /** With -n 5 on both agents, a sixth client waits, and both agents say why. */
  @Test
  void aClientOverTheTunnelLimitIsLoggedAndBothServicesReportDegraded() {
    JsonObject outside = SeedFlags.toJson(SeedFlags.Side.OUTSIDE, List.of("-l", "0", "-k", Rig.SECRET, "-n", "5"))
        .getJsonArray("services").getJsonObject(0).put("name", Rig.SERVICE);
    rig = new Rig();
    rig.startEcho("127.0.0.1", 0);
    rig.startOutside(outside);
    rig.startInside(SeedFlags.toJson(SeedFlags.Side.INSIDE, List.of("-s", "127.0.0.1:" + rig.echo.port(),
            "-o", "127.0.0.1:" + rig.outsidePort(), "-k", Rig.SECRET, "-n", "5"))
        .getJsonArray("services").getJsonObject(0).put("name", Rig.SERVICE));
    rig.awaitSpares(1);
    List<TestClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 5; i++) {
        TestClient c = TestClient.to(rig.outsidePort());
        clients.add(c);
        assertArrayEquals("in".getBytes(), c.roundTrip("in".getBytes(), 3000), "client " + i);
      }
      // Five of five tunnels carry a client: no new client can be taken now.
      rig.awaitStatus(s -> "degraded".equals(s.getString("status")), Duration.ofSeconds(5));
      JsonObject out = rig.outsideStatus();
      assertEquals("tunnel_limit", out.getString("reason"), out.encode());
      JsonObject in = rig.insideStatus();
      assertEquals("degraded", in.getString("status"), in.encode());
      assertEquals("tunnel_limit", in.getString("reason"));
      assertEquals(0, count("outside", "client_waiting"));
      TestClient sixth = TestClient.to(rig.outsidePort());
      clients.add(sixth);
      sixth.send("over the limit".getBytes());
      Rig.sleep(300);
      assertTrue(first("outside", "client_waiting").contains("reason=tunnel_limit"), lines.toString());
      assertEquals(1, count("inside", "tunnel_limit"), "the inside says it cannot open a spare, once");
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (count("outside", "client_dropped") == 0 && System.nanoTime() < deadline) {
        Rig.sleep(100);
      }
      assertTrue(first("outside", "client_dropped").contains("reason=queue_expired"), lines.toString());
    } finally {
      clients.forEach(TestClient::close);
    }
  }

  /** The inside's health follows its path to the outside, and each change is logged once. */
  @Test
  void insideHealthFollowsTheOutsideServiceAndEachChangeIsLoggedOnce() {
    JsonObject fast = new JsonObject().put("keepaliveInterval", 1);
    rig = Rig.standard(fast, fast);
    int port = rig.outsidePort();
    awaitInside("ok");
    awaitCount("inside", "service_healthy", 1);

    Rig.await(rig.relay().retire()); // the service is removed from the outside: CLOSE to every tunnel
    rig.stopOutside();
    long removed = System.nanoTime();
    awaitInside("down");
    double seconds = (System.nanoTime() - removed) / 1e9;
    assertTrue(seconds < 2, "down after " + seconds + " s");
    awaitCount("inside", "service_unhealthy", 1);
    assertTrue(first("inside", "service_unhealthy").contains("reason=no_tunnel_registered"), lines.toString());

    rig.startOutside(Rig.outsideService("[::]:" + port).mergeIn(fast));
    awaitInside("ok");
    awaitCount("inside", "service_healthy", 2);
    Rig.sleep(500);
    assertEquals(2, count("inside", "service_healthy"), "each change once");
    assertEquals(1, count("inside", "service_unhealthy"), "each change once");
  }

  private void awaitCount(String agent, String event, long n) {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (count(agent, event) < n && System.nanoTime() < deadline) {
      Rig.sleep(20);
    }
    assertEquals(n, count(agent, event), lines.toString());
  }

  private void awaitInside(String status) {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    JsonObject s = rig.insideStatus();
    while (!status.equals(s.getString("status")) && System.nanoTime() < deadline) {
      Rig.sleep(50);
      s = rig.insideStatus();
    }
    assertEquals(status, s.getString("status"), s.encode());
  }
}
