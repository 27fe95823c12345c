package io.rut.inside;

import static io.rut.protocol.ControlMessage.hex;

import io.rut.agent.ServiceUnit;
import io.rut.config.HostPort;
import io.rut.config.InsideServiceConfig;
import io.rut.metrics.EventLog;
import io.rut.metrics.ServiceMeters;
import io.rut.protocol.MessageCounter;
import io.rut.protocol.ServiceId;
import io.rut.protocol.ServiceKeys;
import io.rut.tunnel.TunnelContext;
import io.rut.tunnel.TunnelVerticle;
import io.rut.tunnel.Udp;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The inside agent's keeper of one service: keeps {@code spares} registered spare tunnels ready,
 * opens more while clients arrive in a burst, closes nothing itself (tunnels close on idle), and
 * reacts to what its tunnels report: an outside restart makes every tunnel re-register at once, an
 * outside that stops answering has its host name resolved again.
 */
public final class ServiceAgent extends VerticleBase implements ServiceUnit<InsideServiceConfig> {

  private static final long RESTART_DEBOUNCE_NANOS = 1_000_000_000L;
  /** Extra spares opened at most while clients keep arriving faster than the pool refills. */
  private static final int MAX_BURST_SPARES = 32;

  private InsideServiceConfig config;
  private final ServiceKeys keys;
  private final MessageCounter counter;
  private final ServiceMeters meters;
  private final EventLog log;
  private final SecureRandom random = new SecureRandom();
  private final Map<Long, Future<String>> deployments = new HashMap<>();
  private final Map<Long, TunnelVerticle> tunnels = new HashMap<>();
  private final Set<Long> spares = new HashSet<>();
  private final Set<Long> registered = new HashSet<>();
  private final ArrayDeque<Long> recentBinds = new ArrayDeque<>();
  private TunnelContext ctx;
  private MessageConsumer<JsonObject> events;
  private long lastRestartNanos;
  private boolean resolving;
  private boolean stopping;
  private long retryTimer = -1;

  private final Function<HostPort, InetSocketAddress> resolver;

  public ServiceAgent(InsideServiceConfig config, ServiceKeys keys, MessageCounter counter, ServiceMeters meters,
                      EventLog log, Function<HostPort, InetSocketAddress> resolver) {
    this.resolver = resolver;
    this.keys = keys;
    this.config = config;
    this.counter = counter;
    this.meters = meters;
    this.log = log;
  }

  @Override
  public Future<?> start() {
    meters.tunnelGauges(spares::size, () -> tunnels.size() - spares.size());
    return vertx.executeBlocking(() -> new TunnelContext(config, keys, ServiceId.of(config.name()), counter, meters,
            log, resolver.apply(config.outside()), resolver.apply(config.target()), new AtomicLong(),
            new java.util.concurrent.ConcurrentHashMap<>()))
        .compose(c -> {
          ctx = c;
          events = vertx.eventBus().localConsumer(ctx.eventsAddress(), m -> onEvent(m.body()));
          return events.completion();
        })
        .onSuccess(v -> {
          log.info("service_started", "service", config.name(), "outside", Udp.show(ctx.outside()),
              "target", Udp.show(ctx.target()), "spares", config.spares(), "maxTunnels", config.maxTunnels());
          refill();
        });
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    return events == null ? Future.succeededFuture() : events.unregister();
  }

