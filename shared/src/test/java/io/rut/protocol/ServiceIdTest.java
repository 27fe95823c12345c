package io.rut.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The service id of PROTOCOL.md section 2: first 8 bytes of SHA-256 of the UTF-8 name. */
class ServiceIdTest {

  private static long expected(String name) throws Exception {
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
    return ByteBuffer.wrap(digest, 0, 8).getLong();
  }

  @ParameterizedTest
  @ValueSource(strings = {"demo", "wireguard", "a", "caf\u00e9", "\u65e5\u672c",
      "emoji \ud83d\ude80", "with space", "tab\tand\nnewline"})
  void matchesMessageDigest(String name) throws Exception {
    assertEquals(expected(name), ServiceId.of(name));
  }

  @Test
  void longName() throws Exception {
    String name = "x".repeat(300);
    assertEquals(expected(name), ServiceId.of(name));
  }

  @Test
  void knownSha256Vectors() {
    // SHA-256("") = e3b0c442 98fc1c14 ..., SHA-256("abc") = ba7816bf 8f01cfea ... (FIPS 180-2)
    assertEquals(0xe3b0c44298fc1c14L, ServiceId.of(""));
    assertEquals(0xba7816bf8f01cfeaL, ServiceId.of("abc"));
  }

  @Test
  void usesUtf8NotAnotherCharset() throws Exception {
    String name = "caf\u00e9";
    byte[] latin1 = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.ISO_8859_1));
    assertNotEquals(ByteBuffer.wrap(latin1, 0, 8).getLong(), ServiceId.of(name));
  }

  @Test
  void differentNamesDifferentIds() {
    assertNotEquals(ServiceId.of("demo"), ServiceId.of("Demo"));
    assertNotEquals(ServiceId.of("demo"), ServiceId.of("demo "));
  }
}
