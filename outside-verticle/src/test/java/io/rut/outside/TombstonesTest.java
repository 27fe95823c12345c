package io.rut.outside;

import static io.rut.outside.RelayHarness.addr;
import static io.rut.outside.RelayHarness.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.metrics.DropReason;
import io.rut.protocol.CloseReason;
import io.rut.protocol.ControlMessage;
import io.rut.protocol.MessageType;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tunnels this side closed: their control messages get CLOSE again while their id is buried
 * (tunnelExpiry, 55 s by default, renewed while they speak), and their last datagrams are not taken
 * for a new client for 5 s (a fixed window). Then the {@link Tombstones} class itself.
 */
class TombstonesTest {

  static final InetSocketAddress T1 = addr("198.51.100.1", 40001);
  static final InetSocketAddress T2 = addr("198.51.100.2", 40002);
  static final InetSocketAddress T3 = addr("198.51.100.3", 40003);
  static final InetSocketAddress C1 = addr("203.0.113.10", 51820);

  private final RelayHarness h = new RelayHarness();

  /** Tunnel 1 carries C1; tunnel 2 reports C1 in its AUTH (an outside restart healed): tunnel 1 is closed. */
  private void supersedeTunnelOne() {
    h.register(1, T1);
    h.clientSends(C1, bytes(1));
    h.register(2, T2, C1);
    assertNull(h.tunnel(1));
    assertEquals(1, h.closedCount("superseded"));
    h.clearOutput();
  }

  private void assertClosedAgain(InetSocketAddress to, long tunnelId) {
    List<ControlMessage> answers = h.controlTo(to);
    assertEquals(1, answers.size(), "one answer: " + answers);
    assertEquals(MessageType.CLOSE, answers.get(0).type());
    assertEquals(CloseReason.UNKNOWN_TUNNEL.code, answers.get(0).reason());
    assertEquals(tunnelId, answers.get(0).tunnelId());
  }

  @Test
  void supersededTunnelThatKeepsAliveIsClosedAgain() {
    supersedeTunnelOne();
    h.advanceSeconds(10);

    h.keepalive(1, T1);

    assertClosedAgain(T1, 1);
    assertEquals(1, h.drops(DropReason.UNKNOWN_TUNNEL));
    assertNull(h.tunnel(1));
  }

  @Test
  void supersededTunnelThatAuthenticatesIsClosedAgain() {
    supersedeTunnelOne();
    h.advanceSeconds(10);
    byte[] cookie = h.cookie(1, T1); // HELLO is answered: it changes nothing
    h.clearOutput();

    h.auth(1, T1, cookie, C1);

    assertClosedAgain(T1, 1);
    assertNull(h.tunnel(1), "not registered again");
    assertEquals(C1, h.tunnel(2).client, "and the client stays with the tunnel that won");
  }

  @Test
  void silentTunnelThatSpeaksAgainIsClosedAgain() {
    h.register(1, T1);
    h.clientSends(C1, bytes(1));
    h.advanceMillis(600);
    h.clientSends(C1, bytes(2));
    h.advanceMillis(600);
    h.clientSends(C1, bytes(3)); // tunnel 1 silent for 1.2 s while its client sent 2: probed
    assertEquals(1, h.events("tunnel_probed"));
    h.advanceMillis(1_100);
    h.clientSends(C1, bytes(4)); // the probe went unanswered: closed (SilentTunnels)
    assertEquals(1, h.closedCount("silent"));
    h.clearOutput();

    h.keepalive(1, T1);

    assertClosedAgain(T1, 1);
  }

  @Test
  void buriedIdMayRegisterAfterTunnelExpiry() {
    supersedeTunnelOne();
    h.advanceSeconds(56); // past 2 x 25 + 5 s without a word from tunnel 1

    ControlMessage answer = h.authenticate(1, T1, null);

    assertEquals(MessageType.ACK, answer.type());
    assertNotNull(h.tunnel(1));
  }

  @Test
  void buriedIdStaysBuriedWhileItSpeaks() {
    supersedeTunnelOne();
    h.advanceSeconds(50);
    h.keepalive(1, T1); // renews the burial
    h.advanceSeconds(50); // 100 s after the close, 50 s after it last spoke
    h.clearOutput();

    h.keepalive(1, T1);

    assertClosedAgain(T1, 1);
  }

