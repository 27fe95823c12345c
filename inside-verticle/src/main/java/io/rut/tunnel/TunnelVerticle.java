package io.rut.tunnel;

import static io.rut.protocol.ControlMessage.hex;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.rut.metrics.Direction;
import io.rut.metrics.DropReason;
import io.rut.protocol.CloseReason;
import io.rut.protocol.ControlCodec;
import io.rut.protocol.ControlMessage;
import io.rut.protocol.MalformedControlException;
import io.rut.protocol.RejectReason;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;

/**
 * One tunnel of the inside agent: its tunnel socket towards the outside agent, its service socket
 * towards the service, and the timers that keep it registered (PROTOCOL.md section 5). Both sockets
 * and all state live on this verticle's event loop: a datagram never changes threads.
 *
 * <p>The service socket is opened with the tunnel, so the first datagram of a client finds it ready.
 */
public final class TunnelVerticle extends VerticleBase {

  private static final long SECOND = 1_000_000_000L;
  /** Sent nothing for this long: re-validate the NAT mapping before the next data datagram. */
  private static final long QUIET_BEFORE_DATA = 15 * SECOND;
  /** Sent data but heard nothing for this long: probe at once (at most once a second). */
  private static final long DEAF_WHILE_SENDING = 2 * SECOND;
  private static final int MISSED_ACKS_BEFORE_HELLO = 3;
  /** Keepalives fall due on a grid of at most this many milliseconds (see {@link #onGrid}). */
  private static final long KEEPALIVE_GRID_MS = 100;
  /**
   * After an outside restart, spares re-register this much later than active tunnels, so that the
   * outside restores every client's binding before it has a spare to bind a waiting client to.
   */
  private static final long SPARE_REREGISTER_DELAY_MS = 500;
  /**
   * A new tunnel's first HELLO retry: agents started together (a reboot, a compose file) often
   * send the first HELLO before the outside listens, and a client should not wait a second for it.
   */
  static final long FIRST_HELLO_RETRY_MS = 200;
  /** A tunnel that lost its outside retries HELLO from 1 s, doubling (PROTOCOL.md section 5, step 6). */
  private static final long REREGISTER_HELLO_RETRY_MS = 1000;
  /**
   * CLOSE is not acknowledged (PROTOCOL.md section 5), so a tunnel that closes sends it twice, this
   * far apart, before its socket goes: one lost datagram must not leave the outside sending the
   * client into a closed tunnel until it expires.
   */
  public static final long CLOSE_REPEAT_MS = 100;
  /**
   * How long a spare bound to a client that another tunnel carries waits for that tunnel to restore
   * its binding (a round trip or two) before it takes the other for dead and carries the client.
   */
  static final long CONFLICT_GRACE_MS = 2_000;

  private final long tunnelId;
  private TunnelContext ctx;
  private ControlCodec codec;
  private RelaySocket tunnelSocket;
  private RelaySocket serviceSocket;
  private MessageConsumer<JsonObject> commands;
  private SocketAddress outside;
  private SocketAddress target;
  /** The same two addresses resolved once, to send to. */
  private InetSocketAddress outsideInet;
  private InetSocketAddress targetInet;

  private InetSocketAddress client;
  private boolean active;
  private boolean registered;
  private boolean everRegistered;
  /** An AUTH went out: the outside may hold this tunnel even before its ACK arrives. */
  private boolean knownToOutside;
  private boolean closed;
  private long highestFromOutside;
  private InetSocketAddress lastObserved;
  private int missedAcks;
  private int unansweredHellos;
  private long helloBackoffMs;
  private long helloTimer = -1;
  private long keepaliveTimer = -1;
  private long idleTimer = -1;
  private long conflictTimer = -1;
  /** Bound by the outside to a client another tunnel carries: waiting for that one to restore its binding. */
  private boolean conflicted;
  private long idleTimeoutNanos;
  private long lastReceived;
  private long lastSent;
  private long lastData;
  private long lastProbe;
  private long keepaliveCounter;
  private long keepaliveSentNanos;
  private long toServiceDatagrams;
  private long toServiceBytes;
  private long fromServiceDatagrams;
  private long fromServiceBytes;
  private final long openedNanos = System.nanoTime();

