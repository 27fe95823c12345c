package io.rut.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.rut.protocol.ControlCodec;
import io.rut.protocol.ControlMessage;
import io.rut.protocol.MalformedControlException;
import io.rut.protocol.ServiceKeys;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Control messages as a peer with the key could send them: the fuzzer writes bytes 4..71, the test
 * signs them, so the decoder's every branch is reachable. Decoding returns a message or throws
 * {@link MalformedControlException}; a decoded message re-encodes to the same message.
 */
class ControlMessageFuzzTest {

  private static final byte[] KEY = "fuzz-key-fuzz-key-fuzz-key-32byt".getBytes();
  private static final ControlCodec CODEC =
      new ControlCodec(ServiceKeys.derive("fuzz", List.of("base64:" + java.util.Base64.getEncoder().encodeToString(KEY))));

  @FuzzTest(maxDuration = "20s")
  void signedMessagesDecodeOrAreRefused(byte[] fuzz) throws Exception {
    byte[] d = new byte[ControlCodec.SIZE];
    d[0] = 0x52;
    d[1] = 0x55;
    d[2] = 0x54;
    d[3] = 0x01;
    System.arraycopy(fuzz, 0, d, 4, Math.min(fuzz.length, 68));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
    mac.update(d, 0, ControlCodec.TAG_OFFSET);
    System.arraycopy(mac.doFinal(), 0, d, ControlCodec.TAG_OFFSET, ControlCodec.TAG_SIZE);
    ControlMessage m;
    try {
      m = CODEC.decode(d);
    } catch (MalformedControlException refused) {
      return;
    }
    ControlMessage again = CODEC.decode(CODEC.encode(m));
    assertEquals(m.type(), again.type());
    assertEquals(m.tunnelId(), again.tunnelId());
    assertEquals(m.counter(), again.counter());
    assertEquals(m.address(), again.address());
    assertEquals(m.reason(), again.reason());
    assertEquals(m.retryAfter(), again.retryAfter());
    assertEquals(m.ackedCounter(), again.ackedCounter());
    assertEquals(Arrays.toString(m.cookie()), Arrays.toString(again.cookie()));

    // The same bytes with any single-bit change in the tag are never a control message.
    byte[] forged = d.clone();
    forged[ControlCodec.TAG_OFFSET + (fuzz.length % ControlCodec.TAG_SIZE)] ^= 1;
    assertNull(CODEC.decode(forged));
  }
}
