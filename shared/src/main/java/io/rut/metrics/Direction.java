package io.rut.metrics;

import java.util.Locale;

/** Which way a forwarded datagram went. */
public enum Direction {
  /** Outside: from a client into its tunnel. */
  CLIENT_TO_TUNNEL,
  /** Outside: from a tunnel back to its client. */
  TUNNEL_TO_CLIENT,
  /** Inside: from the tunnel to the service. */
  TUNNEL_TO_SERVICE,
  /** Inside: from the service into the tunnel. */
  SERVICE_TO_TUNNEL;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
