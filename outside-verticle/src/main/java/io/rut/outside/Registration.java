package io.rut.outside;

import static io.rut.protocol.ControlMessage.hex;

import io.netty.buffer.ByteBuf;
import io.rut.config.OutsideServiceConfig;
import io.rut.control.ControlChannel;
import io.rut.metrics.DropReason;
import io.rut.metrics.EventLog;
import io.rut.metrics.ServiceMeters;
import io.rut.net.Udp;
import io.rut.protocol.CloseReason;
import io.rut.protocol.ControlMessage;
import io.rut.protocol.CookieJar;
import io.rut.protocol.RejectReason;
import java.net.InetSocketAddress;
import java.util.logging.Level;

/**
 * The outside's side of registration (PROTOCOL.md section 5), without I/O: answers HELLO with a
 * stateless CHALLENGE, registers or moves a tunnel on a valid AUTH (restoring the binding it
 * reports), refreshes it on KEEPALIVE, drops it on CLOSE; replayed counters and tunnels this side
 * closed are refused.
 */
final class Registration {

  private static final int REJECT_RETRY_SECONDS = 10;

  private final TunnelTable table;
  private final Binding binding;
  private final TunnelCloser closer;
  private final Outbox outbox;
  private final Admission admission;
  private final ControlChannel channel;
  private final ServiceMeters meters;
  private final EventLog log;
  private final CookieJar cookies;
  private OutsideServiceConfig config;

  Registration(OutsideServiceConfig config, TunnelTable table, Binding binding, TunnelCloser closer, Outbox outbox,
               Admission admission, ControlChannel channel, CookieJar cookies, ServiceMeters meters, EventLog log) {
    this.config = config;
    this.table = table;
    this.binding = binding;
    this.closer = closer;
    this.outbox = outbox;
    this.admission = admission;
    this.channel = channel;
    this.cookies = cookies;
    this.meters = meters;
    this.log = log;
  }

  void update(OutsideServiceConfig next) {
    config = next;
  }

  /** Handles {@code data} if it is a control message; false if it is data. */
  boolean handled(ByteBuf data, InetSocketAddress from, long now) {
    if (!ControlChannel.mayBeControl(data)) {
      return false;
    }
    ControlMessage m = channel.read(data);
    if (m == null) {
      return false;
    }
    if (m == ControlChannel.DROPPED) {
      if (channel.lastDropReason() == DropReason.MALFORMED_CONTROL) {
        log.limited(Level.WARNING, "malformed:" + from, "malformed_control", "service", config.name(),
            "from", Udp.show(from), "reason", channel.lastDropped());
      } else {
        log.limited(Level.WARNING, "foreign:" + config.name(), "foreign_control", "service", config.name(),
            "from", Udp.show(from), "reason", channel.lastDropped(), "hint",
            "another agent registers with a key or service name this service does not know");
      }
      return true;
    }
    if (!channel.ours(m)) {
      log.limited(Level.WARNING, "wrong-service:" + from, "unknown_service", "service", config.name(),
          "from", Udp.show(from));
      outbox.send(ControlMessage.reject(m.serviceId(), m.tunnelId(), channel.next(), RejectReason.UNKNOWN_SERVICE,
          REJECT_RETRY_SECONDS), from);
      return true;
    }
    switch (m.type()) {
      case HELLO -> challenge(m, from, now);
      case AUTH -> onAuth(m, from, now);
      case KEEPALIVE -> onKeepalive(m, from, now);
      case CLOSE -> onClose(m, from, now);
      default -> meters.drop(DropReason.WRONG_DIRECTION);
    }
    return true;
  }

  private void challenge(ControlMessage m, InetSocketAddress from, long now) {
    if (!admission.allowChallenge(from.getAddress().getAddress(), now)) {
      meters.drop(DropReason.CHALLENGE_LIMITED);
      return;
    }
    byte[] cookie = cookies.cookie(from, m.tunnelId(), channel.serviceId());
    outbox.send(ControlMessage.challenge(channel.serviceId(), m.tunnelId(), channel.next(), cookie, from), from);
  }

  /** A tunnel this side closed speaks again (its CLOSE crossed what it sent): close it again. */
  private boolean buried(ControlMessage m, InetSocketAddress from, long now) {
    if (table.byId(m.tunnelId()) != null || !closer.buriedId(m.tunnelId(), now)) {
      return false;
    }
    meters.drop(DropReason.UNKNOWN_TUNNEL);
    outbox.send(ControlMessage.close(channel.serviceId(), m.tunnelId(), channel.next(), CloseReason.UNKNOWN_TUNNEL),
        from);
    return true;
  }

