package io.rut.inside;

import static io.rut.inside.TunnelHarness.CLIENT;
import static io.rut.inside.TunnelHarness.COOKIE;
import static io.rut.inside.TunnelHarness.MS;
import static io.rut.inside.TunnelHarness.PUBLIC;
import static io.rut.inside.TunnelHarness.S;
import static io.rut.inside.TunnelHarness.START;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.inside.TunnelHarness.Kind;
import io.rut.inside.TunnelHarness.Sent;
import io.rut.protocol.MessageType;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Keepalives of a spare and of an active tunnel, their ACKs, and a path lost after 3 unanswered. */
class TunnelKeepaliveTest {

  private static final long INTERVAL = 10 * S;
  /** The grid is interval/50 (at most 100 ms): rounding moves a deadline by half of it at most. */
  private static final long GRID_SLACK = 100 * MS / 2;

  @Test
  void spareKeepalivesFallWithinTheIntervalJitteredBy10Percent() {
    long earliest = Long.MAX_VALUE;
    long latest = Long.MIN_VALUE;
    for (long seed = 1; seed <= 40; seed++) {
      TunnelHarness h = new TunnelHarness(json -> json.put("keepaliveInterval", 10), seed).register();
      long last = START; // the keepalive is scheduled when the tunnel opens
      for (int i = 0; i < 3; i++) {
        Sent ka = h.runUntilSent(MessageType.KEEPALIVE, h.now + 2 * INTERVAL);
        long gap = ka.at() - last;
        assertTrue(gap >= INTERVAL * 9 / 10 - GRID_SLACK && gap <= INTERVAL * 11 / 10 + GRID_SLACK,
            "seed " + seed + ": keepalive after " + gap / MS + " ms");
        assertTrue(ka.message().spare(), "a spare's keepalive has the SPARE flag");
        assertNull(ka.message().address(), "and no client");
        earliest = Math.min(earliest, gap);
        latest = Math.max(latest, gap);
        h.ackLast();
        last = ka.at();
      }
    }
    assertTrue(latest - earliest > INTERVAL / 10, "jittered: " + earliest / MS + ".." + latest / MS + " ms");
  }

  @Test
  void ackOfAKeepaliveRecordsItsRoundTrip() {
    TunnelHarness h = new TunnelHarness(json -> json.put("keepaliveInterval", 10)).register();
    assertEquals(0, h.keepaliveRtt().count());
    Sent ka = h.runUntilSent(MessageType.KEEPALIVE, START + 2 * INTERVAL);

    h.now += 37 * MS;
    h.ack(ka.message().counter(), PUBLIC);

    assertEquals(1, h.keepaliveRtt().count());
    assertEquals(37.0, h.keepaliveRtt().totalTime(TimeUnit.MILLISECONDS), 0.001);
    assertEquals(h.now, h.tunnel.path().lastAck());
  }

  @Test
  void ackOfAnotherCounterRecordsNoRoundTrip() {
    TunnelHarness h = new TunnelHarness(json -> json.put("keepaliveInterval", 10)).register();
    Sent ka = h.runUntilSent(MessageType.KEEPALIVE, START + 2 * INTERVAL);

    h.ack(ka.message().counter() - 1, PUBLIC);

    assertEquals(0, h.keepaliveRtt().count());
  }

  @Test
  void threeUnansweredKeepalivesMakeASpareRegisterAgain() {
    TunnelHarness h = new TunnelHarness(json -> json.put("keepaliveInterval", 10)).register();
    h.runUntilSent(MessageType.KEEPALIVE, START + 2 * INTERVAL);
    h.runUntilSent(MessageType.KEEPALIVE, h.now + 2 * INTERVAL);
    h.runUntilSent(MessageType.KEEPALIVE, h.now + 2 * INTERVAL);
    assertEquals(TunnelState.SPARE, h.tunnel.state(), "3 keepalives out, none answered yet");
    assertTrue(h.events(TunnelEvent.OutsideSilent.class).isEmpty());
    int keepalives = h.controls(MessageType.KEEPALIVE).size();
    int mark = h.mark();

    long lostAt = h.tickNext();

    assertEquals(TunnelState.REGISTERING, h.tunnel.state());
    assertEquals(1, h.events(TunnelEvent.OutsideSilent.class).size());
    assertEquals(1, h.events(TunnelEvent.PathDown.class).size(), "the agent hears it is no longer registered");
    assertEquals(keepalives, h.controls(MessageType.KEEPALIVE).size(), "no 4th keepalive");
    List<Sent> now = h.controlsSince(mark);
    assertEquals(1, now.size());
    assertEquals(MessageType.HELLO, now.get(0).type());
    assertTrue(now.get(0).message().spare());
    assertTrue(lostAt - h.controls(MessageType.KEEPALIVE).get(keepalives - 1).at() >= INTERVAL * 9 / 10 - GRID_SLACK,
        "lost at the next keepalive deadline");

    // HELLO again 1 s later, then 2 s
    Sent second = h.runUntilSent(MessageType.HELLO, lostAt + 5 * S);
    assertEquals(lostAt + 1 * S, second.at());
    Sent third = h.runUntilSent(MessageType.HELLO, lostAt + 5 * S);
    assertEquals(lostAt + 3 * S, third.at());

    h.challenge(PUBLIC);
    Sent auth = h.lastControl();
    assertEquals(MessageType.AUTH, auth.type());
    assertArrayEquals(COOKIE, auth.message().cookie());
    h.ackLast();

    assertEquals(TunnelState.SPARE, h.tunnel.state());
    int hellos = h.controls(MessageType.HELLO).size();
    Sent ka = h.runUntilSent(MessageType.KEEPALIVE, h.now + 2 * INTERVAL);
    assertEquals(hellos, h.controls(MessageType.HELLO).size(), "no HELLO once registered");
    assertEquals(TunnelState.SPARE, h.tunnel.state());
    assertTrue(ka.message().spare());
  }

