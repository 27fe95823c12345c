package io.rut.inside;

/**
 * Where one inside tunnel stands (docs/PROTOCOL.md, "State machines and timers"). Every tunnel is
 * in exactly one state; {@link Tunnel} makes every transition.
 *
 * <pre>
 *   OPENING --sockets bound--> REGISTERING --ACK--> SPARE --BIND--> CLAIMING --free--> ACTIVE
 *                                                     |                 \--carried--> CONFLICTED --grace--> ACTIVE
 *                                                     \--first data (BIND lost)-----------------------------> ACTIVE
 *   ACTIVE --3 keepalives unanswered / re-register--> RECONNECTING --ACK--> ACTIVE
 *   SPARE, CLAIMING, CONFLICTED --path lost, REJECT, outside restart--> REGISTERING
 *   any --idle, CLOSE from the outside, shutdown--> CLOSED
 * </pre>
 */
public enum TunnelState {
  /** The tunnel and service sockets are being bound. */
  OPENING,
  /** No client; HELLO sent with back-off, waiting for CHALLENGE and then ACK. */
  REGISTERING,
  /** Registered at the outside, no client: ready for the next one. */
  SPARE,
  /** The outside bound a client (BIND); the agent is asked whether another tunnel carries it. */
  CLAIMING,
  /** Bound to a client another tunnel carries: that one restores its binding, or this takes over after a grace. */
  CONFLICTED,
  /** Carrying a client, registered. */
  ACTIVE,
  /** Carrying a client whose path to the outside was lost: HELLO with back-off, service socket kept. */
  RECONNECTING,
  /** Done: the agent undeploys it. */
  CLOSED;

  /** Registered at the outside as far as this side knows: keepalives are due. */
  boolean registered() {
    return this == SPARE || this == CLAIMING || this == CONFLICTED || this == ACTIVE;
  }

  /** Relays a client's data to the service. */
  boolean carrying() {
    return this == ACTIVE || this == RECONNECTING;
  }
}
