package io.rut.outside;

import static io.rut.outside.RelayHarness.SECOND;
import static io.rut.outside.RelayHarness.WG_KEY;
import static io.rut.outside.RelayHarness.WG_KEY_BASE64;
import static io.rut.outside.RelayHarness.addr;
import static io.rut.outside.RelayHarness.bytes;
import static io.rut.outside.RelayHarness.initiation;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.rut.metrics.DropReason;
import io.rut.protocol.CloseReason;
import io.rut.protocol.MessageType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** PROTOCOL.md section 6: who may bind a spare, through the relay and through {@link Admission} itself. */
class AdmissionTest {

  static final InetSocketAddress T1 = addr("198.51.100.1", 40001);
  static final InetSocketAddress T2 = addr("198.51.100.2", 40002);
  static final InetSocketAddress C1 = addr("203.0.113.10", 51820);
  static final InetSocketAddress C1_OTHER_PORT = addr("203.0.113.10", 51999);
  static final InetSocketAddress C2 = addr("203.0.113.20", 51821);

  private static final long T0 = 5_000 * SECOND;

  private static Admission admission(JsonObject settings) {
    return new Admission(RelayHarness.config(settings));
  }

  private static DropReason admit(Admission a, InetSocketAddress from, byte[] first, long now) {
    return a.admit(from, Unpooled.wrappedBuffer(first), now);
  }

  // ---- many clients behind one address, and the fair share --------------------------------

  @Test
  void byDefaultFiftyClientsBehindOneAddressAreAllAdmittedAtOnce() {
    Admission a = admission(new JsonObject());
    for (int port = 1; port <= 50; port++) {
      assertNull(admit(a, addr("203.0.113.10", port), bytes(1), T0), "client " + port + " of one NAT");
    }
  }

  @Test
  void whenTunnelsRunOutASourceOverItsFairShareMakesRoomForANewcomer() {
    RelayHarness h = new RelayHarness(new JsonObject().put("maxTunnels", 4));
    for (int i = 1; i <= 4; i++) {
      h.register(i, addr("198.51.100.1", 40000 + i));
      h.advanceSeconds(1);
      h.clientSends(addr("203.0.113.10", i), bytes(i)); // four users behind one NAT, client 1 idlest
    }
    h.advanceSeconds(1);
    for (int i = 2; i <= 4; i++) {
      h.clientSends(addr("203.0.113.10", i), bytes(i));
    }
    assertEquals(0, h.events("fair_share_reclaimed"), "one source may take every tunnel while none is wanted");
    h.clearOutput();

    InetSocketAddress newcomer = addr("203.0.113.20", 1);
    h.clientSends(newcomer, bytes(9));

    assertEquals(1, h.events("fair_share_reclaimed"));
    assertEquals(1, h.closedCount("fair_share"));
    assertNull(h.tunnel(1), "the idlest tunnel of the source over its share was closed");
    assertEquals(CloseReason.LIMIT.code, h.controlTo(addr("198.51.100.1", 40001), MessageType.CLOSE).get(0).reason());
    h.register(5, addr("198.51.100.1", 40005)); // the inside opens a spare in its place
    assertEquals(newcomer, h.tunnel(5).client, "the newcomer is carried");
    assertArrayEquals(bytes(9), h.dataTo(addr("198.51.100.1", 40005)).get(0));
  }

  @Test
  void aNewcomerFromTheOnlySourceMakesNoRoom() {
    RelayHarness h = new RelayHarness(new JsonObject().put("maxTunnels", 2));
    h.register(1, T1);
    h.register(2, T2);
    h.clientSends(addr("203.0.113.10", 1), bytes(1));
    h.clientSends(addr("203.0.113.10", 2), bytes(2));
    h.clientSends(addr("203.0.113.10", 3), bytes(3));
    assertEquals(0, h.events("fair_share_reclaimed"), "a family behind one NAT does not evict itself");
    assertEquals(1, h.table().pendingCount());
  }

  @Test
  void anExplicitPerAddressCapStillHolds() {
    Admission a = admission(new JsonObject().put("maxTunnelsPerIp", 2));
    assertNull(admit(a, addr("203.0.113.10", 1), bytes(1), T0));
    assertNull(admit(a, addr("203.0.113.10", 2), bytes(1), T0));
    assertEquals(DropReason.PER_IP_LIMIT, admit(a, addr("203.0.113.10", 3), bytes(1), T0));
  }

  // ---- allow and deny -----------------------------------------------------------------------

