package io.rut.outside;

import static io.rut.outside.RelayHarness.addr;
import static io.rut.outside.RelayHarness.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.outside.RelayHarness.Sent;
import io.rut.protocol.CloseReason;
import io.rut.protocol.ControlMessage;
import io.rut.protocol.MessageType;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which spare a client takes, moving a client off a silent tunnel, closing and retiring. With the
 * default keepalive interval of 25 s a tunnel is overdue after 1.5 x 25 + 1 = 38.5 s without a
 * keepalive, and expires after 2 x 25 + 5 = 55 s.
 */
class BindingTest {

  static final InetSocketAddress T1 = addr("198.51.100.1", 40001);
  static final InetSocketAddress T2 = addr("198.51.100.2", 40002);
  static final InetSocketAddress T3 = addr("198.51.100.3", 40003);
  static final InetSocketAddress C1 = addr("203.0.113.10", 51820);
  static final InetSocketAddress C2 = addr("203.0.113.20", 51821);

  private final RelayHarness h = new RelayHarness();

  // ---- which spare --------------------------------------------------------------------------

  @Test
  void overdueSpareIsPassedOverForALiveOne() {
    h.register(1, T1); // goes quiet
    h.advanceSeconds(1);
    h.register(2, T2);
    h.advanceSeconds(20);
    h.keepalive(2, T2);
    h.advanceSeconds(19); // tunnel 1 silent for 40 s: overdue; tunnel 2 for 19 s
    h.clearOutput();

    h.clientSends(C1, bytes(1));

    assertEquals(C1, h.tunnel(2).client, "the live spare is taken");
    assertNull(h.tunnel(1).client);
    assertTrue(h.sentTo(T1).isEmpty());
    assertEquals(MessageType.BIND, h.controlTo(T2).get(0).type());
  }

  @Test
  void spareOnTimeUpToTheOverdueLimitIsStillTheOldest() {
    h.register(1, T1);
    h.advanceSeconds(1);
    h.register(2, T2);
    h.advanceMillis(37_500); // tunnel 1 silent for exactly 38.5 s: not overdue yet

    h.clientSends(C1, bytes(1));

    assertEquals(C1, h.tunnel(1).client);
  }

  @Test
  void overdueSpareIsTakenWhenNoOtherIsFree() {
    h.register(1, T1);
    h.advanceSeconds(40);

    h.clientSends(C1, bytes(1));

    assertEquals(C1, h.tunnel(1).client, "better a quiet spare than none");
  }

  @Test
  void passedOverSpareStaysFree() {
    h.register(1, T1);
    h.register(2, T2);
    h.advanceSeconds(20);
    h.keepalive(2, T2);
    h.advanceSeconds(20);

    h.clientSends(C1, bytes(1));
    h.clientSends(C2, bytes(2));

    assertEquals(C1, h.tunnel(2).client);
    assertEquals(C2, h.tunnel(1).client, "the quiet spare is still there for the next client");
  }

  // ---- silent tunnel ------------------------------------------------------------------------

  @Test
  void clientOfSilentTunnelMovesToALivelierSpare() {
    h.register(1, T1);
    h.clientSends(C1, bytes(1)); // bound to tunnel 1, which then goes silent
    h.register(2, T2);
    h.advanceSeconds(20);
    h.keepalive(2, T2);
    h.advanceSeconds(19);
    h.keepalive(2, T2);
    h.advanceSeconds(1); // tunnel 1 silent for 40 s
    h.clearOutput();

    byte[] payload = bytes(4, 5, 6);
    h.clientSends(C1, payload);

    assertNull(h.tunnel(1), "the silent tunnel is closed");
    assertEquals(C1, h.tunnel(2).client);
    assertEquals(1, h.events("silent_tunnel_replaced"));
    assertEquals(1, h.closedCount("silent"));
    ControlMessage close = h.lastControlTo(T1);
    assertEquals(MessageType.CLOSE, close.type());
    assertEquals(CloseReason.UNKNOWN_TUNNEL.code, close.reason());
    List<Sent> toT2 = h.sentTo(T2);
    assertEquals(2, toT2.size(), "BIND, then the datagram: " + toT2);
    assertEquals(MessageType.BIND, toT2.get(0).control().type());
    assertEquals(C1, toT2.get(0).control().address());
    assertArrayEquals(payload, toT2.get(1).bytes());
    assertTrue(h.dataTo(T1).isEmpty());
  }

  @Test
  void clientOfSilentTunnelStaysWhenNoSpareIsLivelier() {
    h.register(1, T1);
    h.register(2, T2); // registered in the same instant: no livelier
    h.clientSends(C1, bytes(1)); // bound to tunnel 1
    h.advanceSeconds(40);
    h.clearOutput();

    h.clientSends(C1, bytes(2));

    assertNotNull(h.tunnel(1));
    assertEquals(C1, h.tunnel(1).client);
    assertArrayEquals(bytes(2), h.dataTo(T1).get(0));
    assertTrue(h.sentTo(T2).isEmpty());
    assertEquals(0, h.events("silent_tunnel_replaced"));
    h.clientSends(C2, bytes(3));
    assertEquals(C2, h.tunnel(2).client, "the spare looked at was put back");
  }

  @Test
  void clientOfSilentTunnelStaysWithoutSpare() {
    h.register(1, T1);
    h.clientSends(C1, bytes(1));
    h.advanceSeconds(40);
    h.clearOutput();

    h.clientSends(C1, bytes(2));

    assertEquals(C1, h.tunnel(1).client);
    assertEquals(1, h.dataTo(T1).size());
    assertEquals(0, h.closedCount("silent"));
  }

