package io.rut.fuzz;

import static org.junit.jupiter.api.Assertions.assertNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.rut.protocol.AddressCodec;
import io.rut.protocol.ControlCodec;
import io.rut.protocol.ServiceKeys;
import java.util.List;

/** Whatever arrives from the network without the key: never a control message, never an exception. */
class UnsignedDatagramFuzzTest {

  private static final ControlCodec CODEC = new ControlCodec(ServiceKeys.derive("fuzz",
      List.of("base64:" + java.util.Base64.getEncoder().encodeToString("fuzz-key-fuzz-key-fuzz-key-32byt".getBytes()))));

  @FuzzTest(maxDuration = "15s")
  void strangersNeverPassAsControl(byte[] datagram) {
    assertNull(CODEC.decode(datagram));
    if (datagram.length >= AddressCodec.SIZE) {
      try {
        AddressCodec.read(datagram, datagram.length - AddressCodec.SIZE);
      } catch (IllegalArgumentException refused) {
        // a malformed address is refused; nothing else may escape
      }
    }
  }
}
