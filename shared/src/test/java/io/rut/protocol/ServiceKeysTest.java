package io.rut.protocol;

import static io.rut.protocol.Wire.KEY_A;
import static io.rut.protocol.Wire.KEY_B;
import static io.rut.protocol.Wire.hex;
import static io.rut.protocol.Wire.secretOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Secrets and keys of PROTOCOL.md section 3. */
class ServiceKeysTest {

  private static String base64Of(int n) {
    return "base64:" + Base64.getEncoder().encodeToString(new byte[n]);
  }

  @Test
  void base64SecretIsUsedAsTheKeyAsItIs() {
    ServiceKeys keys = ServiceKeys.derive("demo", List.of(secretOf(KEY_A)));
    assertEquals(1, keys.count());
    assertArrayEquals(KEY_A, keys.key(0));
    assertArrayEquals(KEY_A, ServiceKeys.derive("another-service", List.of(secretOf(KEY_A))).key(0),
        "a base64 key does not depend on the service name");
  }

  @Test
  void keysKeepTheirOrder() {
    ServiceKeys keys = ServiceKeys.derive("demo", List.of(secretOf(KEY_B), secretOf(KEY_A)));
    assertEquals(2, keys.count());
    assertArrayEquals(KEY_B, keys.key(0), "the first secret signs");
    assertArrayEquals(KEY_A, keys.key(1));
  }

  @Test
  void keyReturnsACopy() {
    ServiceKeys keys = ServiceKeys.derive("demo", List.of(secretOf(KEY_A)));
    keys.key(0)[0] ^= 1;
    assertArrayEquals(KEY_A, keys.key(0));
  }

  @Test
  void wrongLengthIsRejectedWithTheLengthInTheMessage() {
    for (int n : new int[] {0, 16, 31, 33, 64}) {
      String secret = base64Of(n);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServiceKeys.checkSecret(secret));
      assertTrue(e.getMessage().contains("32"), e.getMessage());
      assertTrue(e.getMessage().contains("holds " + n), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> ServiceKeys.derive("demo", List.of(secret)));
    }
  }

  @Test
  void badBase64IsRejectedWithAClearMessage() {
    for (String secret : new String[] {"base64:not*base64!", "base64:AAAA=AAA", "base64:A"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServiceKeys.checkSecret(secret));
      assertTrue(e.getMessage().contains("base64"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> ServiceKeys.derive("demo", List.of(secret)));
    }
  }

  @Test
  void aValidBase64SecretPassesTheCheck() {
    assertDoesNotThrow(() -> ServiceKeys.checkSecret(secretOf(KEY_A)));
    assertDoesNotThrow(() -> ServiceKeys.checkSecret("any passphrase at all"));
  }

  @Test
  void noSecretIsRefusedWithAHintAtKeygen() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ServiceKeys.derive("demo", List.of()));
    assertTrue(e.getMessage().contains("keygen"), e.getMessage());

    IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
        () -> ServiceKeys.checkSecret(""));
    assertTrue(empty.getMessage().contains("keygen"), empty.getMessage());
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> ServiceKeys.checkSecret(null));
    assertTrue(none.getMessage().contains("keygen"), none.getMessage());
  }

  @Test
  void oneBadSecretAmongGoodOnesIsRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> ServiceKeys.derive("demo", List.of(secretOf(KEY_A), base64Of(31))));
  }

  @Test
  void generateGivesBase64Of32RandomBytes() {
    String a = ServiceKeys.generate();
    String b = ServiceKeys.generate();
    assertTrue(a.startsWith("base64:"), a);
    byte[] raw = Base64.getDecoder().decode(a.substring("base64:".length()));
    assertEquals(32, raw.length);
    assertNotEquals(a, b);
    assertDoesNotThrow(() -> ServiceKeys.checkSecret(a));
    assertArrayEquals(raw, ServiceKeys.derive("demo", List.of(a)).key(0));
  }

  @Test
  void passphraseIsStretchedWithArgon2idSaltedWithTheServiceName() {
    // echo -n "correct horse" | argon2 "rut/v1/demo" -id -t 3 -m 16 -p 1 -l 32 -r   (Debian argon2 0~20171227)
    byte[] expected = hex("84b7f728e3eb61faeec2039d69a6984dfe1a925901219c48c65ca5ab9382af29");
    ServiceKeys keys = ServiceKeys.derive("demo", List.of("correct horse"));
    assertArrayEquals(expected, keys.key(0));
  }

  @Test
  void argon2idHashesPassphraseAndSaltAsUtf8() {
    // printf 'p\xc3\xa4ssw\xc3\xb6rd' | argon2 "$(printf 'rut/v1/\xc3\xbcn\xc3\xaf')" -id -t 3 -m 16 -p 1 -l 32 -r
    byte[] expected = hex("67b36f8305d9d9c5911bfc083fd6f1a2bc44c993dee818d3794288cd4b6114ce");
    assertArrayEquals(expected, ServiceKeys.argon2id("p\u00e4ssw\u00f6rd", "rut/v1/\u00fcn\u00ef"));
  }
}
