package io.rut.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * RUT's log: one line per event in {@code key=value} form, each key (an event and its subject)
 * at most once per interval, so that an attack or a flood cannot flood the log. What is held back
 * is counted and reported with the next line of the same key. A key whose value is null is left
 * out: {@code error=null} tells an operator nothing.
 */
public final class EventLog {

  private static final Logger LOG = Logger.getLogger("rut");
  private static final int MAX_KEYS = 4096;

  private final String agent;
  private final long intervalNanos;
  private final LongSupplier clock;
  private final Map<String, long[]> lastByKey = new ConcurrentHashMap<>();

  public EventLog(String agent) {
    this(agent, 10_000_000_000L);
  }

  public EventLog(String agent, long intervalNanos) {
    this(agent, intervalNanos, System::nanoTime);
  }

  EventLog(String agent, long intervalNanos, LongSupplier clock) {
    this.agent = agent;
    this.intervalNanos = intervalNanos;
    this.clock = clock;
  }

  public void info(String event, Object... kv) {
    log(Level.INFO, event, null, kv);
  }

  public void warn(String event, Object... kv) {
    log(Level.WARNING, event, null, kv);
  }

  public void debug(String event, Object... kv) {
    log(Level.FINE, event, null, kv);
  }

  /**
   * Whether a line for {@code key} would be written now; lets a hot path skip building the line's
   * values. A false answer counts as one line held back, reported with the next line of the key.
   */
  public boolean due(String key) {
    long[] state = lastByKey.get(key);
    if (state == null) {
      return true;
    }
    synchronized (state) {
      if (clock.getAsLong() - state[0] >= intervalNanos) {
        return true;
      }
      state[1]++;
      return false;
    }
  }

  /** Logs at most once per interval for {@code key}; counts the rest. */
  public void limited(Level level, String key, String event, Object... kv) {
    log(level, event, key, kv);
  }

  private void log(Level level, String event, String key, Object... kv) {
    if (!LOG.isLoggable(level)) {
      return;
    }
    long suppressed = 0;
    if (key != null) {
      long now = clock.getAsLong();
      if (lastByKey.size() > MAX_KEYS) {
        lastByKey.clear();
      }
      long[] state = lastByKey.computeIfAbsent(key, k -> new long[] {now - intervalNanos - 1, 0});
      synchronized (state) {
        if (now - state[0] < intervalNanos) {
          state[1]++;
          return;
        }
        suppressed = state[1];
        state[0] = now;
        state[1] = 0;
      }
    }
    StringBuilder line = new StringBuilder(96).append("agent=").append(agent).append(" event=").append(event);
    for (int i = 0; i + 1 < kv.length; i += 2) {
      if (kv[i + 1] == null) {
        continue;
      }
      line.append(' ').append(kv[i]).append('=');
      String v = String.valueOf(kv[i + 1]);
      if (v.indexOf(' ') >= 0 || v.isEmpty()) {
        line.append('"').append(v.replace("\"", "'")).append('"');
      } else {
        line.append(v);
      }
    }
    if (suppressed > 0) {
      line.append(" suppressed=").append(suppressed);
    }
    LOG.log(level, line.toString());
  }
}