  @Test
  void sourceOutsideTheAllowListIsRefused() {
    RelayHarness h = new RelayHarness(new JsonObject().put("allow", new JsonArray().add("10.0.0.0/8")));
    h.register(1, T1);

    h.clientSends(C1, bytes(1));
    assertEquals(1, h.drops(DropReason.NOT_ALLOWED));
    assertNull(h.tunnel(1).client);
    assertTrue(h.data().isEmpty());

    InetSocketAddress inside = addr("10.1.2.3", 1000);
    h.clientSends(inside, bytes(2));
    assertEquals(inside, h.tunnel(1).client);
  }

  @Test
  void denyListWinsOverTheAllowList() {
    Admission a = admission(new JsonObject().put("allow", new JsonArray().add("10.0.0.0/8"))
        .put("deny", new JsonArray().add("10.9.0.0/16")));

    assertEquals(DropReason.NOT_ALLOWED, admit(a, addr("10.9.1.1", 1), bytes(1), T0));
    assertNull(admit(a, addr("10.8.1.1", 1), bytes(1), T0));
  }

  @Test
  void denyListAloneRefusesOnlyItsSources() {
    Admission a = admission(new JsonObject().put("deny", new JsonArray().add("2001:db8::/32").add("192.0.2.7")));

    assertEquals(DropReason.NOT_ALLOWED, admit(a, addr("2001:db8::1", 1), bytes(1), T0));
    assertEquals(DropReason.NOT_ALLOWED, admit(a, addr("192.0.2.7", 1), bytes(1), T0));
    assertNull(admit(a, addr("192.0.2.8", 1), bytes(1), T0));
    assertNull(admit(a, addr("2001:db9::1", 1), bytes(1), T0));
  }

  @Test
  void refusedClientDoesNotWait() {
    RelayHarness h = new RelayHarness(new JsonObject().put("deny", new JsonArray().add("203.0.113.0/24")));

    h.clientSends(C1, bytes(1));
    assertEquals(0, h.table().pendingCount(), "admission runs before a client waits");

    h.register(1, T1);
    assertNull(h.tunnel(1).client, "so junk cannot take the next spare");
  }

  // ---- tunnels per IP -----------------------------------------------------------------------

  @Test
  void sourceHoldsAtMostMaxTunnelsPerIp() {
    RelayHarness h = new RelayHarness(new JsonObject().put("maxTunnelsPerIp", 1));
    h.register(1, T1);
    h.register(2, T2);
    h.clientSends(C1, bytes(1));
    assertEquals(C1, h.tunnel(2).client, "the newest spare");

    h.clientSends(C1_OTHER_PORT, bytes(2));
    assertEquals(1, h.drops(DropReason.PER_IP_LIMIT));
    assertNull(h.tunnel(1).client);

    h.clientSends(C2, bytes(3));
    assertEquals(C2, h.tunnel(1).client, "another source is not limited");
  }

  @Test
  void closedTunnelGivesTheSourceItsRoomBack() {
    RelayHarness h = new RelayHarness(new JsonObject().put("maxTunnelsPerIp", 1));
    h.register(1, T1);
    h.register(2, T2);
    h.clientSends(C1, bytes(1));
    assertEquals(C1, h.tunnel(2).client, "the newest spare");
    h.close(2, T2, CloseReason.IDLE);

    h.clientSends(C1_OTHER_PORT, bytes(2));

    assertEquals(0, h.drops(DropReason.PER_IP_LIMIT));
    assertEquals(C1_OTHER_PORT, h.tunnel(1).client);
  }

  @Test
  void waitingClientsCountAgainstTheSource() {
    RelayHarness h = new RelayHarness(new JsonObject().put("maxTunnelsPerIp", 1));

    h.clientSends(C1, bytes(1));
    h.clientSends(C1_OTHER_PORT, bytes(2));

    assertEquals(1, h.table().pendingCount());
    assertEquals(1, h.drops(DropReason.PER_IP_LIMIT));
  }

  @Test
  void clientRefusedForNoSpareHoldsNoRoom() {
    RelayHarness h = new RelayHarness(new JsonObject().put("maxTunnelsPerIp", 1).put("maxPendingClients", 0));
    h.clientSends(C1, bytes(1));
    assertEquals(1, h.drops(DropReason.NO_SPARE));
    h.register(1, T1);

    h.clientSends(C1_OTHER_PORT, bytes(2));

    assertEquals(C1_OTHER_PORT, h.tunnel(1).client);
    assertEquals(0, h.drops(DropReason.PER_IP_LIMIT));
  }

  @Test
  void expiredWaitingClientGivesItsRoomBack() {
    RelayHarness h = new RelayHarness(new JsonObject().put("maxTunnelsPerIp", 1));
    h.clientSends(C1, bytes(1));
    h.advanceMillis(2_100);
    h.tick();

    h.clientSends(C1_OTHER_PORT, bytes(2));

    assertEquals(0, h.drops(DropReason.PER_IP_LIMIT));
    assertEquals(1, h.table().pendingCount());
  }

