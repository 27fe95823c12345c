package io.rut.protocol;

import static io.rut.protocol.Wire.KEY_A;
import static io.rut.protocol.Wire.KEY_B;
import static io.rut.protocol.Wire.addr;
import static io.rut.protocol.Wire.slice;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The tag of PROTOCOL.md section 2 and key rotation of section 3. */
class ControlTagTest {

  private static final long SID = ServiceId.of("demo");

  private static List<ControlMessage> oneOfEachType() {
    byte[] cookie = Wire.fill(16, 0x30);
    return List.of(
        ControlMessage.hello(SID, 7, 100, true),
        ControlMessage.challenge(SID, 7, 101, cookie, addr("198.51.100.4", 40000)),
        ControlMessage.auth(SID, 7, 102, cookie, addr("2001:db8::2", 51820)),
        ControlMessage.keepalive(SID, 7, 103, null),
        ControlMessage.ack(SID, 7, 104, 103, addr("198.51.100.4", 40000)),
        ControlMessage.bind(SID, 7, 105, addr("203.0.113.9", 1)),
        ControlMessage.close(SID, 7, 106, CloseReason.IDLE),
        ControlMessage.reject(SID, 7, 107, RejectReason.TUNNEL_LIMIT, 60));
  }

  private static byte[] sample(ControlCodec codec) {
    return codec.encode(ControlMessage.ack(SID, 0x0102030405060708L, 42, 41, addr("192.0.2.1", 9)));
  }

  @Test
  void tagIsFirst16BytesOfHmacSha256OverBytes0To71() {
    ControlCodec codec = Wire.codec(KEY_A);
    for (ControlMessage m : oneOfEachType()) {
      byte[] wire = codec.encode(m);
      byte[] full = Wire.hmacSha256(KEY_A, wire, 0, 72);
      assertArrayEquals(Arrays.copyOf(full, 16), slice(wire, 72, 88), m.type() + " tag");
      assertTrue(codec.verify(wire));
    }
  }

  @Test
  void wrongKeyIsNotAControlMessage() {
    ControlCodec a = Wire.codec(KEY_A);
    ControlCodec b = Wire.codec(KEY_B);
    for (ControlMessage m : oneOfEachType()) {
      byte[] wire = a.encode(m);
      assertNotNull(a.decode(wire));
      assertFalse(b.verify(wire), m.type() + " verifies under the wrong key");
      assertNull(b.decode(wire), m.type() + " decodes under the wrong key");
    }
  }

  @Test
  void everySingleBitFlipIsRejected() {
    ControlCodec codec = Wire.codec(KEY_A);
    byte[] good = sample(codec);
    assertNotNull(codec.decode(good));
    for (int bit = 0; bit < 88 * 8; bit++) {
      byte[] bad = good.clone();
      bad[bit / 8] ^= (byte) (1 << (bit % 8));
      assertFalse(codec.verify(bad), "bit " + bit + " flipped still verifies");
      assertNull(codec.decode(bad), "bit " + bit + " flipped still decodes");
    }
  }

  @Test
  void wrongLengthIsNotAControlMessage() {
    ControlCodec codec = Wire.codec(KEY_A);
    byte[] good = sample(codec);
    assertNull(codec.decode(Arrays.copyOf(good, 87)), "truncated");
    assertNull(codec.decode(Arrays.copyOf(good, 89)), "extended by a zero byte");
    assertNull(codec.decode(new byte[0]), "empty");
    assertFalse(codec.verify(Arrays.copyOf(good, 87)));
    assertFalse(codec.verify(Arrays.copyOf(good, 89)));
  }

  @ParameterizedTest
  @ValueSource(ints = {0x00, 0x02, 0x81, 0xff})
  void wrongVersionIsNotAControlMessageEvenWithAValidTag(int version) {
    ControlCodec codec = Wire.codec(KEY_A);
    byte[] wire = sample(codec);
    wire[3] = (byte) version;
    Wire.sign(KEY_A, wire);
    assertFalse(codec.verify(wire));
    assertNull(codec.decode(wire));
  }

  @Test
  void wrongMagicIsNotAControlMessageEvenWithAValidTag() {
    ControlCodec codec = Wire.codec(KEY_A);
    for (int i = 0; i < 3; i++) {
      byte[] wire = sample(codec);
      wire[i] ^= 0x20;
      Wire.sign(KEY_A, wire);
      assertFalse(codec.verify(wire), "magic byte " + i);
      assertNull(codec.decode(wire), "magic byte " + i);
    }
  }

  @Test
  void rotationSignsWithTheFirstKey() {
    ControlCodec rotating = Wire.codec(KEY_B, KEY_A);
    byte[] wire = sample(rotating);
    assertArrayEquals(Wire.tagOf(KEY_B, wire), slice(wire, 72, 88));
    assertNotNull(Wire.codec(KEY_B).decode(wire), "a peer holding only the new key accepts it");
    assertNull(Wire.codec(KEY_A).decode(wire), "a peer holding only the old key does not");
  }

  @Test
  void rotationAcceptsEveryListedKey() {
    ControlCodec rotating = Wire.codec(KEY_B, KEY_A);
    byte[] fromOld = sample(Wire.codec(KEY_A));
    byte[] fromNew = sample(Wire.codec(KEY_B));
    ControlMessage m = rotating.decode(fromOld);
    assertNotNull(m, "accepts what the old key signs");
    assertEquals(42, m.counter());
    assertNotNull(rotating.decode(fromNew), "accepts what the new key signs");
    assertNull(rotating.decode(sample(Wire.codec(Wire.fill(32, 0x77)))), "still rejects other keys");
  }

  @Test
  void newKeyAloneRejectsWhatOnlyTheOldKeySigns() {
    byte[] fromOld = sample(Wire.codec(KEY_A));
    assertNull(Wire.codec(KEY_B).decode(fromOld));
  }

  @Test
  void verifyAcceptsAMessageSignedByTheSecondKeyByHand() {
    // built and signed without the encoder, under the second (old) key of the list
    byte[] wire = Wire.header(1, 1, SID, 99, 5);
    Wire.sign(KEY_A, wire);
    ControlMessage m = Wire.codec(KEY_B, KEY_A).decode(wire);
    assertNotNull(m);
    assertEquals(MessageType.HELLO, m.type());
    assertEquals(99, m.tunnelId());
    assertTrue(m.spare());
  }
}
