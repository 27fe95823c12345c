package io.rut.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Tunnels closing, the outside restarting, NAT rebinding and the service going away. */
class LifecycleTest {

  private Rig rig;

  @AfterEach
  void tearDown() {
    if (rig != null) {
      rig.close();
    }
  }

  /**
   * Agents started together often send a tunnel's first HELLO before the outside listens: the
   * second follows within a fraction of a second, not after the protocol's 1 s re-registration backoff.
   */
  @Test
  void aNewTunnelRetriesItsFirstHelloWithinAFractionOfASecond() throws Exception {
    rig = new Rig();
    rig.startEcho("127.0.0.1", 0);
    try (java.net.DatagramSocket silentOutside = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
      rig.startInside(Rig.insideService("127.0.0.1:" + silentOutside.getLocalPort(), "127.0.0.1:" + rig.echo.port()));
      java.util.Map<Integer, java.util.List<Long>> hellosBySource = new java.util.HashMap<>();
      byte[] buf = new byte[2048];
      long end = System.nanoTime() + 1_500_000_000L;
      while (System.nanoTime() < end) {
        silentOutside.setSoTimeout((int) Math.max(1, (end - System.nanoTime()) / 1_000_000));
        java.net.DatagramPacket p = new java.net.DatagramPacket(buf, buf.length);
        try {
          silentOutside.receive(p);
        } catch (java.net.SocketTimeoutException e) {
          break;
        }
        if (p.getLength() == 88 && buf[4] == 1) {
          hellosBySource.computeIfAbsent(p.getPort(), k -> new java.util.ArrayList<>()).add(System.nanoTime());
        }
      }
      assertTrue(hellosBySource.values().stream().anyMatch(t -> t.size() >= 2), "HELLOs repeated: " + hellosBySource);
      for (java.util.List<Long> times : hellosBySource.values()) {
        if (times.size() >= 2) {
          long gapMs = (times.get(1) - times.get(0)) / 1_000_000;
          assertTrue(gapMs >= 100 && gapMs < 600, "first HELLO retry after " + gapMs + " ms");
        }
      }
    }
  }

  private static JsonObject fast() {
    return new JsonObject().put("keepaliveInterval", 0.5);
  }

  @Test
  void idleTunnelClosesAndTheSameClientReconnectsAtOnce() throws Exception {
    rig = Rig.standard(new JsonObject().put("connectionTimeout", 1), new JsonObject());
    try (TestClient client = TestClient.to(rig.outsidePort())) {
      byte[] first = "before idle".getBytes();
      var closed = rig.nextClientTunnelClosed();
      assertArrayEquals(first, client.roundTrip(first, 2000));
      long lastData = System.nanoTime();
      io.rut.outside.OutsideEvent event = closed.get(5, TimeUnit.SECONDS);
      double idle = (System.nanoTime() - lastData) / 1e9;
      assertTrue(idle > 0.75 && idle < 1.4, "closed after " + idle + " s idle; drawn within 0.8-1.2 s");
      assertEquals(client.port(), event.client().getPort(), "the client's tunnel closed: " + event);
      assertEquals(1, rig.outside.meters(Rig.SERVICE).closedCount("inside_idle"),
          "the outside learnt of it from the inside's CLOSE, not by expiry");
      Rig.sleep(300);
      assertEquals(1, rig.outside.meters(Rig.SERVICE).events("close_for_closed_tunnel"),
          "the repeated CLOSE arrived, and is not counted as a drop");
      assertEquals(0, rig.outside.meters(Rig.SERVICE).drops(io.rut.metrics.DropReason.UNKNOWN_TUNNEL));

      // The C tools drop this datagram: their outside still maps the client to the dead tunnel.
      byte[] again = "same address, right after".getBytes();
      assertArrayEquals(again, client.roundTrip(again, 1000), "reconnects at once");
    }
    assertEquals(2, rig.echo.peers().size(), "the second flow got a fresh inside socket");
  }

