package io.rut.outside;

import static io.rut.outside.RelayHarness.addr;
import static io.rut.outside.RelayHarness.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.metrics.DropReason;
import io.rut.protocol.CloseReason;
import io.rut.protocol.ControlCodec;
import io.rut.protocol.ControlMessage;
import io.rut.protocol.MessageType;
import io.rut.protocol.RejectReason;
import io.rut.protocol.ServiceId;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** PROTOCOL.md sections 2, 4 and 5 at the outside: HELLO, AUTH, KEEPALIVE, CLOSE. */
class RegistrationTest {

  static final InetSocketAddress T1 = addr("198.51.100.1", 40001);
  static final InetSocketAddress T1_MOVED = addr("198.51.100.1", 40999);
  static final InetSocketAddress T2 = addr("198.51.100.2", 40002);
  static final InetSocketAddress C1 = addr("203.0.113.10", 51820);
  static final InetSocketAddress C2 = addr("203.0.113.20", 51821);

  private final RelayHarness h = new RelayHarness();

  // ---- HELLO --------------------------------------------------------------------------------

  @Test
  void helloIsAnsweredWithChallengeAndKeepsNoState() {
    h.hello(1, T1);

    List<ControlMessage> toT1 = h.controlTo(T1);
    assertEquals(1, toT1.size());
    ControlMessage challenge = toT1.get(0);
    assertEquals(MessageType.CHALLENGE, challenge.type());
    assertEquals(1, challenge.tunnelId());
    assertEquals(h.serviceId, challenge.serviceId());
    assertEquals(T1, challenge.address(), "the observed source address");
    assertEquals(16, challenge.cookie().length);
    assertEquals(0, h.table().size());
    assertEquals(0, h.table().pendingCount());
    assertTrue(h.out.published.isEmpty());
  }

  @Test
  void cookieDependsOnAddressAndTunnel() {
    byte[] a = h.cookie(1, T1);
    byte[] b = h.cookie(1, T2);
    byte[] c = h.cookie(2, T1);

    assertTrue(!Arrays.equals(a, b) && !Arrays.equals(a, c), "cookies are per address and tunnel");
  }

  // ---- AUTH ---------------------------------------------------------------------------------

  @Test
  void authWithBadCookieIsDroppedAndRegistersNothing() {
    byte[] cookie = h.cookie(1, T1);
    cookie[0] ^= 1;
    h.clearOutput();

    h.auth(1, T1, cookie, null);

    assertEquals(1, h.drops(DropReason.BAD_COOKIE));
    assertEquals(0, h.table().size());
    assertTrue(h.sent().isEmpty(), "no ACK, no REJECT");
  }

  @Test
  void authWithCookieOfAnotherAddressIsBadCookie() {
    byte[] cookie = h.cookie(1, T1);

    h.auth(1, T2, cookie, null);

    assertEquals(1, h.drops(DropReason.BAD_COOKIE));
    assertEquals(0, h.table().size());
  }

  @Test
  void cookieOfThePreviousEpochVerifiesButNotOlder() {
    byte[] cookie = h.cookie(1, T1);
    h.advanceSeconds(30); // next epoch: the previous one still verifies
    h.auth(1, T1, cookie, null);
    assertNotNull(h.tunnel(1));

    byte[] old = h.cookie(2, T2);
    h.advanceSeconds(60); // two epochs on
    h.auth(2, T2, old, null);
    assertNull(h.tunnel(2));
    assertEquals(1, h.drops(DropReason.BAD_COOKIE));
  }

  @Test
  void validAuthRegistersAndAcks() {
    byte[] cookie = h.cookie(1, T1);
    h.clearOutput();

    byte[] auth = h.auth(1, T1, cookie, null);

    OutsideTunnel t = h.tunnel(1);
    assertNotNull(t);
    assertEquals(T1, t.address);
    assertNull(t.client);
    assertEquals(1, h.table().spareCount());
    List<ControlMessage> toT1 = h.controlTo(T1);
    assertEquals(1, toT1.size());
    ControlMessage ack = toT1.get(0);
    assertEquals(MessageType.ACK, ack.type());
    assertEquals(counterOf(auth), ack.ackedCounter());
    assertEquals(T1, ack.address());
    assertEquals(1, h.published(OutsideEvent.Kind.REGISTERED).size());
    assertEquals(1.0, h.registry.get("rut_tunnels_opened").counter().count());
    assertEquals(1.0, h.registry.get("rut_tunnels").tag("state", "spare").gauge().value());
  }

