package io.rut.inside;

import static io.rut.inside.TunnelHarness.CLIENT;
import static io.rut.inside.TunnelHarness.ID;
import static io.rut.inside.TunnelHarness.MS;
import static io.rut.inside.TunnelHarness.OUTSIDE;
import static io.rut.inside.TunnelHarness.S;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.inside.TunnelHarness.Kind;
import io.rut.inside.TunnelHarness.Sent;
import io.rut.protocol.CloseReason;
import io.rut.protocol.MessageType;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** An active tunnel's timers: idle timeout and the repeated CLOSE, probes before data. */
class TunnelTimersTest {

  private static final long TIMEOUT = 10 * S;
  /** A keepalive interval long enough to stay out of the way. */
  private static final Consumer<JsonObject> SHORT_TIMEOUT =
      json -> json.put("connectionTimeout", 10).put("keepaliveInterval", 60);

  @Test
  void idleTunnelClosesWithinTheDrawnTimeoutAndSaysCloseTwice() {
    long shortest = Long.MAX_VALUE;
    long longest = Long.MIN_VALUE;
    for (long seed = 1; seed <= 30; seed++) {
      TunnelHarness h = new TunnelHarness(SHORT_TIMEOUT, seed).activate();
      h.advance(1 * S);
      h.fromOutside(new byte[] {1}, OUTSIDE);
      long lastData = h.now;

      Sent close = h.runUntilSent(MessageType.CLOSE, lastData + 2 * TIMEOUT);

      long idle = close.at() - lastData;
      assertTrue(idle >= TIMEOUT * 8 / 10 && idle <= TIMEOUT * 12 / 10, "seed " + seed + ": closed after " + idle / MS + " ms");
      shortest = Math.min(shortest, idle);
      longest = Math.max(longest, idle);
      assertEquals(CloseReason.IDLE.code, close.message().reason());
      assertEquals(TunnelState.CLOSED, h.tunnel.state());
      assertEquals(List.of(new TunnelEvent.Closed(ID, CLIENT, "idle")), h.events(TunnelEvent.Closed.class));
      assertEquals(1, h.meters.closedCount("idle"));
      assertFalse(h.tunnel.finished(), "the second CLOSE is still to go");

      long next = h.tickNext();

      assertEquals(close.at() + 100 * MS, next);
      List<Sent> closes = h.controls(MessageType.CLOSE);
      assertEquals(2, closes.size());
      assertEquals(next, closes.get(1).at());
      assertEquals(CloseReason.IDLE.code, closes.get(1).message().reason());
      assertTrue(closes.get(1).message().counter() > close.message().counter());
      assertTrue(h.tunnel.finished());
      assertEquals(TunnelDeadlines.NEVER, h.tunnel.nextDeadline());
      assertEquals(1, h.events(TunnelEvent.Closed.class).size(), "published once");
    }
    assertTrue(longest - shortest > TIMEOUT / 10, "drawn per tunnel: " + shortest / MS + ".." + longest / MS + " ms");
  }

  @Test
  void aTunnelWithDataFlowingStaysOpen() {
    for (long seed = 1; seed <= 10; seed++) {
      TunnelHarness h = new TunnelHarness(SHORT_TIMEOUT, seed).activate().answering();
      for (int i = 0; i < 40; i++) {
        h.advance(1 * S);
        if (i % 2 == 0) {
          h.fromOutside(new byte[] {1}, OUTSIDE);
        } else {
          h.fromService(new byte[] {2});
        }
        assertEquals(TunnelState.ACTIVE, h.tunnel.state(), "seed " + seed + " at " + i + " s");
      }
      long lastData = h.now;
      h.advanceTo(lastData + TIMEOUT * 8 / 10 - 1);
      assertEquals(TunnelState.ACTIVE, h.tunnel.state(), "not before 0.8 x the timeout after the last datagram");
      Sent close = h.runUntilSent(MessageType.CLOSE, lastData + 2 * TIMEOUT);
      assertTrue(close.at() - lastData <= TIMEOUT * 12 / 10);
    }
  }

  @Test
  void dataFromTheServiceOnly() {
    TunnelHarness h = new TunnelHarness(SHORT_TIMEOUT).activate();
    for (int i = 0; i < 30; i++) {
      h.advance(1 * S);
      h.fromService(new byte[] {2});
    }
    assertEquals(TunnelState.ACTIVE, h.tunnel.state(), "data in either direction keeps the tunnel");
  }

  @Test
  void aSpareHasNoIdleTimeout() {
    TunnelHarness h = new TunnelHarness(json -> json.put("connectionTimeout", 1).put("keepaliveInterval", 5)).register();
    for (int i = 0; i < 20; i++) {
      h.runUntilSent(MessageType.KEEPALIVE, h.now + 10 * S);
      h.ackLast();
    }
    assertEquals(TunnelState.SPARE, h.tunnel.state());
    assertTrue(h.controls(MessageType.CLOSE).isEmpty());
  }

