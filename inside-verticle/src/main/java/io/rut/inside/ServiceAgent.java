package io.rut.inside;

import static io.rut.protocol.ControlMessage.hex;

import io.rut.agent.LocalCodec;
import io.rut.agent.ServiceUnit;
import io.rut.config.ClientAddress;
import io.rut.config.HostPort;
import io.rut.config.InsideServiceConfig;
import io.rut.metrics.EventLog;
import io.rut.metrics.ServiceMeters;
import io.rut.net.Udp;
import io.rut.protocol.MessageCounter;
import io.rut.protocol.ServiceKeys;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The inside agent's keeper of one service: keeps its {@link SparePool} of registered spare
 * tunnels full, and answers what its tunnels report on the event bus. It knows which tunnel
 * carries which client, so a spare that the outside binds to a client another tunnel carries is
 * held back while that one restores its binding; an outside restart makes every tunnel register
 * again; an outside that stops answering has its host name resolved again.
 */
public final class ServiceAgent extends VerticleBase implements ServiceUnit<InsideServiceConfig> {

  private static final long RESTART_DEBOUNCE_NANOS = 1_000_000_000L;

  private InsideServiceConfig config;
  private final ServiceKeys keys;
  private final MessageCounter counter;
  private final ServiceMeters meters;
  private final EventLog log;
  private final Function<HostPort, InetSocketAddress> resolver;
  private final SecureRandom random = new SecureRandom();
  private final SparePool pool = new SparePool();
  private final Map<Long, Future<String>> deployments = new HashMap<>();
  private final Set<Long> spares = new HashSet<>();
  private final Map<InetSocketAddress, Long> carriers = new HashMap<>();
  private ServiceHealth health;
  private TunnelContext ctx;
  private MessageConsumer<TunnelEvent> events;
  private long lastRestartNanos;
  private boolean resolving;
  private boolean stopping;
  private long retryTimer = -1;
  private TransparentGate gate;

  public ServiceAgent(InsideServiceConfig config, ServiceKeys keys, MessageCounter counter, ServiceMeters meters,
                      EventLog log, Function<HostPort, InetSocketAddress> resolver) {
    this.config = config;
    this.keys = keys;
    this.counter = counter;
    this.meters = meters;
    this.log = log;
    this.resolver = resolver;
  }