  @Test
  void replayedAuthIsDropped() {
    byte[] cookie = h.cookie(1, T1);
    byte[] auth = h.auth(1, T1, cookie, null);
    h.clearOutput();

    h.datagram(auth, T1);

    assertEquals(1, h.drops(DropReason.REPLAY));
    assertTrue(h.sent().isEmpty(), "no second ACK");
  }

  @Test
  void aReplayedAuthFromAWaitingClientsAddressLeavesItWaiting() {
    byte[] cookieOld = h.cookie(1, T1_MOVED);
    byte[] authOld = h.auth(1, T1_MOVED, cookieOld, null);
    h.register(1, T1);
    h.clientSends(C1, bytes(1)); // binds the only spare
    h.clientSends(T1_MOVED, bytes(2)); // waits: no spare left
    assertEquals(1, h.table().pendingCount());

    h.datagram(authOld, T1_MOVED);

    assertEquals(1, h.drops(DropReason.REPLAY));
    assertEquals(1, h.table().pendingCount(), "a replay changes nothing: the client still waits");
    assertEquals(T1, h.tunnel(1).address);
  }

  @Test
  void aNewTunnelOnAnotherTunnelsAddressTakesItOverAndTheOldOneIsDropped() {
    h.register(1, T1);
    h.register(2, T1); // an inside restarted behind a NAT that gave its new socket the same mapping

    assertNull(h.tunnel(1));
    assertEquals(1, h.closedCount("address_reused"));
    assertSame(h.tunnel(2), h.table().byAddress(T1));
  }

  @Test
  void replayedAuthDoesNotMoveTheTunnelBack() {
    byte[] cookieOld = h.cookie(1, T1);
    byte[] authOld = h.auth(1, T1, cookieOld, null);
    h.register(1, T1_MOVED);

    h.datagram(authOld, T1);

    assertEquals(1, h.drops(DropReason.REPLAY));
    assertEquals(T1_MOVED, h.tunnel(1).address);
  }

  @Test
  void replayedKeepaliveIsDropped() {
    h.register(1, T1);
    byte[] keepalive = h.keepalive(1, T1);
    h.clearOutput();

    h.datagram(keepalive, T1);

    assertEquals(1, h.drops(DropReason.REPLAY));
    assertTrue(h.sent().isEmpty(), "no ACK for a replay");
  }

  @Test
  void replayedCloseIsDropped() {
    h.register(1, T1);
    byte[] oldClose = h.inside.encode(ControlMessage.close(h.serviceId, 1, h.nextCounter(), CloseReason.IDLE));
    h.keepalive(1, T1); // a higher counter is accepted first

    h.datagram(oldClose, T1);

    assertEquals(1, h.drops(DropReason.REPLAY));
    assertNotNull(h.tunnel(1), "a replayed CLOSE closes nothing");
  }

  @Test
  void keepaliveFromRegisteredAddressRefreshesAndAcks() {
    h.register(1, T1);
    h.advanceSeconds(50);
    h.clearOutput();

    byte[] keepalive = h.keepalive(1, T1);

    ControlMessage ack = h.lastControlTo(T1);
    assertEquals(MessageType.ACK, ack.type());
    assertEquals(counterOf(keepalive), ack.ackedCounter());
    assertEquals(T1, ack.address());
    assertEquals(h.now, h.tunnel(1).lastKeepaliveNanos);
    h.advanceSeconds(10); // 60 s after the AUTH, past the 55 s expiry of the default interval
    h.tick();
    assertNotNull(h.tunnel(1), "the keepalive refreshed the tunnel");
  }

  @Test
  void keepaliveForUnknownTunnelGetsChallenge() {
    h.keepalive(9, T1);

    ControlMessage answer = h.lastControlTo(T1);
    assertEquals(MessageType.CHALLENGE, answer.type());
    assertEquals(9, answer.tunnelId());
    assertEquals(T1, answer.address());
    assertEquals(0, h.table().size());
    assertEquals(0, h.table().pendingCount(), "a control message is no client");
  }

