package io.rut.protocol;

import static io.rut.protocol.Wire.BODY;
import static io.rut.protocol.Wire.KEY_A;
import static io.rut.protocol.Wire.addr;
import static io.rut.protocol.Wire.hex;
import static io.rut.protocol.Wire.slice;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Encode/decode round trips of every message type and the byte layout of PROTOCOL.md section 2. */
class ControlCodecTest {

  private static final long SID = ServiceId.of("demo");
  private static final long TID = 0x0102030405060708L;
  private static final long CTR = 0x1112131415161718L;
  private static final byte[] COOKIE = Wire.fill(16, 0xa0);

  // 192.0.2.7:51820 and [2001:db8::1]:443, and their 19-byte wire forms written out by hand
  private static final InetSocketAddress V4 = addr("192.0.2.7", 51820);
  private static final byte[] V4_WIRE = hex("04 c0000207 000000000000000000000000 ca6c");
  private static final InetSocketAddress V6 = addr("2001:db8::1", 443);
  private static final byte[] V6_WIRE = hex("06 20010db8000000000000000000000001 01bb");

  private final ControlCodec codec = Wire.codec(KEY_A);

  static Stream<InetSocketAddress> addresses() {
    return Stream.of(V4, V6, addr("10.0.0.1", 0), addr("10.0.0.1", 65535), addr("::", 65535), null);
  }

  private ControlMessage roundTrip(ControlMessage m) {
    byte[] wire = codec.encode(m);
    assertEquals(88, wire.length);
    ControlMessage back = codec.decode(wire);
    assertNotNull(back, "a freshly encoded message must decode");
    return back;
  }

  private static void assertSameMessage(ControlMessage expected, ControlMessage actual) {
    assertEquals(expected.type(), actual.type(), "type");
    assertEquals(expected.spare(), actual.spare(), "spare");
    assertEquals(expected.serviceId(), actual.serviceId(), "serviceId");
    assertEquals(expected.tunnelId(), actual.tunnelId(), "tunnelId");
    assertEquals(expected.counter(), actual.counter(), "counter");
    assertArrayEquals(expected.cookie(), actual.cookie(), "cookie");
    assertEquals(expected.address(), actual.address(), "address");
    assertEquals(expected.ackedCounter(), actual.ackedCounter(), "ackedCounter");
    assertEquals(expected.reason(), actual.reason(), "reason");
    assertEquals(expected.retryAfter(), actual.retryAfter(), "retryAfter");
  }

  // ---- round trips ----

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void helloRoundTrip(boolean spare) {
    ControlMessage m = ControlMessage.hello(SID, TID, CTR, spare);
    assertSameMessage(m, roundTrip(m));
  }

  @ParameterizedTest
  @MethodSource("addresses")
  void challengeRoundTrip(InetSocketAddress observed) {
    ControlMessage m = ControlMessage.challenge(SID, TID, CTR, COOKIE, observed);
    assertSameMessage(m, roundTrip(m));
  }

  @ParameterizedTest
  @MethodSource("addresses")
  void authRoundTrip(InetSocketAddress client) {
    ControlMessage m = ControlMessage.auth(SID, TID, CTR, COOKIE, client);
    ControlMessage back = roundTrip(m);
    assertSameMessage(m, back);
    assertEquals(client == null, back.spare());
  }

  @ParameterizedTest
  @MethodSource("addresses")
  void keepaliveRoundTrip(InetSocketAddress client) {
    ControlMessage m = ControlMessage.keepalive(SID, TID, CTR, client);
    ControlMessage back = roundTrip(m);
    assertSameMessage(m, back);
    assertEquals(client == null, back.spare());
  }

  @ParameterizedTest
  @MethodSource("addresses")
  void ackRoundTrip(InetSocketAddress observed) {
    ControlMessage m = ControlMessage.ack(SID, TID, CTR, 0x8877665544332211L, observed);
    assertSameMessage(m, roundTrip(m));
  }

  @ParameterizedTest
  @MethodSource("addresses")
  void bindRoundTrip(InetSocketAddress client) {
    ControlMessage m = ControlMessage.bind(SID, TID, CTR, client);
    assertSameMessage(m, roundTrip(m));
  }

