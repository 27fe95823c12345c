package io.rut.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class WireGuardInitiationTest {

  private static final byte[] PUBLIC_KEY = new byte[32];

  static {
    for (int i = 0; i < 32; i++) {
      PUBLIC_KEY[i] = (byte) (i + 1);
    }
  }

  /** Type 1, three zero bytes, then bytes (i * 7 + 3) up to offset 115, as in the vector below. */
  private static byte[] initiation() {
    byte[] m = new byte[148];
    m[0] = 1;
    for (int i = 4; i < 116; i++) {
      m[i] = (byte) (i * 7 + 3);
    }
    return m;
  }

  @Test
  void mac1MatchesAnIndependentBlake2sImplementation() {
    // python3: k = blake2s(b"mac1----" + bytes(range(1, 33))).digest();
    //          blake2s(msg[:116], digest_size=16, key=k).hexdigest()
    byte[] expected = HexFormat.of().parseHex("18c204008f3e577a0d846bc41e94398a");
    assertArrayEquals(expected, new WireGuardInitiation(PUBLIC_KEY).mac1(initiation()));
  }

  @Test
  void onlyAnInitiationWithTheRightMac1Verifies() {
    WireGuardInitiation wg = new WireGuardInitiation(PUBLIC_KEY);
    byte[] m = initiation();
    System.arraycopy(wg.mac1(m), 0, m, 116, 16);
    assertTrue(wg.verify(m));
    for (int bit = 0; bit < 132 * 8; bit++) {
      byte[] flipped = m.clone();
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      assertFalse(wg.verify(flipped), "bit " + bit);
    }
    assertFalse(wg.verify(java.util.Arrays.copyOf(m, 147)));
    assertFalse(wg.verify(java.util.Arrays.copyOf(m, 149)));
    byte[] otherKey = PUBLIC_KEY.clone();
    otherKey[0] ^= 1;
    assertFalse(new WireGuardInitiation(otherKey).verify(m), "made for another server");
    assertTrue(wg.verify(withTail(m)), "mac2 and the tail are not covered by mac1");
  }

  private static byte[] withTail(byte[] m) {
    byte[] t = m.clone();
    for (int i = 132; i < 148; i++) {
      t[i] = (byte) 0xaa;
    }
    return t;
  }

  @Test
  void aKeyMustHave32Bytes() {
    assertThrows(IllegalArgumentException.class, () -> new WireGuardInitiation(new byte[31]));
  }
}