  public TunnelVerticle(long tunnelId, TunnelContext ctx) {
    this.tunnelId = tunnelId;
    this.ctx = ctx;
  }

  public long tunnelId() {
    return tunnelId;
  }

  @Override
  public Future<?> start() {
    codec = new ControlCodec(ctx.keys());
    outside = Udp.vertx(ctx.outside());
    target = Udp.vertx(ctx.target());
    outsideInet = ctx.outside();
    targetInet = ctx.target();
    double jitter = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
    idleTimeoutNanos = (long) (ctx.config().connectionTimeout().toNanos() * jitter);
    tunnelSocket = RelaySocket.create(vertx, ctx.outside())
        .handler(this::onTunnelDatagram).exceptionHandler(this::onSocketError).sendFailureHandler(this::onSendFailed);
    serviceSocket = RelaySocket.create(vertx, ctx.target())
        .handler(this::onServiceDatagram).exceptionHandler(this::onSocketError).sendFailureHandler(this::onSendFailed);
    commands = vertx.eventBus().localConsumer(ctx.commandsAddress(), m -> onCommand(m.body()));
    long now = System.nanoTime();
    lastReceived = lastSent = lastData = now;
    // Bound in the background: a start future that completes after an undeploy has failed it
    // leaves Vert.x unable to close, and an agent stopping during a burst of new spares does that.
    Future.all(
            tunnelSocket.listen(0, Udp.wildcardFor(ctx.outside())),
            serviceSocket.listen(0, Udp.wildcardFor(ctx.target())),
            commands.completion())
        .onSuccess(v -> {
          if (!closed) {
            startHello(FIRST_HELLO_RETRY_MS);
            scheduleKeepalive();
          }
        })
        .onFailure(e -> {
          ctx.log().limited(Level.WARNING, "open-failed:" + ctx.config().name(), "tunnel_open_failed",
              "service", ctx.config().name(), "error", e.getMessage());
          close("open_failed", false);
        });
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    cancelTimers();
    Future<Void> bye = Future.succeededFuture();
    if (!closed && knownToOutside) {
      bye = sendControl(ControlMessage.close(ctx.serviceId(), tunnelId, ctx.counter().next(), CloseReason.SHUTDOWN))
          .recover(e -> Future.succeededFuture());
    }
    closed = true;
    return bye.eventually(() -> Future.all(tunnelSocket.close(), serviceSocket.close(), commands.unregister()));
  }

  // ---- data path ----------------------------------------------------------------------------

  private void onTunnelDatagram(ByteBuf data, SocketAddress sender) {
    if (sender.port() != outside.port() || !Udp.key(sender).equals(outside)) {
      ctx.meters().drop(DropReason.STRANGER);
      ctx.log().limited(Level.WARNING, "stranger:" + ctx.config().name(), "stranger_dropped",
          "service", ctx.config().name(), "from", Udp.show(sender));
      return;
    }
    long now = System.nanoTime();
    lastReceived = now;
    if (Udp.maybeControl(data) && handledAsControl(data)) {
      return;
    }
    if (!data.isReadable()) {
      ctx.meters().drop(DropReason.EMPTY);
      return;
    }
    if (conflicted) {
      ctx.meters().drop(DropReason.BINDING_CONFLICT);
      return;
    }
    if (!active) {
      activate(null); // BIND was lost: the first data datagram activates the tunnel all the same
    }
    lastData = now;
    toServiceDatagrams++;
    toServiceBytes += data.readableBytes();
    ctx.meters().forwarded(Direction.TUNNEL_TO_SERVICE, data.readableBytes());
    serviceSocket.forward(data, targetInet);
  }