  @Test
  void dataAfter15SecondsOfSilenceOnTheTunnelSocketIsPrecededByAKeepalive() {
    TunnelHarness h = new TunnelHarness(json -> json.put("keepaliveInterval", 60).put("connectionTimeout", 120))
        .activate();
    long lastSent = h.lastControl().at();

    h.advanceTo(lastSent + 14_500 * MS);
    h.ack(0, TunnelHarness.PUBLIC); // heard from the outside just now (no data: no quiet probe), no deaf probe
    h.advance(400 * MS);
    int mark = h.mark();
    h.fromService(new byte[] {2});
    List<Sent> quiet14 = h.since(mark);
    assertEquals(1, quiet14.size(), "14.9 s: data only");
    assertEquals(Kind.TO_OUTSIDE, quiet14.get(0).kind());

    h.advance(14_900 * MS);
    h.ack(0, TunnelHarness.PUBLIC);
    h.advance(200 * MS); // 15.1 s since the tunnel socket last sent
    mark = h.mark();
    h.fromService(new byte[] {3});

    List<Sent> quiet15 = h.since(mark);
    assertEquals(2, quiet15.size());
    assertEquals(MessageType.KEEPALIVE, quiet15.get(0).type(), "KEEPALIVE first");
    assertEquals(CLIENT, quiet15.get(0).message().address());
    assertEquals(Kind.TO_OUTSIDE, quiet15.get(1).kind());
  }

  /** Data came from the outside, then nothing: one probe a second later, repeated while unanswered. */
  @Test
  void dataFromTheOutsideThenSilenceProbesAfterASecondAndStopsOnceAnswered() {
    TunnelHarness h = new TunnelHarness(json -> json.put("keepaliveInterval", 60).put("connectionTimeout", 120))
        .activate();
    h.advance(3 * S);
    h.fromOutside(new byte[] {1}, OUTSIDE);
    long heard = h.now;
    int mark = h.mark();
    h.advanceTo(heard + 3_500 * MS);
    assertEquals(List.of(heard + S, heard + 2 * S, heard + 3 * S), h.controlsSince(mark).stream()
        .filter(s -> s.type() == MessageType.KEEPALIVE).map(Sent::at).toList(), "after 1 s, then every second");
    h.ackLast();
    int answered = h.mark();
    h.advance(30 * S);
    assertTrue(h.controlsSince(answered).isEmpty(), "answered: no more probes until data pauses again");
    assertEquals(TunnelState.ACTIVE, h.tunnel.state());
  }

  /** A tunnel whose traffic keeps pausing costs no more keepalives than an idle one: the probe stands in. */
  @Test
  void aProbeStandsInForTheRegularKeepalive() {
    TunnelHarness h = new TunnelHarness(json -> json.put("keepaliveInterval", 25).put("connectionTimeout", 600))
        .activate().answering();
    int mark = h.mark();
    for (int i = 0; i < 20; i++) { // a WireGuard client's persistent keepalive every 25 s
      h.fromOutside(new byte[] {4}, OUTSIDE);
      h.advance(25 * S);
    }
    long keepalives = h.controlsSince(mark).stream().filter(s -> s.type() == MessageType.KEEPALIVE).count();
    assertTrue(keepalives <= 21, "one keepalive per interval, probes included: " + keepalives);
  }

  /** Unanswered probes after data count towards a lost path; data from the outside proves it lives. */
  @Test
  void unansweredProbesLoseThePathUnlessDataKeepsComing() {
    TunnelHarness h = new TunnelHarness(json -> json.put("keepaliveInterval", 60).put("connectionTimeout", 120))
        .activate();
    for (int i = 0; i < 10; i++) {
      h.fromOutside(new byte[] {1}, OUTSIDE);
      h.advance(1_500 * MS); // a probe after each pause, never answered, but data keeps coming
    }
    assertEquals(TunnelState.ACTIVE, h.tunnel.state());
    h.advance(4 * S); // now nothing at all: three unanswered probes
    assertEquals(TunnelState.RECONNECTING, h.tunnel.state());
  }

