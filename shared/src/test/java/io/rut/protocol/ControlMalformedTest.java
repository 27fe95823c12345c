package io.rut.protocol;

import static io.rut.protocol.Wire.KEY_A;
import static io.rut.protocol.Wire.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Messages whose tag verifies but whose content breaks PROTOCOL.md section 2 throw
 * MalformedControlException. Every message here is written and signed by hand.
 */
class ControlMalformedTest {

  private static final long SID = ServiceId.of("demo");
  private static final byte[] V4_WIRE = hex("04 c0000207 000000000000000000000000 ca6c");

  private final ControlCodec codec = Wire.codec(KEY_A);

  /** A valid KEEPALIVE carrying a client address, unsigned. */
  private static byte[] keepalive() {
    byte[] wire = Wire.header(4, 0, SID, 0x0102030405060708L, 1000);
    System.arraycopy(V4_WIRE, 0, wire, 32, 19);
    return wire;
  }

  /** A valid message of {@code type} with an empty body (reason 1 for CLOSE and REJECT), unsigned. */
  private static byte[] minimal(int type, long tunnelId) {
    byte[] wire = Wire.header(type, 0, SID, tunnelId, 1);
    if (type == 7 || type == 8) {
      wire[32] = 1;
    }
    return wire;
  }

  private void assertMalformed(byte[] unsigned) {
    byte[] signed = Wire.sign(KEY_A, unsigned);
    assertThrows(MalformedControlException.class, () -> codec.decode(signed));
  }

  @Test
  void baselineHandBuiltMessagesDecode() {
    ControlMessage m = codec.decode(Wire.sign(KEY_A, keepalive()));
    assertNotNull(m);
    assertEquals(MessageType.KEEPALIVE, m.type());
    assertEquals(Wire.addr("192.0.2.7", 51820), m.address());
    for (int type = 1; type <= 8; type++) {
      assertNotNull(codec.decode(Wire.sign(KEY_A, minimal(type, 1))), "type " + type);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 9, 10, 127, 128, 255})
  void unknownTypeCode(int type) {
    assertMalformed(Wire.header(type, 0, SID, 1, 1));
  }

  @Test
  void unknownTypeWithABadTagIsJustNotControl() {
    byte[] wire = Wire.header(9, 0, SID, 1, 1);
    Wire.sign(Wire.KEY_B, wire);
    assertNull(codec.decode(wire));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7})
  void reservedFlagBit(int bit) {
    byte[] wire = keepalive();
    wire[5] = (byte) (1 << bit);
    assertMalformed(wire);
    byte[] withSpare = keepalive();
    withSpare[5] = (byte) ((1 << bit) | 1);
    assertMalformed(withSpare);
  }

  @ParameterizedTest
  @ValueSource(ints = {6, 7})
  void reservedByteNotZero(int offset) {
    for (int value : new int[] {0x01, 0x80, 0xff}) {
      byte[] wire = keepalive();
      wire[offset] = (byte) value;
      assertMalformed(wire);
    }
  }

  @Test
  void tunnelIdZero() {
    for (int type = 1; type <= 8; type++) {
      assertMalformed(minimal(type, 0));
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 5, 7, 0x46, 0xff})
  void unknownAddressFamily(int family) {
    byte[] wire = keepalive();
    wire[32] = (byte) family;
    assertMalformed(wire);
  }

  @Test
  void unknownAddressFamilyAtEveryAddressOffset() {
    // CHALLENGE and AUTH: address at 48; ACK: at 40; BIND: at 32
    int[][] typeAndOffset = {{2, 48}, {3, 48}, {5, 40}, {6, 32}};
    for (int[] t : typeAndOffset) {
      byte[] wire = Wire.header(t[0], 0, SID, 1, 1);
      System.arraycopy(V4_WIRE, 0, wire, t[1], 19);
      assertNotNull(codec.decode(Wire.sign(KEY_A, wire.clone())), "baseline type " + t[0]);
      wire[t[1]] = 5;
      assertMalformed(wire);
    }
  }

  @Test
  void familyZeroWithAnyNonZeroByte() {
    for (int i = 1; i < 19; i++) {
      byte[] wire = Wire.header(4, 1, SID, 1, 1);
      wire[32 + i] = 1;
      assertMalformed(wire);
    }
  }

  @Test
  void ipv4WithNonZeroPadding() {
    for (int i = 5; i < 17; i++) {
      byte[] wire = keepalive();
      wire[32 + i] = 1;
      assertMalformed(wire);
    }
  }

  @Test
  void ipv4MappedAddressWrittenAsFamily6() {
    byte[] wire = Wire.header(6, 0, SID, 1, 1);
    System.arraycopy(hex("06 00000000000000000000ffff01020304 0035"), 0, wire, 32, 19);
    assertMalformed(wire);
  }
}
