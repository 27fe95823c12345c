package io.rut.inside;

import static io.rut.protocol.ControlMessage.hex;

import io.netty.buffer.ByteBuf;
import io.rut.control.ControlChannel;
import io.rut.metrics.DropReason;
import io.rut.metrics.EventLog;
import io.rut.metrics.ServiceMeters;
import io.rut.net.Udp;
import io.rut.protocol.CloseReason;
import io.rut.protocol.ControlMessage;
import io.rut.protocol.RejectReason;
import java.net.InetSocketAddress;
import java.util.logging.Level;

/**
 * One tunnel's path to the outside agent (PROTOCOL.md sections 4 and 5), without I/O: sends
 * HELLO, AUTH, KEEPALIVE and CLOSE with the agent's counter, answers CHALLENGE, takes ACK, counts
 * keepalives that went unanswered, and probes a quiet path before data. Its {@link Tunnel} owns
 * the state and decides what a lost or restarted outside means.
 */
final class TunnelPath {

  private static final long SECOND = 1_000_000_000L;
  /** Sent nothing for this long: re-validate the NAT mapping before the next data datagram. */
  static final long QUIET_BEFORE_DATA = 15 * SECOND;
  /** Sent data but heard nothing for this long: probe at once (at most once a second). */
  static final long DEAF_WHILE_SENDING = 2 * SECOND;
  static final int MISSED_ACKS_BEFORE_HELLO = 3;
  /** How long a registered spare must have been so before data without BIND activates it. */
  static final long SETTLE = SECOND;

  /** What a CHALLENGE turned out to mean. */
  enum Challenge {
    /** Answered with AUTH (registration, or a NAT that moved the tunnel's address). */
    ANSWERED,
    /** The outside lost its state; AUTH restores this tunnel's binding. */
    OUTSIDE_RESTARTED,
    /** The outside lost its state and this tunnel has no client: it registers again a little later. */
    OUTSIDE_RESTARTED_SPARE
  }

  private final long id;
  private final ControlChannel channel;
  private final TunnelDeadlines deadlines;
  private final TunnelOutput out;
  private final ServiceMeters meters;
  private final EventLog log;
  private final String service;
  private InetSocketAddress outside;
  private InetSocketAddress lastObserved;
  private long highestFromOutside;
  private int missedAcks;
  private int unansweredHellos;
  private long authsSent;
  private long keepaliveCounter;
  private long keepaliveSentAt;
  private long lastReceived;
  private long lastSent;
  private long lastProbe;
  private long lastAck;
  private boolean acked;
  private long registeredAt;
  private final QuietWatch quiet;

  TunnelPath(long id, TunnelContext ctx, ControlChannel channel, TunnelDeadlines deadlines, TunnelOutput out,
             long now) {
    this.id = id;
    this.channel = channel;
    this.deadlines = deadlines;
    this.quiet = new QuietWatch(deadlines);
    this.out = out;
    this.meters = ctx.meters();
    this.log = ctx.log();
    this.service = ctx.config().name();
    this.outside = ctx.outside();
    lastReceived = lastSent = now;
    lastProbe = now - 2 * SECOND; // none yet, on whatever origin the clock has
  }

  InetSocketAddress outside() {
    return outside;
  }

  void outsideMoved(InetSocketAddress to) {
    outside = to;
  }

  void received(long now) {
    lastReceived = now;
  }

  /** Data came from the outside (per datagram). */
  void dataIn(long now) {
    missedAcks = 0; // the outside forwards data only to a tunnel it holds: the path lives
    quiet.dataIn(now);
  }

  /**
   * The outside went quiet after data ({@link QuietWatch}): an early keepalive, which stands in for
   * the next regular one, so that a session whose traffic pauses now and then costs no more.
   *
   * @param watch whether the tunnel carries a client and is registered (else nothing is checked)
   * @return false when the path is lost (too many keepalives unanswered)
   */
  boolean quietCheck(boolean watch, InetSocketAddress client, long now) {
    if (!watch || !quiet.probeDue(now, lastReceived, lastProbe)) {
      return true;
    }
    lastProbe = now;
    deadlines.keepaliveAfterProbe(now);
    return keepalive(client, now);
  }

  /**
   * Reads a datagram from the outside that {@link ControlChannel#mayBeControl may be} a control message.
   *
   * @return null for data; {@link ControlChannel#DROPPED} for a control message dropped (and
   *     counted): foreign, another tunnel's, replayed, or of a type the inside never gets; else a
   *     CHALLENGE, ACK, BIND, CLOSE or REJECT for this tunnel
   */
  ControlMessage receive(ByteBuf data) {
    ControlMessage m = channel.read(data);
    if (m == null || m == ControlChannel.DROPPED) {
      return m;
    }
    if (!channel.ours(m)) {
      return ControlChannel.DROPPED;
    }
    if (m.tunnelId() != id) {
      meters.drop(DropReason.UNKNOWN_TUNNEL);
      return ControlChannel.DROPPED;
    }
    return switch (m.type()) {
      case CHALLENGE, REJECT -> m;
      case ACK, BIND, CLOSE -> fresh(m) ? m : ControlChannel.DROPPED;
      default -> {
        meters.drop(DropReason.WRONG_DIRECTION);
        yield ControlChannel.DROPPED;
      }
    };
  }

