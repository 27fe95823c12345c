package io.rut.protocol;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The 19-byte address of PROTOCOL.md section 2: family (4, 6 or 0 for none), 16 address bytes
 * (IPv4 in the first 4), port (big-endian). IPv4-mapped IPv6 addresses are written as family 4.
 */
public final class AddressCodec {

  public static final int SIZE = 19;

  private AddressCodec() {
  }

  /** Writes {@code address} (null for none) at {@code offset}. */
  public static void write(InetSocketAddress address, byte[] out, int offset) {
    java.util.Arrays.fill(out, offset, offset + SIZE, (byte) 0);
    if (address == null) {
      return;
    }
    byte[] ip = address.getAddress().getAddress();
    if (ip.length == 16 && isV4Mapped(ip)) {
      ip = java.util.Arrays.copyOfRange(ip, 12, 16);
    }
    out[offset] = (byte) (ip.length == 4 ? 4 : 6);
    System.arraycopy(ip, 0, out, offset + 1, ip.length);
    int port = address.getPort();
    out[offset + 17] = (byte) (port >>> 8);
    out[offset + 18] = (byte) port;
  }

  /**
   * Reads the address at {@code offset}; null for family 0.
   *
   * @throws IllegalArgumentException for an unknown family or non-zero bytes where zeros belong
   */
  public static InetSocketAddress read(byte[] in, int offset) {
    int family = in[offset];
    int port = ((in[offset + 17] & 0xff) << 8) | (in[offset + 18] & 0xff);
    try {
      switch (family) {
        case 0:
          for (int i = 1; i < SIZE; i++) {
            if (in[offset + i] != 0) {
              throw new IllegalArgumentException("address family 0 with non-zero bytes");
            }
          }
          return null;
        case 4:
          for (int i = 5; i < 17; i++) {
            if (in[offset + i] != 0) {
              throw new IllegalArgumentException("IPv4 address with non-zero padding");
            }
          }
          byte[] v4 = java.util.Arrays.copyOfRange(in, offset + 1, offset + 5);
          return new InetSocketAddress(InetAddress.getByAddress(v4), port);
        case 6:
          byte[] v6 = java.util.Arrays.copyOfRange(in, offset + 1, offset + 17);
          if (isV4Mapped(v6)) {
            throw new IllegalArgumentException("IPv4-mapped address written as family 6");
          }
          return new InetSocketAddress(Inet6Address.getByAddress(null, v6, -1), port);
        default:
          throw new IllegalArgumentException("unknown address family " + family);
      }
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** The address with any IPv4-mapped IPv6 form reduced to plain IPv4, and no host name attached. */
  public static InetSocketAddress canonical(InetSocketAddress address) {
    InetAddress ip = address.getAddress();
    byte[] raw = ip.getAddress();
    try {
      if (raw.length == 16 && isV4Mapped(raw)) {
        ip = Inet4Address.getByAddress(java.util.Arrays.copyOfRange(raw, 12, 16));
      } else if (ip instanceof Inet6Address v6) {
        ip = Inet6Address.getByAddress(null, raw, v6.getScopeId() > 0 ? v6.getScopeId() : -1);
      } else {
        ip = InetAddress.getByAddress(raw);
      }
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
    return new InetSocketAddress(ip, address.getPort());
  }

  private static boolean isV4Mapped(byte[] ip) {
    for (int i = 0; i < 10; i++) {
      if (ip[i] != 0) {
        return false;
      }
    }
    return ip[10] == (byte) 0xff && ip[11] == (byte) 0xff;
  }
}