  @ParameterizedTest
  @EnumSource(CloseReason.class)
  void closeRoundTrip(CloseReason reason) {
    ControlMessage m = ControlMessage.close(SID, TID, CTR, reason);
    ControlMessage back = roundTrip(m);
    assertSameMessage(m, back);
    assertEquals(reason, CloseReason.of(back.reason()));
  }

  @ParameterizedTest
  @EnumSource(RejectReason.class)
  void rejectRoundTrip(RejectReason reason) {
    for (int retryAfter : new int[] {0, 1, 30, 256, 65535}) {
      ControlMessage m = ControlMessage.reject(SID, TID, CTR, reason, retryAfter);
      ControlMessage back = roundTrip(m);
      assertSameMessage(m, back);
      assertEquals(reason, RejectReason.of(back.reason()));
    }
  }

  @ParameterizedTest
  @EnumSource(MessageType.class)
  void spareFlagAndExtremeHeaderValuesRoundTripForEveryType(MessageType type) {
    byte[] cookie = (type == MessageType.CHALLENGE || type == MessageType.AUTH) ? COOKIE : null;
    for (boolean spare : new boolean[] {true, false}) {
      for (long id : new long[] {1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE}) {
        ControlMessage m = new ControlMessage(type, spare, id, id, id, cookie, null, 0, 0, 0);
        assertSameMessage(m, roundTrip(m));
      }
    }
  }

  // ---- byte layout ----

  private static void assertHeader(byte[] wire, int typeCode, int flags) {
    assertEquals(88, wire.length, "size");
    assertArrayEquals(hex("525554"), slice(wire, 0, 3), "magic at 0..2");
    assertEquals(0x01, wire[3], "version at 3");
    assertEquals(typeCode, wire[4], "type at 4");
    assertEquals(flags, wire[5], "flags at 5");
    assertEquals(0, wire[6], "reserved byte 6");
    assertEquals(0, wire[7], "reserved byte 7");
    assertEquals(SID, Wire.longAt(wire, 8), "service id at 8..15");
    assertArrayEquals(hex("0102030405060708"), slice(wire, 16, 24), "tunnel id at 16..23, big-endian");
    assertArrayEquals(hex("1112131415161718"), slice(wire, 24, 32), "counter at 24..31, big-endian");
    assertArrayEquals(Wire.tagOf(KEY_A, wire), slice(wire, 72, 88), "tag at 72..87");
  }

  private static void assertZero(byte[] wire, int from, int to) {
    for (int i = from; i < to; i++) {
      assertEquals(0, wire[i], "padding byte " + i + " must be zero");
    }
  }

  @Test
  void tunnelIdsPrintAsSixteenHexDigits() {
    assertEquals("0000000000000001", ControlMessage.hex(1));
    assertEquals("ffffffffffffffff", ControlMessage.hex(-1));
  }

