package io.rut.inside;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.rut.config.ClientAddress;
import io.rut.control.ControlChannel;
import io.rut.metrics.Direction;
import io.rut.metrics.DropReason;
import io.rut.metrics.EventLog;
import io.rut.metrics.ServiceMeters;
import io.rut.net.Udp;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.logging.Level;

/**
 * One tunnel's data path (PROTOCOL.md section 1), without I/O: a datagram on the tunnel socket is
 * read only from the outside agent, a control message goes to the {@link Tunnel}, anything else
 * is data for the service as the tunnel's state allows; a datagram on the service socket is read
 * only from the service and goes to the outside as it is. No copy, except of the few datagrams
 * held while the agent answers a claim.
 */
public final class TunnelDatagrams {

  /** A client's datagrams held at most while the agent answers a claim. */
  static final int MAX_HELD = 8;

  private final Tunnel tunnel;
  private final TunnelPath path;
  private final TunnelOutput out;
  private final ServiceMeters meters;
  private final EventLog log;
  private final String service;
  private final InetSocketAddress target;
  private InetSocketAddress otherFamilyTarget;
  private final ArrayDeque<byte[]> held = new ArrayDeque<>(MAX_HELD);
  private final TunnelStats stats;
  /** The last PROXY v2 header built, and for whom: rebuilt when the client or the outside changes. */
  private ClientAddress clientAddress;
  private byte[] header;
  private InetSocketAddress headerClient;
  private InetSocketAddress headerDestination;
  /** The route to the service, and for which client and mode it was made (see {@link #route}). */
  private ServiceRoute route;
  private InetSocketAddress routeClient;
  private ClientAddress routeMode;
  private long retryBindAt;

  TunnelDatagrams(Tunnel tunnel, TunnelPath path, TunnelContext ctx, TunnelOutput out, long now) {
    this.stats = new TunnelStats(now);
    this.tunnel = tunnel;
    this.path = path;
    this.out = out;
    this.meters = ctx.meters();
    this.log = ctx.log();
    this.service = ctx.config().name();
    this.target = ctx.target();
    this.otherFamilyTarget = ctx.otherFamilyTarget();
    this.clientAddress = ctx.config().clientAddress();
    this.route = ServiceRoute.local(target);
    this.routeMode = ClientAddress.NONE;
  }

  /** A reload: the service is told of clients (or sees them) from the next datagram on, or no longer. */
  void update(TunnelContext ctx) {
    clientAddress = ctx.config().clientAddress();
    if (!java.util.Objects.equals(otherFamilyTarget, ctx.otherFamilyTarget())) {
      otherFamilyTarget = ctx.otherFamilyTarget();
      routeMode = null;
    }
  }

  /** A datagram on the tunnel socket; {@code data} is valid during the call only. */
  public void fromOutside(ByteBuf data, InetSocketAddress sender, long now) {
    InetSocketAddress outside = path.outside();
    if (sender.getPort() != outside.getPort() || !sender.equals(outside)) {
      meters.drop(DropReason.STRANGER);
      log.limited(Level.WARNING, "stranger:" + service, "stranger_dropped", "service", service, "from",
          Udp.show(sender));
      return;
    }
    path.received(now);
    if (ControlChannel.mayBeControl(data) && tunnel.handledAsControl(data, now)) {
      return;
    }
    if (!data.isReadable()) {
      meters.drop(DropReason.EMPTY);
      return;
    }
    switch (tunnel.state()) {
      case CONFLICTED -> meters.drop(DropReason.BINDING_CONFLICT);
      case CLAIMING -> hold(data);
      case CLOSED, OPENING -> meters.drop(DropReason.UNKNOWN_TUNNEL);
      default -> {
        if (!tunnel.state().carrying()) {
          if (tunnel.state() != TunnelState.SPARE || !path.settled(now)) {
            meters.drop(DropReason.NO_CLIENT); // an old tunnel's, not a client's whose BIND was lost
            return;
          }
          tunnel.activatedByData(now);
        }
        path.dataIn(now);
        stats.toService(data.readableBytes(), now);
        meters.forwarded(Direction.TUNNEL_TO_SERVICE, data.readableBytes());
        InetSocketAddress to = route(now).target();
        byte[] header = proxyHeader();
        if (header == null) {
          out.toService(data, to);
        } else {
          out.toService(header, data, to);
        }
      }
    }
  }

