package io.rut.outside;

import static io.rut.protocol.ControlMessage.hex;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.rut.agent.ServiceUnit;
import io.rut.config.OutsideServiceConfig;
import io.rut.metrics.Direction;
import io.rut.metrics.DropReason;
import io.rut.metrics.EventLog;
import io.rut.metrics.ServiceMeters;
import io.rut.protocol.CloseReason;
import io.rut.protocol.ControlCodec;
import io.rut.protocol.ControlMessage;
import io.rut.protocol.CookieJar;
import io.rut.protocol.MalformedControlException;
import io.rut.protocol.MessageCounter;
import io.rut.protocol.RejectReason;
import io.rut.protocol.ServiceId;
import io.rut.protocol.ServiceKeys;
import io.rut.tunnel.RelaySocket;
import io.rut.tunnel.Udp;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;

/**
 * The outside agent's relay for one service: owns the service's public socket and its tunnel
 * table. Per datagram it decides by source address: a registered tunnel (control or data for its
 * client), a bound client (data for its tunnel), or a stranger (control, or a new client).
 * Everything runs on this verticle's event loop, so the table needs no locks.
 */
public final class ServiceRelay extends VerticleBase implements ServiceUnit<OutsideServiceConfig> {

  /** Event-bus address where relays publish tunnel lifecycle events (JSON). */
  public static final String EVENTS = "rut.outside.events";
  private static final int REJECT_RETRY_SECONDS = 10;
  private static final int MAX_TOMBSTONES = 65_536;
  /**
   * Long enough for the last datagrams of a tunnel this relay closed to drain. The window is fixed,
   * not renewed by what arrives: the closed tunnel stops within it (it got CLOSE, and gets CLOSE
   * again for any control message), while a new client on the same address (a NAT reusing the
   * port) would otherwise stay locked out for as long as it kept sending.
   */
  public static final long ADDRESS_TOMBSTONE_NANOS = 5_000_000_000L;

  private OutsideServiceConfig config;
  private ServiceKeys keys;
  private final MessageCounter counter;
  private final ServiceMeters meters;
  private final EventLog log;
  private final long serviceId;
  private final TunnelTable table = new TunnelTable();
  private final CookieJar cookies = new CookieJar();
  private final Tombstones<Long> closedIds = new Tombstones<>(MAX_TOMBSTONES);
  private final Tombstones<SocketAddress> closedAddresses = new Tombstones<>(MAX_TOMBSTONES);
  private final Admission admission;
  private final String[] refusedLogKeys = new String[DropReason.values().length];
  private ControlCodec codec;
  private RelaySocket socket;
  private long sweepTimer = -1;

  public ServiceRelay(OutsideServiceConfig config, ServiceKeys keys, MessageCounter counter, ServiceMeters meters,
                      EventLog log) {
    this.config = config;
    this.keys = keys;
    this.counter = counter;
    this.meters = meters;
    this.log = log;
    this.serviceId = ServiceId.of(config.name());
    this.admission = new Admission(config);
    this.codec = new ControlCodec(keys);
    for (DropReason r : DropReason.values()) {
      refusedLogKeys[r.ordinal()] = "refused:" + config.name() + ":" + r.label();
    }
  }

  @Override
  public Future<?> start() {
    meters.tunnelGauges(table::spareCount, table::activeCount);
    return vertx.executeBlocking(() -> config.listen().resolve())
        .compose(listen -> {
          socket = RelaySocket.create(vertx, listen.getAddress() instanceof Inet6Address);
          socket.handler(this::onDatagram);
          socket.sendFailureHandler(this::sendFailed);
          socket.exceptionHandler(e -> log.limited(Level.WARNING, "socket-error", "socket_error",
              "service", config.name(), "error", e.getMessage()));
          return socket.listen(listen.getPort(), listen.getAddress().getHostAddress())
              .recover(e -> Future.failedFuture("cannot listen on " + config.listen() + " for service '"
                  + config.name() + "': " + Udp.describe(e)));
        })
        .onSuccess(s -> {
          scheduleSweep();
          log.info("listening", "service", config.name(), "address", Udp.show(socket.localAddress()),
              "maxTunnels", config.maxTunnels(), "maxSpares", config.maxSpares(),
              "keepaliveInterval", config.keepaliveInterval().toMillis() / 1000.0);
        });
  }

