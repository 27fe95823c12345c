package io.rut.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The numeric codes of the tables in PROTOCOL.md section 2. */
class WireCodesTest {

  @Test
  void messageTypeCodes() {
    assertEquals(1, MessageType.HELLO.code);
    assertEquals(2, MessageType.CHALLENGE.code);
    assertEquals(3, MessageType.AUTH.code);
    assertEquals(4, MessageType.KEEPALIVE.code);
    assertEquals(5, MessageType.ACK.code);
    assertEquals(6, MessageType.BIND.code);
    assertEquals(7, MessageType.CLOSE.code);
    assertEquals(8, MessageType.REJECT.code);
    assertEquals(8, MessageType.values().length);
    for (MessageType t : MessageType.values()) {
      assertEquals(t, MessageType.of(t.code));
    }
  }

  @Test
  void unknownMessageTypeCodes() {
    for (int code : new int[] {0, 9, 10, 127, 128, 255, -1, -128, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
      assertNull(MessageType.of(code), "code " + code);
    }
  }

  @Test
  void closeReasonCodes() {
    assertEquals(1, CloseReason.IDLE.code);
    assertEquals(2, CloseReason.SHUTDOWN.code);
    assertEquals(3, CloseReason.LIMIT.code);
    assertEquals(4, CloseReason.UNKNOWN_TUNNEL.code);
    assertEquals(4, CloseReason.values().length);
    for (CloseReason r : CloseReason.values()) {
      assertEquals(r, CloseReason.of(r.code));
    }
    assertNull(CloseReason.of(0));
    assertNull(CloseReason.of(5));
  }

  @Test
  void rejectReasonCodes() {
    assertEquals(1, RejectReason.TUNNEL_LIMIT.code);
    assertEquals(2, RejectReason.UNKNOWN_SERVICE.code);
    assertEquals(3, RejectReason.RATE_LIMITED.code);
    assertEquals(3, RejectReason.values().length);
    for (RejectReason r : RejectReason.values()) {
      assertEquals(r, RejectReason.of(r.code));
    }
    assertNull(RejectReason.of(0));
    assertNull(RejectReason.of(4));
  }
}