  @Test
  void datagramsFromAClosedTunnelsAddressAreDroppedForFiveSeconds() {
    supersedeTunnelOne();
    h.register(3, T3); // a free spare that the datagrams must not take

    h.advanceSeconds(1);
    h.tunnelSends(T1, bytes(7));
    h.advanceMillis(4_000); // exactly 5 s after the close
    h.tunnelSends(T1, bytes(8));

    assertEquals(2, h.drops(DropReason.UNKNOWN_TUNNEL));
    assertNull(h.tunnel(3).client);
    assertEquals(0, h.table().pendingCount());
    assertTrue(h.data().isEmpty());
  }

  @Test
  void addressWindowIsNotRenewedByTraffic() {
    supersedeTunnelOne();
    h.register(3, T3);
    for (int i = 0; i < 5; i++) {
      h.advanceSeconds(1);
      h.tunnelSends(T1, bytes(i)); // the last one 5 s after the close
    }
    assertEquals(5, h.drops(DropReason.UNKNOWN_TUNNEL));

    h.advanceMillis(1);
    h.clientSends(T1, bytes(9)); // a new client on the port the NAT gave back

    assertEquals(T1, h.tunnel(3).client, "admitted 5 s after the close, traffic or not");
    assertArrayEquals(bytes(9), h.dataTo(T3).get(0));
    assertEquals(5, h.drops(DropReason.UNKNOWN_TUNNEL));
  }

  @Test
  void tunnelClosedByTheInsideLeavesNoTombstone() {
    h.register(1, T1);
    h.register(2, T2);
    h.close(1, T1, CloseReason.IDLE);

    h.clientSends(T1, bytes(1)); // its address is free at once
    ControlMessage answer = h.authenticate(1, addr("198.51.100.1", 40100), null);

    assertEquals(T1, h.tunnel(2).client);
    assertEquals(MessageType.ACK, answer.type(), "and its id may register again");
  }

  // ---- the class ----------------------------------------------------------------------------

  @Test
  void keyIsBuriedUntilItsEnd() {
    Tombstones<String> t = new Tombstones<>(10);
    t.add("a", 100);

    assertTrue(t.contains("a", 100, 100));
    assertFalse(t.contains("a", 101, 101));
    assertEquals(0, t.size(), "found expired: forgotten");
    assertFalse(t.contains("b", 0, 0));
  }

  @Test
  void hitExtendsTheBurialButNeverShortensIt() {
    Tombstones<String> t = new Tombstones<>(10);
    t.add("a", 100);

    assertTrue(t.contains("a", 50, 80)); // earlier: kept at 100
    assertTrue(t.contains("a", 100, 100));
    assertTrue(t.contains("a", 90, 200));
    assertTrue(t.contains("a", 200, 200));
    assertFalse(t.contains("a", 201, 201));
  }

  @Test
  void expireForgetsOnlyWhatEnded() {
    Tombstones<String> t = new Tombstones<>(10);
    t.add("a", 100);
    t.add("b", 200);

    t.expire(150);

    assertEquals(1, t.size());
    assertTrue(t.contains("b", 150, 150));
  }

  @Test
  void sizeIsBoundedOldestForgottenFirst() {
    Tombstones<Integer> t = new Tombstones<>(3);
    for (int i = 0; i < 5; i++) {
      t.add(i, 1_000);
    }

    assertEquals(3, t.size());
    assertFalse(t.contains(0, 0, 0));
    assertFalse(t.contains(1, 0, 0));
    assertTrue(t.contains(4, 0, 0));
  }

  @Test
  void removeUnburies() {
    Tombstones<String> t = new Tombstones<>(10);
    t.add("a", 100);

    t.remove("a");

    assertFalse(t.contains("a", 0, 0));
  }

  @Test
  void endsCompareAcrossTheWrapOfTheClock() {
    Tombstones<String> t = new Tombstones<>(10);
    long now = Long.MAX_VALUE - 10;
    t.add("a", now + 100); // wraps to a negative value

    assertTrue(t.contains("a", now + 50, now + 50));
    t.expire(now + 60);
    assertEquals(1, t.size());
    assertFalse(t.contains("a", now + 101, now + 101));

    t.add("b", now + 100);
    assertTrue(t.contains("b", now + 50, now + 200)); // extended across the wrap
    assertTrue(t.contains("b", now + 200, now + 200));
    assertFalse(t.contains("b", now + 201, now + 201));
  }
}