  @Override
  public Future<Void> update(InsideServiceConfig next, ServiceKeys nextKeys) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      config = next;
      ctx = ctx.with(next, nextKeys);
      for (TunnelVerticle t : tunnels.values()) {
        t.update(ctx);
      }
      refill();
      done.complete();
    });
    return done.future();
  }

  /** Undeploying follows, and every tunnel's stop sends CLOSE (shutdown). */
  @Override
  public Future<Void> retire() {
    return Future.succeededFuture();
  }

  private void onEvent(JsonObject e) {
    long id = e.getLong("tunnel");
    switch (e.getString("event")) {
      case "registered" -> registered.add(id);
      case "bound" -> {
        if (spares.remove(id)) {
          recentBinds.add(System.nanoTime());
          meters.event("tunnel_bound");
        }
        refill();
      }
      case "closed" -> {
        spares.remove(id);
        registered.remove(id);
        tunnels.remove(id);
        Future<String> deployment = deployments.remove(id);
        if (deployment != null) {
          deployment.onSuccess(vertx::undeploy);
        }
        refill();
      }
      case "outside-restart" -> onOutsideRestart();
      case "binding-lost" -> onBindingLost(e);
      case "outside-silent" -> resolveOutsideAgain();
      default -> { }
    }
  }

  private void onOutsideRestart() {
    long now = System.nanoTime();
    if (now - lastRestartNanos < RESTART_DEBOUNCE_NANOS) {
      return;
    }
    lastRestartNanos = now;
    meters.event("outside_restart");
    log.info("outside_restart_detected", "service", config.name(), "tunnels", tunnels.size());
    vertx.eventBus().publish(ctx.commandsAddress(), new JsonObject().put("command", "reregister"));
  }

  /**
   * The outside bound a spare to a client that another tunnel still carries: it lost that tunnel's
   * binding (it restarted, or let the tunnel expire). That tunnel registers again at once, and its
   * AUTH restores the binding, so the service keeps seeing one peer for the client.
   */
  private void onBindingLost(JsonObject e) {
    long carrier = e.getLong("carrier");
    meters.event("binding_lost");
    log.info("binding_lost", "service", config.name(), "tunnel", hex(carrier), "client",
        e.getString("client"));
    vertx.eventBus().publish(ctx.commandsAddress(), new JsonObject().put("command", "reregister")
        .put("tunnel", carrier));
  }

  private void resolveOutsideAgain() {
    if (config.outside().isLiteral() || resolving) {
      return;
    }
    resolving = true;
    vertx.executeBlocking(() -> resolver.apply(config.outside())).onComplete(r -> {
      resolving = false;
      if (r.succeeded() && !r.result().equals(ctx.outside())) {
        InetSocketAddress now = r.result();
        log.info("outside_address_changed", "service", config.name(), "from", Udp.show(ctx.outside()),
            "to", Udp.show(now));
        ctx = ctx.withOutside(now);
        vertx.eventBus().publish(ctx.commandsAddress(), new JsonObject().put("command", "outside")
            .put("host", now.getAddress().getHostAddress()).put("port", now.getPort()));
      }
    });
  }

  /** Opens spare tunnels up to the target: the configured spares, plus one per recent bind in a burst. */
  private void refill() {
    if (stopping) {
      return;
    }
    long now = System.nanoTime();
    while (!recentBinds.isEmpty() && now - recentBinds.peek() > 1_000_000_000L) {
      recentBinds.poll();
    }
    int wanted = config.spares() + Math.min(recentBinds.size(), MAX_BURST_SPARES);
    int toOpen = Math.min(wanted - spares.size(), config.maxTunnels() - deployments.size());
    for (int i = 0; i < toOpen && retryTimer < 0; i++) {
      openTunnel();
    }
  }

  private void openTunnel() {
    long id;
    do {
      id = random.nextLong();
    } while (id == 0 || deployments.containsKey(id));
    long tunnelId = id;
    TunnelVerticle tunnel = new TunnelVerticle(tunnelId, ctx);
    meters.opened();
    spares.add(tunnelId);
    tunnels.put(tunnelId, tunnel);
    Future<String> deployment = vertx.deployVerticle(tunnel);
    deployments.put(tunnelId, deployment);
    deployment.onFailure(e -> {
      spares.remove(tunnelId);
      tunnels.remove(tunnelId);
      deployments.remove(tunnelId);
      if (stopping || retryTimer >= 0) {
        return;
      }
      // One retry timer for all failures, so a failing deploy never spins.
      log.warn("tunnel_open_failed", "service", config.name(), "error", e.getMessage());
      retryTimer = vertx.setTimer(1000, t -> {
        retryTimer = -1;
        refill();
      });
    });
  }

  /** Every tunnel's state, each read on its own event loop. */
  @Override
  public Future<JsonObject> status() {
    List<Future<JsonObject>> each = new ArrayList<>();
    for (TunnelVerticle t : new ArrayList<>(tunnels.values())) {
      each.add(t.status());
    }
    return Future.join(each).transform(r -> {
      long lastAck = ctx.lastAckNanos().get();
      double sinceAck = lastAck == 0 ? -1 : Math.round((System.nanoTime() - lastAck) / 1e6) / 1e3;
      double limit = 3 * config.keepaliveInterval().toMillis() / 1e3 + 1;
      return Future.succeededFuture(new JsonObject().put("service", config.name()).put("tunnels", tunnels.size())
          .put("spares", spares.size()).put("registered", registered.size())
          .put("secondsSinceAck", sinceAck).put("healthy", sinceAck >= 0 && sinceAck < limit)
          .put("list", io.rut.metrics.StatusServer.collect(each)));
    });
  }
}
