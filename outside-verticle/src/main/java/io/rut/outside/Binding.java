package io.rut.outside;

import static io.rut.protocol.ControlMessage.hex;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.rut.config.OutsideServiceConfig;
import io.rut.control.ControlChannel;
import io.rut.metrics.Direction;
import io.rut.metrics.DropReason;
import io.rut.metrics.EventLog;
import io.rut.metrics.ServiceMeters;
import io.rut.net.Udp;
import io.rut.protocol.CloseReason;
import io.rut.protocol.ControlMessage;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;

/**
 * Who carries whom at the outside (PROTOCOL.md sections 5 and 6), without I/O: binds admitted new
 * clients to spare tunnels (the newest live spare first), holds new clients while no spare is free,
 * restores the bindings an inside agent reports after an outside restart, and makes room for a
 * newcomer when one source holds more than its fair share.
 */
final class Binding {

  private final TunnelTable table;
  private final Admission admission;
  private final ControlChannel channel;
  private final ServiceMeters meters;
  private final EventLog log;
  private final Outbox outbox;
  private final TunnelCloser closer;
  private final String[] refusedLogKeys = new String[DropReason.values().length];
  private OutsideServiceConfig config;

  Binding(OutsideServiceConfig config, TunnelTable table, Admission admission, ControlChannel channel,
          ServiceMeters meters, EventLog log, Outbox outbox, TunnelCloser closer) {
    this.config = config;
    this.table = table;
    this.admission = admission;
    this.channel = channel;
    this.meters = meters;
    this.log = log;
    this.outbox = outbox;
    this.closer = closer;
    for (DropReason r : DropReason.values()) {
      refusedLogKeys[r.ordinal()] = "refused:" + config.name() + ":" + r.label();
    }
  }

  void update(OutsideServiceConfig next) {
    config = next;
  }

  // ---- data ---------------------------------------------------------------------------------

  void toTunnel(OutsideTunnel tunnel, ByteBuf data, long now) {
    tunnel.countToTunnel(data.readableBytes(), now);
    meters.forwarded(Direction.CLIENT_TO_TUNNEL, data.readableBytes());
    outbox.output().forward(data, tunnel.address);
  }

  void toClient(OutsideTunnel tunnel, ByteBuf data, long now) {
    tunnel.countToClient(data.readableBytes(), now);
    meters.forwarded(Direction.TUNNEL_TO_CLIENT, data.readableBytes());
    outbox.output().forward(data, tunnel.client);
  }

  /** A tunnel is overdue when it misses a keepalive (jitter, a lost one and a round trip allowed for). */
  boolean overdue(OutsideTunnel t, long now) {
    return now - t.lastKeepaliveNanos > config.keepaliveInterval().toNanos() * 3 / 2 + 1_000_000_000L;
  }

  // ---- new clients --------------------------------------------------------------------------

