package io.rut.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.metrics.EventLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What SIGTERM and SIGINT run: close Vert.x, log before and after, choose the exit code. */
class StopTest {

  // JUL holds loggers weakly: without this reference the handler may go with a collected logger.
  private static final Logger RUT = Logger.getLogger("rut");

  private final List<String> lines = new CopyOnWriteArrayList<>();
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
    RUT.addHandler(capture);
  }

  @AfterEach
  void stopListening() {
    RUT.removeHandler(capture);
  }

  /** A verticle that says goodbye when it stops, as the inside agent's tunnels send CLOSE. */
  private final class Polite extends VerticleBase {
    @Override
    public Future<?> stop() {
      return vertx.timer(50).onSuccess(t -> lines.add("goodbye"));
    }
  }

  @Test
  void aCleanStopLogsStoppingThenTheGoodbyesThenStoppedAndExitsZero() throws Exception {
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(new Polite()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    int code = Signals.stop(vertx, new EventLog("test"), "SIGTERM", Duration.ofSeconds(10));

    assertEquals(0, code);
    assertEquals(List.of("agent=test event=stopping signal=SIGTERM", "goodbye", "agent=test event=stopped"), lines);
  }

  @Test
  void aStopThatHangsEndsWithExitCode1AndSaysSo() throws Exception {
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> stop() {
        return Promise.promise().future();
      }
    }).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    int code = Signals.stop(vertx, new EventLog("test"), "SIGINT", Duration.ofMillis(300));

    assertEquals(RutLauncher.FAILURE, code);
    assertEquals(2, lines.size(), lines.toString());
    assertEquals("agent=test event=stopping signal=SIGINT", lines.get(0));
    assertTrue(lines.get(1).startsWith("agent=test event=stop_failed reason=\"not stopped within 0.3 s\""),
        lines.get(1));
  }
}