  @Test
  void keepaliveFromAnotherAddressGetsChallengeAndChangesNothing() {
    h.register(1, T1);
    long registered = h.tunnel(1).lastKeepaliveNanos;
    long highest = h.tunnel(1).highestCounter;
    h.advanceSeconds(10);
    h.clearOutput();

    h.keepalive(1, T1_MOVED);

    ControlMessage answer = h.lastControlTo(T1_MOVED);
    assertEquals(MessageType.CHALLENGE, answer.type());
    assertEquals(T1_MOVED, answer.address());
    assertTrue(h.controlTo(T1).isEmpty());
    OutsideTunnel t = h.tunnel(1);
    assertEquals(T1, t.address);
    assertEquals(registered, t.lastKeepaliveNanos);
    assertEquals(highest, t.highestCounter);
  }

  @Test
  void authFromNewAddressMovesTunnelAndKeepsClient() {
    h.register(1, T1);
    h.clientSends(C1, bytes(1));
    h.clearOutput();

    h.register(1, T1_MOVED);

    OutsideTunnel t = h.tunnel(1);
    assertEquals(T1_MOVED, t.address);
    assertEquals(C1, t.client);
    assertSame(t, h.table().byAddress(T1_MOVED));
    assertNull(h.table().byAddress(T1), "the old address is forgotten");
    assertEquals(1, h.events("nat_rebinding"));
    List<OutsideEvent> moved = h.published(OutsideEvent.Kind.MOVED);
    assertEquals(1, moved.size());
    assertEquals(T1_MOVED, moved.get(0).address());
    assertEquals(C1, moved.get(0).client());
    assertEquals(T1_MOVED, h.lastControlTo(T1_MOVED).address(), "the ACK names the new address");

    h.clientSends(C1, bytes(2));
    assertEquals(1, h.dataTo(T1_MOVED).size(), "the client's data follows the tunnel");
    h.tunnelSends(T1_MOVED, bytes(3));
    assertEquals(1, h.dataTo(C1).size(), "and the tunnel's data still reaches the client");
  }

  @Test
  void authWithClientForUnknownTunnelRestoresBinding() {
    h.register(1, T1, C1);

    OutsideTunnel t = h.tunnel(1);
    assertEquals(C1, t.client);
    assertEquals(1, h.events("binding_restored"));
    assertEquals(1, h.published(OutsideEvent.Kind.RESTORED).size());
    assertTrue(h.controlTo(T1, MessageType.BIND).isEmpty(), "a restored binding needs no BIND");

    h.clientSends(C1, bytes(5));
    assertArrayEquals(bytes(5), h.dataTo(T1).get(0));
    h.tunnelSends(T1, bytes(6));
    assertArrayEquals(bytes(6), h.dataTo(C1).get(0));
  }

  @Test
  void restoredBindingTakesTheWaitingClient() {
    h.clientSends(C1, bytes(1));
    h.clientSends(C1, bytes(2));
    assertEquals(1, h.table().pendingCount());

    h.register(1, T1, C1);

    assertEquals(0, h.table().pendingCount());
    List<byte[]> delivered = h.dataTo(T1);
    assertEquals(2, delivered.size());
    assertArrayEquals(bytes(1), delivered.get(0));
    assertArrayEquals(bytes(2), delivered.get(1));
    assertEquals(C1, h.tunnel(1).client);
  }

  @Test
  void restoredBindingSupersedesTheTunnelThatCarriedTheClient() {
    h.register(1, T1);
    h.clientSends(C1, bytes(1)); // bound to tunnel 1

    h.register(2, T2, C1);

    assertNull(h.tunnel(1));
    assertEquals(C1, h.tunnel(2).client);
    assertEquals(1, h.closedCount("superseded"));
    ControlMessage close = h.lastControlTo(T1);
    assertEquals(MessageType.CLOSE, close.type());
    assertEquals(CloseReason.UNKNOWN_TUNNEL.code, close.reason());
  }

  @Test
  void clientAddressThatAuthenticatesBecomesATunnel() {
    h.register(1, T1);
    h.clientSends(C1, bytes(1)); // C1 taken for a client of tunnel 1
    h.clearOutput();

    h.register(2, C1); // but C1 is a tunnel of the inside

    assertNull(h.tunnel(1), "the mistaken binding is closed");
    assertEquals(1, h.closedCount("source_is_tunnel"));
    ControlMessage close = h.lastControlTo(T1);
    assertEquals(MessageType.CLOSE, close.type());
    assertEquals(CloseReason.UNKNOWN_TUNNEL.code, close.reason());
    assertNull(h.table().byClient(C1));
    assertSame(h.tunnel(2), h.table().byAddress(C1));
    assertNull(h.tunnel(2).client);
  }

