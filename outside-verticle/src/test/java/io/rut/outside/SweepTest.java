package io.rut.outside;

import static io.rut.outside.RelayHarness.addr;
import static io.rut.outside.RelayHarness.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.protocol.MessageType;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The periodic sweep: a tunnel without keepalives for 2 x keepaliveInterval + 5 s is dropped. */
class SweepTest {

  static final InetSocketAddress T1 = addr("198.51.100.1", 40001);
  static final InetSocketAddress T2 = addr("198.51.100.2", 40002);
  static final InetSocketAddress C1 = addr("203.0.113.10", 51820);

  private final RelayHarness h = new RelayHarness(); // keepaliveInterval 25 s: expiry 55 s

  @Test
  void tunnelWithoutKeepalivesExpiresAfterTwiceTheIntervalPlusFive() {
    h.register(1, T1);

    h.advanceSeconds(55);
    h.tick();
    assertNotNull(h.tunnel(1), "55 s is not yet past the expiry");

    h.advanceMillis(1);
    h.tick();
    assertNull(h.tunnel(1));
    assertEquals(0, h.table().size());
    assertEquals(1, h.closedCount("expired"));
    assertEquals(1, h.published(OutsideEvent.Kind.CLOSED).size());
  }

  @Test
  void expiryFollowsTheConfiguredInterval() {
    RelayHarness h1 = new RelayHarness(new JsonObject().put("keepaliveInterval", 1)); // expiry 7 s
    h1.register(1, T1);

    h1.advanceMillis(7_000);
    h1.tick();
    assertNotNull(h1.tunnel(1));
    h1.advanceMillis(1);
    h1.tick();
    assertNull(h1.tunnel(1));
    assertEquals(1, h1.closedCount("expired"));
  }

  @Test
  void keepalivesKeepATunnelForever() {
    h.register(1, T1);

    for (int i = 0; i < 10; i++) {
      h.advanceSeconds(25);
      h.keepalive(1, T1);
      h.tick();
    }

    assertNotNull(h.tunnel(1));
    assertEquals(0, h.closedCount("expired"));
  }

  @Test
  void dataDoesNotKeepATunnelAlive() {
    h.register(1, T1);
    h.clientSends(C1, bytes(1));
    for (int i = 0; i < 6; i++) {
      h.advanceSeconds(10);
      h.clientSends(C1, bytes(2));
      h.tunnelSends(T1, bytes(3));
    }

    h.tick();

    assertNull(h.tunnel(1), "only keepalives refresh a tunnel");
  }

  @Test
  void expiryIsSilentAndFreesTheClient() {
    h.register(1, T1);
    h.clientSends(C1, bytes(1));
    h.advanceSeconds(56);
    h.register(2, T2);
    h.clearOutput();

    h.tick();

    assertNull(h.tunnel(1));
    assertNull(h.table().byClient(C1));
    assertTrue(h.sentTo(T1).isEmpty(), "no CLOSE to a tunnel that is gone");
    h.clientSends(C1, bytes(2));
    assertEquals(C1, h.tunnel(2).client, "the client binds a new spare");
    assertEquals(MessageType.BIND, h.controlTo(T2).get(0).type());
  }

  @Test
  void sweepPeriodIsHalfTheIntervalWithinBounds() {
    assertEquals(500, h.relay.tickMillis(), "25 s: at most 500 ms");
    assertEquals(500, new RelayHarness(new JsonObject().put("keepaliveInterval", 1)).relay.tickMillis());
    assertEquals(400, new RelayHarness(new JsonObject().put("keepaliveInterval", 0.8)).relay.tickMillis(),
        "half the interval");
    assertEquals(100, new RelayHarness(new JsonObject().put("keepaliveInterval", 0.1)).relay.tickMillis(),
        "at least 100 ms");
  }

  @Test
  void sweepWorksAcrossTheWrapOfTheClock() {
    h.now = Long.MAX_VALUE - 10 * RelayHarness.SECOND; // nanoTime values compare by difference only
    h.register(1, T1);
    h.advanceSeconds(30);
    h.tick();
    assertNotNull(h.tunnel(1));
    h.advanceSeconds(26);
    h.tick();
    assertNull(h.tunnel(1));
  }
}
