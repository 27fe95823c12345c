package io.rut.inside;

import java.net.Inet4Address;
import java.net.InetSocketAddress;

/**
 * The PROXY protocol version 2 header (HAProxy's specification, section 2.2) that starts every
 * datagram to a service in {@code "clientAddress": "proxy-v2"} mode: the signature, version 2 with
 * the command PROXY, UDP over IPv4 ({@code 0x12}) or IPv6 ({@code 0x22}), and the client's public
 * address and port as the source, the outside agent's address of the service as the destination.
 * An IPv4 address paired with an IPv6 one is written IPv4-mapped. Without a known client the
 * header says LOCAL (the service then uses the datagram's real source).
 */
final class ProxyHeader {

  static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
  static final byte[] LOCAL = header(0x20, 0x00, new byte[0]);

  private ProxyHeader() {
  }

  /** The header naming {@code client} as the source and {@code destination} as the destination. */
  static byte[] of(InetSocketAddress client, InetSocketAddress destination) {
    if (client == null) {
      return LOCAL;
    }
    byte[] src = client.getAddress().getAddress();
    byte[] dst = destination.getAddress().getAddress();
    boolean v4 = client.getAddress() instanceof Inet4Address && destination.getAddress() instanceof Inet4Address;
    if (!v4) {
      src = sixteen(src);
      dst = sixteen(dst);
    }
    byte[] block = new byte[2 * src.length + 4];
    System.arraycopy(src, 0, block, 0, src.length);
    System.arraycopy(dst, 0, block, src.length, dst.length);
    int ports = 2 * src.length;
    block[ports] = (byte) (client.getPort() >>> 8);
    block[ports + 1] = (byte) client.getPort();
    block[ports + 2] = (byte) (destination.getPort() >>> 8);
    block[ports + 3] = (byte) destination.getPort();
    return header(0x21, v4 ? 0x12 : 0x22, block);
  }

  private static byte[] sixteen(byte[] ip) {
    if (ip.length == 16) {
      return ip;
    }
    byte[] mapped = new byte[16];
    mapped[10] = mapped[11] = (byte) 0xff;
    System.arraycopy(ip, 0, mapped, 12, 4);
    return mapped;
  }

  private static byte[] header(int versionCommand, int familyTransport, byte[] block) {
    byte[] h = new byte[16 + block.length];
    System.arraycopy(SIGNATURE, 0, h, 0, 12);
    h[12] = (byte) versionCommand;
    h[13] = (byte) familyTransport;
    h[14] = (byte) (block.length >>> 8);
    h[15] = (byte) block.length;
    System.arraycopy(block, 0, h, 16, block.length);
    return h;
  }

  /** {@code header} followed by {@code datagram}, for a datagram that was held. */
  static byte[] prepend(byte[] header, byte[] datagram) {
    byte[] out = new byte[header.length + datagram.length];
    System.arraycopy(header, 0, out, 0, header.length);
    System.arraycopy(datagram, 0, out, header.length, datagram.length);
    return out;
  }
}
