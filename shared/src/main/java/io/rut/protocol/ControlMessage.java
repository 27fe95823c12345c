package io.rut.protocol;

import java.net.InetSocketAddress;

/**
 * One decoded control message (PROTOCOL.md section 2). Fields a type does not carry are zero or null.
 *
 * @param type         the message type
 * @param spare        flag bit 0: the sender's tunnel has no client
 * @param serviceId    first 8 bytes of SHA-256 of the service name
 * @param tunnelId     the tunnel the message is about, never 0
 * @param counter      the sender's message counter
 * @param cookie       16-byte cookie (CHALLENGE, AUTH), else null
 * @param address      the body address: observed source (CHALLENGE, ACK), bound client (AUTH,
 *                     KEEPALIVE, BIND); null for family 0
 * @param ackedCounter the acknowledged counter (ACK)
 * @param reason       CLOSE or REJECT reason code
 * @param retryAfter   REJECT retry-after in seconds
 */
public record ControlMessage(MessageType type, boolean spare, long serviceId, long tunnelId, long counter,
                             byte[] cookie, InetSocketAddress address, long ackedCounter, int reason,
                             int retryAfter) {

  /** A tunnel id as logs and status pages print it: 16 hex digits. */
  public static String hex(long tunnelId) {
    return String.format("%016x", tunnelId);
  }

  public static ControlMessage hello(long serviceId, long tunnelId, long counter, boolean spare) {
    return new ControlMessage(MessageType.HELLO, spare, serviceId, tunnelId, counter, null, null, 0, 0, 0);
  }

  public static ControlMessage challenge(long serviceId, long tunnelId, long counter, byte[] cookie,
                                         InetSocketAddress observed) {
    return new ControlMessage(MessageType.CHALLENGE, false, serviceId, tunnelId, counter, cookie, observed, 0, 0, 0);
  }

  public static ControlMessage auth(long serviceId, long tunnelId, long counter, byte[] cookie,
                                    InetSocketAddress client) {
    return new ControlMessage(MessageType.AUTH, client == null, serviceId, tunnelId, counter, cookie, client, 0, 0, 0);
  }

  public static ControlMessage keepalive(long serviceId, long tunnelId, long counter, InetSocketAddress client) {
    return new ControlMessage(MessageType.KEEPALIVE, client == null, serviceId, tunnelId, counter, null, client, 0, 0, 0);
  }

  public static ControlMessage ack(long serviceId, long tunnelId, long counter, long ackedCounter,
                                   InetSocketAddress observed) {
    return new ControlMessage(MessageType.ACK, false, serviceId, tunnelId, counter, null, observed, ackedCounter, 0, 0);
  }

  public static ControlMessage bind(long serviceId, long tunnelId, long counter, InetSocketAddress client) {
    return new ControlMessage(MessageType.BIND, false, serviceId, tunnelId, counter, null, client, 0, 0, 0);
  }

  public static ControlMessage close(long serviceId, long tunnelId, long counter, CloseReason reason) {
    return new ControlMessage(MessageType.CLOSE, false, serviceId, tunnelId, counter, null, null, 0, reason.code, 0);
  }

  public static ControlMessage reject(long serviceId, long tunnelId, long counter, RejectReason reason,
                                     int retryAfterSeconds) {
    return new ControlMessage(MessageType.REJECT, false, serviceId, tunnelId, counter, null, null, 0, reason.code,
        retryAfterSeconds);
  }
}
