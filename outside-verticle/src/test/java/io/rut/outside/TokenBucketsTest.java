package io.rut.outside;

import static io.rut.outside.RelayHarness.MS;
import static io.rut.outside.RelayHarness.SECOND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Token buckets by key, on a fake clock. */
class TokenBucketsTest {

  private static final long T0 = 1_000 * SECOND;

  @Test
  void newKeyStartsWithAFullBurst() {
    TokenBuckets<String> b = new TokenBuckets<>(16, 1, 3);

    assertTrue(b.take("a", T0));
    assertTrue(b.take("a", T0));
    assertTrue(b.take("a", T0));
    assertFalse(b.take("a", T0));
  }

  @Test
  void tokensRefillAtTheRate() {
    TokenBuckets<String> b = new TokenBuckets<>(16, 10, 1); // one token per 100 ms
    assertTrue(b.take("a", T0));

    assertFalse(b.take("a", T0 + 99 * MS));
    assertTrue(b.take("a", T0 + 100 * MS)); // 99 ms + 1 ms of refill: one token
    assertFalse(b.take("a", T0 + 150 * MS));
    assertTrue(b.take("a", T0 + 200 * MS));
  }

  @Test
  void refillNeverExceedsTheBurst() {
    TokenBuckets<String> b = new TokenBuckets<>(16, 1, 2);
    assertTrue(b.take("a", T0));
    assertTrue(b.take("a", T0));

    long later = T0 + 3_600 * SECOND;
    assertTrue(b.take("a", later));
    assertTrue(b.take("a", later));
    assertFalse(b.take("a", later), "an hour of idling still buys only the burst");
  }

  @Test
  void keysHaveTheirOwnBuckets() {
    TokenBuckets<String> b = new TokenBuckets<>(16, 1, 1);

    assertTrue(b.take("a", T0));
    assertFalse(b.take("a", T0));
    assertTrue(b.take("b", T0));
  }

  @Test
  void tableIsBoundedLeastRecentlyUsedForgottenFirst() {
    TokenBuckets<String> b = new TokenBuckets<>(2, 1, 1);
    assertTrue(b.take("a", T0));
    assertTrue(b.take("b", T0));
    assertFalse(b.take("a", T0)); // a used again: b is the least recently used

    assertTrue(b.take("c", T0));

    assertEquals(2, b.size());
    assertFalse(b.take("a", T0), "a was kept, still empty");
    assertTrue(b.take("b", T0), "b was forgotten: a full bucket again");
  }

  @Test
  void setRateChangesRefillAndBurst() {
    TokenBuckets<String> b = new TokenBuckets<>(16, 1, 1);
    assertTrue(b.take("a", T0));
    assertFalse(b.take("a", T0 + 10 * MS));

    b.setRate(1000, 5);

    assertTrue(b.take("a", T0 + 11 * MS), "1000 per second: a token per millisecond");
    long later = T0 + SECOND;
    for (int i = 0; i < 5; i++) {
      assertTrue(b.take("a", later), "burst of 5, token " + i);
    }
    assertFalse(b.take("a", later));
  }

  @Test
  void burstIsAtLeastOne() {
    TokenBuckets<String> b = new TokenBuckets<>(16, 0.1, 0.2);

    assertTrue(b.take("a", T0));
    assertFalse(b.take("a", T0 + 9 * SECOND));
    assertTrue(b.take("a", T0 + 10 * SECOND));
  }

  @Test
  void refillWorksAcrossTheWrapOfTheClock() {
    TokenBuckets<String> b = new TokenBuckets<>(16, 1, 2);
    // 2^63 - 2^29 ns, about 0.54 s before the wrap; these readings are exact doubles (see below)
    long now = Long.MAX_VALUE - (1L << 29) + 1;
    assertTrue(b.take("a", now));
    assertTrue(b.take("a", now));
    assertFalse(b.take("a", now + (1L << 28)));

    assertTrue(b.take("a", now + (1L << 30)), "a second later, past the wrap");
    assertFalse(b.take("a", now + (1L << 30)));
  }

  /**
   * A clock reading above 2^53 ns (System.nanoTime on a Linux host up for more than 104 days) is not
   * exactly a double. A new key must still start with its full burst: with a burst of 1 (any rate of
   * 0.5 per second or less) the first take must succeed.
   */
  @Test
  void newKeyGetsItsFirstTokenWhateverTheClockReads() {
    TokenBuckets<String> b = new TokenBuckets<>(16, 0.5, 1);
    long now = (1L << 53) + 3; // (double) now == now + 1

    assertTrue(b.take("a", now));
    assertTrue(b.take("b", Long.MAX_VALUE - SECOND / 2));
  }
}