  @Override
  public Future<?> start() {
    LocalCodec.register(vertx, TunnelEvent.class.getPermittedSubclasses());
    LocalCodec.register(vertx, TunnelCommand.class.getPermittedSubclasses());
    meters.tunnelGauges(spares::size, () -> deployments.size() - spares.size());
    gate = new TransparentGate(vertx, log, config.name(), this::onGateChanged);
    health = new ServiceHealth(log, config.name());
    return vertx.executeBlocking(() -> new TunnelContext(config, keys, counter, meters, log,
            resolver.apply(config.outside()), resolver.apply(config.target()), TunnelContext.otherFamilyTarget(config)))
        .compose(c -> {
          ctx = c;
          gate.configure(config.clientAddress(), ctx.target(), ctx.otherFamilyTarget(), null);
          ctx = effective(ctx);
          events = vertx.eventBus().localConsumer(TunnelContext.eventsAddress(config.name()), this::onEvent);
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
    if (gate != null) {
      gate.stop();
    }
    return events == null ? Future.succeededFuture() : events.unregister();
  }

  @Override
  public Future<Void> update(InsideServiceConfig next, ServiceKeys nextKeys) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      ClientAddress running = gate.effective(config.clientAddress());
      config = next;
      gate.configure(next.clientAddress(), ctx.target(), TunnelContext.otherFamilyTarget(next),
          running == null && !deployments.isEmpty() ? ClientAddress.NONE : running);
      ctx = effective(ctx.with(next, nextKeys));
      tellAll(new TunnelCommand.Settings(ctx));
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

  private void onEvent(Message<TunnelEvent> m) {
    TunnelEvent e = m.body();
    if (e instanceof TunnelEvent.Claim c) {
      onClaim(c);
    } else if (e instanceof TunnelEvent.Activated a) {
      if (a.client() != null) {
        carriers.put(a.client(), a.tunnel());
      }
      bound(a.tunnel());
    } else if (e instanceof TunnelEvent.PathUp || e instanceof TunnelEvent.PathDown) {
      health.path(e.tunnel(), e instanceof TunnelEvent.PathUp, ctx.outside(), stopping);
    } else if (e instanceof TunnelEvent.Closed c) {
      health.path(c.tunnel(), false, ctx.outside(), stopping);
      spares.remove(c.tunnel());
      if (c.client() != null) {
        carriers.remove(c.client(), c.tunnel());
      }
      deployments.remove(c.tunnel()); // the tunnel undeploys itself once its last CLOSE is out
      refill();
    } else if (e instanceof TunnelEvent.OutsideRestarted) {
      onOutsideRestart();
    } else if (e instanceof TunnelEvent.OutsideSilent) {
      resolveOutsideAgain();
    }
  }

  /**
   * The outside bound a spare to {@code client}. If another tunnel still carries it, the outside
   * lost that tunnel's binding (it restarted, or let the tunnel expire): that tunnel registers
   * again at once, its AUTH restores the binding, and the service keeps seeing one peer.
   */
  private void onClaim(TunnelEvent.Claim c) {
    Long carrier = carriers.get(c.client());
    boolean free = carrier == null || carrier == c.tunnel() || !deployments.containsKey(carrier);
    if (free) {
      carriers.put(c.client(), c.tunnel());
    } else {
      meters.event("binding_lost");
      log.info("binding_lost", "service", config.name(), "tunnel", hex(carrier), "client", Udp.show(c.client()));
      tell(carrier, new TunnelCommand.Reregister());
    }
    tell(c.tunnel(), new TunnelCommand.Verdict(free));
    bound(c.tunnel());
  }

  private void bound(long tunnel) {
    if (spares.remove(tunnel)) {
      pool.bound(System.nanoTime());
      meters.event("tunnel_bound");
    }
    refill();
  }

  private void onOutsideRestart() {
    long now = System.nanoTime();
    if (now - lastRestartNanos < RESTART_DEBOUNCE_NANOS) {
      return;
    }
    lastRestartNanos = now;
    meters.event("outside_restart");
    log.info("outside_restart_detected", "service", config.name(), "tunnels", deployments.size());
    tellAll(new TunnelCommand.Reregister());
  }

  private void resolveOutsideAgain() {
    if (config.outside().isLiteral() || resolving) {
      return;
    }
    resolving = true;
    vertx.executeBlocking(() -> resolver.apply(config.outside())).onComplete(r -> {
      resolving = false;
      if (r.succeeded() && !r.result().equals(ctx.outside())) {
        log.info("outside_address_changed", "service", config.name(), "from", Udp.show(ctx.outside()),
            "to", Udp.show(r.result()));
        ctx = ctx.withOutside(r.result());
        tellAll(new TunnelCommand.OutsideMoved(r.result()));
      }
    });
  }

  private void tell(long tunnel, TunnelCommand command) {
    vertx.eventBus().send(TunnelContext.commandsAddress(config.name(), tunnel), command);
  }

  private void tellAll(TunnelCommand command) {
    for (long id : deployments.keySet()) {
      tell(id, command);
    }
  }

  /** {@code c} with the client address mode the tunnels may use now (see {@link TransparentGate}). */
  private TunnelContext effective(TunnelContext c) {
    ClientAddress mode = gate.effective(config.clientAddress());
    return c.with(config.withClientAddress(mode == null ? config.clientAddress() : mode), c.keys());
  }

  private void onGateChanged() {
    TunnelContext next = effective(ctx);
    if (next.config().clientAddress() != ctx.config().clientAddress()) {
      ctx = next;
      tellAll(new TunnelCommand.Settings(ctx));
    }
    refill();
  }

  private void refill() {
    if (stopping || retryTimer >= 0 || gate.effective(config.clientAddress()) == null) {
      return;
    }
    int toOpen = pool.toOpen(config, spares.size(), deployments.size(), System.nanoTime());
    if (spares.size() < config.spares() && deployments.size() >= config.maxTunnels()) {
      log.limited(java.util.logging.Level.INFO, "limit:" + config.name(), "tunnel_limit", "service", config.name(),
          "tunnels", deployments.size(), "maxTunnels", config.maxTunnels(), "spares", spares.size());
    }
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
    meters.opened();
    spares.add(tunnelId);
    Future<String> deployment = vertx.deployVerticle(new TunnelVerticle(tunnelId, ctx));
    deployments.put(tunnelId, deployment);
    deployment.onFailure(e -> {
      spares.remove(tunnelId);
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

  /** Every tunnel's state, each read on its own event loop; a tunnel still opening shows as such. */
  @Override
  public Future<JsonObject> status() {
    Promise<JsonObject> done = Promise.promise();
    context.runOnContext(v -> {
      List<Future<JsonObject>> each = new ArrayList<>();
      for (long id : deployments.keySet()) {
        each.add(vertx.eventBus().<JsonObject>request(TunnelContext.commandsAddress(config.name(), id),
            new TunnelCommand.Status()).map(Message::body).otherwise(ServiceStatus.opening(config, id)));
      }
      ServiceStatus.Counts counts = new ServiceStatus.Counts(spares.size(), deployments.size(),
          ctx == null ? config.clientAddress() : ctx.config().clientAddress(), gate.problem());
      Future.all(each).onComplete(r -> done.complete(ServiceStatus.of(config, counts,
          each.stream().map(Future::result).toList())));
    });
    return done.future();
  }
}