  @Test
  void clientOfTunnelOnTimeStaysEvenIfASpareIsLivelier() {
    h.register(1, T1);
    h.clientSends(C1, bytes(1));
    h.register(2, T2);
    h.advanceSeconds(30);
    h.keepalive(2, T2);
    h.advanceSeconds(8); // tunnel 1 silent for 38 s: not overdue

    h.clientSends(C1, bytes(2));

    assertEquals(C1, h.tunnel(1).client);
    assertNull(h.tunnel(2).client);
    assertEquals(0, h.events("silent_tunnel_replaced"));
  }

  /**
   * The agent behind tunnels 1 and 3 died; tunnel 2 is a spare of its successor that keeps sending
   * keepalives. The client of tunnel 1 should go to the spare that kept its keepalives, not to the
   * dead agent's older spare (tunnel 3), which is itself overdue.
   */
  @Test
  void clientOfSilentTunnelMovesToTheSpareThatKeptItsKeepalives() {
    h.register(1, T1);
    h.clientSends(C1, bytes(1)); // bound to tunnel 1
    h.advanceSeconds(5);
    h.register(3, T3); // the dead agent's spare: older, quiet from here on, but livelier than tunnel 1
    h.advanceSeconds(5);
    h.register(2, T2); // the new agent's spare
    h.advanceSeconds(20);
    h.keepalive(2, T2);
    h.advanceSeconds(20); // tunnel 1 silent for 50 s, tunnel 3 for 45 s (both overdue), tunnel 2 for 20 s
    h.clearOutput();

    h.clientSends(C1, bytes(2));

    assertEquals(C1, h.tunnel(2).client, "moved to the live spare");
    assertArrayEquals(bytes(2), h.dataTo(T2).get(0));
    assertTrue(h.sentTo(T3).isEmpty(), "nothing to the dead spare: " + h.sentTo(T3));
  }

  // ---- closing ------------------------------------------------------------------------------

  @Test
  void retireClosesEveryTunnelWithShutdown() {
    h.register(1, T1);
    h.register(2, T2);
    h.register(3, T3);
    h.clientSends(C1, bytes(1)); // tunnel 1 active
    h.clearOutput();

    h.relay.retire(h.now);

    for (InetSocketAddress t : List.of(T1, T2, T3)) {
      List<ControlMessage> close = h.controlTo(t, MessageType.CLOSE);
      assertEquals(1, close.size(), "one CLOSE to " + t);
      assertEquals(CloseReason.SHUTDOWN.code, close.get(0).reason());
    }
    assertEquals(0, h.table().size());
    assertEquals(0, h.table().spareCount());
    assertEquals(0, h.table().activeCount());
    assertNull(h.table().byClient(C1));
    assertEquals(3, h.closedCount("service_removed"));
    assertEquals(3, h.published(OutsideEvent.Kind.CLOSED).size());
  }

  @Test
  void closedSpareIsNeverHandedOut() {
    h.register(1, T1);
    h.register(2, T2);
    h.close(1, T1, CloseReason.IDLE);

    h.clientSends(C1, bytes(1));

    assertEquals(C1, h.tunnel(2).client);
    assertTrue(h.sentTo(T1).stream().noneMatch(s -> s.isData() || s.control().type() == MessageType.BIND));
  }

  @Test
  void waitingDatagramsOlderThanTwoSecondsAreNotDeliveredToANewSpare() {
    h.clientSends(C1, bytes(1));
    h.advanceMillis(2_500); // expired, but no sweep ran yet

    h.register(1, T1);

    assertEquals(1, h.drops(io.rut.metrics.DropReason.QUEUE_EXPIRED));
    assertTrue(h.dataTo(T1).isEmpty());
  }

  @Test
  void aWaitingClientWhoseDatagramsExpiredLeavesTheSpareFree() {
    h.clientSends(C1, bytes(1));
    h.advanceMillis(2_500);

    h.register(1, T1);

    assertNull(h.tunnel(1).client, "the spare stays free for a client that is still there");
    assertTrue(h.controlTo(T1, MessageType.BIND).isEmpty());
  }

  /**
   * A new tunnel that authenticates from the address of another tunnel (its NAT mapping was reused,
   * say after the inside restarted) owns that address from then on: when the old tunnel is dropped,
   * the address must stay the new tunnel's.
   */
  @Test
  void tunnelTakingOverAnAddressKeepsItWhenTheOldTunnelExpires() {
    h.register(1, T1); // the old agent's tunnel, silent from here on
    h.advanceSeconds(10);
    h.register(2, T1); // the new agent's tunnel, same NAT mapping
    h.advanceSeconds(20);
    h.keepalive(2, T1);
    h.advanceSeconds(20);
    h.keepalive(2, T1);
    h.advanceSeconds(16); // tunnel 1 silent for 56 s: expires
    h.tick();
    h.keepalive(2, T1);
    assertNotNull(h.tunnel(2));
    assertSame(h.tunnel(2), h.table().byAddress(T1), "the address is tunnel 2's");

    h.clientSends(C1, bytes(1));
    h.tunnelSends(T1, bytes(2));

    assertEquals(C1, h.tunnel(2).client);
    assertEquals(1, h.dataTo(C1).size(), "the tunnel's answer reaches its client");
    assertArrayEquals(bytes(2), h.dataTo(C1).get(0));
    assertEquals(0, h.table().pendingCount(), "the tunnel is not taken for a client");
  }
}