  @Test
  void dataWhileTheOutsideIsSilentProbesWithAKeepaliveAtMostOnceASecond() {
    TunnelHarness h = new TunnelHarness(json -> json.put("keepaliveInterval", 60).put("connectionTimeout", 120))
        .activate();
    long heard = h.now; // the BIND: nothing from the outside after it, and no data from it either
    int mark = h.mark();

    for (int i = 1; i <= 50; i++) {
      h.advanceTo(heard + i * 100 * MS);
      h.fromService(new byte[] {(byte) i});
    }

    List<Sent> sent = h.since(mark);
    List<Sent> probes = sent.stream().filter(s -> s.type() == MessageType.KEEPALIVE).toList();
    assertEquals(50, sent.stream().filter(s -> s.kind() == Kind.TO_OUTSIDE).count(), "no datagram held back");
    assertEquals(List.of(heard + 2_100 * MS, heard + 3_200 * MS, heard + 4_300 * MS),
        probes.stream().map(Sent::at).toList(), "first past 2 s of silence, then at most once a second");
    for (int i = 0; i < sent.size(); i++) {
      if (sent.get(i).type() == MessageType.KEEPALIVE) {
        assertEquals(Kind.TO_OUTSIDE, sent.get(i + 1).kind(), "the probe goes before the data");
        assertEquals(sent.get(i).at(), sent.get(i + 1).at());
      }
    }
    assertEquals(TunnelState.ACTIVE, h.tunnel.state());
  }

  /** Both probes together (data from the outside went quiet, data to it flows) send one a second at most. */
  @Test
  void theTwoProbesTogetherSendAtMostOneASecond() {
    TunnelHarness h = new TunnelHarness(json -> json.put("keepaliveInterval", 60).put("connectionTimeout", 120))
        .activate();
    h.advance(1 * S);
    h.fromOutside(new byte[] {1}, OUTSIDE);
    long heard = h.now;
    int mark = h.mark();
    for (int i = 1; i <= 50; i++) {
      h.advanceTo(heard + i * 100 * MS);
      h.fromService(new byte[] {(byte) i});
    }
    List<Long> at = h.since(mark).stream().filter(s -> s.type() == MessageType.KEEPALIVE).map(Sent::at).toList();
    assertEquals(heard + S, at.get(0), "the quiet probe, 1 s after the last data from the outside");
    for (int i = 1; i < at.size(); i++) {
      assertTrue(at.get(i) - at.get(i - 1) >= S, "at most once a second: " + at);
    }
    assertEquals(3, at.size(), "repeated while unanswered, until the path counts as lost: " + at);
    assertEquals(TunnelState.RECONNECTING, h.tunnel.state());

    h.fromOutside(new byte[] {1}, OUTSIDE);
    long heardAgain = h.now;
    int again = h.mark();
    for (int i = 1; i <= 9; i++) {
      h.advanceTo(heardAgain + i * 100 * MS);
      h.fromService(new byte[] {(byte) i});
    }
    assertTrue(h.controlsSince(again).stream().noneMatch(c -> c.type() == MessageType.KEEPALIVE),
        "the outside spoke: no probe within 1 s");
  }

  @Test
  void probesDoNotCountAsMissedKeepalives() {
    TunnelHarness h = new TunnelHarness(json -> json.put("keepaliveInterval", 60).put("connectionTimeout", 120))
        .activate();
    for (int i = 1; i <= 100; i++) {
      h.advance(100 * MS);
      h.fromService(new byte[] {(byte) i});
    }
    assertTrue(h.controls(MessageType.KEEPALIVE).size() >= 4);
    assertEquals(TunnelState.ACTIVE, h.tunnel.state());
    assertTrue(h.events(TunnelEvent.OutsideSilent.class).isEmpty());
  }

  @Test
  void timersWorkOnANegativeClock() {
    long start = -1_000 * S;
    TunnelHarness h = new TunnelHarness(json -> json.put("keepaliveInterval", 60).put("connectionTimeout", 120), 1,
        start).activate().answering();
    h.advance(1 * S);
    h.fromOutside(new byte[] {1}, OUTSIDE);
    int mark = h.mark();
    for (int i = 1; i <= 30; i++) {
      h.advance(100 * MS);
      h.fromService(new byte[] {(byte) i});
    }
    assertEquals(1, h.controlsSince(mark).stream().filter(x -> x.type() == MessageType.KEEPALIVE).count(),
        "one probe 1 s after the data from the outside paused, answered; none while data goes out after it");

    TunnelHarness g = new TunnelHarness(json -> json.put("keepaliveInterval", 120).put("connectionTimeout", 60), 1,
        start).activate();
    g.fromOutside(new byte[] {1}, OUTSIDE);
    long lastData = g.now;
    g.advance(1 * S);
    g.tunnel.update(g.ctx.with(TunnelHarness.config(json -> json.put("keepaliveInterval", 120)
        .put("connectionTimeout", 10)), g.keys), g.now);
    Sent close = g.runUntilSent(MessageType.CLOSE, lastData + 100 * S);
    assertTrue(close.at() - lastData <= 12 * S, "closed " + (close.at() - lastData) / MS + " ms after the last data");
  }
}