  @Test
  void anAnsweredKeepaliveKeepsTheTunnelRegistered() {
    TunnelHarness h = new TunnelHarness(json -> json.put("keepaliveInterval", 10)).register();
    for (int i = 0; i < 6; i++) {
      h.runUntilSent(MessageType.KEEPALIVE, h.now + 2 * INTERVAL);
      if (i % 3 == 2) {
        h.ackLast(); // every third only: never 3 in a row unanswered
      }
    }
    h.advance(INTERVAL * 11 / 10 + GRID_SLACK);
    assertEquals(TunnelState.SPARE, h.tunnel.state());
    assertTrue(h.events(TunnelEvent.OutsideSilent.class).isEmpty());
    assertEquals(0, h.controls(MessageType.HELLO).stream().filter(s -> s.at() > START).count());
  }

  @Test
  void activeTunnelWithThreeUnansweredKeepalivesReconnectsAndKeepsRelaying() {
    TunnelHarness h = new TunnelHarness(json -> json.put("keepaliveInterval", 10).put("connectionTimeout", 3600))
        .activate();
    for (int i = 0; i < 3; i++) {
      Sent ka = h.runUntilSent(MessageType.KEEPALIVE, h.now + 2 * INTERVAL);
      assertEquals(CLIENT, ka.message().address(), "an active tunnel's keepalive names its client");
      assertFalse(ka.message().spare());
    }
    int mark = h.mark();

    long lostAt = h.tickNext();

    assertEquals(TunnelState.RECONNECTING, h.tunnel.state());
    assertEquals(1, h.events(TunnelEvent.OutsideSilent.class).size());
    Sent hello = h.lastControl();
    assertEquals(MessageType.HELLO, hello.type());
    assertEquals(lostAt, hello.at());
    assertFalse(hello.message().spare(), "carrying a client: no SPARE flag");
    assertEquals(1, h.controlsSince(mark).size());

    Sent second = h.runUntilSent(MessageType.HELLO, lostAt + 10 * S);
    Sent third = h.runUntilSent(MessageType.HELLO, lostAt + 10 * S);
    Sent fourth = h.runUntilSent(MessageType.HELLO, lostAt + 10 * S);
    assertEquals(lostAt + 1 * S, second.at());
    assertEquals(lostAt + 3 * S, third.at());
    assertEquals(lostAt + 7 * S, fourth.at());
    assertFalse(fourth.message().spare());

    // data still goes both ways
    int dataMark = h.mark();
    h.fromOutside(new byte[] {1, 2, 3}, TunnelHarness.OUTSIDE);
    h.fromService(new byte[] {4, 5});
    List<Sent> data = h.since(dataMark).stream().filter(s -> s.kind() != Kind.CONTROL).toList();
    assertEquals(2, data.size());
    assertEquals(Kind.TO_SERVICE, data.get(0).kind());
    assertArrayEquals(new byte[] {1, 2, 3}, data.get(0).bytes());
    assertEquals(Kind.TO_OUTSIDE, data.get(1).kind());
    assertArrayEquals(new byte[] {4, 5}, data.get(1).bytes());
    assertEquals(TunnelState.RECONNECTING, h.tunnel.state());

    h.challenge(PUBLIC);
    Sent auth = h.lastControl();
    assertEquals(MessageType.AUTH, auth.type());
    assertEquals(CLIENT, auth.message().address(), "AUTH names the client");
    h.ackLast();

    assertEquals(TunnelState.ACTIVE, h.tunnel.state());
    int hellos = h.controls(MessageType.HELLO).size();
    h.answering(); // the outside is back: it answers the probe that follows the data above
    h.advance(30 * S);
    assertEquals(hellos, h.controls(MessageType.HELLO).size());
  }
}