  @Test
  void ipv6SourcesAreCountedPerSlash64() {
    Admission a = admission(new JsonObject().put("maxTunnelsPerIp", 1));

    assertNull(admit(a, addr("2001:db8:1:2::a", 1), bytes(1), T0));
    assertEquals(DropReason.PER_IP_LIMIT, admit(a, addr("2001:db8:1:2:ffff::b", 2), bytes(1), T0));
    assertNull(admit(a, addr("2001:db8:1:3::a", 1), bytes(1), T0));
  }

  @Test
  void releaseGivesTheRoomBack() {
    Admission a = admission(new JsonObject().put("maxTunnelsPerIp", 2));
    InetSocketAddress c = addr("192.0.2.1", 1);
    assertNull(admit(a, c, bytes(1), T0));
    a.hold(c.getAddress().getAddress());
    assertEquals(DropReason.PER_IP_LIMIT, admit(a, c, bytes(1), T0));

    a.release(c.getAddress().getAddress());

    assertNull(admit(a, c, bytes(1), T0));
  }

  // ---- rates --------------------------------------------------------------------------------

  @Test
  void newClientsPerSourceAreRateLimited() {
    RelayHarness h = new RelayHarness(new JsonObject().put("newClientsPerSecondPerIp", 1)); // bursts of 2
    h.clientSends(addr("203.0.113.10", 1), bytes(1));
    h.clientSends(addr("203.0.113.10", 2), bytes(1));

    h.clientSends(addr("203.0.113.10", 3), bytes(1));
    assertEquals(1, h.drops(DropReason.RATE_LIMITED));
    assertEquals(2, h.table().pendingCount());

    h.clientSends(C2, bytes(1));
    assertEquals(3, h.table().pendingCount(), "another source has its own rate");

    h.advanceMillis(1_000);
    h.clientSends(addr("203.0.113.10", 3), bytes(1));
    assertEquals(1, h.drops(DropReason.RATE_LIMITED), "refilled after a second");
    assertEquals(4, h.table().pendingCount());
  }

  @Test
  void newClientsPerServiceAreRateLimited() {
    RelayHarness h = new RelayHarness(new JsonObject().put("newClientsPerSecond", 1)); // bursts of 2
    h.clientSends(addr("203.0.113.1", 1), bytes(1));
    h.clientSends(addr("203.0.113.2", 1), bytes(1));

    h.clientSends(addr("203.0.113.3", 1), bytes(1));
    assertEquals(1, h.drops(DropReason.RATE_LIMITED));

    h.advanceMillis(999);
    h.clientSends(addr("203.0.113.3", 1), bytes(1));
    assertEquals(2, h.drops(DropReason.RATE_LIMITED), "not a full token yet");

    h.advanceMillis(1);
    h.clientSends(addr("203.0.113.4", 1), bytes(1));
    assertEquals(2, h.drops(DropReason.RATE_LIMITED));
    assertEquals(3, h.table().pendingCount());
  }

  @Test
  void rateLimitedClientIsNotAnswered() {
    RelayHarness h = new RelayHarness(new JsonObject().put("newClientsPerSecondPerIp", 1));
    h.register(1, T1);
    h.register(2, T2);
    h.register(3, addr("198.51.100.3", 40003));
    h.clientSends(addr("203.0.113.10", 1), bytes(1));
    h.clientSends(addr("203.0.113.10", 2), bytes(1));
    h.clearOutput();

    h.clientSends(addr("203.0.113.10", 3), bytes(1));

    assertTrue(h.sent().isEmpty());
    assertEquals(2, h.table().activeCount());
  }

  @Test
  void challengesPerSourceAreRateLimited() {
    RelayHarness h = new RelayHarness(new JsonObject().put("challengesPerSecondPerIp", 1)); // bursts of 2
    h.hello(1, T1);
    h.hello(2, T1);

    h.hello(3, T1);
    h.keepalive(4, T1); // an unknown tunnel's KEEPALIVE is challenged too

    assertEquals(2, h.drops(DropReason.CHALLENGE_LIMITED));
    assertEquals(2, h.controlTo(T1, MessageType.CHALLENGE).size());
    h.hello(5, T2);
    assertEquals(1, h.controlTo(T2, MessageType.CHALLENGE).size(), "another source has its own rate");

    h.advanceMillis(1_000);
    h.hello(3, T1);
    assertEquals(3, h.controlTo(T1, MessageType.CHALLENGE).size(), "refilled after a second");
  }

