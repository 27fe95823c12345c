package io.rut.outside;

import static io.rut.protocol.ControlMessage.hex;

import io.netty.buffer.ByteBuf;
import io.rut.config.OutsideServiceConfig;
import io.rut.control.ControlChannel;
import io.rut.metrics.EventLog;
import io.rut.metrics.ServiceMeters;
import io.rut.net.Udp;
import io.rut.protocol.CloseReason;
import io.rut.protocol.ControlMessage;
import io.rut.protocol.CookieJar;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;

/**
 * Finds bound tunnels that died (their inside agent was killed, their NAT forgot them) from the
 * traffic that flows anyway, without I/O: a tunnel that stays silent while its client keeps sending
 * is probed with a CHALLENGE, which a live inside answers with AUTH; one that leaves the probe
 * unanswered for a second is closed, and its client binds a spare as a new client would. Spares
 * silent since then are probed too, and take no client until they answer. Idle tunnels are never
 * probed by this, and a tunnel that answers while its traffic stays one-way is probed
 * less and less often, up to once per keepalive interval.
 */
final class SilentTunnels {

  /** A tunnel silent this long while its client sends is probed. */
  static final long SILENCE = 1_000_000_000L;
  /** A probe unanswered this long: the tunnel is dead. */
  static final long ANSWER_WITHIN = 1_000_000_000L;
  /** Datagrams of the client during the silence before a probe: a lone keepalive is no reason. */
  static final int CLIENT_DATAGRAMS = 2;

  private final TunnelTable table;
  private final ControlChannel channel;
  private final CookieJar cookies;
  private final Outbox outbox;
  private final TunnelCloser closer;
  private final Binding binding;
  private final ServiceMeters meters;
  private final EventLog log;
  private OutsideServiceConfig config;

  SilentTunnels(OutsideServiceConfig config, TunnelTable table, ControlChannel channel, CookieJar cookies, Outbox outbox,
                TunnelCloser closer, Binding binding, ServiceMeters meters, EventLog log) {
    this.config = config;
    this.table = table;
    this.channel = channel;
    this.cookies = cookies;
    this.outbox = outbox;
    this.closer = closer;
    this.binding = binding;
    this.meters = meters;
    this.log = log;
  }

  void update(OutsideServiceConfig next) {
    config = next;
  }

  /** Anything from the tunnel's address: it lives. Data resets the probing pace. */
  void heard(OutsideTunnel t, boolean data, long now) {
    if (t.probing) {
      t.probing = false;
      if (!data) {
        t.probeIntervalNanos = Math.min(2 * t.probeIntervalNanos, config.keepaliveInterval().toNanos());
      }
    }
    if (data) {
      t.probeIntervalNanos = SILENCE;
    }
    t.lastHeardNanos = now;
    t.clientSinceHeard = 0;
  }

  /**
   * The tunnel's client sent {@code data}.
   *
   * @return true if the tunnel was found dead and the datagram went the way of a new client's
   */
  boolean clientSent(OutsideTunnel t, InetSocketAddress client, ByteBuf data, long now) {
    if (t.probing) {
      if (now - t.probeSentNanos <= ANSWER_WITHIN) {
        return false;
      }
      log.limited(Level.INFO, "silent:" + config.name(), "silent_tunnel_closed", "service", config.name(),
          "tunnel", hex(t.id), "client", Udp.show(client),
          "silentSeconds", (now - t.lastHeardNanos) / 1_000_000 / 1000.0);
      meters.event("silent_tunnel_closed");
      closer.close(t, CloseReason.UNKNOWN_TUNNEL, "silent", now);
      probeSuspects(t.lastHeardNanos, now);
      binding.newClient(client, data, now);
      return true;
    }
    if (++t.clientSinceHeard >= CLIENT_DATAGRAMS && now - t.lastHeardNanos > SILENCE
        && now - t.lastProbeNanos >= t.probeIntervalNanos) {
      probe(t, now);
    }
    return false;
  }

  /**
   * A tunnel was found dead: the spares that have been silent at least as long are likely of the
   * same dead agent. Each is probed, and takes no client until it answers (sweep closes it if not).
   */
  private void probeSuspects(long deadSince, long now) {
    for (OutsideTunnel t : table.all()) {
      if (t.client == null && !t.probing && t.lastHeardNanos - deadSince <= SILENCE) {
        probe(t, now);
      }
    }
  }

  /** Closes the spares whose probe went unanswered. */
  void sweep(long now) {
    List<OutsideTunnel> dead = new ArrayList<>();
    for (OutsideTunnel t : table.all()) {
      if (t.client == null && t.probing && now - t.probeSentNanos > ANSWER_WITHIN) {
        dead.add(t);
      }
    }
    for (OutsideTunnel t : dead) {
      meters.event("silent_tunnel_closed");
      closer.close(t, CloseReason.UNKNOWN_TUNNEL, "silent", now);
    }
  }

  private void probe(OutsideTunnel t, long now) {
    t.probing = true;
    t.probeSentNanos = now;
    t.lastProbeNanos = now;
    meters.event("tunnel_probed");
    byte[] cookie = cookies.cookie(t.address, t.id, channel.serviceId());
    outbox.send(ControlMessage.challenge(channel.serviceId(), t.id, channel.next(), cookie, t.address), t.address);
  }
}
