package io.rut.protocol;

import static io.rut.protocol.Wire.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** HMAC-SHA256 against RFC 4231's vectors, also when one instance is reused and fed a slice. */
class HmacSha256Test {

  @Test
  void rfc4231TestCase1() {
    byte[] out = new byte[HmacSha256.SIZE];
    new HmacSha256(hex("0b".repeat(20))).mac("Hi There".getBytes(StandardCharsets.US_ASCII), 0, 8, out);
    assertArrayEquals(hex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"), out);
  }

  @Test
  void rfc4231TestCase2ReusedAndFromASlice() {
    HmacSha256 mac = new HmacSha256("Jefe".getBytes(StandardCharsets.US_ASCII));
    byte[] padded = "xxwhat do ya want for nothing?yy".getBytes(StandardCharsets.US_ASCII);
    byte[] expected = hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    for (int i = 0; i < 3; i++) {
      byte[] out = new byte[HmacSha256.SIZE];
      mac.mac(padded, 2, 28, out);
      assertArrayEquals(expected, out, "call " + i);
    }
  }
}
