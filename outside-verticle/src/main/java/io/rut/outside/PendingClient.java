package io.rut.outside;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/** A new client's first datagrams, held (at most 8, at most 2 s) until a spare tunnel registers. */
final class PendingClient {
  static final int MAX_DATAGRAMS = 8;
  static final long MAX_AGE_NANOS = 2_000_000_000L;

  final InetSocketAddress address;
  final ArrayDeque<byte[]> datagrams = new ArrayDeque<>(MAX_DATAGRAMS);
  final ArrayDeque<Long> arrivals = new ArrayDeque<>(MAX_DATAGRAMS);

  PendingClient(InetSocketAddress address) {
    this.address = address;
  }

  boolean offer(byte[] datagram, long now) {
    if (datagrams.size() >= MAX_DATAGRAMS) {
      return false;
    }
    datagrams.add(datagram);
    arrivals.add(now);
    return true;
  }

  /** Drops datagrams older than 2 s; returns how many. */
  int expire(long now) {
    int n = 0;
    while (!arrivals.isEmpty() && now - arrivals.peek() > MAX_AGE_NANOS) {
      arrivals.poll();
      datagrams.poll();
      n++;
    }
    return n;
  }
}
