package io.rut.inside;

import static io.rut.inside.TunnelHarness.MS;
import static io.rut.inside.TunnelHarness.S;
import static io.rut.inside.TunnelHarness.START;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.config.InsideServiceConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The timers as absolute deadlines, without a tunnel. */
class TunnelDeadlinesTest {

  private static InsideServiceConfig config(double keepaliveSeconds, double timeoutSeconds) {
    return TunnelHarness.config(json -> json.put("keepaliveInterval", keepaliveSeconds)
        .put("connectionTimeout", timeoutSeconds));
  }

  @Test
  void onGridStaysWithinOnePercentOfTheIntervalAndLandsOnTheGrid() {
    SplittableRandom random = new SplittableRandom(7);
    long[] intervals = {100 * MS, 1 * S, 10 * S, 25 * S, 3600 * S};
    for (long interval : intervals) {
      long grid = Math.max(MS, Math.min(100 * MS, interval / 50));
      for (int i = 0; i < 2000; i++) {
        long now = i % 3 == 0 ? START + i : random.nextLong(0, Long.MAX_VALUE / 4);
        long delay = (long) (interval * (0.9 + 0.2 * random.nextDouble()));
        long due = TunnelDeadlines.onGrid(now, delay, interval);
        assertTrue(Math.abs(due - (now + delay)) <= interval / 100,
            "interval " + interval + ": moved by " + (due - now - delay));
        assertEquals(0, Math.floorMod(due, grid), "on the grid of " + grid);
        assertTrue(due > now);
      }
    }
  }

  @Test
  void onGridPutsDeadlinesOfDifferentTunnelsOnTheSameTick() {
    long interval = 25 * S;
    long a = TunnelDeadlines.onGrid(START, interval + 3 * MS, interval);
    long b = TunnelDeadlines.onGrid(START + 17 * MS, interval, interval);
    assertEquals(a, b, "20 ms apart, one wake-up");
  }

  @Test
  void onGridNeverReturnsNowOrThePast() {
    assertTrue(TunnelDeadlines.onGrid(START + 1, 0, 10 * S) >= START + 1 + MS);
  }

  @Test
  void firstHelloRetryAfter200MsThenDoubling() {
    TunnelDeadlines d = new TunnelDeadlines(config(10, 60), new SplittableRandom(1));
    d.firstHello(START);
    List<Long> gaps = new ArrayList<>();
    long last = START;
    for (int i = 0; i < 9; i++) {
      long t = d.next();
      assertFalse(d.helloDue(t - 1));
      assertTrue(d.helloDue(t));
      gaps.add((t - last) / MS);
      last = t;
      // the keepalive deadline (about 10 s after START) must not be mistaken for a HELLO
      d.keepaliveDue(t);
    }
    assertEquals(List.of(200L, 400L, 800L, 1600L, 3200L, 6400L, 10_000L, 10_000L, 10_000L), gaps.subList(0, 9));
  }

