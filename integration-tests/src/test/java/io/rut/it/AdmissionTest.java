package io.rut.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.rut.metrics.DropReason;
import io.rut.protocol.WireGuardInitiation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each admission rule of the outside agent, with real clients from several loopback addresses. */
class AdmissionTest {

  private Rig rig;

  @AfterEach
  void tearDown() {
    if (rig != null) {
      rig.close();
    }
  }

  private Rig start(JsonObject admission) {
    rig = Rig.standard(new JsonObject(), admission);
    return rig;
  }

  private TestClient client(String from) {
    return new TestClient(from, new InetSocketAddress("127.0.0.1", rig.outsidePort()));
  }

  private double drops(DropReason r) {
    return rig.outside.meters(Rig.SERVICE).drops(r);
  }

  private int spares() {
    return rig.outsideStatus().getInteger("spares");
  }

  /** True if {@code c}'s datagram comes back; false if it was refused. */
  private static boolean echoed(TestClient c, byte[] msg) {
    byte[] back = c.roundTrip(msg, 500);
    return back != null;
  }

  /**
   * Fifty users behind one NAT (an office, a campus, a carrier's CG-NAT) arrive together with the
   * default settings: every one is carried, through the C tools' flags and through a JSON file.
   */
  @Test
  void fiftyClientsBehindOneAddressAllConnectWithTheSeedFlags() {
    JsonObject outside = io.rut.config.SeedFlags.toJson(io.rut.config.SeedFlags.Side.OUTSIDE,
        List.of("-l", "0", "-k", Rig.SECRET)).getJsonArray("services").getJsonObject(0);
    rig = new Rig();
    rig.startEcho("127.0.0.1", 0);
    rig.startOutside(outside.put("name", Rig.SERVICE));
    JsonObject inside = io.rut.config.SeedFlags.toJson(io.rut.config.SeedFlags.Side.INSIDE, List.of(
        "-s", "127.0.0.1:" + rig.echo.port(), "-o", "127.0.0.1:" + rig.outsidePort(), "-k", Rig.SECRET))
        .getJsonArray("services").getJsonObject(0);
    rig.startInside(inside.put("name", Rig.SERVICE));
    rig.awaitSpares(1);
    assertEquals(50, burstFromOneAddress(50));
  }

  @Test
  void fiftyClientsBehindOneAddressAllConnectWithAMinimalFile() {
    rig = new Rig();
    rig.startEcho("127.0.0.1", 0);
    rig.startOutside(new JsonObject().put("name", Rig.SERVICE).put("listen", "127.0.0.1:0").put("secret", Rig.SECRET));
    rig.startInside(Rig.insideService("127.0.0.1:" + rig.outsidePort(), "127.0.0.1:" + rig.echo.port()));
    rig.awaitSpares(1);
    assertEquals(50, burstFromOneAddress(50));
    assertEquals(0, drops(DropReason.PER_IP_LIMIT) + drops(DropReason.RATE_LIMITED));
  }

  /** One address may take every tunnel; when they have run out, it makes room for another address. */
  @Test
  void whenTunnelsRunOutAnAddressOverItsFairShareMakesRoomForAnother() {
    rig = new Rig();
    rig.startEcho("127.0.0.1", 0);
    rig.startOutside(new JsonObject().put("name", Rig.SERVICE).put("listen", "127.0.0.1:0").put("secret", Rig.SECRET)
        .put("maxTunnels", 5));
    rig.startInside(Rig.insideService("127.0.0.1:" + rig.outsidePort(), "127.0.0.1:" + rig.echo.port())
        .put("maxTunnels", 5));
    rig.awaitSpares(1);
    assertEquals(5, burstFromOneAddress(5), "a family of five behind one NAT: all carried");
    try (TestClient other = client("127.0.0.2")) {
      assertArrayEquals("other".getBytes(), other.roundTrip("other".getBytes(), 3000), "another address gets in");
    }
    assertEquals(1, rig.outside.meters(Rig.SERVICE).events("fair_share_reclaimed"));
  }

