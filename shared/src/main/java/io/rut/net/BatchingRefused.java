package io.rut.net;

/**
 * The kernel refused a batching of a {@link RelaySocket}, which then goes on without it.
 *
 * @param event    what to count and log: {@code gro_refused} (UDP_GRO, when the socket was opened)
 *                 or {@code segments_refused} (a UDP_SEGMENT send)
 * @param error    the kernel's error
 * @param fallback what the socket does instead, for the log
 */
public record BatchingRefused(String event, String error, String fallback) {

  static BatchingRefused gro(String error) {
    return new BatchingRefused("gro_refused", error, "one datagram per read");
  }

  static BatchingRefused segments(String error) {
    return new BatchingRefused("segments_refused", error, "one datagram per send");
  }
}
