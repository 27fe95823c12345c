package io.rut.inside;

import static io.rut.protocol.ControlMessage.hex;

import io.netty.buffer.ByteBuf;
import io.rut.config.InsideServiceConfig;
import io.rut.control.ControlChannel;
import io.rut.metrics.DropReason;
import io.rut.metrics.EventLog;
import io.rut.metrics.ServiceMeters;
import io.rut.protocol.CloseReason;
import io.rut.protocol.ControlMessage;
import java.net.InetSocketAddress;

/**
 * One inside tunnel's protocol logic (PROTOCOL.md sections 1, 4 and 5), with no I/O and no clock:
 * fed datagrams from the outside and from the service, ticks, and commands from its agent, each
 * with the time; it answers through a {@link TunnelOutput}. Its state is one {@link TunnelState};
 * its timers are the {@link TunnelDeadlines}. One event loop only.
 */
public final class Tunnel {

  private final long id;
  private final ControlChannel channel;
  private final TunnelPath path;
  private final TunnelDeadlines deadlines;
  private final TunnelOutput out;
  private final ServiceMeters meters;
  private final EventLog log;
  private final TunnelDatagrams datagrams;
  private InsideServiceConfig config;
  private TunnelState state = TunnelState.OPENING;
  private InetSocketAddress client;
  /** What a repeated CLOSE says. */
  private CloseReason closing = CloseReason.SHUTDOWN;

  Tunnel(long id, TunnelContext ctx, ControlChannel channel, TunnelDeadlines deadlines, TunnelOutput out, long now) {
    this.id = id;
    this.config = ctx.config();
    this.meters = ctx.meters();
    this.log = ctx.log();
    this.channel = channel;
    this.deadlines = deadlines;
    this.out = out;
    this.path = new TunnelPath(id, ctx, channel, deadlines, out, now);
    this.datagrams = new TunnelDatagrams(this, path, ctx, out, now);
  }

  /** Both sockets are bound: register. */
  public void opened(long now) {
    if (state != TunnelState.OPENING) {
      return;
    }
    to(TunnelState.REGISTERING);
    path.hello(true, now);
    deadlines.firstHello(now);
    deadlines.scheduleKeepalive(now);
  }

  /** A socket could not be bound: it closes without a word to the outside. */
  public void openFailed(long now) {
    close("open_failed", false, now);
  }

  /** What this tunnel does with each datagram, on either socket. */
  public TunnelDatagrams datagrams() {
    return datagrams;
  }

  /** Handles {@code data} from the outside if it is a control message; false if it is data. */
  boolean handledAsControl(ByteBuf data, long now) {
    ControlMessage m = path.receive(data);
    if (m == null) {
      return false;
    }
    if (m == ControlChannel.DROPPED || state == TunnelState.CLOSED) {
      return true;
    }
    switch (m.type()) {
      case CHALLENGE -> onChallenge(m, now);
      case ACK -> onAck(m, now);
      case BIND -> onBind(m);
      case CLOSE -> onClose(m, now);
      default -> { // REJECT: the only other type that path.receive lets through
        becomeUnregistered();
        deadlines.helloAfter(now, path.rejected(m));
      }
    }
    return true;
  }

  private void onChallenge(ControlMessage m, long now) {
    switch (path.onChallenge(m, state.registered(), state.carrying(), client, now)) {
      case OUTSIDE_RESTARTED_SPARE -> {
        becomeUnregistered();
        deadlines.reregisterSoon(now);
        out.publish(new TunnelEvent.OutsideRestarted(id));
      }
      case OUTSIDE_RESTARTED -> out.publish(new TunnelEvent.OutsideRestarted(id));
      default -> { }
    }
  }

  private void onAck(ControlMessage m, long now) {
    path.onAck(m, state.registered(), now);
    if (!state.registered()) {
      deadlines.stopHello();
      to(state == TunnelState.RECONNECTING ? TunnelState.ACTIVE : TunnelState.SPARE);
    }
  }

  private void onBind(ControlMessage m) {
    if (state.carrying()) {
      client = m.address();
      return;
    }
    if (state == TunnelState.CLAIMING || state == TunnelState.CONFLICTED) {
      return;
    }
    client = m.address();
    to(TunnelState.CLAIMING);
    out.publish(new TunnelEvent.Claim(id, client));
  }

  private void onClose(ControlMessage m, long now) {
    CloseReason reason = CloseReason.of(m.reason());
    close(reason == null ? "closed_by_outside" : "outside_" + reason.name().toLowerCase(), false, now);
  }

  /** The agent's answer to this tunnel's {@link TunnelEvent.Claim}. */
  public void verdict(boolean granted, long now) {
    if (state != TunnelState.CLAIMING) {
      return;
    }
    if (granted) {
      activate(client, now);
      datagrams.deliverHeld(now);
      return;
    }
    // Another tunnel carries the client: it registers again and its AUTH makes the outside close
    // this one. A carrier that has not done so within the grace is taken for dead.
    to(TunnelState.CONFLICTED);
    datagrams.dropHeld(DropReason.BINDING_CONFLICT);
    deadlines.startGrace(now);
  }