  private void onServiceDatagram(ByteBuf data, SocketAddress sender) {
    if (sender.port() != target.port() || !Udp.key(sender).equals(target)) {
      ctx.meters().drop(DropReason.NOT_FROM_SERVICE);
      return;
    }
    if (!data.isReadable()) {
      ctx.meters().drop(DropReason.EMPTY);
      return;
    }
    long now = System.nanoTime();
    if (now - lastSent > QUIET_BEFORE_DATA
        || (now - lastReceived > DEAF_WHILE_SENDING && now - lastProbe > SECOND)) {
      lastProbe = now;
      sendKeepalive();
    }
    lastSent = lastData = now;
    fromServiceDatagrams++;
    fromServiceBytes += data.readableBytes();
    ctx.meters().forwarded(Direction.SERVICE_TO_TUNNEL, data.readableBytes());
    tunnelSocket.forward(data, outsideInet);
  }

  private void onSendFailed(Throwable e) {
    ctx.meters().drop(DropReason.SEND_FAILED);
    ctx.log().limited(Level.WARNING, "send-failed:" + ctx.config().name(), "send_failed",
        "service", ctx.config().name(), "error", e.getMessage());
  }

  private void onSocketError(Throwable e) {
    ctx.log().limited(Level.WARNING, "socket-error:" + ctx.config().name(), "socket_error",
        "service", ctx.config().name(), "error", e.getMessage());
  }

  // ---- control ------------------------------------------------------------------------------

  private boolean handledAsControl(ByteBuf data) {
    ControlMessage m;
    try {
      m = codec.decode(ByteBufUtil.getBytes(data));
    } catch (MalformedControlException e) {
      ctx.meters().drop(DropReason.MALFORMED_CONTROL);
      return true;
    }
    if (m == null) {
      return false;
    }
    ctx.meters().controlIn(m.type());
    if (m.serviceId() != ctx.serviceId()) {
      ctx.meters().drop(DropReason.WRONG_SERVICE);
      return true;
    }
    if (m.tunnelId() != tunnelId) {
      ctx.meters().drop(DropReason.UNKNOWN_TUNNEL);
      return true;
    }
    switch (m.type()) {
      case CHALLENGE -> onChallenge(m);
      case ACK, BIND, CLOSE -> {
        if (m.counter() <= highestFromOutside) {
          ctx.meters().drop(DropReason.REPLAY);
          return true;
        }
        highestFromOutside = m.counter();
        switch (m.type()) {
          case ACK -> onAck(m);
          case BIND -> onBind(m);
          default -> onClose(m);
        }
      }
      case REJECT -> onReject(m);
      default -> ctx.meters().drop(DropReason.WRONG_DIRECTION);
    }
    return true;
  }

  private void onChallenge(ControlMessage m) {
    unansweredHellos = 0;
    if (registered && keepaliveCounter == 0) {
      // A late answer to a HELLO sent before the ACK (a retry in a registration burst): nothing to do.
      return;
    }
    boolean answersKeepalive = registered;
    boolean outsideRestarted = answersKeepalive && m.address() != null && m.address().equals(lastObserved);
    if (outsideRestarted && !active) {
      // Same public address, yet the outside no longer knows us: it lost its state.
      registered = false;
      publish("outside-restart");
      reregisterLater();
      return;
    }
    knownToOutside = true;
    sendControl(ControlMessage.auth(ctx.serviceId(), tunnelId, ctx.counter().next(), m.cookie(), client));
    if (!answersKeepalive) {
      return;
    }
    if (outsideRestarted) {
      publish("outside-restart");
    } else {
      ctx.meters().event("nat_rebinding");
      ctx.log().info("nat_rebinding", "service", ctx.config().name(), "tunnel", hex(tunnelId),
          "from", Udp.show(lastObserved), "to", Udp.show(m.address()));
    }
  }

