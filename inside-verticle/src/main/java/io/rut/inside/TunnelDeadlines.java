package io.rut.inside;

import io.rut.config.InsideServiceConfig;
import java.util.random.RandomGenerator;

/**
 * Every timer of one inside tunnel, as absolute deadlines on the caller's clock (nanoseconds):
 * HELLO back-off, keepalive (±10 %), idle timeout (±20 %, drawn per tunnel), conflict grace and
 * the repeated CLOSE. The verticle keeps one timer, armed for {@link #next()}. A deadline of
 * {@link #NEVER} is off.
 */
final class TunnelDeadlines {

  static final long NEVER = Long.MAX_VALUE;
  private static final long MS = 1_000_000L;
  /** A new tunnel's first HELLO retry: agents started together often send it before the outside listens. */
  static final long FIRST_HELLO_RETRY = 200 * MS;
  /** A tunnel that lost its outside retries HELLO from 1 s, doubling up to the keepalive interval. */
  static final long HELLO_RETRY = 1000 * MS;
  /**
   * After an outside restart, spares register again this much later than active tunnels, so that
   * the outside restores every client's binding before it has a spare to bind a waiting client to.
   */
  static final long SPARE_REREGISTER_DELAY = 500 * MS;
  /** CLOSE is not acknowledged, so it is sent twice, this far apart. */
  static final long CLOSE_REPEAT = 100 * MS;
  /** How long a conflicted tunnel waits for the carrier to restore its binding. */
  static final long CONFLICT_GRACE = 2000 * MS;
  /** Keepalives fall due on a grid of at most this much (see {@link #onGrid}). */
  private static final long KEEPALIVE_GRID = 100 * MS;

  private final RandomGenerator random;
  private long keepaliveInterval;
  private long idleTimeout;
  private long helloBackoff;
  private long helloAt = NEVER;
  private long keepaliveAt = NEVER;
  private long idleAt = NEVER;
  private long graceAt = NEVER;
  private long closeRepeatAt = NEVER;
  private long quietAt = NEVER;

  TunnelDeadlines(InsideServiceConfig config, RandomGenerator random) {
    this.random = random;
    this.keepaliveInterval = Math.max(MS, config.keepaliveInterval().toNanos());
    this.idleTimeout = drawIdleTimeout(config);
  }

  private long drawIdleTimeout(InsideServiceConfig config) {
    return (long) (config.connectionTimeout().toNanos() * (0.8 + 0.4 * random.nextDouble()));
  }

  long idleTimeout() {
    return idleTimeout;
  }

  long keepaliveInterval() {
    return keepaliveInterval;
  }

  /** The earliest deadline, or {@link #NEVER}. */
  long next() {
    return Math.min(Math.min(Math.min(helloAt, keepaliveAt), Math.min(idleAt, graceAt)), Math.min(closeRepeatAt, quietAt));
  }

  // ---- HELLO --------------------------------------------------------------------------------

  /** A HELLO went out at {@code now}: the next follows after {@code firstRetry}, then doubling. */
  private void helloSent(long now, long firstRetry) {
    helloBackoff = Math.min(firstRetry, keepaliveInterval);
    helloAt = now + helloBackoff;
    helloBackoff = Math.min(2 * helloBackoff, keepaliveInterval);
  }

  void firstHello(long now) {
    helloSent(now, FIRST_HELLO_RETRY);
  }

  void helloBackoff(long now) {
    helloSent(now, HELLO_RETRY);
  }

  void reregisterSoon(long now) {
    helloAt = now + SPARE_REREGISTER_DELAY;
    helloBackoff = Math.min(HELLO_RETRY, keepaliveInterval);
  }

  void helloAfter(long now, long delay) {
    helloAt = now + delay;
    if (helloBackoff == 0) {
      helloBackoff = Math.min(HELLO_RETRY, keepaliveInterval);
    }
  }

  void stopHello() {
    helloAt = NEVER;
  }

