package io.rut.outside;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.rut.config.OutsideServiceConfig;
import io.rut.metrics.EventLog;
import io.rut.metrics.Registries;
import io.rut.metrics.ServiceMeters;
import io.rut.protocol.ControlCodec;
import io.rut.protocol.MessageCounter;
import io.rut.protocol.ServiceKeys;
import io.rut.protocol.WireGuardInitiation;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.SplittableRandom;

/**
 * Drives a private copy of a service's relay, with no socket, its own tables and meters and a
 * silent log, through the datagrams a flood brings from strangers: junk, forged control messages
 * and fake WireGuard initiations. A freshly started JVM runs those refusal paths slowly until they
 * are compiled; a flood arriving then makes the outside fall behind for a moment, and the kernel
 * drops from the full queue of the public socket for every source alike, legitimate clients
 * included. Rehearsed at start, on a worker thread, the paths are compiled before any flood.
 */
final class RefusalRehearsal {

  /** Enough for the JIT's top tier to compile the refusal paths. */
  static final int DATAGRAMS = 20_000;

  private RefusalRehearsal() {
  }

  /** Runs {@code datagrams} strangers' datagrams through a copy of a relay; returns how many went through. */
  static int run(OutsideServiceConfig config, ServiceKeys keys, int datagrams) throws UnknownHostException {
    ServiceRelay copy = new ServiceRelay(config, keys, new MessageCounter(),
        new ServiceMeters(Registries.prometheus(), "outside", config.name()), EventLog.silent("outside"));
    SplittableRandom random = new SplittableRandom(datagrams);
    byte[] payload = new byte[1400];
    // A direct buffer like the transport's reads, so that what is compiled fits the real calls.
    ByteBuf data = ByteBufAllocator.DEFAULT.directBuffer(payload.length);
    try {
      for (int i = 0; i < datagrams; i++) {
        data.clear().writeBytes(payload, 0, stranger(i, random, payload));
        copy.onDatagram(data, source(i, random));
      }
    } finally {
      data.release();
    }
    return datagrams;
  }

  /** Fills {@code d} with the {@code i}-th stranger's datagram; returns its length. */
  private static int stranger(int i, SplittableRandom random, byte[] d) {
    random.nextBytes(d);
    switch (i % 10) {
      case 7, 8 -> {
        d[0] = 'R';
        d[1] = 'U';
        d[2] = 'T';
        d[3] = 1;
        return ControlCodec.SIZE;
      }
      case 9 -> {
        d[0] = 1;
        d[1] = d[2] = d[3] = 0;
        return WireGuardInitiation.SIZE;
      }
      default -> {
        return 1 + random.nextInt(d.length);
      }
    }
  }

  /** Sources from the ranges set aside for benchmarks and documentation, IPv4 and IPv6. */
  private static SocketAddress source(int i, SplittableRandom random) throws UnknownHostException {
    byte[] ip;
    if (i % 4 == 3) {
      ip = new byte[16];
      random.nextBytes(ip);
      ip[0] = 0x20;
      ip[1] = 0x01;
      ip[2] = 0x0d;
      ip[3] = (byte) 0xb8;
    } else {
      ip = new byte[] {(byte) 198, (byte) (18 + random.nextInt(2)), (byte) random.nextInt(256),
          (byte) random.nextInt(256)};
    }
    return SocketAddress.inetSocketAddress(
        new InetSocketAddress(InetAddress.getByAddress(ip), 1024 + random.nextInt(64_512)));
  }
}