  /** {@code n} new clients on 127.0.0.1 send their first datagram at once; how many get it back. */
  private int burstFromOneAddress(int n) {
    List<TestClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        clients.add(client("127.0.0.1"));
      }
      for (TestClient c : clients) {
        c.send(("first " + c.port()).getBytes());
      }
      int echoed = 0;
      long deadline = System.currentTimeMillis() + 5_000;
      for (TestClient c : clients) {
        byte[] back = c.receive(Math.max(1, deadline - System.currentTimeMillis()));
        echoed += back != null && new String(back).equals("first " + c.port()) ? 1 : 0;
      }
      return echoed;
    } finally {
      clients.forEach(TestClient::close);
    }
  }

  @Test
  void allowAndDenyLists() {
    start(new JsonObject().put("allow", new JsonArray().add("127.0.0.0/24")).put("deny", "127.0.0.3"));
    try (TestClient allowed = client("127.0.0.2"); TestClient denied = client("127.0.0.3");
         TestClient outsideAllow = client("127.0.1.1")) {
      assertArrayEquals("in".getBytes(), allowed.roundTrip("in".getBytes(), 2000));
      rig.awaitSettled();
      int sparesBefore = spares();
      long peersBefore = rig.echo.peers().size();
      assertNull(denied.roundTrip("no".getBytes(), 300), "denied");
      assertNull(outsideAllow.roundTrip("no".getBytes(), 300), "not in the allow list");
      assertEquals(2, drops(DropReason.NOT_ALLOWED));
      assertEquals(sparesBefore, spares(), "a refused source costs no spare");
      assertEquals(peersBefore, rig.echo.peers().size(), "and no inside socket");
    }
  }

  @Test
  void perIpTunnelLimitCountsIpv4AddressesAndFreesOnClose() {
    start(new JsonObject().put("maxTunnelsPerIp", 3));
    List<TestClient> clients = new ArrayList<>();
    try {
      int admitted = 0;
      for (int i = 0; i < 5; i++) {
        TestClient c = client("127.0.0.1");
        clients.add(c);
        admitted += echoed(c, ("c" + i).getBytes()) ? 1 : 0;
      }
      assertEquals(3, admitted);
      assertEquals(2, drops(DropReason.PER_IP_LIMIT));
      TestClient other = client("127.0.0.9");
      clients.add(other);
      assertArrayEquals("other ip".getBytes(), other.roundTrip("other ip".getBytes(), 2000));
    } finally {
      clients.forEach(TestClient::close);
    }
  }

  @Test
  void aClosedTunnelGivesItsSourceRoomAgain() throws Exception {
    rig = Rig.standard(new JsonObject().put("connectionTimeout", 0.5), new JsonObject().put("maxTunnelsPerIp", 1));
    try (TestClient first = client("127.0.0.1"); TestClient second = client("127.0.0.1")) {
      var closed = rig.nextClientTunnelClosed();
      assertArrayEquals("1".getBytes(), first.roundTrip("1".getBytes(), 2000));
      assertNull(second.roundTrip("2".getBytes(), 300), "one tunnel per IP");
      closed.get(5, java.util.concurrent.TimeUnit.SECONDS);
      assertArrayEquals("3".getBytes(), second.roundTrip("3".getBytes(), 2000), "room again after the idle close");
    }
  }

  @Test
  void newBindingsAreRateLimitedPerSourceAndPerService() {
    start(new JsonObject().put("newClientsPerSecondPerIp", 2).put("newClientsPerSecond", 4));
    List<TestClient> clients = new ArrayList<>();
    try {
      // Everything at once, then count: waiting between sends would let the buckets refill.
      for (int i = 0; i < 6; i++) {
        clients.add(client("127.0.0.1"));
      }
      for (int i = 0; i < 6; i++) {
        clients.add(client("127.0.2." + (i + 1)));
      }
      for (TestClient c : clients) {
        c.send("burst".getBytes());
      }
      int fromOne = 0;
      int fromMany = 0;
      for (int i = 0; i < clients.size(); i++) {
        boolean back = clients.get(i).receive(i == 0 ? 1000 : 100) != null;
        if (i < 6) {
          fromOne += back ? 1 : 0;
        } else {
          fromMany += back ? 1 : 0;
        }
      }
      assertEquals(4, fromOne, "a burst of twice the per-source rate");
      assertEquals(4, fromMany, "the service's burst of 8 is spent: 4 by the first source, 4 by the others");
      assertEquals(4, drops(DropReason.RATE_LIMITED));
    } finally {
      clients.forEach(TestClient::close);
    }
  }

  @Test
  void withAWireGuardKeyOnlyAValidInitiationBindsATunnel() {
    byte[] serverKey = new byte[32];
    new Random(1).nextBytes(serverKey);
    start(new JsonObject().put("wireguardPublicKey", java.util.Base64.getEncoder().encodeToString(serverKey)));
    WireGuardInitiation wg = new WireGuardInitiation(serverKey);
    byte[] initiation = Rig.wireguardInitiation(serverKey, 2);
    byte[] forged = initiation.clone();
    forged[120] ^= 1;
    try (TestClient scanner = client("127.0.0.5"); TestClient forger = client("127.0.0.6");
         TestClient peer = client("127.0.0.7")) {
      rig.awaitSettled();
      int sparesBefore = spares();
      assertNull(scanner.roundTrip("GET / HTTP/1.0\r\n\r\n".getBytes(), 300));
      assertNull(forger.roundTrip(forged, 300));
      assertEquals(2, drops(DropReason.NOT_WIREGUARD));
      assertEquals(sparesBefore, spares(), "scanners and forgers cost no inside socket");
      assertEquals(0, rig.echo.echoed(), "and nothing reached the service");

      assertArrayEquals(initiation, peer.roundTrip(initiation, 2000), "a real initiation binds a tunnel");
      byte[] transport = "after the handshake, anything goes".getBytes();
      assertArrayEquals(transport, peer.roundTrip(transport, 2000));
    }
  }

  @Test
  void withoutAWireGuardKeyAnyDatagramBindsATunnel() {
    start(new JsonObject());
    try (TestClient c = client("127.0.0.1")) {
      assertArrayEquals("plain udp".getBytes(), c.roundTrip("plain udp".getBytes(), 2000));
    }
  }

  @Test
  void challengesAreRateLimitedPerSource() {
    rig = new Rig();
    rig.startOutside(Rig.outsideService("127.0.0.1:0").put("challengesPerSecondPerIp", 5));
    try (FakeInside prober = new FakeInside(rig.outsidePort())) {
      int answered = 0;
      for (int i = 0; i < 20; i++) {
        prober.send(io.rut.protocol.ControlMessage.hello(prober.serviceId, 77, FakeInside.COUNTER.next(), true));
      }
      while (prober.nextControl(300) != null) {
        answered++;
      }
      assertEquals(10, answered, "a burst of twice the rate, then silence");
      assertEquals(10, drops(DropReason.CHALLENGE_LIMITED));
    }
  }

  @Test
  void aWireGuardClientWhoseTunnelClosedNeedNotHandshakeAgain() throws Exception {
    byte[] serverKey = new byte[32];
    new Random(5).nextBytes(serverKey);
    rig = Rig.standard(new JsonObject().put("connectionTimeout", 0.3),
        new JsonObject().put("wireguardPublicKey", java.util.Base64.getEncoder().encodeToString(serverKey)));
    WireGuardInitiation wg = new WireGuardInitiation(serverKey);
    byte[] initiation = new byte[WireGuardInitiation.SIZE];
    initiation[0] = 1;
    System.arraycopy(wg.mac1(initiation), 0, initiation, 116, 16);
    byte[] transport = new byte[64];
    transport[0] = 4; // a WireGuard transport data message
    try (TestClient peer = client("127.0.0.7"); TestClient stranger = client("127.0.0.8")) {
      var closed = rig.nextClientTunnelClosed();
      assertArrayEquals(initiation, peer.roundTrip(initiation, 2000));
      closed.get(5, java.util.concurrent.TimeUnit.SECONDS);
      assertArrayEquals(transport, peer.roundTrip(transport, 2000),
          "its transport data binds a new tunnel: it proved itself from this address");
      assertNull(stranger.roundTrip(transport, 300), "transport data from anyone else does not");
      assertEquals(1, drops(DropReason.NOT_WIREGUARD));
    }
  }
}