  /** Register again: at once if carrying a client, shortly if a spare (bindings are restored first). */
  public void reregister(long now) {
    if (state == TunnelState.OPENING || state == TunnelState.CLOSED) {
      return;
    }
    if (state == TunnelState.ACTIVE || state == TunnelState.RECONNECTING) {
      to(TunnelState.RECONNECTING);
      path.hello(false, now);
      deadlines.helloBackoff(now);
    } else {
      becomeUnregistered();
      deadlines.reregisterSoon(now);
    }
  }

  /** A reload: new intervals apply from the next deadline on, new keys from the next message. */
  public void update(TunnelContext ctx, long now) {
    boolean newTimeout = !ctx.config().connectionTimeout().equals(config.connectionTimeout());
    boolean newInterval = !ctx.config().keepaliveInterval().equals(config.keepaliveInterval());
    config = ctx.config();
    datagrams.update(ctx);
    channel.rekey(ctx.keys());
    deadlines.update(config, now, newTimeout, newInterval, datagrams.stats().lastData());
  }

  /** Handles every deadline that is due at {@code now}. */
  public void tick(long now) {
    if (deadlines.closeRepeatDue(now)) {
      path.close(closing, now);
    }
    if (state == TunnelState.CLOSED) {
      return;
    }
    if (deadlines.graceDue(now) && state == TunnelState.CONFLICTED) {
      meters.event("binding_taken_over");
      activate(client, now);
      out.publish(new TunnelEvent.Activated(id, client));
    }
    if (deadlines.helloDue(now) && !state.registered()) {
      path.hello(!state.carrying(), now);
    }
    if (deadlines.keepaliveDue(now) && state.registered() && !path.keepalive(client, now)) {
      pathLost(now);
    }
    if (deadlines.quietDue(now) && !path.quietCheck(state.registered() && state.carrying(), client, now)) {
      pathLost(now);
    }
    if (state.carrying() && deadlines.idleDue(now, datagrams.stats().lastData())) {
      close("idle", true, now);
    }
  }

  public long nextDeadline() {
    return deadlines.next();
  }

  /** Closed, and nothing left to send: its sockets can go. */
  public boolean finished() {
    return state == TunnelState.CLOSED && deadlines.next() == TunnelDeadlines.NEVER;
  }

  /** Three keepalives in a row went unanswered: register again from the same socket. */
  private void pathLost(long now) {
    becomeUnregistered();
    out.publish(new TunnelEvent.OutsideSilent(id));
    path.hello(!state.carrying(), now);
    deadlines.helloBackoff(now);
  }

  /** Every change of state goes here: the agent hears when the tunnel's registration comes and goes. */
  private void to(TunnelState next) {
    boolean was = state.registered();
    state = next;
    if (was != next.registered()) {
      out.publish(next.registered() ? new TunnelEvent.PathUp(id) : new TunnelEvent.PathDown(id));
    }
  }

  /** The first data datagram came without BIND (it was lost): the tunnel carries a client all the same. */
  void activatedByData(long now) {
    activate(null, now);
    out.publish(new TunnelEvent.Activated(id, null));
  }

  private void activate(InetSocketAddress boundClient, long now) {
    deadlines.stopHello(); // data came: the outside holds it, even if an ACK was lost
    to(TunnelState.ACTIVE);
    client = boundClient;
    datagrams.stats().touch(now);
    deadlines.startIdle(now);
  }

  /** A tunnel without a client loses its registration (and any claim on a client). */
  private void becomeUnregistered() {
    if (state.carrying()) {
      to(TunnelState.RECONNECTING);
      return;
    }
    to(TunnelState.REGISTERING);
    client = null;
    datagrams.dropHeld(DropReason.NO_CLIENT);
    deadlines.stopGrace();
  }

  private void close(String reason, boolean tellOutside, long now) {
    if (state == TunnelState.CLOSED) {
      return;
    }
    if (state == TunnelState.CLAIMING) {
      // The outside closed it before the agent answered: the carrier restored its binding first.
      datagrams.dropHeld(DropReason.BINDING_CONFLICT);
    }
    to(TunnelState.CLOSED);
    closing = "idle".equals(reason) ? CloseReason.IDLE : CloseReason.SHUTDOWN;
    deadlines.stopAll();
    meters.closed(reason);
    log.debug("tunnel_closed", "service", config.name(), "tunnel", hex(id), "reason", reason);
    if (tellOutside && path.knownToOutside()) {
      // CLOSE is not acknowledged: it goes twice, a little apart, before the sockets close.
      path.close(closing, now);
      deadlines.repeatClose(now);
    }
    out.publish(new TunnelEvent.Closed(id, client, reason));
  }

  /** The agent stops: a tunnel the outside may know says CLOSE (shutdown). */
  public void shutdown(long now) {
    if (state != TunnelState.CLOSED && path.knownToOutside()) {
      path.close(CloseReason.SHUTDOWN, now);
    }
    state = TunnelState.CLOSED; // not through to(): the agent stops too, and is not unhealthy for it
    deadlines.stopAll();
  }

  public TunnelState state() {
    return state;
  }

  public InetSocketAddress client() {
    return client;
  }

  TunnelPath path() {
    return path;
  }

  public TunnelStats stats() {
    return datagrams.stats();
  }
}
