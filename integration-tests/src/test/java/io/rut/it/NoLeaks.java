package io.rut.it;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class after which Netty's leak detector reports a buffer that was never released.
 * These tests run with {@code io.netty.leakDetection.level=paranoid} (see this module's pom), so
 * every buffer the agents allocate is watched. Registered for every class of this module
 * (junit-platform.properties). A leak shows only once its buffer is collected and the detector is
 * used again, so after each class the heap is collected and a few buffers are taken and returned.
 */
public final class NoLeaks implements AfterAllCallback {

  private static final List<String> REPORTS = new CopyOnWriteArrayList<>();
  // Held here: java.util.logging keeps loggers only weakly.
  private static final Logger DETECTOR = Logger.getLogger("io.netty.util.ResourceLeakDetector");

  static {
    DETECTOR.addHandler(new Handler() {
      @Override
      public void publish(LogRecord r) {
        if (r.getMessage() != null && r.getMessage().contains("LEAK")) {
          REPORTS.add(r.getMessage());
        }
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    });
  }

  @Override
  public void afterAll(ExtensionContext context) throws InterruptedException {
    for (int round = 0; round < 3 && REPORTS.isEmpty(); round++) {
      System.gc();
      Thread.sleep(50);
      for (int i = 0; i < 16; i++) {
        ByteBuf probe = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        probe.release();
      }
    }
    if (!REPORTS.isEmpty()) {
      String first = REPORTS.get(0);
      int count = REPORTS.size();
      REPORTS.clear();
      throw new AssertionError(count + " buffer leak(s) reported during or before "
          + context.getDisplayName() + "; the first:\n" + first);
    }
  }
}