  @Test
  void helloBackoffStartsAtOneSecond() {
    TunnelDeadlines d = new TunnelDeadlines(config(10, 60), new SplittableRandom(1));
    d.helloBackoff(START);
    long t = START;
    List<Long> gaps = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      long due = nextHello(d, t);
      gaps.add((due - t) / MS);
      t = due;
    }
    assertEquals(List.of(1000L, 2000L, 4000L, 8000L, 10_000L, 10_000L), gaps);
  }

  @Test
  void helloRetriesNeverExceedAShortKeepaliveInterval() {
    TunnelDeadlines d = new TunnelDeadlines(config(0.5, 60), new SplittableRandom(1));
    d.helloBackoff(START);
    long t = START;
    for (int i = 0; i < 5; i++) {
      long due = nextHello(d, t);
      assertEquals(500 * MS, due - t);
      t = due;
    }
  }

  @Test
  void reregisterSoonIsHalfASecondThenOneSecondDoubling() {
    TunnelDeadlines d = new TunnelDeadlines(config(10, 60), new SplittableRandom(1));
    d.reregisterSoon(START);
    long first = nextHello(d, START);
    assertEquals(START + 500 * MS, first);
    assertEquals(first + 1 * S, nextHello(d, first));
  }

  @Test
  void helloAfterARejectWaitsTheGivenDelay() {
    TunnelDeadlines d = new TunnelDeadlines(config(10, 60), new SplittableRandom(1));
    d.helloAfter(START, 4 * S);
    assertEquals(START + 4 * S, nextHello(d, START));
  }

  @Test
  void idleTimeoutIsDrawnWithin20Percent() {
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (long seed = 0; seed < 500; seed++) {
      long t = new TunnelDeadlines(config(25, 60), new SplittableRandom(seed)).idleTimeout();
      assertTrue(t >= 48 * S && t <= 72 * S, t / MS + " ms");
      min = Math.min(min, t);
      max = Math.max(max, t);
    }
    assertTrue(min < 50 * S && max > 70 * S, "spread over the range: " + min / MS + ".." + max / MS);
  }

  @Test
  void keepaliveIsDrawnWithin10PercentOnTheGrid() {
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (long seed = 0; seed < 500; seed++) {
      TunnelDeadlines d = new TunnelDeadlines(config(25, 60), new SplittableRandom(seed));
      d.scheduleKeepalive(START);
      long gap = d.next() - START;
      assertTrue(gap >= 22_500 * MS - 50 * MS && gap <= 27_500 * MS + 50 * MS, gap / MS + " ms");
      assertEquals(0, d.next() % (100 * MS));
      min = Math.min(min, gap);
      max = Math.max(max, gap);
    }
    assertTrue(min < 23 * S && max > 27 * S, "spread over the range: " + min / MS + ".." + max / MS);
  }

  @Test
  void idleDueMovesToWhenTheTunnelWouldBeIdle() {
    TunnelDeadlines d = new TunnelDeadlines(config(25, 10), new SplittableRandom(3));
    long timeout = d.idleTimeout();
    d.startIdle(START);
    assertEquals(START + timeout, d.next());
    long lastData = START + 4 * S;
    assertFalse(d.idleDue(START + timeout, lastData));
    assertEquals(lastData + timeout, d.next());
    assertTrue(d.idleDue(lastData + timeout, lastData));
  }

  @Test
  void graceIsTwoSecondsAndFiresOnce() {
    TunnelDeadlines d = new TunnelDeadlines(config(25, 60), new SplittableRandom(3));
    d.startGrace(START);
    assertEquals(START + 2 * S, d.next());
    assertFalse(d.graceDue(START + 2 * S - 1));
    assertTrue(d.graceDue(START + 2 * S));
    assertFalse(d.graceDue(START + 3 * S));
    assertEquals(TunnelDeadlines.NEVER, d.next());
  }

  @Test
  void stopAllKeepsARepeatedClose() {
    TunnelDeadlines d = new TunnelDeadlines(config(25, 60), new SplittableRandom(3));
    d.firstHello(START);
    d.scheduleKeepalive(START);
    d.startIdle(START);
    d.startGrace(START);
    d.repeatClose(START);
    d.stopAll();
    assertEquals(START + 100 * MS, d.next());
    assertTrue(d.closeRepeatDue(START + 100 * MS));
    assertEquals(TunnelDeadlines.NEVER, d.next());
  }

  /** The time of the next due HELLO after {@code from}, found by asking at every deadline. */
  private static long nextHello(TunnelDeadlines d, long from) {
    for (int i = 0; i < 100; i++) {
      long t = d.next();
      assertTrue(t > from && t != TunnelDeadlines.NEVER);
      if (d.helloDue(t)) {
        return t;
      }
      d.keepaliveDue(t);
      from = t;
    }
    throw new AssertionError("no HELLO due");
  }
}
