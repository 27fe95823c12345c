package io.rut.outside;

import io.netty.buffer.ByteBuf;
import io.rut.config.OutsideServiceConfig;
import io.rut.control.ControlChannel;
import io.rut.metrics.DropReason;
import io.rut.metrics.EventLog;
import io.rut.metrics.ServiceMeters;
import io.rut.protocol.CookieJar;
import io.rut.protocol.MessageCounter;
import io.rut.protocol.ServiceKeys;
import java.net.InetSocketAddress;

/**
 * The outside agent's protocol logic for one service, with no I/O and no clock: every datagram that
 * reaches the service's public socket is routed by its source (PROTOCOL.md section 1). From a
 * registered tunnel it is a control message or data for the tunnel's client; from a bound client,
 * data for its tunnel; from anyone else, a control message or a new client's first datagram.
 * Decisions leave through a {@link RelayOutput}; time comes in as {@code now} (nanoseconds of
 * {@link System#nanoTime()} in the agent, of a fake clock in tests). One event loop only.
 */
public final class Relay {

  private final TunnelTable table = new TunnelTable();
  private final ControlChannel channel;
  private final Admission admission;
  private final Binding binding;
  private final TunnelCloser closer;
  private final SilentTunnels silent;
  private final Registration registration;
  private final ServiceMeters meters;
  private OutsideServiceConfig config;

  Relay(OutsideServiceConfig config, ServiceKeys keys, MessageCounter counter, ServiceMeters meters, EventLog log,
        RelayOutput out) {
    this(config, keys, counter, meters, log, out, new CookieJar());
  }

  Relay(OutsideServiceConfig config, ServiceKeys keys, MessageCounter counter, ServiceMeters meters, EventLog log,
        RelayOutput out, CookieJar cookies) {
    this.config = config;
    this.meters = meters;
    this.channel = new ControlChannel(config.name(), keys, counter, meters);
    this.admission = new Admission(config);
    Outbox outbox = new Outbox(config.name(), channel, out);
    this.closer = new TunnelCloser(config, table, admission, channel, meters, log, outbox);
    this.binding = new Binding(config, table, admission, channel, meters, log, outbox, closer);
    this.registration = new Registration(config, table, binding, closer, outbox, admission, channel, cookies, meters,
        log);
    this.silent = new SilentTunnels(config, table, channel, cookies, outbox, closer, binding, meters, log);
    meters.tunnelGauges(table::spareCount, table::activeCount);
  }

  /** One datagram from {@code from}; {@code data} is valid during the call only. */
  public void onDatagram(ByteBuf data, InetSocketAddress from, long now) {
    if (!data.isReadable()) {
      meters.drop(DropReason.EMPTY);
      return;
    }
    OutsideTunnel tunnel = table.byAddress(from);
    if (tunnel != null) {
      // Heard before it is handled: an AUTH that answers a probe frees the spare for a waiting client.
      silent.heard(tunnel, !ControlChannel.mayBeControl(data), now);
      if (registration.handled(data, from, now)) {
        return;
      }
      if (tunnel.client == null) {
        meters.drop(DropReason.NO_CLIENT);
        return;
      }
      binding.toClient(tunnel, data, now);
      return;
    }
    OutsideTunnel bound = table.byClient(from);
    if (bound != null) {
      if (registration.handled(data, from, now)) {
        return;
      }
      if (silent.clientSent(bound, from, data, now)) {
        return;
      }
      binding.toTunnel(bound, data, now);
      return;
    }
    if (registration.handled(data, from, now)) {
      return;
    }
    if (closer.buriedAddress(from, now)) {
      meters.drop(DropReason.UNKNOWN_TUNNEL);
      return;
    }
    binding.newClient(from, data, now);
  }

  /** The periodic sweep: expiries of tunnels, tombstones, waiting clients. */
  public void tick(long now) {
    closer.sweep(now);
    binding.sweep(now);
    silent.sweep(now);
  }

  /** How often {@link #tick} is due: half the keepalive interval, within 100 to 500 ms. */
  public long tickMillis() {
    return Math.max(100, Math.min(500, config.keepaliveInterval().toMillis() / 2));
  }

  /**
   * Takes a changed configuration of this service (same name and address) without touching its
   * tunnels: limits, intervals and keys apply from the next datagram on.
   */
  public void update(OutsideServiceConfig next, ServiceKeys keys) {
    config = next;
    channel.rekey(keys);
    admission.update(next);
    binding.update(next);
    closer.update(next);
    silent.update(next);
    registration.update(next);
  }

  /** The service is removed: every tunnel gets CLOSE (shutdown). */
  public void retire(long now) {
    closer.closeAll(now);
  }

  public OutsideServiceConfig config() {
    return config;
  }

  TunnelTable table() {
    return table;
  }
}
