package io.rut.protocol;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.function.LongSupplier;

/**
 * The outside agent's stateless cookies (PROTOCOL.md section 5 step 2): HMAC-SHA256 under a key
 * made at start over observed address, tunnel id, service id and a 30-second epoch. Accepts the
 * current and the previous epoch. One thread only.
 */
public final class CookieJar {

  public static final int COOKIE_SIZE = 16;
  public static final long EPOCH_SECONDS = 30;

  private final HmacSha256 mac;
  private final LongSupplier unixSeconds;
  private final byte[] buf = new byte[AddressCodec.SIZE + 24];
  private final byte[] out = new byte[HmacSha256.SIZE];

  public CookieJar() {
    this(randomKey(), () -> System.currentTimeMillis() / 1000);
  }

  public CookieJar(byte[] key, LongSupplier unixSeconds) {
    this.mac = new HmacSha256(key);
    this.unixSeconds = unixSeconds;
  }

  private static byte[] randomKey() {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    return k;
  }

  public long epoch() {
    return unixSeconds.getAsLong() / EPOCH_SECONDS;
  }

  public byte[] cookie(InetSocketAddress observed, long tunnelId, long serviceId) {
    return cookie(observed, tunnelId, serviceId, epoch());
  }

  public byte[] cookie(InetSocketAddress observed, long tunnelId, long serviceId, long epoch) {
    AddressCodec.write(observed, buf, 0);
    ControlCodec.putLong(buf, AddressCodec.SIZE, tunnelId);
    ControlCodec.putLong(buf, AddressCodec.SIZE + 8, serviceId);
    ControlCodec.putLong(buf, AddressCodec.SIZE + 16, epoch);
    mac.mac(buf, 0, buf.length, out);
    return java.util.Arrays.copyOf(out, COOKIE_SIZE);
  }

  /** True if {@code cookie} was made for this address, tunnel and service in this or the previous epoch. */
  public boolean verify(byte[] cookie, InetSocketAddress observed, long tunnelId, long serviceId) {
    long e = epoch();
    return java.security.MessageDigest.isEqual(cookie, cookie(observed, tunnelId, serviceId, e))
        | java.security.MessageDigest.isEqual(cookie, cookie(observed, tunnelId, serviceId, e - 1));
  }
}
