package io.rut.inside;

import java.net.InetSocketAddress;

/**
 * What a tunnel tells its service's agent, on the local event bus (never a datagram). Immutable
 * records that travel as they are ({@link io.rut.agent.LocalCodec}).
 */
public sealed interface TunnelEvent {

  long tunnel();

  /** The outside bound {@code client} to this spare: may it carry it? Answered with {@link TunnelCommand.Verdict}. */
  record Claim(long tunnel, InetSocketAddress client) implements TunnelEvent {
  }

  /** Carries a client now: its first datagram came without BIND ({@code client} null), or it took one over. */
  record Activated(long tunnel, InetSocketAddress client) implements TunnelEvent {
  }

  /** The tunnel is registered at the outside (again). */
  record PathUp(long tunnel) implements TunnelEvent {
  }

  /** The tunnel is no longer registered: it lost its path, or it closed. */
  record PathDown(long tunnel) implements TunnelEvent {
  }

  /** The outside lost its state (it restarted): every tunnel of the service should register again. */
  record OutsideRestarted(long tunnel) implements TunnelEvent {
  }

  /** The outside stopped answering this tunnel's keepalives. */
  record OutsideSilent(long tunnel) implements TunnelEvent {
  }

  /** The tunnel closed, for {@code reason}; its sockets go with its undeployment. */
  record Closed(long tunnel, InetSocketAddress client, String reason) implements TunnelEvent {
  }
}