  private void onKeepalive(ControlMessage m, InetSocketAddress from, long now) {
    if (buried(m, from, now)) {
      return;
    }
    OutsideTunnel t = table.byId(m.tunnelId());
    if (t == null || !t.address.equals(from)) {
      // Unknown tunnel or another address: the tunnel must prove the address (rebinding, restart).
      challenge(m, from, now);
      return;
    }
    if (!channel.fresh(m, t.highestCounter)) {
      return;
    }
    t.highestCounter = m.counter();
    t.lastKeepaliveNanos = now;
    outbox.send(ControlMessage.ack(channel.serviceId(), t.id, channel.next(), m.counter(), t.address), from);
  }

  private void onAuth(ControlMessage m, InetSocketAddress from, long now) {
    if (!cookies.verify(m.cookie(), from, m.tunnelId(), channel.serviceId())) {
      meters.drop(DropReason.BAD_COOKIE);
      return;
    }
    if (buried(m, from, now)) {
      return;
    }
    // Replays and refusals change nothing: they are checked before anything moves.
    OutsideTunnel t = table.byId(m.tunnelId());
    if (t != null && !channel.fresh(m, t.highestCounter)) {
      return;
    }
    if (t == null && !roomFor(m, from)) {
      return;
    }
    closer.unbury(from);
    // An address that was taken for a client but now authenticates is a tunnel after all.
    OutsideTunnel mistaken = table.byClient(from);
    if (mistaken != null && mistaken != t) {
      closer.close(mistaken, CloseReason.UNKNOWN_TUNNEL, "source_is_tunnel", now);
    }
    binding.notAClient(from);
    // Another tunnel at this address is gone: its NAT mapping now belongs to this one's socket.
    OutsideTunnel previous = table.byAddress(from);
    if (previous != null && previous != t) {
      closer.remove(previous, "address_reused", now);
    }
    if (t == null) {
      t = register(m, from, now);
    } else if (!t.address.equals(from)) {
      log.info("tunnel_moved", "service", config.name(), "tunnel", hex(t.id), "from", Udp.show(t.address),
          "to", Udp.show(from));
      table.move(t, from);
      meters.event("nat_rebinding");
      outbox.publish(OutsideEvent.Kind.MOVED, t);
    }
    t.highestCounter = m.counter();
    t.lastKeepaliveNanos = now;
    t.lastHeardNanos = now;
    t.probing = false; // it lives, wherever it moved
    if (m.address() != null && t.client == null) {
      binding.restore(t, m.address(), now);
    }
    outbox.send(ControlMessage.ack(channel.serviceId(), t.id, channel.next(), m.counter(), from), from);
    if (t.client == null) {
      binding.spareFree(t, now);
    }
  }

  /** Whether a new tunnel fits the limits; if not, REJECT is sent. */
  private boolean roomFor(ControlMessage m, InetSocketAddress from) {
    boolean spare = m.address() == null;
    if (table.size() < config.maxTunnels() && (!spare || table.spareCount() < config.maxSpares())) {
      return true;
    }
    meters.drop(DropReason.TUNNEL_LIMIT);
    log.limited(Level.WARNING, "limit:" + config.name(), "tunnel_rejected", "service", config.name(),
        "reason", "tunnel_limit", "tunnels", table.size(), "spares", table.spareCount());
    outbox.send(ControlMessage.reject(channel.serviceId(), m.tunnelId(), channel.next(), RejectReason.TUNNEL_LIMIT,
        REJECT_RETRY_SECONDS), from);
    return false;
  }

  private OutsideTunnel register(ControlMessage m, InetSocketAddress from, long now) {
    OutsideTunnel t = new OutsideTunnel(m.tunnelId(), from, now);
    table.add(t);
    meters.opened();
    outbox.publish(OutsideEvent.Kind.REGISTERED, t);
    log.debug("tunnel_registered", "service", config.name(), "tunnel", hex(t.id), "address", Udp.show(from));
    return t;
  }

  private void onClose(ControlMessage m, InetSocketAddress from, long now) {
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
    if (!channel.fresh(m, t.highestCounter)) {
      return;
    }
    CloseReason reason = CloseReason.of(m.reason());
    closer.remove(t, reason == null ? "inside_closed" : "inside_" + reason.name().toLowerCase(), now);
  }
}
