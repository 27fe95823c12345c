package io.rut.inside;

/**
 * Watches one tunnel for the outside going quiet after data, without I/O. An outside that
 * restarted, or a NAT that forgot the mapping, looks just like that; one early keepalive finds out
 * at once (a new outside answers it with a CHALLENGE and the AUTH restores the binding; a moved
 * mapping is re-validated). Unanswered, the probe is repeated, every second for ten seconds and
 * then less often; anything from the outside ends the spell until data flows and pauses again.
 */
final class QuietWatch {

  private static final long SECOND = 1_000_000_000L;
  /** Data from the outside, then nothing for this long: probe. */
  static final long QUIET_AFTER_DATA = SECOND;
  /** Unanswered probes are repeated every second this many times, then less and less often. */
  private static final int PROBES_EVERY_SECOND = 10;

  private final TunnelDeadlines deadlines;
  private long lastDataIn;
  /** Whether this quiet spell was probed, when the last probe went out, and how many went out. */
  private boolean probing;
  private long probeAt;
  private int probes;

  QuietWatch(TunnelDeadlines deadlines) {
    this.deadlines = deadlines;
  }

  /** Data came from the outside (per datagram: keep it cheap). */
  void dataIn(long now) {
    lastDataIn = now;
    if (probing) {
      probing = false;
      probes = 0;
    }
    if (!deadlines.quietArmed()) {
      deadlines.armQuiet(now + QUIET_AFTER_DATA);
    }
  }

  /**
   * The quiet check is due: whether to probe now. A probe is at most one a second, counting the one
   * that goes before data ({@code lastProbe}); the next check is armed either way.
   */
  boolean probeDue(long now, long lastReceived, long lastProbe) {
    if (now - lastDataIn < QUIET_AFTER_DATA) {
      deadlines.armQuiet(lastDataIn + QUIET_AFTER_DATA);
      return false;
    }
    if (probing && lastReceived - probeAt >= 0) {
      return false; // answered: the path lives; the next data arms the check again
    }
    if (now - lastProbe < SECOND) {
      deadlines.armQuiet(lastProbe + SECOND);
      return false;
    }
    probing = true;
    probeAt = now;
    int doublings = Math.max(0, ++probes - PROBES_EVERY_SECOND);
    deadlines.armQuiet(now + Math.min(deadlines.keepaliveInterval(), QUIET_AFTER_DATA << Math.min(doublings, 20)));
    return true;
  }
}
