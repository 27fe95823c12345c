package io.rut.outside;

import static io.rut.protocol.ControlMessage.hex;

import io.netty.buffer.ByteBuf;
import io.rut.agent.LocalCodec;
import io.rut.agent.ServiceUnit;
import io.rut.config.OutsideServiceConfig;
import io.rut.metrics.DropReason;
import io.rut.metrics.EventLog;
import io.rut.metrics.ServiceMeters;
import io.rut.net.RelaySocket;
import io.rut.net.Udp;
import io.rut.protocol.MessageCounter;
import io.rut.protocol.ServiceKeys;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.logging.Level;

/**
 * The outside agent's verticle for one service: owns the service's public socket and the sweep
 * timer, feeds each datagram to its {@link Relay} with the time, and carries the relay's decisions
 * out. Everything runs on this verticle's event loop, so the relay needs no locks.
 */
public final class RelayVerticle extends VerticleBase implements ServiceUnit<OutsideServiceConfig>, RelayOutput {

  private final OutsideServiceConfig initial;
  private final ServiceKeys keys;
  private final MessageCounter counter;
  private final ServiceMeters meters;
  private final EventLog log;
  private Relay relay;
  private RelaySocket socket;
  private long sweepTimer = -1;
  private long sweepMillis;
  private Future<Void> lastControl = Future.succeededFuture();

  public RelayVerticle(OutsideServiceConfig config, ServiceKeys keys, MessageCounter counter, ServiceMeters meters,
                       EventLog log) {
    this.initial = config;
    this.keys = keys;
    this.counter = counter;
    this.meters = meters;
    this.log = log;
  }

  @Override
  public Future<?> start() {
    LocalCodec.register(vertx, OutsideEvent.class);
    relay = new Relay(initial, keys, counter, meters, log, this);
    return vertx.executeBlocking(() -> initial.listen().resolve())
        .compose(listen -> {
          socket = RelaySocket.create(vertx, listen.getAddress() instanceof Inet6Address, true);
          socket.handler(relay::onDatagram);
          socket.sendFailureHandler(this::sendFailed);
          socket.batchingRefusedHandler(r -> {
            meters.event(r.event());
            log.warn(r.event(), "service", initial.name(), "error", r.error(), "now", r.fallback());
          });
          socket.exceptionHandler(e -> log.limited(Level.WARNING, "socket-error", "socket_error",
              "service", initial.name(), "error", e.getMessage()));
          return socket.listen(listen.getPort(), listen.getAddress().getHostAddress())
              .recover(e -> Future.failedFuture("cannot listen on " + initial.listen() + " for service '"
                  + initial.name() + "': " + Udp.describe(e)));
        })
        .onSuccess(s -> {
          scheduleSweep();
          log.info("listening", "service", initial.name(), "address", Udp.show(socket.localAddress()),
              "maxTunnels", initial.maxTunnels(), "maxSpares", initial.maxSpares(),
              "keepaliveInterval", initial.keepaliveInterval().toMillis() / 1000.0, "batching", socket.batching());
        });
  }

  private void scheduleSweep() {
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
    }
    sweepMillis = relay.tickMillis();
    sweepTimer = vertx.setPeriodic(sweepMillis, id -> relay.tick(System.nanoTime()));
  }

  @Override
  public Future<Void> update(OutsideServiceConfig next, ServiceKeys nextKeys) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      relay.update(next, nextKeys);
      if (relay.tickMillis() != sweepMillis) {
        scheduleSweep();
      }
      done.complete();
    });
    return done.future();
  }

  /** The service is going away: every tunnel gets CLOSE (shutdown), then the socket closes. */
  @Override
  public Future<Void> retire() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      relay.retire(System.nanoTime());
      // Sends on one socket complete in order: once the last CLOSE is out, all are. Then the socket
      // closes at once, so that no tunnel registers with a service that is going away.
      lastControl.onComplete(x -> socket.close().onComplete(y -> done.complete()));
    });
    return done.future();
  }

  @Override
  public Future<?> stop() {
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
    }
    // No CLOSE to the tunnels: a restarted outside agent takes them back, bindings and all (AUTH).
    return socket == null ? Future.succeededFuture() : socket.close();
  }

  /** The port this relay listens on (useful when configured as 0). */
  public int port() {
    return socket.localAddress().getPort();
  }

  // ---- RelayOutput --------------------------------------------------------------------------

  @Override
  public void forward(ByteBuf data, InetSocketAddress to) {
    socket.forward(data, to);
  }

  @Override
  public void send(byte[] datagram, InetSocketAddress to) {
    socket.send(datagram, to);
  }

  @Override
  public void sendControl(byte[] message, InetSocketAddress to) {
    lastControl = socket.sendNow(message, to).onFailure(this::sendFailed);
  }

  @Override
  public void publish(OutsideEvent event) {
    vertx.eventBus().publish(OutsideEvent.ADDRESS, event);
  }

  private void sendFailed(Throwable e) {
    meters.drop(DropReason.SEND_FAILED);
    log.limited(Level.WARNING, "send-failed:" + initial.name(), "send_failed", "service", initial.name(),
        "error", e.getMessage());
  }

  // ---- status -------------------------------------------------------------------------------

  /** This relay's tunnels as the status endpoint shows them, taken on its event loop. */
  @Override
  public Future<JsonObject> status() {
    Promise<JsonObject> p = Promise.promise();
    context.runOnContext(v -> p.complete(status(relay.config().name(), relay.config().maxTunnels(), relay.table(),
        System.nanoTime())));
    return p.future();
  }

  private static JsonObject status(String service, int maxTunnels, TunnelTable table, long now) {
    JsonArray tunnels = new JsonArray();
    for (OutsideTunnel t : table.all()) {
      tunnels.add(new JsonObject().put("service", service).put("tunnel", hex(t.id))
          .put("state", t.spare() ? "spare" : "active")
          .put("client", t.client == null ? null : Udp.show(t.client))
          .put("address", Udp.show(t.address))
          .put("ageSeconds", seconds(now - t.registeredNanos))
          .put("idleSeconds", seconds(now - t.lastDataNanos))
          .put("datagramsToTunnel", t.toTunnelDatagrams).put("bytesToTunnel", t.toTunnelBytes)
          .put("datagramsToClient", t.toClientDatagrams).put("bytesToClient", t.toClientBytes));
    }
    JsonObject status = new JsonObject().put("service", service).put("tunnels", table.size())
        .put("spares", table.spareCount()).put("active", table.activeCount())
        .put("waitingClients", table.pendingCount()).put("healthy", table.size() > 0);
    if (table.size() == 0) {
      status.put("status", "down").put("reason", "no_tunnels");
    } else if (table.spareCount() == 0) {
      // No new client can be taken now: it waits for a spare, or is refused.
      status.put("status", "degraded").put("reason", table.size() >= maxTunnels ? "tunnel_limit" : "no_spare");
    } else {
      status.put("status", "ok");
    }
    return status.put("list", tunnels);
  }

  private static double seconds(long nanos) {
    return Math.round(nanos / 1e6) / 1e3;
  }
}
