package io.rut.inside;

import static io.rut.protocol.ControlMessage.hex;

import io.netty.buffer.ByteBuf;
import io.rut.control.ControlChannel;
import io.rut.metrics.DropReason;
import io.rut.net.BatchingRefused;
import io.rut.net.RelaySocket;
import io.rut.net.Udp;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.util.SplittableRandom;
import java.util.logging.Level;

/**
 * One tunnel of the inside agent: its tunnel socket towards the outside agent, its service socket
 * towards the service, one timer armed for the {@link Tunnel}'s next deadline, and its commands on
 * the event bus. Sockets and state live on this verticle's event loop: a datagram never changes
 * threads. The service socket is opened with the tunnel, so a client's first datagram finds it ready.
 */
public final class TunnelVerticle extends VerticleBase implements TunnelOutput {

  private final long id;
  private TunnelContext ctx;
  private Tunnel tunnel;
  private TunnelDatagrams datagrams;
  private RelaySocket tunnelSocket;
  private ServiceSockets serviceSockets;
  private MessageConsumer<TunnelCommand> commands;
  private long timer = -1;
  private long armedFor = TunnelDeadlines.NEVER;
  private Future<Void> lastControl = Future.succeededFuture();
  private boolean undeploying;

  public TunnelVerticle(long id, TunnelContext ctx) {
    this.id = id;
    this.ctx = ctx;
  }

  @Override
  public Future<?> start() {
    long now = System.nanoTime();
    ControlChannel channel = new ControlChannel(ctx.config().name(), ctx.keys(), ctx.counter(), ctx.meters());
    tunnel = new Tunnel(id, ctx, channel, new TunnelDeadlines(ctx.config(), new SplittableRandom()), this, now);
    datagrams = tunnel.datagrams();
    tunnelSocket = RelaySocket.create(vertx, ctx.outside()).exceptionHandler(this::onSocketError)
        .sendFailureHandler(this::onSendFailed).batchingRefusedHandler(this::onBatchingRefused)
        .handler(this::onTunnelDatagram);
    serviceSockets = new ServiceSockets(vertx, ctx.target(), this::onServiceDatagram, this::onSocketError,
        this::onSendFailed, this::onBatchingRefused);
    commands = vertx.eventBus().localConsumer(TunnelContext.commandsAddress(ctx.config().name(), id), this::onCommand);
    // Bound in the background: a start future that completes after an undeploy has failed it
    // leaves Vert.x unable to close, and an agent stopping during a burst of new spares does that.
    Future.all(tunnelSocket.listen(0, Udp.wildcardFor(ctx.outside())),
            serviceSockets.listen(), commands.completion())
        .onSuccess(v -> {
          tunnel.opened(System.nanoTime());
          rearm();
        })
        .onFailure(e -> {
          ctx.log().limited(Level.WARNING, "open-failed:" + ctx.config().name(), "tunnel_open_failed",
              "service", ctx.config().name(), "error", e.getMessage());
          tunnel.openFailed(System.nanoTime());
          rearm();
        });
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    cancelTimer();
    tunnel.shutdown(System.nanoTime());
    return lastControl.recover(e -> Future.succeededFuture())
        .eventually(() -> Future.all(tunnelSocket.close(), serviceSockets.close(), commands.unregister()));
  }

  private void onTunnelDatagram(ByteBuf data, InetSocketAddress sender, long now) {
    datagrams.fromOutside(data, sender, now);
    if (tunnel.nextDeadline() < armedFor || tunnel.state() == TunnelState.CLOSED) {
      rearm();
    }
  }

  private void onServiceDatagram(ByteBuf data, InetSocketAddress sender, long now) {
    datagrams.fromService(data, sender, now);
  }

  private void onCommand(Message<TunnelCommand> m) {
    long now = System.nanoTime();
    TunnelCommand c = m.body();
    if (c instanceof TunnelCommand.Reregister) {
      tunnel.reregister(now);
    } else if (c instanceof TunnelCommand.Verdict v) {
      tunnel.verdict(v.granted(), now);
    } else if (c instanceof TunnelCommand.OutsideMoved o) {
      ctx = ctx.withOutside(o.outside());
      tunnel.path().outsideMoved(o.outside());
    } else if (c instanceof TunnelCommand.Settings s) {
      ctx = s.context().withOutside(ctx.outside());
      tunnel.update(ctx, now);
    } else if (c instanceof TunnelCommand.Status) {
      m.reply(status(now));
    }
    rearm();
  }

