package io.rut.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address block, {@code 10.0.0.0/8} or {@code 2001:db8::/32}; a bare address is a block of one. */
public record Cidr(byte[] network, int prefix) {

  public static Cidr parse(String text) {
    int slash = text.indexOf('/');
    String host = slash < 0 ? text : text.substring(0, slash);
    // Literals only: a name here would make InetAddress ask DNS.
    boolean v4 = host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean v6 = host.indexOf(':') >= 0 && host.matches("[0-9a-fA-F:.]+");
    if (!v4 && !v6) {
      throw new ConfigException("'" + text + "' is not an address block like 10.0.0.0/8 or 2001:db8::/32");
    }
    byte[] ip;
    try {
      ip = InetAddress.getByName(host).getAddress();
    } catch (UnknownHostException e) {
      throw new ConfigException("'" + text + "' is not an address block like 10.0.0.0/8 or 2001:db8::/32");
    }
    int bits = ip.length * 8;
    int prefix;
    try {
      prefix = slash < 0 ? bits : Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new ConfigException("'" + text + "': the prefix length is not a number");
    }
    if (prefix < 0 || prefix > bits) {
      throw new ConfigException("'" + text + "': the prefix length must be 0-" + bits);
    }
    return new Cidr(mask(ip, prefix), prefix);
  }

  private static byte[] mask(byte[] ip, int prefix) {
    byte[] out = ip.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - 8 * i));
      out[i] &= (byte) (0xff << (8 - keep));
    }
    return out;
  }

  /** True if {@code ip} (4 or 16 bytes, IPv4-mapped IPv6 already reduced) lies in this block. */
  public boolean contains(byte[] ip) {
    if (ip.length != network.length) {
      return false;
    }
    return java.util.Arrays.equals(mask(ip, prefix), network);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c && c.prefix == prefix && java.util.Arrays.equals(c.network, network);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(network) * 31 + prefix;
  }

  @Override
  public String toString() {
    try {
      return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