  // ---- WireGuard ----------------------------------------------------------------------------

  @Test
  void withWireguardKeyOnlyAnInitiationBinds() {
    RelayHarness h = new RelayHarness(new JsonObject().put("wireguardPublicKey", WG_KEY_BASE64));
    h.register(1, T1);

    h.clientSends(C1, bytes(4, 0, 0, 0, 1, 2, 3)); // transport data
    byte[] wrongType = initiation(WG_KEY, 1);
    wrongType[0] = 2;
    h.clientSends(C1, wrongType);
    byte[] truncated = java.util.Arrays.copyOf(initiation(WG_KEY, 2), 147);
    h.clientSends(C1, truncated);
    h.clientSends(C1, initiation(RelayHarness.filled(32, (byte) 8), 3)); // for another server
    byte[] forged = initiation(WG_KEY, 4);
    forged[120] ^= 1; // mac1 broken
    h.clientSends(C1, forged);

    assertEquals(5, h.drops(DropReason.NOT_WIREGUARD));
    assertNull(h.tunnel(1).client);
    assertEquals(0, h.table().pendingCount());

    byte[] valid = initiation(WG_KEY, 5);
    h.clientSends(C1, valid);
    assertEquals(C1, h.tunnel(1).client);
    assertArrayEquals(valid, h.dataTo(T1).get(0));
  }

  @Test
  void clientWhoseTunnelClosedIsSparedTheHandshakeCheck() {
    RelayHarness h = new RelayHarness(new JsonObject().put("wireguardPublicKey", WG_KEY_BASE64));
    h.register(1, T1);
    h.clientSends(C1, initiation(WG_KEY, 1));
    h.advanceSeconds(20);
    h.close(1, T1, CloseReason.IDLE); // e.g. the inside restarted
    h.advanceSeconds(179);
    h.register(2, T2);

    byte[] transport = bytes(4, 0, 0, 0, 9, 9, 9);
    h.clientSends(C1, transport);

    assertEquals(0, h.drops(DropReason.NOT_WIREGUARD));
    assertEquals(C1, h.tunnel(2).client);
    assertArrayEquals(transport, h.dataTo(T2).get(0));
  }

  @Test
  void handshakeCheckIsSparedFor180SecondsOnly() {
    RelayHarness h = new RelayHarness(new JsonObject().put("wireguardPublicKey", WG_KEY_BASE64));
    h.register(1, T1);
    h.clientSends(C1, initiation(WG_KEY, 1));
    h.close(1, T1, CloseReason.IDLE);
    h.advanceMillis(180_001);
    h.register(2, T2);

    h.clientSends(C1, bytes(4, 0, 0, 0, 9));

    assertEquals(1, h.drops(DropReason.NOT_WIREGUARD));
    assertNull(h.tunnel(2).client);
  }

  @Test
  void handshakeCheckSparingIsNotRenewedByTraffic() {
    RelayHarness h = new RelayHarness(new JsonObject().put("wireguardPublicKey", WG_KEY_BASE64)
        .put("maxPendingClients", 0));
    h.register(1, T1);
    h.clientSends(C1, initiation(WG_KEY, 1));
    h.close(1, T1, CloseReason.IDLE);
    h.advanceSeconds(100);
    h.clientSends(C1, bytes(4, 0, 0, 0, 9)); // spared, but no spare free
    assertEquals(1, h.drops(DropReason.NO_SPARE));
    h.advanceMillis(80_001); // 180 s after the close
    h.register(2, T2);

    h.clientSends(C1, bytes(4, 0, 0, 0, 9));

    assertEquals(1, h.drops(DropReason.NOT_WIREGUARD));
    assertNull(h.tunnel(2).client);
  }

  @Test
  void handshakeCheckIsSparedForTheSameAddressOnly() {
    RelayHarness h = new RelayHarness(new JsonObject().put("wireguardPublicKey", WG_KEY_BASE64));
    h.register(1, T1);
    h.clientSends(C1, initiation(WG_KEY, 1));
    h.close(1, T1, CloseReason.IDLE);
    h.register(2, T2);

    h.clientSends(C1_OTHER_PORT, bytes(4, 0, 0, 0, 9));

    assertEquals(1, h.drops(DropReason.NOT_WIREGUARD));
    assertNull(h.tunnel(2).client);
  }

  @Test
  void withoutWireguardKeyAnyDatagramBinds() {
    RelayHarness h = new RelayHarness();
    h.register(1, T1);

    h.clientSends(C1, bytes(0x42));

    assertEquals(C1, h.tunnel(1).client);
    assertEquals(0, h.allDrops());
  }
}