  /** Whether a HELLO is due; if so, the next one is set back (doubling). */
  boolean helloDue(long now) {
    if (now < helloAt) {
      return false;
    }
    helloAt = now + helloBackoff;
    helloBackoff = Math.min(2 * helloBackoff, keepaliveInterval);
    return true;
  }

  // ---- keepalive ----------------------------------------------------------------------------

  void scheduleKeepalive(long now) {
    keepaliveAt = onGrid(now, (long) (keepaliveInterval * (0.9 + 0.2 * random.nextDouble())), keepaliveInterval);
  }

  /**
   * A probe went out in place of the keepalive: the next is due a whole interval plus the jitter's
   * most later, so that a probe after each pause of a periodic flow (a WireGuard keepalive every
   * interval) always comes first, and the flow costs one keepalive per interval, as an idle one does.
   */
  void keepaliveAfterProbe(long now) {
    keepaliveAt = onGrid(now, keepaliveInterval * 11 / 10, keepaliveInterval);
  }

  boolean keepaliveDue(long now) {
    if (now < keepaliveAt) {
      return false;
    }
    scheduleKeepalive(now);
    return true;
  }

  /**
   * {@code now + delay}, moved to the nearest tick of a grid that all tunnels share (1/50 of the
   * interval, at most 100 ms): tunnels of one event loop whose keepalives fall due together are
   * served by one wake-up, which is what idle tunnels cost. The move is at most 1 % of the interval,
   * well inside the ±10 % jitter.
   */
  static long onGrid(long now, long delay, long interval) {
    long grid = Math.max(MS, Math.min(KEEPALIVE_GRID, interval / 50));
    long due = Math.round((now + delay) / (double) grid) * grid;
    return Math.max(now + MS, due);
  }

  // ---- quiet after data ---------------------------------------------------------------------

  boolean quietArmed() {
    return quietAt != NEVER;
  }

  void armQuiet(long at) {
    quietAt = at;
  }

  /** Whether the quiet check is due; it is then off until armed again. */
  boolean quietDue(long now) {
    if (now < quietAt) {
      return false;
    }
    quietAt = NEVER;
    return true;
  }

  // ---- idle, grace, close -------------------------------------------------------------------

  void startIdle(long now) {
    idleAt = now + idleTimeout;
  }

  /** Whether the tunnel has been idle for its timeout; if not yet, the check moves to when it would be. */
  boolean idleDue(long now, long lastData) {
    if (now < idleAt) {
      return false;
    }
    if (now - lastData >= idleTimeout) {
      return true;
    }
    idleAt = lastData + idleTimeout;
    return false;
  }

  void startGrace(long now) {
    graceAt = now + CONFLICT_GRACE;
  }

  void stopGrace() {
    graceAt = NEVER;
  }

  boolean graceDue(long now) {
    if (now < graceAt) {
      return false;
    }
    graceAt = NEVER;
    return true;
  }

  void repeatClose(long now) {
    closeRepeatAt = now + CLOSE_REPEAT;
  }

  boolean closeRepeatDue(long now) {
    if (now < closeRepeatAt) {
      return false;
    }
    closeRepeatAt = NEVER;
    return true;
  }

  /** Everything off but a pending repeat of CLOSE. */
  void stopAll() {
    helloAt = keepaliveAt = idleAt = graceAt = quietAt = NEVER;
  }

  /** A reload: a new timeout is drawn afresh, a new interval reschedules the keepalive. */
  void update(InsideServiceConfig config, long now, boolean newTimeout, boolean newInterval, long lastData) {
    keepaliveInterval = Math.max(MS, config.keepaliveInterval().toNanos());
    helloBackoff = Math.min(helloBackoff, keepaliveInterval);
    if (newTimeout) {
      idleTimeout = drawIdleTimeout(config);
      if (idleAt != NEVER) {
        idleAt = Math.max(now, lastData + idleTimeout);
      }
    }
    if (newInterval && keepaliveAt != NEVER) {
      scheduleKeepalive(now);
    }
  }
}
