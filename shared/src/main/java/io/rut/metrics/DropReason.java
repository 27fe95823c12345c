package io.rut.metrics;

import java.util.Locale;

/** Why a datagram was dropped; each is counted per service. */
public enum DropReason {
  /** A zero-length datagram: no UDP service expects one. */
  EMPTY,
  /** On an inside tunnel socket, from anyone but the outside agent. */
  STRANGER,
  /** On an inside service socket, from anyone but the service. */
  NOT_FROM_SERVICE,
  /** A control message whose counter is not higher than the last one accepted. */
  REPLAY,
  /** A control message whose tag verifies but whose content breaks the protocol. */
  MALFORMED_CONTROL,
  /**
   * A foreign control message (88 bytes, magic {@code RUT}, version 1) whose tag fails under every
   * key of the service: another key, another service name, or a forgery. Never data.
   */
  BAD_TAG,
  /** A foreign control message: 88 bytes with the magic {@code RUT} but a version other than 1. Never data. */
  BAD_VERSION,
  /** A control message for another service. */
  WRONG_SERVICE,
  /** A control message type that the receiver never gets (e.g. an ACK at the outside). */
  WRONG_DIRECTION,
  /** An AUTH whose cookie does not verify for its source address. */
  BAD_COOKIE,
  /** A control message about a tunnel the receiver does not hold. */
  UNKNOWN_TUNNEL,
  /** Data from a spare tunnel that has no client. */
  NO_CLIENT,
  /** A new client while no spare is free and no room to wait. */
  NO_SPARE,
  /** A waiting client already holds its 8 datagrams. */
  QUEUE_FULL,
  /** A waiting client's datagram held longer than 2 s. */
  QUEUE_EXPIRED,
  /** An AUTH over a tunnel limit, answered with REJECT. */
  TUNNEL_LIMIT,
  /** The socket refused to send. */
  SEND_FAILED,
  /** A new client outside the allow list or inside the deny list. */
  NOT_ALLOWED,
  /** A new client whose source already holds maxTunnelsPerIp tunnels. */
  PER_IP_LIMIT,
  /** A new client over the rate of new bindings of its source or of the service. */
  RATE_LIMITED,
  /** A new client whose first datagram is not a WireGuard handshake initiation for this server. */
  NOT_WIREGUARD,
  /** A HELLO or KEEPALIVE not answered: its source is over its rate of challenges. */
  CHALLENGE_LIMITED,
  /**
   * On an inside tunnel the outside bound to a client that another tunnel still carries, while that
   * tunnel restores its binding at the outside.
   */
  BINDING_CONFLICT;

  /** The label value in metrics: lower case with underscores. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
