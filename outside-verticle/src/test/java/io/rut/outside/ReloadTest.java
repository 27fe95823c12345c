package io.rut.outside;

import static io.rut.outside.RelayHarness.KEY_A;
import static io.rut.outside.RelayHarness.KEY_B;
import static io.rut.outside.RelayHarness.WG_KEY;
import static io.rut.outside.RelayHarness.WG_KEY_BASE64;
import static io.rut.outside.RelayHarness.addr;
import static io.rut.outside.RelayHarness.bytes;
import static io.rut.outside.RelayHarness.initiation;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.metrics.DropReason;
import io.rut.protocol.ControlMessage;
import io.rut.protocol.MessageType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * {@link Relay#update}: a changed configuration applies from the next datagram (or tick) on, and
 * leaves the tunnels and their clients as they are.
 */
class ReloadTest {

  static final InetSocketAddress T1 = addr("198.51.100.1", 40001);
  static final InetSocketAddress T2 = addr("198.51.100.2", 40002);
  static final InetSocketAddress T3 = addr("198.51.100.3", 40003);
  static final InetSocketAddress C1 = addr("203.0.113.10", 51820);
  static final InetSocketAddress C1_OTHER_PORT = addr("203.0.113.10", 51999);
  static final InetSocketAddress C2 = addr("203.0.113.20", 51821);

  @Test
  void reloadKeepsTunnelsAndClients() {
    RelayHarness h = new RelayHarness();
    h.register(1, T1);
    h.register(2, T2);
    h.clientSends(C1, bytes(1)); // the newest spare, tunnel 2

    h.reload(new JsonObject().put("maxTunnels", 50).put("keepaliveInterval", 10));

    assertEquals(2, h.table().size());
    assertEquals(C1, h.tunnel(2).client);
    h.clientSends(C1, bytes(2));
    assertArrayEquals(bytes(2), h.dataTo(T2).get(1));
    h.clientSends(C2, bytes(3));
    assertEquals(C2, h.tunnel(1).client);
  }

  @Test
  void raisingMaxTunnelsAdmitsTheNextAuth() {
    RelayHarness h = new RelayHarness(new JsonObject().put("maxTunnels", 1));
    h.register(1, T1);
    assertEquals(MessageType.REJECT, h.authenticate(2, T2, null).type());

    h.reload(new JsonObject().put("maxTunnels", 2));

    assertEquals(MessageType.ACK, h.authenticate(2, T2, null).type());
    assertEquals(MessageType.REJECT, h.authenticate(3, T3, null).type());
  }

  @Test
  void loweringMaxTunnelsKeepsTheTunnelsButTakesNoMore() {
    RelayHarness h = new RelayHarness(new JsonObject().put("maxTunnels", 3));
    h.register(1, T1);
    h.register(2, T2);

    h.reload(new JsonObject().put("maxTunnels", 1));

    assertEquals(2, h.table().size(), "nothing is closed");
    assertEquals(MessageType.REJECT, h.authenticate(3, T3, null).type());
    h.keepalive(1, T1);
    assertEquals(MessageType.ACK, h.lastControlTo(T1).type());
  }

  @Test
  void maxSparesApplyFromTheNextAuth() {
    RelayHarness h = new RelayHarness(new JsonObject().put("maxSpares", 1));
    h.register(1, T1);
    assertEquals(MessageType.REJECT, h.authenticate(2, T2, null).type());

    h.reload(new JsonObject().put("maxSpares", 2));
    assertEquals(MessageType.ACK, h.authenticate(2, T2, null).type());

    h.reload(new JsonObject().put("maxSpares", 1));
    assertEquals(MessageType.REJECT, h.authenticate(3, T3, null).type());
    assertEquals(2, h.drops(DropReason.TUNNEL_LIMIT));
  }

  @Test
  void keepaliveIntervalChangesTheSweepPeriod() {
    RelayHarness h = new RelayHarness();
    assertEquals(500, h.relay.tickMillis());

    h.reload(new JsonObject().put("keepaliveInterval", 0.8));
    assertEquals(400, h.relay.tickMillis());

    h.reload(new JsonObject().put("keepaliveInterval", 0.4));
    assertEquals(200, h.relay.tickMillis());

    h.reload(new JsonObject().put("keepaliveInterval", 0.1));
    assertEquals(100, h.relay.tickMillis());
  }

  @Test
  void keepaliveIntervalChangesTheExpiry() {
    RelayHarness h = new RelayHarness(); // 25 s: expiry 55 s
    h.register(1, T1);
    h.advanceSeconds(10);
    h.tick();
    assertNotNull(h.tunnel(1));

    h.reload(new JsonObject().put("keepaliveInterval", 2)); // expiry 9 s

    h.tick();
    assertNull(h.tunnel(1), "silent for 10 s: past the new expiry");
    assertEquals(1, h.closedCount("expired"));
  }

  @Test
  void longerKeepaliveIntervalKeepsTunnelsLonger() {
    RelayHarness h = new RelayHarness(new JsonObject().put("keepaliveInterval", 2)); // expiry 9 s
    h.register(1, T1);

    h.reload(new JsonObject().put("keepaliveInterval", 25));
    h.advanceSeconds(30);
    h.tick();

    assertNotNull(h.tunnel(1));
  }

  @Test
  void keepaliveIntervalChangesWhenATunnelIsOverdue() {
    RelayHarness h = new RelayHarness();
    h.register(1, T1);
    h.advanceSeconds(1);
    h.register(2, T2); // the newest spare
    h.advanceSeconds(4);
    h.keepalive(1, T1);
    h.advanceSeconds(1); // tunnel 2 silent for 5 s, tunnel 1 for 1 s: both on time at 25 s

    h.reload(new JsonObject().put("keepaliveInterval", 2)); // overdue after 2 x 1.5 + 1 = 4 s
    h.clientSends(C1, bytes(1));

    assertEquals(C1, h.tunnel(1).client, "tunnel 2 is overdue under the new interval, tunnel 1 is not");
    assertNull(h.tunnel(2).client);
  }

  @Test
  void maxPendingClientsApplyToTheNextClient() {
    RelayHarness h = new RelayHarness(new JsonObject().put("maxPendingClients", 0));
    h.clientSends(C1, bytes(1));
    assertEquals(1, h.drops(DropReason.NO_SPARE));

    h.reload(new JsonObject().put("maxPendingClients", 4));
    h.clientSends(C1, bytes(2));

    assertEquals(1, h.table().pendingCount());
    assertEquals(1, h.drops(DropReason.NO_SPARE));
    h.register(1, T1);
    assertArrayEquals(bytes(2), h.dataTo(T1).get(0));
  }

  @Test
  void denyAppliesToNewClientsOnly() {
    RelayHarness h = new RelayHarness();
    h.register(1, T1);
    h.register(2, T2);
    h.clientSends(C1, bytes(1)); // the newest spare, tunnel 2

    h.reload(new JsonObject().put("deny", new JsonArray().add("203.0.113.0/24")));

    h.clientSends(C2, bytes(2));
    assertEquals(1, h.drops(DropReason.NOT_ALLOWED));
    assertNull(h.tunnel(1).client);
    h.clientSends(C1, bytes(3));
    assertEquals(2, h.dataTo(T2).size(), "a bound client keeps its tunnel");
  }

  @Test
  void allowListCanBeWidened() {
    RelayHarness h = new RelayHarness(new JsonObject().put("allow", new JsonArray().add("10.0.0.0/8")));
    h.register(1, T1);
    h.clientSends(C1, bytes(1));
    assertEquals(1, h.drops(DropReason.NOT_ALLOWED));

    h.reload(new JsonObject().put("allow", new JsonArray().add("10.0.0.0/8").add("203.0.113.0/24")));
    h.clientSends(C1, bytes(2));

    assertEquals(C1, h.tunnel(1).client);
  }

  @Test
  void maxTunnelsPerIpAppliesAndCountsSurvive() {
    RelayHarness h = new RelayHarness();
    h.register(1, T1);
    h.register(2, T2);
    h.register(3, T3);
    h.clientSends(C1, bytes(1)); // the newest spare, tunnel 3

    h.reload(new JsonObject().put("maxTunnelsPerIp", 1));
    h.clientSends(C1_OTHER_PORT, bytes(2));

    assertEquals(1, h.drops(DropReason.PER_IP_LIMIT), "the tunnel held before the reload counts");
    h.clientSends(C2, bytes(3));
    assertEquals(C2, h.tunnel(2).client);
  }

  @Test
  void newClientRateAppliesFromTheNextClient() {
    RelayHarness h = new RelayHarness(new JsonObject().put("newClientsPerSecondPerIp", 1)); // bursts of 2
    h.clientSends(addr("203.0.113.10", 1), bytes(1));
    h.clientSends(addr("203.0.113.10", 2), bytes(1));
    h.clientSends(addr("203.0.113.10", 3), bytes(1));
    assertEquals(1, h.drops(DropReason.RATE_LIMITED));

    h.reload(new JsonObject().put("newClientsPerSecondPerIp", 1000));
    h.advanceMillis(10); // at 1 per second 10 ms buys nothing; at 1000, ten clients

    h.clientSends(addr("203.0.113.10", 3), bytes(1));
    assertEquals(1, h.drops(DropReason.RATE_LIMITED));
    assertEquals(3, h.table().pendingCount());
  }

  @Test
  void serviceRateAppliesFromTheNextClient() {
    RelayHarness h = new RelayHarness(); // 1000 per second
    h.clientSends(addr("203.0.113.1", 1), bytes(1));
    h.clientSends(addr("203.0.113.2", 1), bytes(1));

    h.reload(new JsonObject().put("newClientsPerSecond", 0.5)); // a burst of 1
    h.clientSends(addr("203.0.113.3", 1), bytes(1));
    h.clientSends(addr("203.0.113.4", 1), bytes(1));

    assertEquals(1, h.drops(DropReason.RATE_LIMITED), "what was saved up shrinks to the new burst");
    assertEquals(3, h.table().pendingCount());
  }

  @Test
  void challengeRateAppliesFromTheNextHello() {
    RelayHarness h = new RelayHarness(new JsonObject().put("challengesPerSecondPerIp", 1)); // bursts of 2
    h.hello(1, T1);
    h.hello(2, T1);
    h.hello(3, T1);
    assertEquals(1, h.drops(DropReason.CHALLENGE_LIMITED));

    h.reload(new JsonObject().put("challengesPerSecondPerIp", 1000));
    h.advanceMillis(10);
    h.hello(3, T1);

    assertEquals(1, h.drops(DropReason.CHALLENGE_LIMITED));
    assertEquals(3, h.controlTo(T1, MessageType.CHALLENGE).size());
  }

  @Test
  void wireguardKeyCanBeSetAndRemoved() {
    RelayHarness h = new RelayHarness();
    h.register(1, T1);
    h.register(2, T2);
    h.register(3, T3);

    h.reload(new JsonObject().put("wireguardPublicKey", WG_KEY_BASE64));
    h.clientSends(C1, bytes(1, 2, 3));
    assertEquals(1, h.drops(DropReason.NOT_WIREGUARD));
    h.clientSends(C1, initiation(WG_KEY, 1));
    assertNotNull(h.table().byClient(C1));

    h.reload(new JsonObject());
    h.clientSends(C2, bytes(1, 2, 3));
    assertNotNull(h.table().byClient(C2), "without a key any datagram binds again");
    assertEquals(1, h.drops(DropReason.NOT_WIREGUARD));
  }

  @Test
  void wireguardKeyCanBeChanged() {
    RelayHarness h = new RelayHarness(new JsonObject().put("wireguardPublicKey", WG_KEY_BASE64));
    h.register(1, T1);
    byte[] otherKey = RelayHarness.filled(32, (byte) 8);

    h.reload(new JsonObject().put("wireguardPublicKey", java.util.Base64.getEncoder().encodeToString(otherKey)));
    h.clientSends(C1, initiation(WG_KEY, 1));
    assertEquals(1, h.drops(DropReason.NOT_WIREGUARD), "an initiation for the old key no longer binds");

    h.clientSends(C1, initiation(otherKey, 2));
    assertEquals(C1, h.tunnel(1).client);
  }

  @Test
  void rotatedSecretSignsWithTheNewKeyAndStillVerifiesTheOld() {
    RelayHarness h = new RelayHarness(); // KEY_A
    h.register(1, T1);

    h.reload(new JsonObject().put("secret", new JsonArray().add(KEY_B).add(KEY_A)));
    h.reader = RelayHarness.codec(KEY_B); // what the relay sends must verify under B alone
    h.clearOutput();

    h.keepalive(1, T1); // the inside still signs with A
    ControlMessage ack = h.lastControlTo(T1);
    assertEquals(MessageType.ACK, ack.type());
    byte[] wire = h.sentTo(T1).get(0).bytes();
    assertNull(RelayHarness.codec(KEY_A).decode(wire), "not signed with the old key");
    assertNotNull(RelayHarness.codec(KEY_B).decode(wire));

    h.inside = RelayHarness.codec(KEY_B); // the inside rotates too
    h.keepalive(1, T1);
    assertEquals(2, h.controlTo(T1, MessageType.ACK).size());
  }

  @Test
  void newTunnelsRegisterUnderEitherKeyDuringRotation() {
    RelayHarness h = new RelayHarness();
    h.reload(new JsonObject().put("secret", new JsonArray().add(KEY_B).add(KEY_A)));
    h.reader = RelayHarness.codec(KEY_B, KEY_A);

    h.register(1, T1); // inside signs with A
    h.inside = RelayHarness.codec(KEY_B);
    h.register(2, T2);

    assertEquals(2, h.table().size());
  }

  @Test
  void retiredSecretNoLongerVerifies() {
    RelayHarness h = new RelayHarness();
    h.register(1, T1);
    long registered = h.tunnel(1).lastKeepaliveNanos;
    h.advanceSeconds(10);

    h.reload(new JsonObject().put("secret", KEY_B));
    h.reader = RelayHarness.codec(KEY_B);
    h.clearOutput();
    h.keepalive(1, T1); // still signed with A

    assertTrue(h.controlTo(T1).isEmpty(), "no ACK for a message under a retired key");
    assertEquals(registered, h.tunnel(1).lastKeepaliveNanos, "and no refresh");
    h.inside = RelayHarness.codec(KEY_B);
    h.keepalive(1, T1);
    assertEquals(MessageType.ACK, h.lastControlTo(T1).type());
    assertEquals(h.now, h.tunnel(1).lastKeepaliveNanos);
  }
}
