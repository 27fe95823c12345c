package io.rut.outside;

import static io.rut.protocol.ControlMessage.hex;

import io.rut.config.OutsideServiceConfig;
import io.rut.control.ControlChannel;
import io.rut.metrics.EventLog;
import io.rut.metrics.ServiceMeters;
import io.rut.protocol.CloseReason;
import io.rut.protocol.ControlMessage;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Ends tunnels at the outside, without I/O: removes those the inside closed or that stopped
 * sending keepalives, and closes those this side gives up on. A tunnel this side closed leaves
 * tombstones behind, so that its last datagrams are not taken for a new client and its control
 * messages get CLOSE again.
 */
final class TunnelCloser {

  /**
   * Long enough for the last datagrams of a tunnel this side closed to drain. The window is fixed,
   * not renewed by what arrives: the closed tunnel stops within it, while a new client on the same
   * address (a NAT reusing the port) would otherwise stay locked out for as long as it kept sending.
   */
  static final long ADDRESS_TOMBSTONE_NANOS = 5_000_000_000L;
  private static final int MAX_TOMBSTONES = 65_536;

  private final TunnelTable table;
  private final Admission admission;
  private final ControlChannel channel;
  private final ServiceMeters meters;
  private final EventLog log;
  private final Outbox outbox;
  private final Tombstones<Long> closedIds = new Tombstones<>(MAX_TOMBSTONES);
  private final Tombstones<InetSocketAddress> closedAddresses = new Tombstones<>(MAX_TOMBSTONES);
  private OutsideServiceConfig config;

  TunnelCloser(OutsideServiceConfig config, TunnelTable table, Admission admission, ControlChannel channel,
               ServiceMeters meters, EventLog log, Outbox outbox) {
    this.config = config;
    this.table = table;
    this.admission = admission;
    this.channel = channel;
    this.meters = meters;
    this.log = log;
    this.outbox = outbox;
  }

  void update(OutsideServiceConfig next) {
    config = next;
  }

  /** This side closes {@code t}: CLOSE to the inside, and tombstones for its id and address. */
  void close(OutsideTunnel t, CloseReason reason, String why, long now) {
    outbox.send(ControlMessage.close(channel.serviceId(), t.id, channel.next(), reason), t.address);
    closedIds.add(t.id, now + config.tunnelExpiry().toNanos());
    closedAddresses.add(t.address, now + ADDRESS_TOMBSTONE_NANOS);
    remove(t, why, now);
  }

  void remove(OutsideTunnel t, String why, long now) {
    table.remove(t);
    if (t.client != null) {
      admission.release(ip(t.client));
      admission.rememberClient(t.client, now);
    }
    meters.closed(why);
    outbox.publish(OutsideEvent.Kind.CLOSED, t);
    log.debug("tunnel_closed", "service", config.name(), "tunnel", hex(t.id), "reason", why);
  }

  /** Whether tunnel {@code id} is one this side closed and still buried (renewed while it speaks). */
  boolean buriedId(long id, long now) {
    return closedIds.size() > 0 && closedIds.contains(id, now, now + config.tunnelExpiry().toNanos());
  }

  boolean buriedAddress(InetSocketAddress a, long now) {
    return closedAddresses.size() > 0 && closedAddresses.contains(a, now, now);
  }

  /** The address authenticated as a tunnel again: it is no longer a closed tunnel's. */
  void unbury(InetSocketAddress a) {
    closedAddresses.remove(a);
  }

  /** The service goes away: every tunnel gets CLOSE (shutdown). */
  void closeAll(long now) {
    for (OutsideTunnel t : new ArrayList<>(table.all())) {
      outbox.send(ControlMessage.close(channel.serviceId(), t.id, channel.next(), CloseReason.SHUTDOWN), t.address);
      remove(t, "service_removed", now);
    }
  }

  /** Removes tunnels that sent no keepalive for the expiry, and forgets expired tombstones. */
  void sweep(long now) {
    long expiry = config.tunnelExpiry().toNanos();
    List<OutsideTunnel> dead = new ArrayList<>();
    for (OutsideTunnel t : table.all()) {
      if (now - t.lastKeepaliveNanos > expiry) {
        dead.add(t);
      }
    }
    for (OutsideTunnel t : dead) {
      remove(t, "expired", now);
    }
    closedIds.expire(now);
    closedAddresses.expire(now);
  }

  private static byte[] ip(InetSocketAddress a) {
    return a.getAddress().getAddress();
  }
}
