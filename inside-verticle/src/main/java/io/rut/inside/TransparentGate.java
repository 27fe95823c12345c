package io.rut.inside;

import io.rut.config.ClientAddress;
import io.rut.metrics.EventLog;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Lets a service use transparent mode only once {@link TransparentCheck} passes for each of its
 * targets. Until then a service that has just started opens no tunnels, and a running service that
 * a reload switched to transparent mode keeps the mode it had; the check runs again every
 * {@link #RETRY_MS}, and each change of outcome is logged once.
 */
final class TransparentGate {

  static final long RETRY_MS = 10_000;

  /** Where the gate stands. */
  enum State {
    /** The service is not in transparent mode. */
    NOT_WANTED,
    /** The check runs (at start, on a reload that turns the mode on, or again after a failure). */
    CHECKING,
    /** The check failed; it runs again later. */
    REFUSED,
    /** Transparent mode works. */
    READY
  }

  private final Vertx vertx;
  private final EventLog log;
  private final String service;
  private final Runnable changed;
  private State state = State.NOT_WANTED;
  /** What the service's tunnels use until transparent mode is ready; null: no tunnels (at start). */
  private ClientAddress meanwhile;
  private List<InetSocketAddress> targets = List.of();
  private String problem;
  private long timer = -1;
  private int generation;

  TransparentGate(Vertx vertx, EventLog log, String service, Runnable changed) {
    this.vertx = vertx;
    this.log = log;
    this.service = service;
    this.changed = changed;
  }

  /**
   * The service's configured mode and targets: checks them if the mode is transparent.
   *
   * @param running the mode its tunnels use now, or null when the service is just starting
   */
  void configure(ClientAddress wanted, InetSocketAddress target, InetSocketAddress otherFamilyTarget,
                 ClientAddress running) {
    List<InetSocketAddress> next = new ArrayList<>();
    next.add(target);
    if (otherFamilyTarget != null) {
      next.add(otherFamilyTarget);
    }
    if (wanted != ClientAddress.TRANSPARENT) {
      stop();
      return;
    }
    if (state == State.READY && next.equals(targets)) {
      return;
    }
    meanwhile = running == ClientAddress.TRANSPARENT ? ClientAddress.NONE : running;
    targets = List.copyOf(next);
    cancel();
    check();
  }

  /** The mode the service's tunnels use now, given the configured one; null: open no tunnels. */
  ClientAddress effective(ClientAddress wanted) {
    return switch (state) {
      case NOT_WANTED -> wanted;
      case READY -> ClientAddress.TRANSPARENT;
      case CHECKING, REFUSED -> meanwhile;
    };
  }

  State state() {
    return state;
  }

  /** The line that says what transparent mode lacks, while refused. */
  String problem() {
    return state == State.REFUSED ? problem : null;
  }

  void stop() {
    cancel();
    state = State.NOT_WANTED;
    problem = null;
  }

  private void check() {
    state = State.CHECKING;
    int mine = ++generation;
    List<Future<String>> each = new ArrayList<>();
    for (InetSocketAddress t : targets) {
      each.add(TransparentCheck.run(vertx, t));
    }
    Future.join(each).onComplete(r -> {
      if (mine != generation) {
        return; // reconfigured or stopped meanwhile
      }
      String found = each.stream().map(f -> f.succeeded() ? f.result() : f.cause().toString())
          .filter(p -> p != null).findFirst().orElse(null);
      if (found == null) {
        state = State.READY;
        problem = null;
        log.info("transparent_ready", "service", service, "targets", targets.stream().map(io.rut.net.Udp::show).toList());
        changed.run();
        return;
      }
      if (!found.equals(problem)) {
        log.warn("transparent_unavailable", "service", service, "problem", found,
            "meanwhile", meanwhile == null ? "no tunnels" : meanwhile.label());
      }
      problem = found;
      state = State.REFUSED;
      changed.run();
      timer = vertx.setTimer(RETRY_MS, t -> {
        timer = -1;
        check();
      });
    });
  }

  private void cancel() {
    generation++;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
