package io.rut.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EventLogTest {

  private final List<String> lines = new ArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      lines.add(r.getMessage());
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };

  @BeforeEach
  void listen() {
    Logger.getLogger("rut").addHandler(capture);
  }

  @AfterEach
  void stopListening() {
    Logger.getLogger("rut").removeHandler(capture);
  }

  @Test
  void aLimitedKeyIsWrittenOncePerIntervalAndCountsWhatItHeldBack() {
    EventLog log = new EventLog("test", 60_000_000_000L);
    assertTrue(log.due("k"));
    for (int i = 0; i < 3; i++) {
      log.limited(Level.WARNING, "k", "refused", "from", "a b");
    }
    assertFalse(log.due("k"));
    assertEquals(List.of("agent=test event=refused from=\"a b\""), lines);
  }

  @Test
  void whatWasHeldBackIsCountedInTheNextLineOfTheKeyAskedOrNot() {
    long[] now = {0};
    EventLog log = new EventLog("test", 10_000_000_000L, () -> now[0]);
    log.limited(Level.INFO, "k", "client_refused", "reason", "limit");
    log.limited(Level.INFO, "k", "client_refused", "reason", "limit");
    assertFalse(log.due("k"), "a hot path asks first and builds no line");
    assertFalse(log.due("k"));
    now[0] = 22_000_000_000L;
    assertTrue(log.due("k"));
    log.limited(Level.INFO, "k", "client_refused", "reason", "limit");
    assertEquals(List.of("agent=test event=client_refused reason=limit",
        "agent=test event=client_refused reason=limit suppressed=3"), lines);
  }

  @Test
  void aKeyWithoutValueIsLeftOut() {
    EventLog log = new EventLog("test");
    log.warn("tunnel_open_failed", "service", "wg", "error", null, "tunnels", 3);
    log.info("started", "reason", null);
    assertEquals(List.of("agent=test event=tunnel_open_failed service=wg tunnels=3", "agent=test event=started"),
        lines);
  }
}
