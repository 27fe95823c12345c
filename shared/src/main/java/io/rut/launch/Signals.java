package io.rut.launch;

import io.rut.metrics.EventLog;
import io.vertx.core.Vertx;
import java.util.List;

/** The signals an agent answers: TERM and INT stop it cleanly, HUP reloads its configuration. */
final class Signals {

  /** How long a stop may take before the process ends anyway, with {@link RutLauncher#FAILURE}. */
  static final java.time.Duration STOP_TIMEOUT = java.time.Duration.ofSeconds(60);

  private Signals() {
  }

  /**
   * SIGTERM and SIGINT stop the agent with exit code 0 instead of the JVM's 143 and 130. The stop
   * runs here, before {@code System.exit}: in a shutdown hook its log lines could be lost to the
   * logging system's own hook, and a hook may not call {@code System.exit}. Vert.x's shutdown hook
   * then finds Vert.x closed already.
   */
  static void onStop(Vertx vertx, String agent) {
    EventLog log = new EventLog(agent);
    java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
    for (String name : List.of("TERM", "INT")) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
          if (stopping.compareAndSet(false, true)) {
            System.exit(stop(vertx, log, "SIG" + name, STOP_TIMEOUT));
          }
        });
      } catch (IllegalArgumentException e) {
        // the JVM keeps this signal (-Xrs): its shutdown hook still closes Vert.x
      }
    }
  }

  /** Closes Vert.x (the verticles say goodbye) and tells how it went; returns the exit code. */
  static int stop(Vertx vertx, EventLog log, String signal, java.time.Duration timeout) {
    log.info("stopping", "signal", signal);
    try {
      vertx.close().toCompletionStage().toCompletableFuture()
          .get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      log.info("stopped");
      return 0;
    } catch (java.util.concurrent.TimeoutException e) {
      log.warn("stop_failed", "reason", "not stopped within " + timeout.toMillis() / 1000.0 + " s");
    } catch (java.util.concurrent.ExecutionException e) {
      log.warn("stop_failed", "reason", RutLauncher.describe(e.getCause() == null ? e : e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn("stop_failed", "reason", "interrupted");
    }
    return RutLauncher.FAILURE;
  }

  static void onHup(RutLauncher.Reloadable agent) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> agent.reloadNow());
    } catch (IllegalArgumentException e) {
      // no SIGHUP on this platform: the file is still watched
    }
  }
}