  @Test
  void serviceIdBytesAreTheSha256PrefixOfTheName() throws Exception {
    byte[] wire = codec.encode(ControlMessage.hello(SID, TID, CTR, true));
    byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
        .digest("demo".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertArrayEquals(Arrays.copyOf(digest, 8), slice(wire, 8, 16));
  }

  @Test
  void helloLayout() {
    byte[] spare = codec.encode(ControlMessage.hello(SID, TID, CTR, true));
    assertHeader(spare, 1, 1);
    assertZero(spare, BODY, 72);
    byte[] notSpare = codec.encode(ControlMessage.hello(SID, TID, CTR, false));
    assertHeader(notSpare, 1, 0);
  }

  @Test
  void challengeLayout() {
    byte[] wire = codec.encode(ControlMessage.challenge(SID, TID, CTR, COOKIE, V4));
    assertHeader(wire, 2, 0);
    assertArrayEquals(COOKIE, slice(wire, 32, 48), "cookie at 32..47");
    assertArrayEquals(V4_WIRE, slice(wire, 48, 67), "observed address at 48..66");
    assertZero(wire, 67, 72);
  }

  @Test
  void authLayout() {
    byte[] wire = codec.encode(ControlMessage.auth(SID, TID, CTR, COOKIE, V6));
    assertHeader(wire, 3, 0);
    assertArrayEquals(COOKIE, slice(wire, 32, 48), "cookie at 32..47");
    assertArrayEquals(V6_WIRE, slice(wire, 48, 67), "client address at 48..66");
    assertZero(wire, 67, 72);

    byte[] spare = codec.encode(ControlMessage.auth(SID, TID, CTR, COOKIE, null));
    assertHeader(spare, 3, 1);
    assertArrayEquals(COOKIE, slice(spare, 32, 48));
    assertZero(spare, 48, 72);
  }

  @Test
  void keepaliveLayout() {
    byte[] wire = codec.encode(ControlMessage.keepalive(SID, TID, CTR, V4));
    assertHeader(wire, 4, 0);
    assertArrayEquals(V4_WIRE, slice(wire, 32, 51), "client address at 32..50");
    assertZero(wire, 51, 72);

    byte[] spare = codec.encode(ControlMessage.keepalive(SID, TID, CTR, null));
    assertHeader(spare, 4, 1);
    assertZero(spare, 32, 72);
  }

  @Test
  void ackLayout() {
    byte[] wire = codec.encode(ControlMessage.ack(SID, TID, CTR, 0x2122232425262728L, V6));
    assertHeader(wire, 5, 0);
    assertArrayEquals(hex("2122232425262728"), slice(wire, 32, 40), "acked counter at 32..39, big-endian");
    assertArrayEquals(V6_WIRE, slice(wire, 40, 59), "observed address at 40..58");
    assertZero(wire, 59, 72);
  }

  @Test
  void bindLayout() {
    byte[] wire = codec.encode(ControlMessage.bind(SID, TID, CTR, V4));
    assertHeader(wire, 6, 0);
    assertArrayEquals(V4_WIRE, slice(wire, 32, 51), "client address at 32..50");
    assertZero(wire, 51, 72);
  }

  @Test
  void closeLayout() {
    byte[] wire = codec.encode(ControlMessage.close(SID, TID, CTR, CloseReason.UNKNOWN_TUNNEL));
    assertHeader(wire, 7, 0);
    assertEquals(4, wire[32], "reason at 32");
    assertZero(wire, 33, 72);
  }

  @Test
  void rejectLayout() {
    byte[] wire = codec.encode(ControlMessage.reject(SID, TID, CTR, RejectReason.RATE_LIMITED, 0x1234));
    assertHeader(wire, 8, 0);
    assertEquals(3, wire[32], "reason at 32");
    assertArrayEquals(hex("1234"), slice(wire, 33, 35), "retry-after at 33..34, big-endian");
    assertZero(wire, 35, 72);
  }

  @Test
  void handBuiltMessageDecodesToTheSameFields() {
    // the same ACK written byte by byte, independently of the encoder
    byte[] wire = Wire.header(5, 0, SID, TID, CTR);
    Wire.putLongAt(wire, 32, 0x2122232425262728L);
    System.arraycopy(V6_WIRE, 0, wire, 40, 19);
    Wire.sign(KEY_A, wire);

    ControlMessage expected = ControlMessage.ack(SID, TID, CTR, 0x2122232425262728L, V6);
    assertArrayEquals(wire, codec.encode(expected));
    assertSameMessage(expected, codec.decode(wire));
  }

  @Test
  void looksLikeControlChecksSizeMagicAndVersionOnly() {
    byte[] wire = codec.encode(ControlMessage.hello(SID, TID, CTR, true));
    assertTrue(ControlCodec.looksLikeControl(wire));
    byte[] unsigned = Wire.header(1, 0, 0, 0, 0);
    assertTrue(ControlCodec.looksLikeControl(unsigned), "the pre-check does not verify the tag");
    unsigned[3] = 2;
    assertFalse(ControlCodec.looksLikeControl(unsigned));
    assertFalse(ControlCodec.looksLikeControl(Arrays.copyOf(wire, 87)));
    assertFalse(ControlCodec.looksLikeControl(Arrays.copyOf(wire, 89)));
  }
}
