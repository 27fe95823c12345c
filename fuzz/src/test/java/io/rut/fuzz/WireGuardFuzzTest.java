package io.rut.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.rut.protocol.WireGuardInitiation;

/** First datagrams of would-be clients against the WireGuard admission check. */
class WireGuardFuzzTest {

  private static final WireGuardInitiation WG = new WireGuardInitiation(new byte[] {
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
      31, 32});

  @FuzzTest(maxDuration = "15s")
  void onlyWellFormedInitiationsWithTheRightMac1Pass(byte[] datagram) {
    boolean shaped = datagram.length == WireGuardInitiation.SIZE && datagram[0] == 1 && datagram[1] == 0
        && datagram[2] == 0 && datagram[3] == 0;
    if (!shaped) {
      assertFalse(WG.verify(datagram));
      return;
    }
    byte[] signed = datagram.clone();
    System.arraycopy(WG.mac1(signed), 0, signed, 116, 16);
    assertEquals(true, WG.verify(signed));
    if (!java.util.Arrays.equals(signed, datagram)) {
      assertFalse(WG.verify(datagram));
    }
  }
}
