package io.rut.protocol;

import java.util.concurrent.atomic.AtomicLong;

/**
 * An agent's one message counter (PROTOCOL.md section 4): starts at the Unix time in microseconds,
 * so it keeps increasing across restarts, and grows by one for every message sent.
 */
public final class MessageCounter {

  private final AtomicLong value;

  public MessageCounter() {
    this(System.currentTimeMillis() * 1000L);
  }

  public MessageCounter(long start) {
    this.value = new AtomicLong(start);
  }

  public long next() {
    return value.incrementAndGet();
  }
}
