package io.rut.protocol;

/** A datagram whose tag verifies but whose content breaks PROTOCOL.md (a peer bug, never an attacker). */
public final class MalformedControlException extends RuntimeException {
  public MalformedControlException(String message) {
    super(message, null, false, false);
  }
}