  /** A stranger's datagram that is no control message: a new client, or one already waiting. */
  void newClient(InetSocketAddress from, ByteBuf data, long now) {
    PendingClient waiting = table.pending(from);
    if (waiting == null) {
      // Admission runs before a client waits or binds, so junk can neither queue nor take a spare.
      DropReason refused = admission.admit(from, data, now);
      if (refused != null) {
        meters.drop(refused);
        String key = refusedLogKeys[refused.ordinal()];
        if (log.due(key)) {
          log.limited(Level.INFO, key, "client_refused", "service", config.name(), "reason", refused.label(),
              "example", Udp.show(from));
        }
        return;
      }
      OutsideTunnel spare = table.pendingCount() == 0 ? pollLiveSpare(now) : null;
      if (spare != null) {
        bind(spare, from);
        toTunnel(spare, data, now);
        meters.clientSetup(0);
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
      if (table.size() >= config.maxTunnels()) {
        makeRoomFor(from, now);
      }
      String why = table.size() >= config.maxTunnels() ? "tunnel_limit" : "no_spare";
      log.limited(Level.INFO, "waiting:" + config.name(), "client_waiting", "service", config.name(), "reason", why,
          "tunnels", table.size(), "maxTunnels", config.maxTunnels(), "waiting", table.pendingCount());
    }
    // The read buffer is reused after this call: a waiting client's datagram is kept as a copy.
    if (!waiting.offer(ByteBufUtil.getBytes(data), now)) {
      meters.drop(DropReason.QUEUE_FULL);
    }
  }

  /**
   * Every tunnel is taken and a newcomer waits: if one source holds more than its fair share (an
   * office behind one NAT, or one attacker), its longest-idle tunnel is closed, so that the inside
   * opens a spare for the newcomer. Until tunnels run out, any source may hold as many as it likes.
   */
  private void makeRoomFor(InetSocketAddress newcomer, long now) {
    SourceKey heavy = admission.overFairShare(newcomer);
    if (heavy == null) {
      return;
    }
    OutsideTunnel idlest = null;
    for (OutsideTunnel t : table.all()) {
      if (t.client != null && SourceKey.of(t.client.getAddress().getAddress()).equals(heavy)
          && (idlest == null || t.lastDataNanos - idlest.lastDataNanos < 0)) {
        idlest = t;
      }
    }
    if (idlest == null) {
      return; // that source's share is waiting clients, not tunnels
    }
    log.limited(Level.INFO, "fair-share:" + config.name(), "fair_share_reclaimed", "service", config.name(),
        "tunnel", hex(idlest.id), "client", Udp.show(idlest.client), "for", Udp.show(newcomer));
    meters.event("fair_share_reclaimed");
    closer.close(idlest, CloseReason.LIMIT, "fair_share", now);
  }

  private void bind(OutsideTunnel tunnel, InetSocketAddress client) {
    table.bind(tunnel, client);
    outbox.send(ControlMessage.bind(channel.serviceId(), tunnel.id, channel.next(), client), tunnel.address);
    meters.event("tunnel_bound");
    outbox.publish(OutsideEvent.Kind.BOUND, tunnel);
    log.debug("tunnel_bound", "service", config.name(), "tunnel", hex(tunnel.id), "client", Udp.show(client));
  }

  /**
   * The newest free spare whose keepalives are on time: the one that registered last is the
   * likeliest to live (after an inside agent restarts, its old spares are dead until they expire).
   * One that went quiet is passed over, and taken only if no other is free; one being probed is
   * not taken at all.
   */
  private OutsideTunnel pollLiveSpare(long now) {
    OutsideTunnel quiet = null;
    for (int i = table.spareCount(); i > 0; i--) {
      OutsideTunnel t = table.pollSpare();
      if (t == null) {
        break;
      }
      if (t.probing) { // suspected dead and being probed: no client for it until it answers
        table.returnSpare(t);
        continue;
      }
      if (!overdue(t, now)) {
        if (quiet != null) {
          table.returnSpare(quiet);
        }
        return t;
      }
      if (quiet == null) {
        quiet = t; // the newest of the overdue ones, should no other be free
      } else {
        table.returnSpare(t);
      }
    }
    return quiet;
  }

  /** A spare registered or came free: it takes the client that has waited longest, if any. */
  void spareFree(OutsideTunnel spare, long now) {
    table.offerSpare(spare);
    while (table.pendingCount() > 0) {
      PendingClient waiting = table.oldestPending();
      expire(waiting, now);
      if (waiting.datagrams.isEmpty()) { // gone quiet while it waited: no spare for it
        table.removePending(waiting.address);
        admission.release(ip(waiting.address));
        continue;
      }
      OutsideTunnel next = pollLiveSpare(now);
      if (next == null) {
        return;
      }
      table.removePending(waiting.address);
      bind(next, waiting.address);
      deliver(waiting, next, now);
    }
  }

  private void deliver(PendingClient waiting, OutsideTunnel tunnel, long now) {
    if (!waiting.arrivals.isEmpty()) {
      meters.clientSetup(now - waiting.arrivals.peek());
    }
    byte[] d;
    while ((d = waiting.datagrams.poll()) != null) {
      tunnel.countToTunnel(d.length, now);
      meters.forwarded(Direction.CLIENT_TO_TUNNEL, d.length);
      outbox.output().send(d, tunnel.address);
    }
    waiting.arrivals.clear();
  }

  private void expire(PendingClient waiting, long now) {
    int n = waiting.expire(now);
    for (int i = 0; i < n; i++) {
      meters.drop(DropReason.QUEUE_EXPIRED);
    }
    if (n > 0) {
      log.limited(Level.INFO, "expired:" + config.name(), "client_dropped", "service", config.name(),
          "reason", "queue_expired", "datagrams", n, "tunnels", table.size(), "maxTunnels", config.maxTunnels());
    }
  }

  /** An address that waited as a client authenticated as a tunnel: it stops waiting. */
  void notAClient(InetSocketAddress address) {
    if (table.removePending(address) != null) {
      admission.release(ip(address));
      meters.event("pending_was_tunnel");
    }
  }

  /** The inside agent says {@code t} carries {@code client} (this side restarted): restore; {@code t} wins. */
  void restore(OutsideTunnel t, InetSocketAddress client, long now) {
    OutsideTunnel other = table.byClient(client);
    if (other != null) {
      closer.close(other, CloseReason.UNKNOWN_TUNNEL, "superseded", now);
    }
    table.bind(t, client);
    if (table.pending(client) == null) {
      admission.hold(ip(client));
    }
    meters.event("binding_restored");
    outbox.publish(OutsideEvent.Kind.RESTORED, t);
    log.info("binding_restored", "service", config.name(), "tunnel", hex(t.id), "client", Udp.show(client));
    PendingClient waiting = table.removePending(client);
    if (waiting != null) {
      expire(waiting, now);
      deliver(waiting, t, now);
    }
  }

  /** Forgets what waiting clients held longer than they may, and admission's expired memory. */
  void sweep(long now) {
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

  private static byte[] ip(InetSocketAddress a) {
    return a.getAddress().getAddress();
  }
}
