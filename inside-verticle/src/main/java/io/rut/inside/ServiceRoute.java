package io.rut.inside;

import io.rut.config.ClientAddress;
import java.net.Inet6Address;
import java.net.InetSocketAddress;

/**
 * How a tunnel reaches its service for its present client: from the tunnel's own socket (the
 * service sees a local peer), or from a socket bound to the client's public address (transparent
 * mode: the service sees the client itself). Decided without I/O by {@link #plan}; the tunnel's
 * verticle then opens the socket, and falls back to its own socket if that fails.
 *
 * @param source   the client's address to send from, or null for the tunnel's own socket
 * @param target   where the service is for this client
 * @param fallback why a transparent service does not see this client's address, or null
 */
record ServiceRoute(InetSocketAddress source, InetSocketAddress target, Fallback fallback) {

  /** Why a client of a transparent service is carried from the tunnel's own socket instead. */
  enum Fallback {
    /** The outside's BIND was lost: the tunnel carries a client whose address it does not know. */
    CLIENT_UNKNOWN,
    /** The client's address family differs from the service's, and no otherFamilyTarget is set. */
    OTHER_FAMILY,
    /** A socket on the client's address could not be opened (counted, logged, tried again). */
    BIND_FAILED;

    String label() {
      return name().toLowerCase();
    }
  }

  static ServiceRoute local(InetSocketAddress target) {
    return new ServiceRoute(null, target, null);
  }

  boolean transparent() {
    return source != null;
  }

  /**
   * The route for {@code client} (null if unknown): transparent mode sends from the client's
   * address to the target of its family, {@code target} or {@code otherFamilyTarget} (may be null).
   */
  static ServiceRoute plan(ClientAddress mode, InetSocketAddress client, InetSocketAddress target,
                           InetSocketAddress otherFamilyTarget) {
    if (mode != ClientAddress.TRANSPARENT) {
      return local(target);
    }
    if (client == null) {
      return new ServiceRoute(null, target, Fallback.CLIENT_UNKNOWN);
    }
    if (ipv6(client) == ipv6(target)) {
      return new ServiceRoute(client, target, null);
    }
    if (otherFamilyTarget != null && ipv6(client) == ipv6(otherFamilyTarget)) {
      return new ServiceRoute(client, otherFamilyTarget, null);
    }
    return new ServiceRoute(null, target, Fallback.OTHER_FAMILY);
  }

  /** What a route whose socket could not be opened becomes: the tunnel's own socket, to {@code target}. */
  static ServiceRoute bindFailed(InetSocketAddress target) {
    return new ServiceRoute(null, target, Fallback.BIND_FAILED);
  }

  private static boolean ipv6(InetSocketAddress a) {
    return a.getAddress() instanceof Inet6Address;
  }
}
