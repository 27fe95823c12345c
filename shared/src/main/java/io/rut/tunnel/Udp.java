package io.rut.tunnel;

import io.rut.protocol.AddressCodec;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.SocketAddress;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** Small helpers for RUT's datagram sockets and the two forms of socket address. */
public final class Udp {

  private Udp() {
  }

  /** A socket of the family of {@code peer} (IPv6 sockets are dual-stack). */
  public static DatagramSocket socketFor(Vertx vertx, InetSocketAddress peer) {
    return vertx.createDatagramSocket(new DatagramSocketOptions().setIpV6(peer.getAddress() instanceof Inet6Address));
  }

  /** The wildcard address of {@code peer}'s family, to bind an ephemeral port. */
  public static String wildcardFor(InetSocketAddress peer) {
    return peer.getAddress() instanceof Inet6Address ? "::" : "0.0.0.0";
  }

  /** A Vert.x address holding the IP literal only, so it equals what the transport reports for senders. */
  public static SocketAddress vertx(InetSocketAddress a) {
    InetSocketAddress c = AddressCodec.canonical(a);
    return SocketAddress.inetSocketAddress(new InetSocketAddress(c.getAddress(), c.getPort()));
  }

  /**
   * The canonical form of a sender's address, usable as a map key and comparable with
   * {@link #vertx(InetSocketAddress)}: transports report IPv6 senders with a scope ({@code %0}) and
   * may report IPv4 clients of a dual-stack socket as {@code ::ffff:a.b.c.d}. IPv4 senders, the
   * common case, pass through without allocation.
   */
  public static SocketAddress key(SocketAddress sender) {
    String h = sender.host();
    if (h.indexOf(':') < 0) {
      return sender;
    }
    return vertx(inet(sender));
  }

  /** The address of a received datagram's sender, IPv4-mapped IPv6 reduced to IPv4. */
  public static InetSocketAddress inet(SocketAddress a) {
    try {
      String host = a.hostAddress() != null ? a.hostAddress() : a.host();
      return AddressCodec.canonical(new InetSocketAddress(InetAddress.getByName(host), a.port()));
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: " + a, e);
    }
  }

  /** Reads the first four bytes without copying: could this be a control message? */
  public static boolean maybeControl(Buffer b) {
    return b.length() == 88 && b.getByte(0) == 0x52 && b.getByte(1) == 0x55 && b.getByte(2) == 0x54
        && b.getByte(3) == 0x01;
  }

  /** The same for a received datagram's bytes. */
  public static boolean maybeControl(io.netty.buffer.ByteBuf b) {
    int i = b.readerIndex();
    return b.readableBytes() == 88 && b.getByte(i) == 0x52 && b.getByte(i + 1) == 0x55 && b.getByte(i + 2) == 0x54
        && b.getByte(i + 3) == 0x01;
  }

  /** Prints an address the way a user writes it: {@code 1.2.3.4:5} or {@code [::1]:5}. */
  public static String show(SocketAddress a) {
    String h = a.hostAddress() != null ? a.hostAddress() : a.host();
    return h.indexOf(':') >= 0 ? "[" + h + "]:" + a.port() : h + ":" + a.port();
  }

  public static String show(InetSocketAddress a) {
    return a == null ? "none" : show(SocketAddress.inetSocketAddress(a));
  }

  /** A socket error as the short text a user reads. */
  public static String describe(Throwable e) {
    String m = e.getMessage();
    if (m != null && m.contains("Address already in use")) {
      return "address already in use";
    }
    return m == null ? e.getClass().getSimpleName() : m;
  }
}