  @Test
  void waitingClientThatAuthenticatesStopsWaiting() {
    h.clientSends(C1, bytes(1));
    assertEquals(1, h.table().pendingCount());

    h.register(2, C1);

    assertEquals(0, h.table().pendingCount());
    assertEquals(1, h.events("pending_was_tunnel"));
    assertTrue(h.dataTo(C1).isEmpty());
  }

  @Test
  void authOverMaxTunnelsIsRejected() {
    RelayHarness h1 = new RelayHarness(new JsonObject().put("maxTunnels", 1));
    h1.register(1, T1);

    ControlMessage answer = h1.authenticate(2, T2, null);

    assertEquals(MessageType.REJECT, answer.type());
    assertEquals(RejectReason.TUNNEL_LIMIT.code, answer.reason());
    assertTrue(answer.retryAfter() > 0);
    assertEquals(1, h1.drops(DropReason.TUNNEL_LIMIT));
    assertNull(h1.tunnel(2));
    assertEquals(1, h1.table().size());
  }

  @Test
  void maxTunnelsCountsActiveTunnelsToo() {
    RelayHarness h1 = new RelayHarness(new JsonObject().put("maxTunnels", 1));
    h1.register(1, T1, C1); // active

    ControlMessage answer = h1.authenticate(2, T2, C2);

    assertEquals(MessageType.REJECT, answer.type());
    assertEquals(1, h1.drops(DropReason.TUNNEL_LIMIT));
  }

  @Test
  void authOverMaxSparesIsRejectedButAnActiveTunnelIsTaken() {
    RelayHarness h1 = new RelayHarness(new JsonObject().put("maxTunnels", 10).put("maxSpares", 1));
    h1.register(1, T1);

    ControlMessage spare = h1.authenticate(2, T2, null);
    assertEquals(MessageType.REJECT, spare.type());
    assertEquals(RejectReason.TUNNEL_LIMIT.code, spare.reason());
    assertEquals(1, h1.drops(DropReason.TUNNEL_LIMIT));

    ControlMessage active = h1.authenticate(2, T2, C1);
    assertEquals(MessageType.ACK, active.type(), "maxSpares limits spares only");
    assertEquals(C1, h1.tunnel(2).client);
  }

  @Test
  void knownTunnelIsNotRejectedAtTheLimit() {
    RelayHarness h1 = new RelayHarness(new JsonObject().put("maxTunnels", 1));
    h1.register(1, T1);

    ControlMessage answer = h1.authenticate(1, T1_MOVED, null);

    assertEquals(MessageType.ACK, answer.type(), "a move is no new tunnel");
  }

  // ---- other services, directions, malformed ------------------------------------------------

  @Test
  void controlMessageOfAnotherServiceIsRejected() {
    long other = ServiceId.of("other");
    h.control(ControlMessage.hello(other, 5, h.nextCounter(), true), T1);

    assertEquals(1, h.drops(DropReason.WRONG_SERVICE));
    ControlMessage answer = h.lastControlTo(T1);
    assertEquals(MessageType.REJECT, answer.type());
    assertEquals(RejectReason.UNKNOWN_SERVICE.code, answer.reason());
    assertEquals(other, answer.serviceId(), "the REJECT names the service asked for");
    assertEquals(5, answer.tunnelId());
    assertTrue(h.controlTo(T1, MessageType.CHALLENGE).isEmpty());
    assertEquals(0, h.table().pendingCount(), "and it is no client's data");
  }

  @Test
  void messagesForTheOutsideOnlyAreWrongDirection() {
    h.register(1, T1);
    h.clearOutput();
    byte[] cookie = new byte[16];
    long sid = h.serviceId;

    h.control(ControlMessage.ack(sid, 1, h.nextCounter(), 5, T1), T1);
    h.control(ControlMessage.challenge(sid, 1, h.nextCounter(), cookie, T1), T1);
    h.control(ControlMessage.bind(sid, 1, h.nextCounter(), C1), T1);
    h.control(ControlMessage.reject(sid, 1, h.nextCounter(), RejectReason.TUNNEL_LIMIT, 10), T1);
    h.control(ControlMessage.bind(sid, 2, h.nextCounter(), C1), C2); // from a stranger

    assertEquals(5, h.drops(DropReason.WRONG_DIRECTION));
    assertTrue(h.sent().isEmpty());
    assertEquals(0, h.table().pendingCount());
    assertNull(h.tunnel(1).client, "a control message binds no spare");
  }