  private void onAck(ControlMessage m) {
    long now = System.nanoTime();
    if (m.ackedCounter() == keepaliveCounter && keepaliveCounter != 0) {
      ctx.meters().keepaliveRtt(now - keepaliveSentNanos);
      keepaliveCounter = 0;
    }
    ctx.lastAckNanos().set(now);
    missedAcks = 0;
    lastObserved = m.address();
    if (!registered) {
      registered = true;
      keepaliveCounter = 0;
      cancelHello();
      if (!everRegistered) {
        everRegistered = true;
        publish("registered");
      }
    }
  }

  private void onBind(ControlMessage m) {
    if (conflicted) {
      return;
    }
    client = m.address();
    Long carrier = ctx.carriers().putIfAbsent(client, tunnelId);
    if (active) {
      return;
    }
    if (carrier == null || carrier == tunnelId) {
      activate(client);
    } else {
      awaitRestoration(carrier);
    }
  }

  /**
   * The outside bound this spare to a client that another tunnel of ours still carries: it lost
   * that tunnel's binding (it restarted, or let the tunnel expire). Rather than show the service a
   * second peer for the same client, the agent has the carrier register again, whose AUTH restores
   * the binding and makes the outside close this tunnel; meanwhile the client's datagrams here are
   * dropped. A carrier that has not done so within {@link #CONFLICT_GRACE_MS} is taken for dead.
   */
  private void awaitRestoration(long carrier) {
    conflicted = true;
    publish(event("binding-lost").put("carrier", carrier));
    conflictTimer = vertx.setTimer(CONFLICT_GRACE_MS, id -> {
      conflictTimer = -1;
      if (!closed && conflicted) {
        conflicted = false;
        ctx.carriers().put(client, tunnelId);
        ctx.meters().event("binding_taken_over");
        activate(client);
      }
    });
  }

  private void onClose(ControlMessage m) {
    CloseReason reason = CloseReason.of(m.reason());
    close(reason == null ? "closed_by_outside" : "outside_" + reason.name().toLowerCase(), false);
  }

  private void onReject(ControlMessage m) {
    RejectReason reason = RejectReason.of(m.reason());
    String why = reason == null ? "reason " + m.reason() : reason.name().toLowerCase();
    ctx.log().limited(Level.WARNING, "reject:" + ctx.config().name() + ":" + why, "tunnel_rejected",
        "service", ctx.config().name(), "reason", why, "retryAfter", m.retryAfter());
    registered = false;
    cancelHello();
    helloTimer = vertx.setTimer(Math.max(1000, m.retryAfter() * 1000L), id -> {
      helloTimer = -1;
      sendHello();
      scheduleHello();
    });
  }

  private void onCommand(JsonObject command) {
    switch (command.getString("command", "")) {
      case "reregister" -> {
        Long only = command.getLong("tunnel");
        if (only != null && only != tunnelId) {
          return;
        }
        registered = false;
        if (active) {
          startHello();
        } else {
          reregisterLater();
        }
      }
      case "outside" -> {
        ctx = ctx.withOutside(new InetSocketAddress(command.getString("host"), command.getInteger("port")));
        outside = Udp.vertx(ctx.outside());
        outsideInet = ctx.outside();
      }
      default -> { }
    }
  }

  private void activate(InetSocketAddress boundClient) {
    active = true;
    client = boundClient;
    publish("bound");
    scheduleIdleCheck(idleTimeoutNanos);
  }

  // ---- timers -------------------------------------------------------------------------------

  private void reregisterLater() {
    cancelHello();
    helloTimer = vertx.setTimer(SPARE_REREGISTER_DELAY_MS, id -> {
      helloTimer = -1;
      if (!closed) {
        startHello();
      }
    });
  }

  private void startHello() {
    startHello(REREGISTER_HELLO_RETRY_MS);
  }

  private void startHello(long firstRetryMs) {
    cancelHello();
    helloBackoffMs = Math.min(firstRetryMs, keepaliveMillis());
    sendHello();
    scheduleHello();
  }