  /** The outside cannot take this tunnel now: logs why, once, and says when to try again. */
  long rejected(ControlMessage m) {
    RejectReason reason = RejectReason.of(m.reason());
    String why = reason == null ? "reason " + m.reason() : reason.name().toLowerCase();
    log.limited(Level.WARNING, "reject:" + service + ":" + why, "tunnel_rejected", "service", service,
        "reason", why, "retryAfter", m.retryAfter());
    return Math.max(SECOND, m.retryAfter() * SECOND);
  }

  /** Whether {@code m}'s counter is above every one accepted from the outside on this tunnel (then it is). */
  private boolean fresh(ControlMessage m) {
    if (!channel.fresh(m, highestFromOutside)) {
      return false;
    }
    highestFromOutside = m.counter();
    return true;
  }

  Challenge onChallenge(ControlMessage m, boolean registered, boolean carrying, InetSocketAddress client, long now) {
    unansweredHellos = 0;
    if (registered && keepaliveCounter == 0) {
      // Not an answer to a KEEPALIVE: the outside probes a tunnel that seems silent (or answers a
      // HELLO late). AUTH tells it the tunnel lives; it changes nothing else there.
      authsSent++;
      send(ControlMessage.auth(channel.serviceId(), id, channel.next(), m.cookie(), client), now);
      return Challenge.ANSWERED;
    }
    // A registered tunnel challenged from the same public address: the outside no longer knows it.
    boolean restarted = registered && m.address() != null && m.address().equals(lastObserved);
    if (restarted && !carrying) {
      return Challenge.OUTSIDE_RESTARTED_SPARE;
    }
    authsSent++;
    send(ControlMessage.auth(channel.serviceId(), id, channel.next(), m.cookie(), client), now);
    if (restarted) {
      return Challenge.OUTSIDE_RESTARTED;
    }
    if (registered) {
      meters.event("nat_rebinding");
      log.info("nat_rebinding", "service", service, "tunnel", hex(id), "from", Udp.show(lastObserved),
          "to", Udp.show(m.address()));
    }
    return Challenge.ANSWERED;
  }

  void onAck(ControlMessage m, boolean registered, long now) {
    if (m.ackedCounter() == keepaliveCounter && keepaliveCounter != 0) {
      meters.keepaliveRtt(now - keepaliveSentAt);
      keepaliveCounter = 0;
    }
    if (!registered) {
      keepaliveCounter = 0;
      registeredAt = now;
    }
    lastAck = now;
    acked = true;
    missedAcks = 0;
    lastObserved = m.address();
  }

  /** A keepalive is due: sent, or false when too many went unanswered (the path is lost). */
  boolean keepalive(InetSocketAddress client, long now) {
    if (missedAcks >= MISSED_ACKS_BEFORE_HELLO) {
      log.limited(Level.WARNING, "silent:" + service, "outside_silent", "service", service, "missedAcks", missedAcks);
      return false;
    }
    missedAcks++;
    sendKeepalive(client, now);
    return true;
  }

  /** Data is about to leave: a path that has been quiet, or deaf, is probed first. */
  void beforeData(InetSocketAddress client, long now) {
    if (now - lastSent > QUIET_BEFORE_DATA || (now - lastReceived > DEAF_WHILE_SENDING && now - lastProbe > SECOND)) {
      lastProbe = now;
      sendKeepalive(client, now);
    }
    lastSent = now;
  }

  void hello(boolean spare, long now) {
    if (++unansweredHellos == 4) {
      // HELLO is only answered when its tag verifies: silence usually means a wrong secret or name.
      log.limited(Level.WARNING, "no-challenge:" + service, "outside_not_answering", "service", service,
          "outside", Udp.show(outside), "hint", "check that both agents use the same service name, secret and port");
    }
    send(ControlMessage.hello(channel.serviceId(), id, channel.next(), spare), now);
  }

  void close(CloseReason reason, long now) {
    send(ControlMessage.close(channel.serviceId(), id, channel.next(), reason), now);
  }

  /** An AUTH went out: the outside may hold this tunnel, and should hear of its end. */
  boolean knownToOutside() {
    return authsSent > 0;
  }

  /** This tunnel's public address as the outside last reported it, or null. */
  InetSocketAddress publicAddress() {
    return lastObserved;
  }

  /**
   * Whether data without BIND may be taken for a lost BIND: only on a tunnel registered for a while.
   * Earlier it may be meant for an old tunnel that had the same address (an agent restarted, and its
   * new socket got a dead one's port): the outside drops that one as this one registers.
   */
  boolean settled(long now) {
    return acked && now - registeredAt >= SETTLE;
  }

  /** Whether an ACK ever arrived, and when the last one did. */
  boolean acked() {
    return acked;
  }

  long lastAck() {
    return lastAck;
  }

  private void sendKeepalive(InetSocketAddress client, long now) {
    keepaliveCounter = channel.next();
    keepaliveSentAt = now;
    send(ControlMessage.keepalive(channel.serviceId(), id, keepaliveCounter, client), now);
  }

  private void send(ControlMessage m, long now) {
    lastSent = now;
    out.sendControl(channel.encode(m), outside);
  }
}
