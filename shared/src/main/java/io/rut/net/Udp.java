package io.rut.net;

import io.rut.protocol.AddressCodec;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.SocketAddress;
import java.net.Inet6Address;
import java.net.InetSocketAddress;

/** Small helpers for RUT's datagram sockets and their addresses. */
public final class Udp {

  private Udp() {
  }

  /** A Vert.x datagram socket of the family of {@code peer} (IPv6 sockets are dual-stack), for tools. */
  public static DatagramSocket socketFor(Vertx vertx, InetSocketAddress peer) {
    return vertx.createDatagramSocket(new DatagramSocketOptions().setIpV6(peer.getAddress() instanceof Inet6Address));
  }

  /** The wildcard address of {@code peer}'s family, to bind an ephemeral port. */
  public static String wildcardFor(InetSocketAddress peer) {
    return peer.getAddress() instanceof Inet6Address ? "::" : "0.0.0.0";
  }

  /**
   * The form of an address that the data path compares: the IP literal without a host name, and an
   * IPv4-mapped IPv6 address as IPv4 (as the JDK and Netty report senders).
   */
  public static InetSocketAddress canonical(InetSocketAddress a) {
    InetSocketAddress c = AddressCodec.canonical(a);
    return new InetSocketAddress(c.getAddress(), c.getPort());
  }

  /** Prints an address the way a user writes it: {@code 1.2.3.4:5} or {@code [::1]:5}; null as {@code none}. */
  public static String show(InetSocketAddress a) {
    if (a == null) {
      return "none";
    }
    String h = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
    int scope = h.indexOf('%');
    if (scope >= 0) {
      h = h.substring(0, scope);
    }
    return h.indexOf(':') >= 0 ? "[" + h + "]:" + a.getPort() : h + ":" + a.getPort();
  }

  public static String show(SocketAddress a) {
    String h = a.hostAddress() != null ? a.hostAddress() : a.host();
    int scope = h.indexOf('%');
    if (scope >= 0) {
      h = h.substring(0, scope);
    }
    return h.indexOf(':') >= 0 ? "[" + h + "]:" + a.port() : h + ":" + a.port();
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
