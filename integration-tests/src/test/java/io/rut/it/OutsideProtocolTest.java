package io.rut.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.metrics.DropReason;
import io.rut.protocol.CloseReason;
import io.rut.protocol.ControlMessage;
import io.rut.protocol.MessageType;
import io.rut.protocol.RejectReason;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The outside agent driven by a scripted inside agent: PROTOCOL.md sections 2, 4, 5 and 6. */
class OutsideProtocolTest {

  private static final long T1 = 0x1111_0000_0000_0001L;
  private static final long T2 = 0x2222_0000_0000_0002L;
  private static final long T3 = 0x3333_0000_0000_0003L;

  private Rig rig;

  @AfterEach
  void tearDown() {
    if (rig != null) {
      rig.close();
    }
  }

  private int outside(JsonObject extra) {
    rig = new Rig();
    rig.startOutside(Rig.outsideService("127.0.0.1:0").mergeIn(extra));
    return rig.outsidePort();
  }

  private ServiceMetersView meters() {
    return new ServiceMetersView(rig);
  }

  @Test
  void registrationThenBindBeforeTheFirstDatagramThenDataBothWays() {
    int port = outside(new JsonObject());
    try (FakeInside tunnel = new FakeInside(port); TestClient client = TestClient.to(port)) {
      ControlMessage ack = tunnel.register(T1, null);
      assertEquals(tunnel.address(), ack.address(), "ACK tells the tunnel its public address");

      client.send("first".getBytes());
      ControlMessage bind = tunnel.expect(MessageType.BIND, 2000);
      assertEquals(T1, bind.tunnelId());
      assertEquals(new InetSocketAddress("127.0.0.1", client.port()), bind.address());
      assertArrayEquals("first".getBytes(), tunnel.udp.receive(2000), "raw, zero bytes of overhead");

      tunnel.udp.send("reply".getBytes());
      assertArrayEquals("reply".getBytes(), client.receive(2000));
    }
  }

  @Test
  void keepaliveIsAcknowledgedAndItsReplayIsDropped() {
    int port = outside(new JsonObject());
    try (FakeInside tunnel = new FakeInside(port)) {
      tunnel.register(T1, null);
      long n = FakeInside.COUNTER.next();
      byte[] keepalive = tunnel.send(ControlMessage.keepalive(tunnel.serviceId, T1, n, null));
      ControlMessage ack = tunnel.expect(MessageType.ACK, 2000);
      assertEquals(n, ack.ackedCounter());

      tunnel.udp.send(keepalive);
      assertNull(tunnel.nextControl(300), "a replayed KEEPALIVE is not answered");
      assertEquals(1, meters().drops(DropReason.REPLAY));
    }
  }

  @Test
  void capturedControlReplayedFromElsewhereCannotMoveATunnel() {
    int port = outside(new JsonObject());
    try (FakeInside tunnel = new FakeInside(port); TestClient client = TestClient.to(port);
         TestClient attacker = TestClient.to(port)) {
      tunnel.send(ControlMessage.hello(tunnel.serviceId, T1, FakeInside.COUNTER.next(), true));
      ControlMessage challenge = tunnel.expect(MessageType.CHALLENGE, 2000);
      byte[] auth = tunnel.send(ControlMessage.auth(tunnel.serviceId, T1, FakeInside.COUNTER.next(),
          challenge.cookie(), null));
      tunnel.expect(MessageType.ACK, 2000);
      byte[] keepalive = tunnel.send(ControlMessage.keepalive(tunnel.serviceId, T1, FakeInside.COUNTER.next(), null));
      tunnel.expect(MessageType.ACK, 2000);

      attacker.send(auth);
      assertNull(attacker.receive(300), "a replayed AUTH from another address gets nothing");
      assertEquals(1, meters().drops(DropReason.BAD_COOKIE), "its cookie was made for another address");

      attacker.send(keepalive);
      byte[] answer = attacker.receive(1000);
      assertNotNull(answer, "a KEEPALIVE from an unproven address is challenged");
      assertTrue(answer.length <= keepalive.length, "never more bytes than it sent");
      assertEquals(MessageType.CHALLENGE, tunnel.codec.decode(answer).type());

      client.send("for the real tunnel".getBytes());
      tunnel.expect(MessageType.BIND, 2000);
      assertArrayEquals("for the real tunnel".getBytes(), tunnel.udp.receive(2000));
      assertNull(attacker.receive(200), "the attacker receives no client traffic");
    }
  }