  private void scheduleSweep() {
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
    }
    long period = Math.max(100, Math.min(1000, config.keepaliveInterval().toMillis() / 2));
    sweepTimer = vertx.setPeriodic(period, id -> sweep());
  }

  /**
   * Applies a changed configuration of this service (same name and address) without touching its
   * tunnels: limits, intervals and keys take effect from the next datagram on.
   */
  @Override
  public Future<Void> update(OutsideServiceConfig next, ServiceKeys nextKeys) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      boolean newInterval = !next.keepaliveInterval().equals(config.keepaliveInterval());
      config = next;
      keys = nextKeys;
      codec = new ControlCodec(nextKeys);
      admission.update(next);
      if (newInterval) {
        scheduleSweep();
      }
      done.complete();
    });
    return done.future();
  }

  /** The service is going away: every tunnel gets CLOSE (shutdown) before the socket closes. */
  @Override
  public Future<Void> retire() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      List<Future<Void>> byes = new ArrayList<>();
      for (OutsideTunnel t : new ArrayList<>(table.all())) {
        byes.add(sendControl(ControlMessage.close(serviceId, t.id, counter.next(), CloseReason.SHUTDOWN), t.address));
        removeTunnel(t, "service_removed");
      }
      Future.join(byes).onComplete(r -> done.complete());
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
    return socket.localAddress().port();
  }

  // ---- the data path ------------------------------------------------------------------------

  /** Everything that arrives at the public socket. */
  void onDatagram(ByteBuf data, SocketAddress sender) {
    SocketAddress from = Udp.key(sender);
    if (!data.isReadable()) {
      meters.drop(DropReason.EMPTY);
      return;
    }
    OutsideTunnel tunnel = table.byAddress(from);
    if (tunnel != null) {
      if (Udp.maybeControl(data) && handledAsControl(data, from)) {
        return;
      }
      if (tunnel.client == null) {
        meters.drop(DropReason.NO_CLIENT);
        return;
      }
      tunnel.toClientDatagrams++;
      tunnel.toClientBytes += data.readableBytes();
      tunnel.lastDataNanos = System.nanoTime();
      forward(data, tunnel.clientInet, Direction.TUNNEL_TO_CLIENT);
      return;
    }
    OutsideTunnel bound = table.byClient(from);
    if (bound != null) {
      if (Udp.maybeControl(data) && handledAsControl(data, from)) {
        return;
      }
      long now = System.nanoTime();
      if (now - bound.lastKeepaliveNanos > overdueNanos() && replaceSilent(bound, from, data)) {
        return;
      }
      toTunnel(bound, data, now);
      return;
    }
    if (Udp.maybeControl(data) && handledAsControl(data, from)) {
      return;
    }
    long now = System.nanoTime();
    if (closedAddresses.size() > 0 && closedAddresses.contains(from, now, now)) {
      meters.drop(DropReason.UNKNOWN_TUNNEL);
      return;
    }
    newClient(from, data);
  }

  /** A tunnel is overdue when it misses a keepalive (jitter, a lost one and a round trip allowed for). */
  private long overdueNanos() {
    return config.keepaliveInterval().toNanos() * 3 / 2 + 1_000_000_000L;
  }

  /**
   * The client's tunnel has gone silent while a spare of the same service kept sending keepalives:
   * the inside agent lives but that tunnel does not (the agent was killed and restarted, say).
   * Rather than black-holing the client until the tunnel expires, close it and move the client to
   * the spare. A WireGuard server follows its peer to the new endpoint by itself.
   */
  private boolean replaceSilent(OutsideTunnel silent, SocketAddress client, ByteBuf data) {
    OutsideTunnel spare = table.pollSpare();
    if (spare == null) {
      return false;
    }
    if (spare.lastKeepaliveNanos <= silent.lastKeepaliveNanos) {
      table.offerSpare(spare);
      return false;
    }
    log.info("silent_tunnel_replaced", "service", config.name(), "tunnel", hex(silent.id), "client",
        Udp.show(client), "by", hex(spare.id));
    closeTunnel(silent, CloseReason.UNKNOWN_TUNNEL, "silent");
    admission.hold(ip(client));
    bindClient(spare, client);
    toTunnel(spare, data);
    meters.event("silent_tunnel_replaced");
    return true;
  }

  private void toTunnel(OutsideTunnel tunnel, ByteBuf data) {
    toTunnel(tunnel, data, System.nanoTime());
  }

  private void toTunnel(OutsideTunnel tunnel, ByteBuf data, long now) {
    count(tunnel, data.readableBytes(), now);
    forward(data, tunnel.inetAddress, Direction.CLIENT_TO_TUNNEL);
  }

  private void count(OutsideTunnel tunnel, int bytes, long now) {
    tunnel.toTunnelDatagrams++;
    tunnel.toTunnelBytes += bytes;
    tunnel.lastDataNanos = now;
  }

  /** Sends a received datagram's bytes on as they are: no copy, and an address resolved at bind. */
  private void forward(ByteBuf data, InetSocketAddress to, Direction direction) {
    meters.forwarded(direction, data.readableBytes());
    socket.forward(data, to);
  }

  private void sendFailed(Throwable e) {
    meters.drop(DropReason.SEND_FAILED);
    log.limited(Level.WARNING, "send-failed:" + config.name(), "send_failed", "service", config.name(),
        "error", e.getMessage());
  }

  private void newClient(SocketAddress from, ByteBuf data) {
    long now = System.nanoTime();
    PendingClient waiting = table.pending(from);
    if (waiting == null) {
      // Admission runs before a client waits or binds, so junk can neither queue nor take a spare.
      DropReason refused = admission.admit(from, data, now);
      if (refused != null) {
        meters.drop(refused);
        if (log.due(refusedLogKeys[refused.ordinal()])) {
          log.limited(Level.INFO, refusedLogKeys[refused.ordinal()], "client_refused",
              "service", config.name(), "reason", refused.label(), "example", Udp.show(from));
        }
        return;
      }
      OutsideTunnel spare = table.pendingCount() == 0 ? pollLiveSpare(now) : null;
      if (spare != null) {
        bindClient(spare, from);
        toTunnel(spare, data);
        meters.clientSetup(System.nanoTime() - now);
        return;
      }
      if (table.pendingCount() >= config.maxPendingClients()) {
        admission.release(ip(from));
        meters.drop(DropReason.NO_SPARE);
        log.limited(Level.WARNING, "no-spare:" + config.name(), "no_spare", "service", config.name(),
            "waiting", table.pendingCount());
        return;
      }
      waiting = table.addPending(from);
      meters.event("client_queued");
    }
    // The read buffer is reused after this call: a waiting client's datagram is kept as a copy.
    if (!waiting.offer(Buffer.buffer(ByteBufUtil.getBytes(data)), now)) {
      meters.drop(DropReason.QUEUE_FULL);
    }
  }

  private static byte[] ip(SocketAddress a) {
    return Udp.inet(a).getAddress().getAddress();
  }

  private void bindClient(OutsideTunnel tunnel, SocketAddress client) {
    table.bind(tunnel, client);
    sendControl(ControlMessage.bind(serviceId, tunnel.id, counter.next(), Udp.inet(client)), tunnel.address);
    meters.event("tunnel_bound");
    publish("bound", tunnel);
    log.debug("tunnel_bound", "service", config.name(), "tunnel", hex(tunnel.id), "client", Udp.show(client));
  }

  /**
   * The oldest free spare whose keepalives are on time; one that went quiet (its agent died, its
   * CLOSE was lost) is passed over, and taken only if no other is free.
   */
  private OutsideTunnel pollLiveSpare(long now) {
    OutsideTunnel quiet = null;
    for (int i = table.spareCount(); i > 0; i--) {
      OutsideTunnel t = table.pollSpare();
      if (t == null || now - t.lastKeepaliveNanos <= overdueNanos()) {
        if (quiet != null) {
          table.offerSpare(quiet);
        }
        return t != null ? t : quiet;
      }
      if (quiet != null) {
        table.offerSpare(quiet);
      }
      quiet = t;
    }
    return quiet;
  }

  /** Binds waiting clients to free spares, oldest first, and delivers what they sent meanwhile. */
  private void servePending() {
    long now = System.nanoTime();
    while (table.pendingCount() > 0) {
      OutsideTunnel spare = pollLiveSpare(now);
      if (spare == null) {
        return;
      }
      PendingClient waiting = table.pollPending();
      expire(waiting, now);
      bindClient(spare, waiting.address);
      deliver(waiting, spare);
    }
  }

  private void deliver(PendingClient waiting, OutsideTunnel tunnel) {
    if (!waiting.arrivals.isEmpty()) {
      meters.clientSetup(System.nanoTime() - waiting.arrivals.peek());
    }
    Buffer d;
    long now = System.nanoTime();
    while ((d = waiting.datagrams.poll()) != null) {
      count(tunnel, d.length(), now);
      meters.forwarded(Direction.CLIENT_TO_TUNNEL, d.length());
      socket.send(d, tunnel.inetAddress);
    }
    waiting.arrivals.clear();
  }

  private void expire(PendingClient waiting, long now) {
    int n = waiting.expire(now);
    for (int i = 0; i < n; i++) {
      meters.drop(DropReason.QUEUE_EXPIRED);
    }
  }

  // ---- control messages ---------------------------------------------------------------------

  /** Verifies and handles a control message; false if {@code data} is not one (then it is data). */
  private boolean handledAsControl(ByteBuf data, SocketAddress from) {
    ControlMessage m;
    try {
      m = codec.decode(ByteBufUtil.getBytes(data));
    } catch (MalformedControlException e) {
      meters.drop(DropReason.MALFORMED_CONTROL);
      log.limited(Level.WARNING, "malformed:" + from, "malformed_control", "service", config.name(),
          "from", Udp.show(from), "reason", e.getMessage());
      return true;
    }
    if (m == null) {
      return false;
    }
    meters.controlIn(m.type());
    if (m.serviceId() != serviceId) {
      meters.drop(DropReason.WRONG_SERVICE);
      log.limited(Level.WARNING, "wrong-service:" + from, "unknown_service", "service", config.name(),
          "from", Udp.show(from));
      sendControl(ControlMessage.reject(m.serviceId(), m.tunnelId(), counter.next(), RejectReason.UNKNOWN_SERVICE,
          REJECT_RETRY_SECONDS), from);
      return true;
    }
    switch (m.type()) {
      case HELLO -> challenge(m, from);
      case AUTH -> onAuth(m, from);
      case KEEPALIVE -> onKeepalive(m, from);
      case CLOSE -> onClose(m, from);
      default -> meters.drop(DropReason.WRONG_DIRECTION);
    }
    return true;
  }

  private void challenge(ControlMessage m, SocketAddress from) {
    InetSocketAddress observed = Udp.inet(from);
    if (!admission.allowChallenge(observed.getAddress().getAddress(), System.nanoTime())) {
      meters.drop(DropReason.CHALLENGE_LIMITED);
      return;
    }
    byte[] cookie = cookies.cookie(observed, m.tunnelId(), serviceId);
    sendControl(ControlMessage.challenge(serviceId, m.tunnelId(), counter.next(), cookie, observed), from);
  }

  /** A tunnel this relay closed speaks again (its CLOSE crossed what it sent): close it again. */
  private boolean buried(ControlMessage m, SocketAddress from) {
    long now = System.nanoTime();
    if (table.byId(m.tunnelId()) != null
        || !closedIds.contains(m.tunnelId(), now, now + config.tunnelExpiry().toNanos())) {
      return false;
    }
    meters.drop(DropReason.UNKNOWN_TUNNEL);
    sendControl(ControlMessage.close(serviceId, m.tunnelId(), counter.next(), CloseReason.UNKNOWN_TUNNEL), from);
    return true;
  }

  private void onKeepalive(ControlMessage m, SocketAddress from) {
    if (buried(m, from)) {
      return;
    }
    OutsideTunnel t = table.byId(m.tunnelId());
    if (t == null || !t.address.equals(from)) {
      // Unknown tunnel or another address: the tunnel must prove the address (rebinding, restart).
      challenge(m, from);
      return;
    }
    if (m.counter() <= t.highestCounter) {
      meters.drop(DropReason.REPLAY);
      return;
    }
    t.highestCounter = m.counter();
    t.lastKeepaliveNanos = System.nanoTime();
    sendControl(ControlMessage.ack(serviceId, t.id, counter.next(), m.counter(), t.inetAddress), from);
  }

  private void onAuth(ControlMessage m, SocketAddress from) {
    InetSocketAddress observed = Udp.inet(from);
    if (!cookies.verify(m.cookie(), observed, m.tunnelId(), serviceId)) {
      meters.drop(DropReason.BAD_COOKIE);
      return;
    }
    if (buried(m, from)) {
      return;
    }
    closedAddresses.remove(from);
    OutsideTunnel t = table.byId(m.tunnelId());
    if (t != null && m.counter() <= t.highestCounter) {
      meters.drop(DropReason.REPLAY);
      return;
    }
    // An address that was taken for a client but now authenticates is a tunnel after all.
    OutsideTunnel mistaken = table.byClient(from);
    if (mistaken != null && mistaken != t) {
      closeTunnel(mistaken, CloseReason.UNKNOWN_TUNNEL, "source_is_tunnel");
    }
    if (table.removePending(from) != null) {
      admission.release(ip(from));
      meters.event("pending_was_tunnel");
    }
    long now = System.nanoTime();
    if (t == null) {
      boolean spare = m.address() == null;
      if (table.size() >= config.maxTunnels() || (spare && table.spareCount() >= config.maxSpares())) {
        meters.drop(DropReason.TUNNEL_LIMIT);
        log.limited(Level.WARNING, "limit:" + config.name(), "tunnel_rejected", "service", config.name(),
            "reason", "tunnel_limit", "tunnels", table.size(), "spares", table.spareCount());
        sendControl(ControlMessage.reject(serviceId, m.tunnelId(), counter.next(), RejectReason.TUNNEL_LIMIT,
            REJECT_RETRY_SECONDS), from);
        return;
      }
      t = new OutsideTunnel(m.tunnelId(), from, observed, now);
      table.add(t);
      meters.opened();
      publish("registered", t);
      log.debug("tunnel_registered", "service", config.name(), "tunnel", hex(t.id), "address", Udp.show(from));
    } else if (!t.address.equals(from)) {
      log.info("tunnel_moved", "service", config.name(), "tunnel", hex(t.id), "from", Udp.show(t.address),
          "to", Udp.show(from));
      table.move(t, from, observed);
      meters.event("nat_rebinding");
      publish("moved", t);
    }
    t.highestCounter = m.counter();
    t.lastKeepaliveNanos = now;
    if (m.address() != null && t.client == null) {
      restoreBinding(t, Udp.vertx(m.address()));
    }
    sendControl(ControlMessage.ack(serviceId, t.id, counter.next(), m.counter(), observed), from);
    if (t.client == null) {
      table.offerSpare(t);
      servePending();
    }
  }

  /** The inside agent says {@code t} carries {@code client} (we restarted): restore, and the restored tunnel wins. */
  private void restoreBinding(OutsideTunnel t, SocketAddress client) {
    OutsideTunnel other = table.byClient(client);
    if (other != null) {
      closeTunnel(other, CloseReason.UNKNOWN_TUNNEL, "superseded");
    }
    table.bind(t, client);
    if (table.pending(client) == null) {
      admission.hold(ip(client));
    }
    meters.event("binding_restored");
    publish("restored", t);
    log.info("binding_restored", "service", config.name(), "tunnel", hex(t.id), "client", Udp.show(client));
    PendingClient waiting = table.removePending(client);
    if (waiting != null) {
      expire(waiting, System.nanoTime());
      deliver(waiting, t);
    }
  }

  private void onClose(ControlMessage m, SocketAddress from) {
    OutsideTunnel t = table.byId(m.tunnelId());
    if (t == null) {
      // The inside sends CLOSE twice (it is not acknowledged): the second finds the tunnel gone.
      meters.event("close_for_closed_tunnel");
      return;
    }
    if (!t.address.equals(from)) {
      meters.drop(DropReason.UNKNOWN_TUNNEL);
      return;
    }
    if (m.counter() <= t.highestCounter) {
      meters.drop(DropReason.REPLAY);
      return;
    }
    CloseReason reason = CloseReason.of(m.reason());
    removeTunnel(t, reason == null ? "inside_closed" : "inside_" + reason.name().toLowerCase());
  }

  private void closeTunnel(OutsideTunnel t, CloseReason reason, String why) {
    sendControl(ControlMessage.close(serviceId, t.id, counter.next(), reason), t.address);
    long now = System.nanoTime();
    closedIds.add(t.id, now + config.tunnelExpiry().toNanos());
    closedAddresses.add(t.address, now + ADDRESS_TOMBSTONE_NANOS);
    removeTunnel(t, why);
  }

  private void removeTunnel(OutsideTunnel t, String why) {
    table.remove(t);
    if (t.client != null) {
      admission.release(ip(t.client));
      admission.rememberClient(t.client, System.nanoTime());
    }
    meters.closed(why);
    publish("closed", t);
    log.debug("tunnel_closed", "service", config.name(), "tunnel", hex(t.id), "reason", why);
  }

  private Future<Void> sendControl(ControlMessage m, SocketAddress to) {
    meters.controlOut(m.type());
    return socket.sendNow(Buffer.buffer(codec.encode(m)), Udp.inet(to)).onFailure(this::sendFailed);
  }

  // ---- timers and status --------------------------------------------------------------------

  private void sweep() {
    long now = System.nanoTime();
    long expiry = config.tunnelExpiry().toNanos();
    List<OutsideTunnel> dead = new ArrayList<>();
    for (OutsideTunnel t : table.all()) {
      if (now - t.lastKeepaliveNanos > expiry) {
        dead.add(t);
      }
    }
    for (OutsideTunnel t : dead) {
      removeTunnel(t, "expired");
    }
    closedIds.expire(now);
    closedAddresses.expire(now);
    admission.expire(now);
    List<PendingClient> gone = new ArrayList<>();
    for (PendingClient p : table.allPending()) {
      expire(p, now);
      if (p.datagrams.isEmpty()) {
        gone.add(p);
      }
    }
    for (PendingClient p : gone) {
      table.removePending(p.address);
      admission.release(ip(p.address));
    }
  }

  private void publish(String event, OutsideTunnel t) {
    vertx.eventBus().publish(EVENTS, new JsonObject().put("service", config.name()).put("event", event)
        .put("tunnel", hex(t.id)).put("address", Udp.show(t.address))
        .put("client", t.client == null ? null : Udp.show(t.client)));
  }

  /** This relay's tunnels as the status endpoint shows them, taken on its event loop. */
  @Override
  public Future<JsonObject> status() {
    Promise<JsonObject> p = Promise.promise();
    context.runOnContext(v -> {
      JsonArray tunnels = new JsonArray();
      long now = System.nanoTime();
      for (OutsideTunnel t : table.all()) {
        tunnels.add(new JsonObject().put("service", config.name()).put("tunnel", hex(t.id))
            .put("state", t.spare() ? "spare" : "active")
            .put("client", t.client == null ? null : Udp.show(t.client))
            .put("address", Udp.show(t.address))
            .put("ageSeconds", seconds(now - t.registeredNanos))
            .put("idleSeconds", seconds(now - t.lastDataNanos))
            .put("datagramsToTunnel", t.toTunnelDatagrams).put("bytesToTunnel", t.toTunnelBytes)
            .put("datagramsToClient", t.toClientDatagrams).put("bytesToClient", t.toClientBytes));
      }
      p.complete(new JsonObject().put("service", config.name()).put("tunnels", table.size())
          .put("spares", table.spareCount()).put("active", table.activeCount())
          .put("waitingClients", table.pendingCount()).put("healthy", table.size() > 0).put("list", tunnels));
    });
    return p.future();
  }

  private static double seconds(long nanos) {
    return Math.round(nanos / 1e6) / 1e3;
  }
}
