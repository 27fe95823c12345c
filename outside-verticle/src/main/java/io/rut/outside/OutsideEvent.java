package io.rut.outside;

import java.net.InetSocketAddress;

/**
 * A tunnel's lifecycle at the outside, published on the local event bus at {@link #ADDRESS} for
 * whoever watches (tests, tools); the relay does not depend on anyone listening.
 *
 * @param address the tunnel's address (the inside's NAT mapping)
 * @param client  the bound client, or null for a spare
 */
public record OutsideEvent(String service, Kind kind, long tunnel, InetSocketAddress address,
                           InetSocketAddress client) {

  public static final String ADDRESS = "rut.outside.events";

  /** What happened to the tunnel. */
  public enum Kind { REGISTERED, BOUND, MOVED, RESTORED, CLOSED }
}