  /** A datagram on the service socket; {@code data} is valid during the call only. */
  public void fromService(ByteBuf data, InetSocketAddress sender, long now) {
    InetSocketAddress from = route.target();
    if (sender.getPort() != from.getPort() || !sender.equals(from)) {
      meters.drop(DropReason.NOT_FROM_SERVICE);
      return;
    }
    if (!data.isReadable()) {
      meters.drop(DropReason.EMPTY);
      return;
    }
    if (tunnel.state() == TunnelState.CLOSED) {
      meters.drop(DropReason.UNKNOWN_TUNNEL);
      return;
    }
    path.beforeData(tunnel.client(), now);
    stats.fromService(data.readableBytes(), now);
    meters.forwarded(Direction.SERVICE_TO_TUNNEL, data.readableBytes());
    out.toOutside(data, path.outside());
  }

  private void hold(ByteBuf data) {
    if (held.size() >= MAX_HELD) {
      meters.drop(DropReason.QUEUE_FULL);
      return;
    }
    held.add(ByteBufUtil.getBytes(data));
  }

  /** The claim was granted: what the client sent meanwhile goes to the service, in order. */
  void deliverHeld(long now) {
    byte[] d;
    while ((d = held.poll()) != null) {
      stats.toService(d.length, now);
      meters.forwarded(Direction.TUNNEL_TO_SERVICE, d.length);
      byte[] header = proxyHeader();
      out.toService(header == null ? d : ProxyHeader.prepend(header, d), route(now).target());
    }
  }

  /**
   * The route to the service for the tunnel's client now: made again when the client or the mode
   * changes, and a second after a socket on the client's address could not be opened.
   */
  private ServiceRoute route(long now) {
    InetSocketAddress client = tunnel.client();
    boolean retry = route.fallback() == ServiceRoute.Fallback.BIND_FAILED && now - retryBindAt >= 0;
    if (client == routeClient && clientAddress == routeMode && !retry) {
      return route;
    }
    ServiceRoute planned = ServiceRoute.plan(clientAddress, client, target, otherFamilyTarget);
    ServiceRoute was = route;
    route = out.route(planned);
    routeClient = client;
    routeMode = clientAddress;
    if (route.fallback() == ServiceRoute.Fallback.BIND_FAILED) {
      retryBindAt = now + 1_000_000_000L;
    }
    if (!route.equals(was) && clientAddress == ClientAddress.TRANSPARENT) {
      meters.event(route.transparent() ? "transparent_carried" : "transparent_fallback_" + route.fallback().label());
      if (route.transparent()) {
        log.debug("client_transparent", "service", service, "client", Udp.show(client), "target",
            Udp.show(route.target()));
      } else {
        log.limited(Level.WARNING, "transparent:" + service, "client_not_transparent", "service", service,
            "client", client == null ? null : Udp.show(client), "reason", route.fallback().label());
      }
    }
    return route;
  }

  /** How the service sees the present client: {@code local}, {@code transparent} or {@code proxy-v2}. */
  String carried() {
    if (clientAddress == ClientAddress.PROXY_V2) {
      return ClientAddress.PROXY_V2.label();
    }
    return route.transparent() ? ClientAddress.TRANSPARENT.label() : "local";
  }

  /** The PROXY v2 header for the tunnel's client now, or null when the service is not told. */
  private byte[] proxyHeader() {
    if (clientAddress != ClientAddress.PROXY_V2) {
      return null;
    }
    InetSocketAddress client = tunnel.client();
    if (header == null || client != headerClient || path.outside() != headerDestination) {
      header = ProxyHeader.of(client, path.outside());
      headerClient = client;
      headerDestination = path.outside();
    }
    return header;
  }

  TunnelStats stats() {
    return stats;
  }

  void dropHeld(DropReason reason) {
    for (int i = held.size(); i > 0; i--) {
      meters.drop(reason);
    }
    held.clear();
  }
}
