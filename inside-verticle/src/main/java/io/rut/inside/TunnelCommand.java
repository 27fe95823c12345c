package io.rut.inside;

import java.net.InetSocketAddress;

/** What a service's agent tells one of its tunnels, on the local event bus. */
public sealed interface TunnelCommand {

  /** Register again at once (an active tunnel) or shortly (a spare): the outside lost its state. */
  record Reregister() implements TunnelCommand {
  }

  /** The outside agent's host name now resolves to {@code outside}. */
  record OutsideMoved(InetSocketAddress outside) implements TunnelCommand {
  }

  /** Changed settings or keys of the service (a reload); sockets, client and registration stay. */
  record Settings(TunnelContext context) implements TunnelCommand {
  }

  /** The agent's answer to a {@link TunnelEvent.Claim}: carry the client, or another tunnel does. */
  record Verdict(boolean granted) implements TunnelCommand {
  }

  /** Asks for the tunnel's status; the reply is a JsonObject. */
  record Status() implements TunnelCommand {
  }
}