  @Test
  void forgedControlMessagesChangeNothing() {
    int port = outside(new JsonObject());
    try (FakeInside tunnel = new FakeInside(port); TestClient client = TestClient.to(port);
         FakeInside forger = new FakeInside(port, "base64:" + java.util.Base64.getEncoder()
             .encodeToString("another-key-another-key-32-bytes".getBytes()), Rig.SERVICE)) {
      tunnel.register(T1, null);
      client.send("bind the only tunnel".getBytes());
      tunnel.expect(MessageType.BIND, 2000);
      tunnel.udp.receive(2000);
      JsonObject before = rig.outsideStatus();

      byte[] good = tunnel.codec.encode(ControlMessage.keepalive(tunnel.serviceId, T1, Long.MAX_VALUE, null));
      byte[] flipped = good.clone();
      flipped[80] ^= 1; // a huge counter with a bad tag
      byte[] wrongVersion = good.clone();
      wrongVersion[3] = 2;
      byte[] truncated = java.util.Arrays.copyOf(good, 87);
      forger.send(ControlMessage.keepalive(tunnel.serviceId, T1, FakeInside.COUNTER.next(), null));
      forger.send(ControlMessage.hello(tunnel.serviceId, T1, FakeInside.COUNTER.next(), true));
      for (byte[] forged : new byte[][] {flipped, wrongVersion, truncated}) {
        forger.udp.send(forged);
      }
      assertNull(forger.udp.receive(300), "no control answer to a forgery");

      // Foreign control messages (PROTOCOL.md section 2, revision 1.1) are dropped and counted, never
      // data; only the truncated one is a would-be client's data, which waits for a spare. The
      // tunnels themselves are untouched.
      JsonObject after = rig.outsideStatus();
      assertEquals(tunnels(before), tunnels(after), "no tunnel moved, closed or rebound");
      assertEquals(1, after.getInteger("waitingClients"), "the truncated one waits as a client's data");
      assertEquals(3, meters().drops(DropReason.BAD_TAG), "another key's KEEPALIVE and HELLO, the flipped tag");
      assertEquals(1, meters().drops(DropReason.BAD_VERSION));
      client.send("still flowing".getBytes());
      assertArrayEquals("still flowing".getBytes(), tunnel.udp.receive(2000));
      tunnel.send(ControlMessage.keepalive(tunnel.serviceId, T1, FakeInside.COUNTER.next(), null));
      tunnel.expect(MessageType.ACK, 2000);
      assertEquals(0, meters().drops(DropReason.REPLAY), "the huge forged counter locked nobody out");
    }
  }

  @Test
  void aClientOnTheAddressOfATunnelTheOutsideClosedWaitsOnlyForTheDrainWindow() throws Exception {
    int port = outside(new JsonObject());
    try (FakeInside spare = new FakeInside(port); FakeInside original = new FakeInside(port);
         FakeInside next = new FakeInside(port); TestClient client = TestClient.to(port)) {
      spare.register(T2, null);
      client.send("while the original is away".getBytes());
      spare.expect(MessageType.BIND, 2000);
      spare.udp.receive(2000);
      original.register(T1, new InetSocketAddress("127.0.0.1", client.port()));
      spare.expect(MessageType.CLOSE, 2000);
      long closedAt = System.nanoTime();
      int buried = spare.udp.port();
      spare.close();
      next.register(T3, null);

      // A newcomer on the closed tunnel's address (a NAT reusing the port) that keeps sending.
      try (java.net.DatagramSocket newcomer = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.1", buried))) {
        byte[] hello = "newcomer".getBytes();
        ControlMessage bind = null;
        while (bind == null && System.nanoTime() - closedAt < 10_000_000_000L) {
          newcomer.send(new java.net.DatagramPacket(hello, hello.length, new InetSocketAddress("127.0.0.1", port)));
          ControlMessage m = next.nextControl(200);
          bind = m != null && m.type() == MessageType.BIND ? m : null;
        }
        double waited = (System.nanoTime() - closedAt) / 1e9;
        assertNotNull(bind, "the newcomer was bound in the end");
        assertEquals(new InetSocketAddress("127.0.0.1", buried), bind.address());
        double window = 5_000_000_000L / 1e9;
        assertTrue(waited > window - 1 && waited < window + 2, "bound after " + waited + " s, the window is " + window);
      }
    }
  }

