package io.rut.inside;

import io.rut.config.InsideServiceConfig;
import java.util.ArrayDeque;

/**
 * How many spare tunnels one inside service opens, without I/O: the configured number, plus one
 * for every client bound in the last second while clients arrive in a burst (at most
 * {@link #MAX_BURST_SPARES} more), never past {@code maxTunnels}.
 */
final class SparePool {

  /** Extra spares opened at most while clients keep arriving faster than the pool refills. */
  static final int MAX_BURST_SPARES = 32;
  private static final long BURST_WINDOW = 1_000_000_000L;

  private final ArrayDeque<Long> recentBinds = new ArrayDeque<>();

  /** A spare was bound to a client at {@code now}. */
  void bound(long now) {
    recentBinds.add(now);
    if (recentBinds.size() > MAX_BURST_SPARES) {
      recentBinds.poll();
    }
  }

  /** How many tunnels to open now, given the spares and all tunnels the service has. */
  int toOpen(InsideServiceConfig config, int spares, int tunnels, long now) {
    while (!recentBinds.isEmpty() && now - recentBinds.peek() > BURST_WINDOW) {
      recentBinds.poll();
    }
    int wanted = config.spares() + Math.min(recentBinds.size(), MAX_BURST_SPARES);
    return Math.max(0, Math.min(wanted - spares, config.maxTunnels() - tunnels));
  }
}
