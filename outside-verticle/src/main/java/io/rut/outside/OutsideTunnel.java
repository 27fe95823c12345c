package io.rut.outside;

import java.net.InetSocketAddress;

/** What the outside agent knows of one registered tunnel. Mutated on its relay's event loop only. */
final class OutsideTunnel {
  final long id;
  /** Where the tunnel's datagrams come from: the inside's NAT mapping. */
  InetSocketAddress address;
  /** The client bound to it, or null while it is a spare. */
  InetSocketAddress client;
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
  /** Anything from the tunnel's address, data or control: {@link SilentTunnels} reads these. */
  long lastHeardNanos;
  int clientSinceHeard;
  /** A probe is outstanding, sent then. */
  boolean probing;
  long probeSentNanos;
  long lastProbeNanos;
  long probeIntervalNanos = SilentTunnels.SILENCE;

  OutsideTunnel(long id, InetSocketAddress address, long now) {
    this.id = id;
    this.address = address;
    this.registeredNanos = now;
    this.lastKeepaliveNanos = now;
    this.lastDataNanos = now;
    this.lastHeardNanos = now;
    this.lastProbeNanos = now - SilentTunnels.SILENCE;
  }

  boolean spare() {
    return client == null;
  }

  void countToTunnel(int bytes, long now) {
    toTunnelDatagrams++;
    toTunnelBytes += bytes;
    lastDataNanos = now;
  }

  void countToClient(int bytes, long now) {
    toClientDatagrams++;
    toClientBytes += bytes;
    lastDataNanos = now;
  }
}