  @Test
  void aLostCloseIsRepeatedSoTheClientIsNotSentIntoTheClosedTunnel() throws Exception {
    rig = new Rig();
    rig.startEcho("127.0.0.1", 0);
    rig.startOutside(Rig.outsideService("[::]:0"));
    RebindingProxy wire = new RebindingProxy(rig.vertx, rig.outsidePort());
    int wirePort = wire.start();
    rig.startInside(Rig.insideService("127.0.0.1:" + wirePort, "127.0.0.1:" + rig.echo.port())
        .put("connectionTimeout", 1));
    rig.awaitSpares(1);
    // The first CLOSE (type 7 at byte 4 of a control message) is lost on the way up.
    wire.drops.set(1);
    wire.lose = b -> b.length() == 88 && b.getByte(4) == 7;
    try (TestClient client = TestClient.to(rig.outsidePort())) {
      var closed = rig.nextClientTunnelClosed();
      byte[] first = "before idle".getBytes();
      assertArrayEquals(first, client.roundTrip(first, 2000));
      closed.get(5, TimeUnit.SECONDS);
      assertEquals(0, wire.drops.get(), "a CLOSE was lost");
      assertEquals(1, rig.outside.meters(Rig.SERVICE).closedCount("inside_idle"),
          "the outside learnt of the close from the repeated CLOSE, not by expiry (keepalive 25 s)");
      byte[] again = "same address, right after".getBytes();
      assertArrayEquals(again, client.roundTrip(again, 1000), "reconnects at once");
    }
  }

  @Test
  void outsideRestartKeepsTheClientsFlow() {
    rig = Rig.standard(fast(), fast());
    int port = rig.outsidePort();
    try (TestClient client = TestClient.to(port)) {
      byte[] hello = "before restart".getBytes();
      assertArrayEquals(hello, client.roundTrip(hello, 2000));
      Set<String> peersBefore = rig.echo.peers();

      rig.stopOutside();
      rig.startOutside(Rig.outsideService("[::]:" + port).mergeIn(fast()));
      long restarted = System.nanoTime();
      byte[] back = null;
      for (int i = 0; i < 100 && back == null; i++) {
        byte[] probe = ("after restart " + i).getBytes();
        back = client.roundTrip(probe, 50);
      }
      assertNotNull(back, "the client's datagrams flow again after the outside restarted");
      System.out.printf("outside restart: flow back after %.0f ms%n", (System.nanoTime() - restarted) / 1e6);
      assertEquals(peersBefore, rig.echo.peers(), "same flow: the service sees the same peer socket");
      assertEquals(1, rig.outside.meters(Rig.SERVICE).events("binding_restored"));
      // The inside learns of the restart from a keepalive, or first from a spare that the new
      // outside bound to this very client (a spare registering first, see the test below).
      assertTrue(rig.inside.meters(Rig.SERVICE).events("outside_restart")
          + rig.inside.meters(Rig.SERVICE).events("binding_lost") >= 1);
    }
  }

  /**
   * After an outside restart that no keepalive has revealed yet, a spare registers first and the
   * outside binds the returning client to it. The spare must not become a second peer of the
   * service: the tunnel that carries the client registers again and restores its binding.
   */
  @Test
  void aSpareBoundToAClientAnotherTunnelCarriesHandsItBack() {
    JsonObject slow = new JsonObject().put("keepaliveInterval", 30);
    rig = new Rig();
    rig.startEcho("127.0.0.1", 0);
    rig.startOutside(Rig.outsideService("[::]:0").mergeIn(slow));
    int port = rig.outsidePort();
    RebindingProxy wire = new RebindingProxy(rig.vertx, port);
    int wirePort = wire.start();
    rig.startInside(Rig.insideService("127.0.0.1:" + wirePort, "127.0.0.1:" + rig.echo.port())
        .mergeIn(slow).put("spares", 1));
    rig.awaitSpares(1);
    try (TestClient client = TestClient.to(port)) {
      byte[] hello = "before restart".getBytes();
      assertArrayEquals(hello, client.roundTrip(hello, 2000));
      rig.awaitSettled();
      Set<String> peersBefore = rig.echo.peers();
      long carrier = tunnelIn("active");
      long spare = tunnelIn("spare");
      // The carrier's first probes of the new outside are lost, so that the spare registers first.
      wire.lose = b -> b.length() == 88 && b.getByte(4) == 4 && b.getLong(16) == carrier;
      wire.drops.set(3);

      assertNotNull(restartOutsideTellingOnly(spare, slow, client, 60), "the client's datagrams flow again");
      assertEquals(peersBefore, rig.echo.peers(), "the service still sees one peer for the client");
      assertEquals(1, rig.inside.meters(Rig.SERVICE).events("binding_lost"));
      assertEquals(1, rig.outside.meters(Rig.SERVICE).events("binding_restored"));
      assertTrue(rig.inside.meters(Rig.SERVICE).drops(io.rut.metrics.DropReason.BINDING_CONFLICT) >= 1,
          "the datagrams that reached the spare meanwhile were dropped, not relayed");
    }
  }