  private void scheduleHello() {
    helloTimer = vertx.setTimer(helloBackoffMs, id -> {
      helloTimer = -1;
      if (!registered && !closed) {
        sendHello();
        helloBackoffMs = Math.min(helloBackoffMs * 2, keepaliveMillis());
        scheduleHello();
      }
    });
  }

  private void sendHello() {
    if (++unansweredHellos == 4) {
      // HELLO is only answered when its tag verifies: silence usually means a wrong secret or name.
      ctx.log().limited(Level.WARNING, "no-challenge:" + ctx.config().name(), "outside_not_answering",
          "service", ctx.config().name(), "outside", Udp.show(ctx.outside()),
          "hint", "check that both agents use the same service name, secret and port");
    }
    sendControl(ControlMessage.hello(ctx.serviceId(), tunnelId, ctx.counter().next(), !active));
  }

  private void scheduleKeepalive() {
    double jitter = 0.9 + 0.2 * ThreadLocalRandom.current().nextDouble();
    keepaliveTimer = vertx.setTimer(onGrid((long) (keepaliveMillis() * jitter), keepaliveMillis()), id -> {
      if (closed) {
        return;
      }
      if (registered) {
        if (missedAcks >= MISSED_ACKS_BEFORE_HELLO) {
          registered = false;
          ctx.log().limited(Level.WARNING, "silent:" + ctx.config().name(), "outside_silent",
              "service", ctx.config().name(), "missedAcks", missedAcks);
          publish("outside-silent");
          startHello();
        } else {
          missedAcks++;
          sendKeepalive();
        }
      }
      scheduleKeepalive();
    });
  }

  private void sendKeepalive() {
    keepaliveCounter = ctx.counter().next();
    keepaliveSentNanos = System.nanoTime();
    sendControl(ControlMessage.keepalive(ctx.serviceId(), tunnelId, keepaliveCounter, client));
  }

