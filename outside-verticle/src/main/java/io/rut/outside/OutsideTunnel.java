package io.rut.outside;

import io.vertx.core.net.SocketAddress;
import java.net.InetSocketAddress;

/** What the outside agent knows of one registered tunnel. Mutated on its relay's event loop only. */
final class OutsideTunnel {
  final long id;
  SocketAddress address;
  InetSocketAddress inetAddress;
  SocketAddress client;
  /** The client's address resolved once, to send to. */
  InetSocketAddress clientInet;
  long highestCounter;
  long lastKeepaliveNanos;
  /** In the free-spare queue (a flag, so re-queueing is O(1)). */
  boolean queued;
  long toTunnelDatagrams;
  long toTunnelBytes;
  long toClientDatagrams;
  long toClientBytes;
  long lastDataNanos;
  final long registeredNanos;

  OutsideTunnel(long id, SocketAddress address, InetSocketAddress inetAddress, long now) {
    this.id = id;
    this.address = address;
    this.inetAddress = inetAddress;
    this.registeredNanos = now;
    this.lastKeepaliveNanos = now;
    this.lastDataNanos = now;
  }

  boolean spare() {
    return client == null;
  }
}