  /** As above, but the carrier cannot register again (nothing it sends gets through): the spare takes the client over. */
  @Test
  void aSpareTakesTheClientOverWhenItsCarrierCannotRestoreIt() {
    JsonObject slow = new JsonObject().put("keepaliveInterval", 30);
    rig = new Rig();
    rig.startEcho("127.0.0.1", 0);
    rig.startOutside(Rig.outsideService("[::]:0").mergeIn(slow));
    int port = rig.outsidePort();
    RebindingProxy wire = new RebindingProxy(rig.vertx, port);
    int wirePort = wire.start();
    rig.startInside(Rig.insideService("127.0.0.1:" + wirePort, "127.0.0.1:" + rig.echo.port())
        .mergeIn(slow).put("spares", 1));
    rig.awaitSpares(1);
    try (TestClient client = TestClient.to(port)) {
      byte[] hello = "before restart".getBytes();
      assertArrayEquals(hello, client.roundTrip(hello, 2000));
      rig.awaitSettled();
      long carrier = tunnelIn("active");
      long spare = tunnelIn("spare");
      wire.lose = b -> b.length() == 88 && b.getLong(16) == carrier; // nothing of the carrier gets through
      wire.drops.set(1_000);

      long start = System.nanoTime();
      assertNotNull(restartOutsideTellingOnly(spare, slow, client, 100),
          "the client's datagrams flow again, through the spare");
      assertTrue(System.nanoTime() - start >= 1_500_000_000L, "not before the carrier had its chance");
      assertEquals(1, rig.inside.meters(Rig.SERVICE).events("binding_taken_over"));
      assertEquals(2, rig.echo.peers().size(), "the service now sees the spare's socket");
    }
  }

  /**
   * Restarts the outside on its port while the client sends, and tells only {@code spare} of it
   * (the others' keepalives would, 30 s later): that spare registers first. Returns the first echo
   * of {@code tries} round trips of 50 ms, or null.
   */
  private byte[] restartOutsideTellingOnly(long spare, JsonObject settings, TestClient client, int tries) {
    int port = rig.outsidePort();
    rig.stopOutside();
    rig.startOutside(Rig.outsideService("[::]:" + port).mergeIn(settings));
    client.send("while nobody knows".getBytes());
    rig.vertx.eventBus().send(io.rut.inside.TunnelContext.commandsAddress(Rig.SERVICE, spare),
        new io.rut.inside.TunnelCommand.Reregister());
    byte[] back = null;
    for (int i = 0; i < tries && back == null; i++) {
      back = client.roundTrip(("after restart " + i).getBytes(), 50);
    }
    return back;
  }

  private long tunnelIn(String state) {
    return rig.insideStatus().getJsonArray("list").stream().map(JsonObject.class::cast)
        .filter(t -> state.equals(t.getString("state")))
        .mapToLong(t -> Long.parseUnsignedLong(t.getString("tunnel"), 16)).findFirst().orElseThrow();
  }

  @Test
  void natRebindingUnderTrafficRecoversWithinASecond() {
    rig = new Rig();
    rig.startEcho("127.0.0.1", 0);
    rig.startOutside(Rig.outsideService("[::]:0").mergeIn(fast()));
    RebindingProxy nat = new RebindingProxy(rig.vertx, rig.outsidePort());
    int natPort = nat.start();
    rig.startInside(Rig.insideService("127.0.0.1:" + natPort, "127.0.0.1:" + rig.echo.port()).mergeIn(fast()));
    rig.awaitSpares(1);
    try (TestClient client = TestClient.to(rig.outsidePort())) {
      byte[] hello = "before rebinding".getBytes();
      assertArrayEquals(hello, client.roundTrip(hello, 2000));

      nat.rebind();
      long rebound = System.nanoTime();
      byte[] back = null;
      for (int i = 0; i < 100 && back == null; i++) {
        back = client.roundTrip(("after rebinding " + i).getBytes(), 20);
      }
      double ms = (System.nanoTime() - rebound) / 1e6;
      System.out.printf("NAT rebinding: flow back after %.0f ms%n", ms);
      assertNotNull(back, "flow resumed");
      assertTrue(ms < 1000, "flow resumed within a second, took " + ms + " ms");
    }
    assertEquals(1, rig.echo.peers().size(), "the service still sees one peer: the session survived");
    assertTrue(rig.outside.meters(Rig.SERVICE).events("nat_rebinding") >= 1);
  }