  /**
   * Takes changed settings or keys of the service (a configuration reload): the tunnel keeps its
   * sockets, its client and its registration; new intervals apply from the next timer on.
   */
  public void update(TunnelContext next) {
    if (context == null) { // deployment not started yet: it starts with the new settings
      ctx = next.withOutside(ctx.outside());
      return;
    }
    context.runOnContext(v -> {
      boolean newKeys = next.keys() != ctx.keys();
      boolean newTimeout = !next.config().connectionTimeout().equals(ctx.config().connectionTimeout());
      boolean newInterval = !next.config().keepaliveInterval().equals(ctx.config().keepaliveInterval());
      ctx = next.withOutside(ctx.outside());
      if (newKeys) {
        codec = new ControlCodec(ctx.keys());
      }
      if (closed) {
        return;
      }
      if (newTimeout) {
        idleTimeoutNanos = (long) (ctx.config().connectionTimeout().toNanos()
            * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
        if (active) {
          vertx.cancelTimer(idleTimer);
          scheduleIdleCheck(Math.max(0, idleTimeoutNanos - (System.nanoTime() - lastData)));
        }
      }
      if (newInterval) {
        vertx.cancelTimer(keepaliveTimer);
        scheduleKeepalive();
      }
    });
  }

  private void scheduleIdleCheck(long inNanos) {
    idleTimer = vertx.setTimer(Math.max(1, inNanos / 1_000_000), id -> {
      long idle = System.nanoTime() - lastData;
      if (idle >= idleTimeoutNanos) {
        close("idle", true);
      } else {
        scheduleIdleCheck(idleTimeoutNanos - idle);
      }
    });
  }

  /**
   * {@code delayMs}, moved to the nearest tick of a grid that all tunnels share (1/50 of the
   * keepalive interval, at most 100 ms): tunnels of one event loop whose keepalives fall due
   * together are served by one wake-up of that loop, which is what idle tunnels cost. The move is
   * at most 1 % of the interval, well inside the ±10 % jitter.
   */
  static long onGrid(long delayMs, long intervalMs) {
    long grid = Math.max(1, Math.min(KEEPALIVE_GRID_MS, intervalMs / 50));
    long now = System.nanoTime() / 1_000_000;
    long due = Math.round((now + delayMs) / (double) grid) * grid;
    return Math.max(1, due - now);
  }

  private long keepaliveMillis() {
    return Math.max(1, ctx.config().keepaliveInterval().toMillis());
  }

  private void cancelHello() {
    if (helloTimer >= 0) {
      vertx.cancelTimer(helloTimer);
      helloTimer = -1;
    }
  }

  private void cancelTimers() {
    cancelHello();
    for (long t : new long[] {keepaliveTimer, idleTimer, conflictTimer}) {
      if (t >= 0) {
        vertx.cancelTimer(t);
      }
    }
    keepaliveTimer = idleTimer = conflictTimer = -1;
  }

  // ---- closing and reporting ----------------------------------------------------------------

  private void close(String reason, boolean tellOutside) {
    if (closed) {
      return;
    }
    Future<Void> bye = Future.succeededFuture();
    if (tellOutside && knownToOutside) {
      CloseReason why = "idle".equals(reason) ? CloseReason.IDLE : CloseReason.SHUTDOWN;
      bye = sendClose(why)
          .compose(v -> vertx.timer(CLOSE_REPEAT_MS))
          .compose(v -> sendClose(why));
    }
    closed = true;
    cancelTimers();
    if (client != null) {
      ctx.carriers().remove(client, tunnelId);
    }
    ctx.meters().closed(reason);
    ctx.log().debug("tunnel_closed", "service", ctx.config().name(), "tunnel", hex(tunnelId), "reason", reason);
    JsonObject event = event("closed").put("reason", reason);
    bye.onComplete(v -> {
      vertx.eventBus().publish(ctx.eventsAddress(), event);
    });
  }

  private Future<Void> sendClose(CloseReason why) {
    return sendControl(ControlMessage.close(ctx.serviceId(), tunnelId, ctx.counter().next(), why))
        .recover(e -> Future.succeededFuture());
  }

  private Future<Void> sendControl(ControlMessage m) {
    ctx.meters().controlOut(m.type());
    lastSent = System.nanoTime();
    return tunnelSocket.sendNow(Buffer.buffer(codec.encode(m)), outsideInet);
  }

  private void publish(String name) {
    publish(event(name));
  }

  private void publish(JsonObject event) {
    vertx.eventBus().publish(ctx.eventsAddress(), event);
  }

  private JsonObject event(String name) {
    return new JsonObject().put("event", name).put("service", ctx.config().name()).put("tunnel", tunnelId)
        .put("client", client == null ? null : Udp.show(client));
  }

  /** This tunnel's state as JSON, read on its event loop. */
  public Future<JsonObject> status() {
    if (context == null) { // deployment not started yet
      return Future.succeededFuture(new JsonObject().put("service", ctx.config().name())
          .put("tunnel", hex(tunnelId)).put("state", "opening"));
    }
    io.vertx.core.Promise<JsonObject> p = io.vertx.core.Promise.promise();
    context.runOnContext(v -> p.complete(new JsonObject()
        .put("service", ctx.config().name()).put("tunnel", hex(tunnelId))
        .put("state", active ? "active" : "spare").put("registered", registered)
        .put("client", client == null ? null : Udp.show(client))
        .put("publicAddress", Udp.show(lastObserved))
        .put("tunnelPort", tunnelSocket.localAddress().port())
        .put("servicePort", serviceSocket.localAddress().port())
        .put("ageSeconds", seconds(System.nanoTime() - openedNanos))
        .put("idleSeconds", seconds(System.nanoTime() - lastData))
        .put("datagramsToService", toServiceDatagrams).put("bytesToService", toServiceBytes)
        .put("datagramsFromService", fromServiceDatagrams).put("bytesFromService", fromServiceBytes)));
    return p.future();
  }

  private static double seconds(long nanos) {
    return Math.round(nanos / 1e6) / 1e3;
  }
}