  // ---- the one timer ------------------------------------------------------------------------

  /** Arms the one timer for the tunnel's next deadline; a finished tunnel undeploys itself. */
  private void rearm() {
    if (tunnel.finished()) {
      cancelTimer();
      if (!undeploying) {
        undeploying = true;
        vertx.undeploy(deploymentID());
      }
      return;
    }
    long next = tunnel.nextDeadline();
    if (next == armedFor) {
      return;
    }
    cancelTimer();
    armedFor = next;
    if (next != TunnelDeadlines.NEVER) {
      long ms = Math.max(1, (next - System.nanoTime() + 999_999) / 1_000_000);
      timer = vertx.setTimer(ms, t -> {
        timer = -1;
        armedFor = TunnelDeadlines.NEVER;
        tunnel.tick(System.nanoTime());
        rearm();
      });
    }
  }

  private void cancelTimer() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    armedFor = TunnelDeadlines.NEVER;
  }

  // ---- TunnelOutput -------------------------------------------------------------------------

  @Override
  public void toService(ByteBuf data, InetSocketAddress service) {
    serviceSockets.current().forward(data, service);
  }

  @Override
  public void toService(byte[] header, ByteBuf data, InetSocketAddress service) {
    serviceSockets.current().forward(header, data, service);
  }

  @Override
  public void toService(byte[] datagram, InetSocketAddress service) {
    serviceSockets.current().send(datagram, service);
  }

  @Override
  public void toOutside(ByteBuf data, InetSocketAddress outside) {
    tunnelSocket.forward(data, outside);
  }

  @Override
  public void sendControl(byte[] message, InetSocketAddress outside) {
    lastControl = tunnelSocket.sendNow(message, outside);
  }

  @Override
  public void publish(TunnelEvent event) {
    vertx.eventBus().publish(TunnelContext.eventsAddress(ctx.config().name()), event);
  }

  @Override
  public ServiceRoute route(ServiceRoute planned) {
    ServiceRoute route = serviceSockets.use(planned);
    if (route.fallback() == ServiceRoute.Fallback.BIND_FAILED) {
      ctx.log().limited(Level.WARNING, "transparent-bind:" + ctx.config().name(), "transparent_bind_failed",
          "service", ctx.config().name(), "client", Udp.show(planned.source()), "error", serviceSockets.lastError());
    }
    return route;
  }

  private void onSendFailed(Throwable e) {
    ctx.meters().drop(DropReason.SEND_FAILED);
    ctx.log().limited(Level.WARNING, "send-failed:" + ctx.config().name(), "send_failed",
        "service", ctx.config().name(), "error", e.getMessage());
  }

  private void onBatchingRefused(BatchingRefused r) {
    ctx.meters().event(r.event());
    ctx.log().limited(Level.WARNING, r.event() + ":" + ctx.config().name(), r.event(),
        "service", ctx.config().name(), "error", r.error(), "now", r.fallback());
  }

  private void onSocketError(Throwable e) {
    ctx.log().limited(Level.WARNING, "socket-error:" + ctx.config().name(), "socket_error",
        "service", ctx.config().name(), "error", e.getMessage());
  }

  private JsonObject status(long now) {
    TunnelStats s = tunnel.stats();
    return new JsonObject().put("service", ctx.config().name()).put("tunnel", hex(id))
        .put("state", tunnel.state().name().toLowerCase()).put("registered", tunnel.state().registered())
        .put("client", tunnel.client() == null ? null : Udp.show(tunnel.client()))
        .put("publicAddress", Udp.show(tunnel.path().publicAddress()))
        .put("tunnelPort", tunnelSocket.localAddress().getPort())
        .put("servicePort", serviceSockets.localPort()).put("carried", datagrams.carried())
        .put("ageSeconds", seconds(now - s.opened())).put("idleSeconds", seconds(now - s.lastData()))
        .put("secondsSinceAck", !tunnel.path().acked() ? null : seconds(now - tunnel.path().lastAck()))
        .put("datagramsToService", s.toServiceDatagrams()).put("bytesToService", s.toServiceBytes())
        .put("datagramsFromService", s.fromServiceDatagrams()).put("bytesFromService", s.fromServiceBytes());
  }

  private static double seconds(long nanos) {
    return Math.round(nanos / 1e6) / 1e3;
  }
}