  @Test
  void serviceDownThenUp() {
    rig = Rig.standard(new JsonObject(), new JsonObject());
    int servicePort = rig.echo.port();
    try (TestClient client = TestClient.to(rig.outsidePort())) {
      byte[] up = "service up".getBytes();
      assertArrayEquals(up, client.roundTrip(up, 2000));
      Set<String> peer = rig.echo.peers();

      rig.stopEcho();
      assertNull(client.roundTrip("service down".getBytes(), 300), "nothing answers while the service is down");

      rig.startEcho("127.0.0.1", servicePort);
      byte[] again = "service back".getBytes();
      assertArrayEquals(again, client.roundTrip(again, 2000), "the tunnel survived the service's absence");
      assertEquals(peer, rig.echo.peers(), "from the same inside socket as before");
    }
  }

  @Test
  void insideShutdownClosesItsTunnelsAtTheOutside() throws Exception {
    rig = Rig.standard(new JsonObject(), new JsonObject());
    try (TestClient client = TestClient.to(rig.outsidePort())) {
      byte[] hello = "hello".getBytes();
      assertArrayEquals(hello, client.roundTrip(hello, 2000));
    }
    // The bind opened burst spares: let them register, so that every tunnel has one to say goodbye to.
    rig.awaitSettled();
    int held = rig.outsideStatus().getInteger("tunnels");
    assertTrue(held >= 3, "one active and at least two spares: " + held);
    rig.stopInside();
    JsonObject status = rig.awaitStatus(s -> s.getInteger("tunnels") == 0, java.time.Duration.ofSeconds(2));
    assertEquals(0, status.getInteger("tunnels"), "every tunnel was closed by CLOSE(shutdown)");
    assertEquals(held, rig.outside.meters(Rig.SERVICE).closedCount("inside_shutdown"),
        "each of them said goodbye");
  }

  @Test
  void aTunnelThatSendsButHearsNothingRevalidatesItsMappingWithinTwoSeconds() {
    rig = new Rig();
    TickingService service = new TickingService();
    Rig.await(rig.vertx.deployVerticle(service));
    rig.startOutside(Rig.outsideService("[::]:0"));
    RebindingProxy nat = new RebindingProxy(rig.vertx, rig.outsidePort());
    int natPort = nat.start();
    // 25 s keepalives: only the probe of a deaf tunnel can explain a recovery within seconds.
    rig.startInside(Rig.insideService("127.0.0.1:" + natPort, "127.0.0.1:" + service.port()));
    rig.awaitSpares(1);
    try (TestClient client = TestClient.to(rig.outsidePort())) {
      client.send("subscribe".getBytes());
      assertArrayEquals("tick".getBytes(), client.receive(2000), "ticks arrive through the tunnel");

      nat.rebind();
      long rebound = System.nanoTime();
      while (client.receive(100) != null) {
        // ticks already on their way through the old mapping
      }
      byte[] tick = client.receive(4000);
      double seconds = (System.nanoTime() - rebound) / 1e9;
      System.out.printf("deaf tunnel re-validated, ticks back after %.2f s%n", seconds);
      assertArrayEquals("tick".getBytes(), tick, "ticks flow again");
      assertTrue(seconds < 3.5, "re-validated within about 2 s, took " + seconds + " s");
    }
    assertTrue(rig.outside.meters(Rig.SERVICE).events("nat_rebinding") >= 1);
  }

  @Test
  void theOutsideHostNameIsResolvedAgainWhenItStopsAnswering() {
    rig = new Rig();
    rig.startEcho("127.0.0.1", 0);
    rig.startOutside(Rig.outsideService("127.0.0.1:0").mergeIn(fast()));
    int port = rig.outsidePort();
    java.util.concurrent.atomic.AtomicReference<String> dns = new java.util.concurrent.atomic.AtomicReference<>("127.0.0.1");
    java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();
    rig.startInside(Rig.insideService("outside.test:" + port, "127.0.0.1:" + rig.echo.port()).mergeIn(fast()),
        hp -> {
          if (!hp.host().equals("outside.test")) {
            return hp.resolve();
          }
          lookups.incrementAndGet();
          return new java.net.InetSocketAddress(dns.get(), hp.port());
        });
    rig.awaitSpares(1);
    assertEquals(1, lookups.get(), "resolved once at start");

    // The outside moves to another address, and the name follows it.
    rig.stopOutside();
    rig.startOutside(Rig.outsideService("127.0.0.2:" + port).mergeIn(fast()));
    dns.set("127.0.0.2");
    rig.awaitStatus(s -> s.getInteger("spares") >= 1, java.time.Duration.ofSeconds(10));
    assertTrue(lookups.get() >= 2, "resolved again after the outside went silent");
    try (TestClient client = new TestClient("127.0.0.1", new java.net.InetSocketAddress("127.0.0.2", port))) {
      byte[] msg = "through the new address".getBytes();
      assertArrayEquals(msg, client.roundTrip(msg, 2000));
    }
  }
}
