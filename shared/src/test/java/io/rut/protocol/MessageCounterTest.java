package io.rut.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/** The message counter of PROTOCOL.md section 4. */
class MessageCounterTest {

  private static long nowMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  @Test
  void startsAtTheCurrentUnixTimeInMicroseconds() {
    long before = nowMicros();
    long first = new MessageCounter().next();
    long after = nowMicros();
    // within one millisecond of the clock read around it, whatever the clock's resolution
    assertTrue(first >= before - 1_000 && first <= after + 1_000,
        "first " + first + " not within [" + before + ", " + after + "] microseconds");
  }

  @Test
  void increasesByOneForEveryMessage() {
    MessageCounter c = new MessageCounter();
    long previous = c.next();
    for (int i = 0; i < 100_000; i++) {
      long v = c.next();
      assertEquals(previous + 1, v);
      previous = v;
    }
  }

  @Test
  void explicitStart() {
    MessageCounter c = new MessageCounter(41);
    assertEquals(42, c.next());
    assertEquals(43, c.next());
  }

  @Test
  void aRestartedCounterStartsAboveTheLastValueSent() {
    MessageCounter first = new MessageCounter();
    long last = 0;
    for (int i = 0; i < 1_000; i++) {
      last = first.next();
    }
    // a restart takes time; busy-wait (bounded) until the clock is a millisecond past the last value
    long deadline = System.nanoTime() + 2_000_000_000L;
    while (nowMicros() <= last + 1_000) {
      assertTrue(System.nanoTime() < deadline, "the counter ran ahead of the clock: " + last);
      Thread.onSpinWait();
    }
    MessageCounter restarted = new MessageCounter();
    long next = restarted.next();
    assertTrue(next > last, next + " is not above " + last);
  }

  @Test
  void valuesAreUniqueAcrossThreads() throws Exception {
    MessageCounter c = new MessageCounter();
    ConcurrentLinkedQueue<Long> seen = new ConcurrentLinkedQueue<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      threads.add(new Thread(() -> {
        for (int i = 0; i < 10_000; i++) {
          seen.add(c.next());
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    Set<Long> unique = new HashSet<>(seen);
    assertEquals(40_000, unique.size());
  }
}