  @Test
  void malformedControlMessageIsDropped() {
    h.register(1, T1);
    h.clearOutput();
    byte[] wire = h.inside.encode(ControlMessage.keepalive(h.serviceId, 1, h.nextCounter(), null));
    wire[6] = 1; // reserved
    sign(RelayHarness.filled(32, (byte) 1), wire);

    h.datagram(wire, T1);
    h.datagram(wire, C1);

    assertEquals(2, h.drops(DropReason.MALFORMED_CONTROL));
    assertTrue(h.sent().isEmpty(), "no ACK, no forwarding");
    assertEquals(0, h.table().pendingCount(), "a malformed control message is no client's data");
    assertNull(h.tunnel(1).client);
  }

  /**
   * PROTOCOL.md 1.1, section 2: an 88-byte datagram with the magic whose tag fails under every key
   * (another agent's key, another service) is a foreign control message: dropped, never a new
   * client's data, never binds a tunnel.
   */
  @Test
  void foreignControlMessageIsNeverData() {
    h.register(1, T1);
    h.clearOutput();
    ControlCodec otherKey = RelayHarness.codec(RelayHarness.KEY_B);
    byte[] foreign = otherKey.encode(ControlMessage.hello(h.serviceId, 7, h.nextCounter(), true));
    byte[] otherVersion = h.inside.encode(ControlMessage.hello(h.serviceId, 8, h.nextCounter(), true));
    otherVersion[3] = 2;

    h.datagram(foreign, C1);
    h.datagram(otherVersion, C2);
    h.datagram(foreign, T1);

    assertNull(h.tunnel(1).client, "a foreign control message binds no tunnel");
    assertEquals(0, h.table().pendingCount());
    assertTrue(h.sent().isEmpty(), "and reaches no one: " + h.sent());
    assertEquals(0, h.drops(DropReason.NO_CLIENT), "from a tunnel it is no data either, but a bad tag");
  }

  // ---- CLOSE --------------------------------------------------------------------------------

  @Test
  void closeRemovesTunnelAndFreesTheClientAtOnce() {
    h.register(1, T1);
    h.register(2, T2);
    h.clientSends(C1, bytes(1)); // bound to tunnel 2, the newest spare
    assertEquals(C1, h.tunnel(2).client);

    h.close(2, T2, CloseReason.IDLE);

    assertNull(h.tunnel(2));
    assertNull(h.table().byClient(C1));
    assertEquals(1, h.closedCount("inside_idle"));
    assertEquals(1, h.published(OutsideEvent.Kind.CLOSED).size());
    assertTrue(h.controlTo(T2, MessageType.CLOSE).isEmpty(), "the inside closed: no CLOSE back");
    h.clearOutput();

    h.clientSends(C1, bytes(2));

    assertEquals(C1, h.tunnel(1).client, "the same client binds a new spare at once");
    assertEquals(MessageType.BIND, h.controlTo(T1).get(0).type());
    assertArrayEquals(bytes(2), h.dataTo(T1).get(0));
  }

  @Test
  void closeOfSpareRemovesIt() {
    h.register(1, T1);

    h.close(1, T1, CloseReason.SHUTDOWN);

    assertEquals(0, h.table().size());
    assertEquals(0, h.table().spareCount());
    assertEquals(1, h.closedCount("inside_shutdown"));
    h.clientSends(C1, bytes(1));
    assertTrue(h.dataTo(T1).isEmpty(), "a closed spare takes no client");
    assertEquals(1, h.table().pendingCount());
  }

  @Test
  void closeForUnknownTunnelIsCounted() {
    h.close(42, T1, CloseReason.IDLE);

    assertEquals(1, h.events("close_for_closed_tunnel"));
    assertTrue(h.sent().isEmpty());
    assertEquals(0, h.table().pendingCount());
  }

  @Test
  void closeFromAnotherAddressIsUnknownTunnel() {
    h.register(1, T1);

    h.close(1, T2, CloseReason.IDLE);

    assertEquals(1, h.drops(DropReason.UNKNOWN_TUNNEL));
    assertNotNull(h.tunnel(1));
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static long counterOf(byte[] wire) {
    return java.nio.ByteBuffer.wrap(wire, 24, 8).getLong();
  }

  /** Writes the tag of PROTOCOL.md section 2 by hand: HMAC-SHA256(key, bytes 0..71), first 16 bytes. */
  private static void sign(byte[] key, byte[] wire) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update(wire, 0, 72);
      System.arraycopy(mac.doFinal(), 0, wire, 72, 16);
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }
}
