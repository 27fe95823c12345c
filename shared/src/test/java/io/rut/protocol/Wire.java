package io.rut.protocol;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Test helpers that build and sign control messages by hand, independently of the code under
 * test: HMAC comes from javax.crypto, integers from ByteBuffer (big-endian).
 */
final class Wire {

  static final int SIZE = 88;
  static final int BODY = 32;
  static final int TAG = 72;

  static final byte[] KEY_A = fill(32, 0x11);
  static final byte[] KEY_B = fill(32, 0x5a);

  private Wire() {
  }

  static byte[] fill(int n, int start) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (start + i);
    }
    return b;
  }

  static String secretOf(byte[] key) {
    return "base64:" + Base64.getEncoder().encodeToString(key);
  }

  static ControlCodec codec(byte[]... keys) {
    return new ControlCodec(ServiceKeys.derive("demo", java.util.Arrays.stream(keys).map(Wire::secretOf).toList()));
  }

  static byte[] hmacSha256(byte[] key, byte[] data, int offset, int length) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update(data, offset, length);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  /** The tag of PROTOCOL.md section 2: first 16 bytes of HMAC-SHA256(key, bytes 0..71). */
  static byte[] tagOf(byte[] key, byte[] message) {
    return java.util.Arrays.copyOf(hmacSha256(key, message, 0, TAG), 16);
  }

  /** Writes the tag under {@code key} into bytes 72..87 and returns {@code message}. */
  static byte[] sign(byte[] key, byte[] message) {
    System.arraycopy(tagOf(key, message), 0, message, TAG, 16);
    return message;
  }

  /** An unsigned 88-byte message with magic, version and the given header fields; body zero. */
  static byte[] header(int type, int flags, long serviceId, long tunnelId, long counter) {
    ByteBuffer b = ByteBuffer.allocate(SIZE);
    b.put((byte) 0x52).put((byte) 0x55).put((byte) 0x54).put((byte) 0x01);
    b.put((byte) type).put((byte) flags).put((byte) 0).put((byte) 0);
    b.putLong(serviceId).putLong(tunnelId).putLong(counter);
    return b.array();
  }

  static long longAt(byte[] b, int offset) {
    return ByteBuffer.wrap(b, offset, 8).getLong();
  }

  static void putLongAt(byte[] b, int offset, long v) {
    ByteBuffer.wrap(b, offset, 8).putLong(v);
  }

  static byte[] slice(byte[] b, int from, int to) {
    return java.util.Arrays.copyOfRange(b, from, to);
  }

  static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  /** A literal IP address and a port; never touches DNS. */
  static InetSocketAddress addr(String ipLiteral, int port) {
    try {
      return new InetSocketAddress(InetAddress.getByName(ipLiteral), port);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  static List<String> secrets(byte[]... keys) {
    return java.util.Arrays.stream(keys).map(Wire::secretOf).toList();
  }
}