  @Test
  void restoredBindingWinsOverTheSpareTheClientWasBoundToMeanwhile() {
    int port = outside(new JsonObject());
    try (FakeInside spare = new FakeInside(port); FakeInside original = new FakeInside(port);
         TestClient client = TestClient.to(port)) {
      spare.register(T2, null);
      client.send("while the original is away".getBytes());
      spare.expect(MessageType.BIND, 2000);
      spare.udp.receive(2000);

      InetSocketAddress clientAddress = new InetSocketAddress("127.0.0.1", client.port());
      original.register(T1, clientAddress);
      ControlMessage close = spare.expect(MessageType.CLOSE, 2000);
      assertEquals(CloseReason.UNKNOWN_TUNNEL.code, close.reason());

      client.send("back on the original".getBytes());
      assertArrayEquals("back on the original".getBytes(), original.udp.receive(2000));
      assertNull(spare.udp.receive(200), "the superseded spare gets nothing more");

      // The superseded spare's AUTH crossed its CLOSE: it must not come back.
      spare.send(ControlMessage.hello(spare.serviceId, T2, FakeInside.COUNTER.next(), false));
      ControlMessage challenge = spare.expect(MessageType.CHALLENGE, 2000);
      spare.send(ControlMessage.auth(spare.serviceId, T2, FakeInside.COUNTER.next(), challenge.cookie(),
          clientAddress));
      spare.expect(MessageType.CLOSE, 2000);
      client.send("still on the original".getBytes());
      assertArrayEquals("still on the original".getBytes(), original.udp.receive(2000));
    }
  }

  @Test
  void tunnelAndSpareLimitsAnswerWithReject() {
    int port = outside(new JsonObject().put("maxTunnels", 2).put("maxSpares", 1));
    try (FakeInside a = new FakeInside(port); FakeInside b = new FakeInside(port); FakeInside c = new FakeInside(port)) {
      a.register(T1, null);
      b.send(ControlMessage.hello(b.serviceId, T2, FakeInside.COUNTER.next(), true));
      ControlMessage challenge = b.expect(MessageType.CHALLENGE, 2000);
      b.send(ControlMessage.auth(b.serviceId, T2, FakeInside.COUNTER.next(), challenge.cookie(), null));
      ControlMessage reject = b.expect(MessageType.REJECT, 2000);
      assertEquals(RejectReason.TUNNEL_LIMIT.code, reject.reason(), "over maxSpares");
      assertTrue(reject.retryAfter() > 0);

      b.register(T2, new InetSocketAddress("127.0.0.1", 40000)); // an active tunnel still fits
      c.send(ControlMessage.hello(c.serviceId, T3, FakeInside.COUNTER.next(), false));
      challenge = c.expect(MessageType.CHALLENGE, 2000);
      c.send(ControlMessage.auth(c.serviceId, T3, FakeInside.COUNTER.next(), challenge.cookie(),
          new InetSocketAddress("127.0.0.1", 40001)));
      assertEquals(RejectReason.TUNNEL_LIMIT.code, c.expect(MessageType.REJECT, 2000).reason(), "over maxTunnels");
    }
  }

