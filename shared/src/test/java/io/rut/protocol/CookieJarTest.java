package io.rut.protocol;

import static io.rut.protocol.Wire.addr;
import static io.rut.protocol.Wire.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Stateless cookies of PROTOCOL.md section 5 step 2. */
class CookieJarTest {

  private static final byte[] KEY = Wire.fill(32, 0xc0);
  private static final InetSocketAddress SRC = addr("198.51.100.23", 40123);
  private static final long TID = 0x0a0b0c0d0e0f1011L;
  private static final long SID = ServiceId.of("demo");

  // a time well inside epoch 56_666_666 (30-second epochs)
  private final AtomicLong clock = new AtomicLong(1_700_000_000L - 20);
  private final CookieJar jar = new CookieJar(KEY, clock::get);

  private void advance(long seconds) {
    clock.addAndGet(seconds);
  }

  @Test
  void epochIsUnixSecondsOver30() {
    assertEquals(30, CookieJar.EPOCH_SECONDS);
    clock.set(1_699_999_980L);
    assertEquals(56_666_666L, jar.epoch());
    clock.set(1_700_000_009L);
    assertEquals(56_666_666L, jar.epoch());
    clock.set(1_700_000_010L);
    assertEquals(56_666_667L, jar.epoch());
  }

  @Test
  void cookieIsFirst16BytesOfHmacOverAddressTunnelServiceEpoch() {
    // address(19) || tunnel id(8) || service id(8) || epoch(8), all written out by hand
    ByteBuffer in = ByteBuffer.allocate(19 + 24);
    in.put(hex("04 c6336417 000000000000000000000000 9cbb"));
    in.putLong(TID).putLong(SID).putLong(jar.epoch());
    byte[] expected = Arrays.copyOf(Wire.hmacSha256(KEY, in.array(), 0, 43), 16);

    byte[] cookie = jar.cookie(SRC, TID, SID);
    assertEquals(16, cookie.length);
    assertArrayEquals(expected, cookie);
    assertArrayEquals(expected, jar.cookie(SRC, TID, SID, jar.epoch()));
  }

  @Test
  void cookieOverAnIpv6AddressMatchesAnIndependentComputation() {
    InetSocketAddress v6 = addr("2001:db8::7", 443);
    ByteBuffer in = ByteBuffer.allocate(43);
    in.put(hex("06 20010db8000000000000000000000007 01bb"));
    in.putLong(TID).putLong(SID).putLong(12345L);
    byte[] expected = Arrays.copyOf(Wire.hmacSha256(KEY, in.array(), 0, 43), 16);
    assertArrayEquals(expected, jar.cookie(v6, TID, SID, 12345L));
  }

  @Test
  void sameInputsSameCookie() {
    byte[] a = jar.cookie(SRC, TID, SID);
    byte[] b = jar.cookie(addr("198.51.100.23", 40123), TID, SID);
    assertArrayEquals(a, b);
    assertArrayEquals(a, new CookieJar(KEY.clone(), clock::get).cookie(SRC, TID, SID), "another jar, same key");
    advance(5);
    assertArrayEquals(a, jar.cookie(SRC, TID, SID), "same epoch, a few seconds later");
  }

  @Test
  void cookieDependsOnEveryInput() {
    byte[] base = jar.cookie(SRC, TID, SID);
    assertDiffers(base, jar.cookie(addr("198.51.100.24", 40123), TID, SID), "address");
    assertDiffers(base, jar.cookie(addr("198.51.100.23", 40124), TID, SID), "port");
    assertDiffers(base, jar.cookie(addr("2001:db8::1", 40123), TID, SID), "address family");
    assertDiffers(base, jar.cookie(SRC, TID + 1, SID), "tunnel id");
    assertDiffers(base, jar.cookie(SRC, TID, SID ^ 1), "service id");
    assertDiffers(base, jar.cookie(SRC, TID, SID, jar.epoch() + 1), "epoch");
    assertDiffers(base, new CookieJar(Wire.fill(32, 0xc1), clock::get).cookie(SRC, TID, SID), "key");
    advance(30);
    assertDiffers(base, jar.cookie(SRC, TID, SID), "next epoch by the clock");
  }

  private static void assertDiffers(byte[] a, byte[] b, String what) {
    assertFalse(Arrays.equals(a, b), "cookie must change with the " + what);
  }

  @Test
  void verifyAcceptsThisAndThePreviousEpochOnly() {
    long e = jar.epoch();
    clock.set(e * 30);
    byte[] cookie = jar.cookie(SRC, TID, SID);
    assertTrue(jar.verify(cookie, SRC, TID, SID), "same epoch, first second");
    clock.set(e * 30 + 29);
    assertTrue(jar.verify(cookie, SRC, TID, SID), "same epoch, last second");
    clock.set((e + 1) * 30);
    assertTrue(jar.verify(cookie, SRC, TID, SID), "previous epoch, first second of the next");
    clock.set((e + 1) * 30 + 29);
    assertTrue(jar.verify(cookie, SRC, TID, SID), "previous epoch, last second of the next");
    clock.set((e + 2) * 30);
    assertFalse(jar.verify(cookie, SRC, TID, SID), "two epochs back");
    clock.set((e + 5) * 30);
    assertFalse(jar.verify(cookie, SRC, TID, SID), "long expired");
  }

  @Test
  void verifyAcceptsACookieMadeForThePreviousEpochExplicitly() {
    long e = jar.epoch();
    assertTrue(jar.verify(jar.cookie(SRC, TID, SID, e - 1), SRC, TID, SID));
    assertFalse(jar.verify(jar.cookie(SRC, TID, SID, e - 2), SRC, TID, SID));
  }

  @Test
  void verifyRejectsAFutureEpoch() {
    byte[] future = jar.cookie(SRC, TID, SID, jar.epoch() + 1);
    assertFalse(jar.verify(future, SRC, TID, SID));
  }

  @Test
  void verifyIsBoundToAddressTunnelAndService() {
    byte[] cookie = jar.cookie(SRC, TID, SID);
    assertFalse(jar.verify(cookie, addr("198.51.100.23", 40124), TID, SID), "other port");
    assertFalse(jar.verify(cookie, addr("198.51.100.99", 40123), TID, SID), "other address");
    assertFalse(jar.verify(cookie, SRC, TID ^ 1, SID), "other tunnel");
    assertFalse(jar.verify(cookie, SRC, TID, SID ^ 1), "other service");
    byte[] bent = cookie.clone();
    bent[15] ^= 1;
    assertFalse(jar.verify(bent, SRC, TID, SID), "altered cookie");
    assertFalse(jar.verify(new CookieJar(Wire.fill(32, 0xc1), clock::get).cookie(SRC, TID, SID), SRC, TID, SID),
        "cookie of another key");
  }

  @Test
  void mappedAndPlainIpv4GiveTheSameCookie() throws Exception {
    byte[] raw = hex("00000000000000000000ffffc6336417");
    InetSocketAddress mapped = new InetSocketAddress(java.net.Inet6Address.getByAddress(null, raw, -1), 40123);
    assertArrayEquals(jar.cookie(SRC, TID, SID), jar.cookie(mapped, TID, SID));
    assertTrue(jar.verify(jar.cookie(SRC, TID, SID), mapped, TID, SID));
  }
}
