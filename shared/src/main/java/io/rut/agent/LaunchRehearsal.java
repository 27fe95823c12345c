package io.rut.agent;

import io.rut.tunnel.DatagramTransport;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Bursts of new clients through a private relay in the agent's own process, once, at launch.
 *
 * <p>Clients arrive in bursts right after a restart, when every peer reconnects at once, and each
 * needs a tunnel of its own: on the inside a verticle, two sockets, HELLO, CHALLENGE, AUTH and
 * BIND; on the outside the matching registration and binding. A fresh JVM runs those paths in its
 * interpreter until the JIT has compiled them: a freshly started pair took 366-420 ms for a burst
 * of 200 new clients, and well under 100 ms once a few such bursts had gone through. Rehearsed at
 * launch, the paths are compiled before real clients need them.
 *
 * <p>A subclass opens the private relay on loopback ports of its own, with a random key, meters of
 * its own and a silent log, and closes it again; {@link #done()} completes after that. Nothing
 * leaves loopback, and no real service, tunnel or meter is touched.
 */
public abstract class LaunchRehearsal extends VerticleBase {

  /** Clients per wave: a restart's burst. */
  protected static final int CLIENTS = 200;
  /**
   * Waves of clients, each to new tunnels: the set-up path runs a few times per tunnel, and the
   * JIT compiles it fully only after some thousand runs.
   */
  protected static final int WAVES = 10;
  /** Round trips per client: the first sets the tunnel up, the next takes the plain data path. */
  protected static final int ROUND_TRIPS = 2;
  /** Clients of all waves. */
  public static final int CLIENTS_IN_ALL = WAVES * CLIENTS;
  /** However it goes, no wave starts after this long. */
  private static final long BUDGET_MS = 15_000;

  /** What a rehearsal did; {@code problem} says why it did less, or is null. */
  public record Outcome(int clients, int served, long millis, String problem) {
  }

  private final Promise<Outcome> done = Promise.promise();
  private volatile Vertx apart;
  private final List<ClientWave> waves = new ArrayList<>();
  private int arrived;

  /**
   * Runs this rehearsal on a Vert.x of its own, with {@code eventLoops} event loops, and closes that
   * Vert.x when the rehearsal is over. The rehearsal shares the JVM with the agent, and so the JIT's
   * work, but no event loop, event-bus address or deployment: an agent that stops meanwhile stops
   * as if the rehearsal were not there (see {@link #abandon()}).
   */
  public final Future<Outcome> runApart(int eventLoops) {
    Vertx own = Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(eventLoops))
        .withTransport(DatagramTransport.best()).build();
    apart = own;
    // Completed from outside that Vert.x: its own contexts are gone once it is closed.
    Promise<Outcome> outcome = Promise.promise();
    own.deployVerticle(this).onFailure(outcome::tryFail);
    done().onComplete(r -> own.close().toCompletionStage().whenComplete((v, e) -> outcome.handle(r)));
    return outcome.future();
  }

  /** Ends a rehearsal started with {@link #runApart} without waiting for it: the agent is stopping. */
  public final void abandon() {
    Vertx own = apart;
    if (own != null && !done.future().isComplete()) {
      own.close();
    }
  }

  /** Completes when the rehearsal is over and everything it opened is closed; never fails. */
  public Future<Outcome> done() {
    return done.future();
  }

  /** Opens the private relay; completes with the address its clients send to. */
  protected abstract Future<InetSocketAddress> openRelay();

  /** A wave of {@code clients} is about to arrive (the outside's rehearsal opens their tunnels). */
  protected void waveArriving(int clients) {
  }

  /** The wave is over and its clients go: close its tunnels, or let them close on idle. */
  protected void waveOver() {
  }

  /** Closes what {@link #openRelay} opened; also called if the agent stops during the rehearsal. */
  protected abstract Future<Void> closeRelay();

  /** How long a wave's tunnels take to close once its clients are done (on idle, say); at least 1. */
  protected long settleMillis() {
    return 1;
  }

  /** Sockets the private relay holds per client, besides the client's own. */
  protected abstract int socketsPerClient();

  /** Tunnels a rehearsal holds at most: three waves' worth and some, as the last ones' still close. */
  protected static int tunnelsAtMost() {
    return 3 * (CLIENTS + 32);
  }

  /** Sockets a rehearsal holds at most. */
  private int socketsAtMost() {
    return tunnelsAtMost() * (1 + socketsPerClient()) + 16;
  }

  /** Why {@code sockets} more would crowd the open-files limit (over half of what is left), or null. */
  private static String roomFor(int sockets) {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.UnixOperatingSystemMXBean os) {
      long free = os.getMaxFileDescriptorCount() - os.getOpenFileDescriptorCount();
      if (free < 2L * sockets) {
        return "only " + free + " more open files allowed";
      }
    }
    return null;
  }

  @Override
  public final Future<?> start() {
    long t0 = System.nanoTime();
    String noRoom = roomFor(socketsAtMost());
    if (noRoom != null) {
      done.complete(new Outcome(0, 0, 0, noRoom));
      return Future.succeededFuture();
    }
    long end = t0 + BUDGET_MS * 1_000_000;
    openRelay()
        .compose(target -> wave(target, end, 0))
        .compose(served -> vertx.timer(settleMillis()).map(served))
        .eventually(this::closeAll)
        .onComplete(r -> {
          long ms = (System.nanoTime() - t0) / 1_000_000;
          done.complete(r.succeeded() ? new Outcome(arrived, r.result(), ms, null)
              : new Outcome(arrived, 0, ms, String.valueOf(r.cause())));
        });
    return Future.succeededFuture();
  }

  /** Never fails: Vert.x may have undeployed the private relay already (it was deployed from here). */
  @Override
  public final Future<?> stop() {
    return closeAll().recover(e -> Future.succeededFuture());
  }

  /** The next wave and the ones after it; completes with the clients served in all. */
  private Future<Integer> wave(InetSocketAddress target, long end, int servedBefore) {
    long left = (end - System.nanoTime()) / 1_000_000;
    if (arrived == CLIENTS_IN_ALL || left <= 0) {
      return Future.succeededFuture(servedBefore);
    }
    ClientWave wave = new ClientWave(vertx, target, CLIENTS, ROUND_TRIPS);
    waves.add(wave);
    arrived += CLIENTS;
    waveArriving(CLIENTS);
    return wave.run(left).compose(n -> {
      waveOver();
      // The clients keep their sockets until their tunnels are gone: a port freed earlier could
      // go to a new tunnel while the relay still binds it to the old client.
      vertx.setTimer(settleMillis(), t -> {
        if (waves.remove(wave)) {
          wave.close();
        }
      });
      return wave(target, end, servedBefore + n);
    });
  }

  private Future<Void> closeAll() {
    List<Future<Void>> closing = new ArrayList<>();
    for (ClientWave w : waves) {
      closing.add(w.close());
    }
    waves.clear();
    return closeRelay().recover(e -> Future.succeededFuture()).compose(v -> Future.join(closing)).mapEmpty();
  }
}