  @Test
  void unknownServiceIsRejected() {
    int port = outside(new JsonObject());
    try (FakeInside other = new FakeInside(port, Rig.SECRET, "another-service")) {
      other.send(ControlMessage.hello(other.serviceId, T1, FakeInside.COUNTER.next(), true));
      byte[] answer = other.udp.receive(2000);
      assertNotNull(answer);
      ControlMessage reject = other.codec.decode(answer);
      assertEquals(MessageType.REJECT, reject.type());
      assertEquals(RejectReason.UNKNOWN_SERVICE.code, reject.reason());
    }
  }

  @Test
  void waitingClientsAreHeldBoundedAndDeliveredInOrderToTheNextSpare() {
    int port = outside(new JsonObject());
    try (FakeInside tunnel = new FakeInside(port); TestClient client = TestClient.to(port)) {
      for (int i = 0; i < 10; i++) {
        client.send(("queued " + i).getBytes());
      }
      rig.awaitStatus(s -> s.getInteger("waitingClients") == 1, java.time.Duration.ofSeconds(2));
      tunnel.register(T1, null);
      tunnel.expect(MessageType.BIND, 2000);
      for (int i = 0; i < 8; i++) {
        assertArrayEquals(("queued " + i).getBytes(), tunnel.udp.receive(2000), "datagram " + i + " in order");
      }
      assertNull(tunnel.udp.receive(200), "at most 8 are held");
      assertEquals(2, meters().drops(DropReason.QUEUE_FULL));
    }
  }

  @Test
  void waitingDatagramsExpireAfterTwoSeconds() {
    int port = outside(new JsonObject());
    try (FakeInside tunnel = new FakeInside(port); TestClient client = TestClient.to(port)) {
      client.send("too old".getBytes());
      rig.awaitStatus(s -> s.getInteger("waitingClients") == 1, java.time.Duration.ofSeconds(2));
      rig.awaitStatus(s -> s.getInteger("waitingClients") == 0, java.time.Duration.ofSeconds(4));
      assertEquals(1, meters().drops(DropReason.QUEUE_EXPIRED));
      tunnel.register(T1, null);
      assertNull(tunnel.nextControl(300), "nothing left to bind");
    }
  }

  @Test
  void closeFromTheInsideFreesTheClientAtOnce() {
    int port = outside(new JsonObject());
    try (FakeInside first = new FakeInside(port); FakeInside second = new FakeInside(port);
         TestClient client = TestClient.to(port)) {
      first.register(T1, null);
      client.send("one".getBytes());
      first.expect(MessageType.BIND, 2000);
      first.udp.receive(2000);
      first.send(ControlMessage.close(first.serviceId, T1, FakeInside.COUNTER.next(), CloseReason.IDLE));
      second.register(T2, null);
      client.send("two".getBytes());
      assertEquals(new InetSocketAddress("127.0.0.1", client.port()), second.expect(MessageType.BIND, 2000).address());
      assertArrayEquals("two".getBytes(), second.udp.receive(2000));
    }
  }

  @Test
  void aClientOfATunnelThatWentSilentMovesToALiveSpare() {
    int port = outside(new JsonObject().put("keepaliveInterval", 0.2));
    try (FakeInside dead = new FakeInside(port); FakeInside alive = new FakeInside(port);
         TestClient client = TestClient.to(port)) {
      dead.register(T1, null);
      client.send("one".getBytes());
      dead.expect(MessageType.BIND, 2000);
      assertArrayEquals("one".getBytes(), dead.udp.receive(2000));
      // T1 says nothing more (its agent was killed); a new spare of the restarted agent keeps alive.
      alive.register(T2, null);
      keepAlive(1500, alive, T2, null, 0);
      client.send("two".getBytes());
      client.send("three".getBytes()); // the client keeps sending while its tunnel stays silent: a probe
      java.util.Set<String> arrived = new java.util.HashSet<>();
      for (int i = 0; i < 3; i++) { // the probe goes out at once, ahead of data written in the same round
        byte[] d = dead.udp.receive(2000);
        ControlMessage m = d == null ? null : dead.codec.decode(d);
        arrived.add(m != null ? m.type().name() : d == null ? "nothing" : new String(d));
      }
      assertEquals(java.util.Set.of("two", "three", "CHALLENGE"), arrived, "still forwarded, and probed");
      keepAlive(1200, alive, T2, null, 0); // the probe goes unanswered
      client.send("four".getBytes());
      assertEquals(MessageType.CLOSE, dead.expect(MessageType.CLOSE, 2000).type());
      assertEquals(new InetSocketAddress("127.0.0.1", client.port()), alive.expect(MessageType.BIND, 2000).address());
      assertArrayEquals("four".getBytes(), alive.udp.receive(2000), "moved to the live spare, long before expiry");
    }
  }

