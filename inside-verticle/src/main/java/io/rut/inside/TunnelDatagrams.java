package io.rut.inside;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.rut.config.ClientAddress;
import io.rut.config.InsideServiceConfig;
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
  private final ArrayDeque<byte[]> held = new ArrayDeque<>(MAX_HELD);
  private final TunnelStats stats;
  /** The last PROXY v2 header built, and for whom: rebuilt when the client or the outside changes. */
  private ClientAddress clientAddress;
  private byte[] header;
  private InetSocketAddress headerClient;
  private InetSocketAddress headerDestination;

  TunnelDatagrams(Tunnel tunnel, TunnelPath path, TunnelContext ctx, TunnelOutput out, long now) {
    this.stats = new TunnelStats(now);
    this.tunnel = tunnel;
    this.path = path;
    this.out = out;
    this.meters = ctx.meters();
    this.log = ctx.log();
    this.service = ctx.config().name();
    this.target = ctx.target();
    this.clientAddress = ctx.config().clientAddress();
  }

  /** A reload: the service is told of clients from the next datagram on, or no longer. */
  void update(InsideServiceConfig config) {
    clientAddress = config.clientAddress();
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
        byte[] header = proxyHeader();
        if (header == null) {
          out.toService(data, target);
        } else {
          out.toService(header, data, target);
        }
      }
    }
  }

  /** A datagram on the service socket; {@code data} is valid during the call only. */
  public void fromService(ByteBuf data, InetSocketAddress sender, long now) {
    if (sender.getPort() != target.getPort() || !sender.equals(target)) {
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
      out.toService(header == null ? d : ProxyHeader.prepend(header, d), target);
    }
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