  @Test
  void aNewClientGoesToASpareThatIsAliveRatherThanToAQuietOne() {
    int port = outside(new JsonObject().put("keepaliveInterval", 0.2));
    try (FakeInside quiet = new FakeInside(port); FakeInside alive = new FakeInside(port);
         TestClient client = TestClient.to(port)) {
      alive.register(T2, null);
      quiet.register(T1, null); // newer, so first in line, but it falls silent (its CLOSE was lost)
      keepAlive(1500, alive, T2, null, 0);
      client.send("hello".getBytes());
      alive.expect(MessageType.BIND, 2000);
      assertArrayEquals("hello".getBytes(), alive.udp.receive(2000));
      assertNull(quiet.nextControl(200), "the quiet spare was passed over");
    }
  }

  @Test
  void aTunnelThatKeepsItsKeepalivesKeepsItsClientWhateverTheSparesDo() {
    int port = outside(new JsonObject().put("keepaliveInterval", 0.2));
    try (FakeInside active = new FakeInside(port); FakeInside spare = new FakeInside(port);
         TestClient client = TestClient.to(port)) {
      active.register(T1, null);
      client.send("one".getBytes());
      active.expect(MessageType.BIND, 2000);
      active.udp.receive(2000);
      spare.register(T2, null);
      keepAlive(1500, active, T1, spare, T2);
      client.send("two".getBytes());
      assertArrayEquals("two".getBytes(), active.udp.receive(2000));
      assertNull(spare.nextControl(200), "the spare stays a spare");
    }
  }

  @Test
  void silentTunnelsExpireAfterTwiceTheKeepaliveIntervalPlusFiveSeconds() {
    int port = outside(new JsonObject().put("keepaliveInterval", 0.1));
    try (FakeInside tunnel = new FakeInside(port)) {
      tunnel.register(T1, null);
      long start = System.nanoTime();
      rig.awaitStatus(s -> s.getInteger("tunnels") == 0, java.time.Duration.ofSeconds(8));
      double seconds = (System.nanoTime() - start) / 1e9;
      assertTrue(seconds >= 5.0 && seconds < 6.5, "expired after " + seconds + " s, expected 5.2 s");
    }
  }

  /** Keeps one or two scripted tunnels registered for {@code millis}: a KEEPALIVE every 150 ms, each ACKed. */
  private static void keepAlive(long millis, FakeInside a, long aId, FakeInside b, long bId) {
    long until = System.nanoTime() + millis * 1_000_000L;
    while (System.nanoTime() < until) {
      a.send(ControlMessage.keepalive(a.serviceId, aId, FakeInside.COUNTER.next(), null));
      a.expect(MessageType.ACK, 1000);
      if (b != null) {
        b.send(ControlMessage.keepalive(b.serviceId, bId, FakeInside.COUNTER.next(), null));
        b.expect(MessageType.ACK, 1000);
      }
      Rig.sleep(150);
    }
  }

  private static java.util.List<Object> tunnels(JsonObject status) {
    java.util.List<Object> out = new java.util.ArrayList<>();
    for (Object o : status.getJsonArray("list")) {
      JsonObject t = ((JsonObject) o).copy();
      t.remove("ageSeconds");
      t.remove("idleSeconds");
      out.add(t);
    }
    return out;
  }

  /** Reads the outside agent's meters of the test service. */
  private record ServiceMetersView(Rig rig) {
    double drops(DropReason r) {
      return rig.outside.meters(Rig.SERVICE).drops(r);
    }
  }
}
