package io.rut.outside;

import static io.rut.outside.RelayHarness.addr;
import static io.rut.outside.RelayHarness.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.protocol.CloseReason;
import io.rut.protocol.ControlMessage;
import io.rut.protocol.MessageType;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which spare a client takes, closing and retiring. Spares are taken newest first (the one that
 * registered last is the likeliest to live); with the default keepalive interval of 25 s a tunnel
 * is overdue after 1.5 x 25 + 1 = 38.5 s without a keepalive, and expires after 2 x 25 + 5 = 55 s.
 * A client's move off a silent tunnel is {@link SilentTunnelsTest}'s.
 */
class BindingTest {

  static final InetSocketAddress T1 = addr("198.51.100.1", 40001);
  static final InetSocketAddress T2 = addr("198.51.100.2", 40002);
  static final InetSocketAddress T3 = addr("198.51.100.3", 40003);
  static final InetSocketAddress C1 = addr("203.0.113.10", 51820);
  static final InetSocketAddress C2 = addr("203.0.113.20", 51821);
  static final InetSocketAddress C3 = addr("203.0.113.30", 51822);

  private final RelayHarness h = new RelayHarness();

  // ---- which spare --------------------------------------------------------------------------

  @Test
  void sparesAreTakenInTheReverseOrderOfTheirRegistration() {
    h.register(3, T3); // ids in another order than registration: the order of registration counts
    h.register(1, T1);
    h.register(2, T2);

    h.clientSends(C1, bytes(1));
    h.clientSends(C2, bytes(2));
    h.clientSends(C3, bytes(3));

    assertEquals(C1, h.tunnel(2).client, "the newest spare first");
    assertEquals(C2, h.tunnel(1).client);
    assertEquals(C3, h.tunnel(3).client, "the oldest spare last");
  }

  @Test
  void spareRegisteredLaterIsTakenBeforeOlderOnes() {
    h.register(1, T1);
    h.register(2, T2);
    h.clientSends(C1, bytes(1)); // tunnel 2
    h.advanceSeconds(5);
    h.register(3, T3); // the inside replaces the spare that was taken

    h.clientSends(C2, bytes(2));

    assertEquals(C2, h.tunnel(3).client, "the spare that registered last, not the one that waited longest");
    assertNull(h.tunnel(1).client);
  }

  @Test
  void overdueSpareIsPassedOverForALiveOne() {
    h.register(1, T1);
    h.advanceSeconds(1);
    h.register(2, T2); // the newest, goes quiet
    h.advanceSeconds(20);
    h.keepalive(1, T1);
    h.advanceSeconds(19); // tunnel 2 silent for 39 s: overdue; tunnel 1 for 19 s
    h.clearOutput();

    h.clientSends(C1, bytes(1));

    assertEquals(C1, h.tunnel(1).client, "the live spare is taken");
    assertNull(h.tunnel(2).client);
    assertTrue(h.sentTo(T2).isEmpty());
    assertEquals(MessageType.BIND, h.controlTo(T1).get(0).type());
  }

  @Test
  void newestSpareOnTimeUpToTheOverdueLimitIsStillTaken() {
    h.register(1, T1);
    h.advanceSeconds(1);
    h.register(2, T2);
    h.advanceSeconds(30);
    h.keepalive(1, T1);
    h.advanceMillis(8_500); // tunnel 2 silent for exactly 38.5 s: not overdue yet

    h.clientSends(C1, bytes(1));

    assertEquals(C1, h.tunnel(2).client);
  }

  @Test
  void newestSpareJustPastTheOverdueLimitIsPassedOver() {
    h.register(1, T1);
    h.advanceSeconds(1);
    h.register(2, T2);
    h.advanceSeconds(30);
    h.keepalive(1, T1);
    h.advanceMillis(8_501); // tunnel 2 silent for 38.501 s

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

  /**
   * Every free spare is overdue: one of them is taken all the same, and for the reason spares are
   * taken newest first, it should be the newest (the one registered last and heard last).
   */
  @Test
  void whenEverySpareIsOverdueTheNewestIsTaken() {
    h.register(1, T1);
    h.advanceSeconds(1);
    h.register(2, T2);
    h.advanceSeconds(40); // tunnel 1 silent for 41 s, tunnel 2 for 40 s: both overdue

    h.clientSends(C1, bytes(1));

    assertEquals(C1, h.tunnel(2).client);
    assertNull(h.tunnel(1).client);
  }

  @Test
  void passedOverSpareStaysFree() {
    h.register(1, T1);
    h.register(2, T2); // the newest, goes quiet
    h.advanceSeconds(20);
    h.keepalive(1, T1);
    h.advanceSeconds(20);

    h.clientSends(C1, bytes(1));
    h.clientSends(C2, bytes(2));

    assertEquals(C1, h.tunnel(1).client);
    assertEquals(C2, h.tunnel(2).client, "the quiet spare is still there for the next client");
  }

  @Test
  void passedOverSpareGoesToTheOldestEnd() {
    h.register(1, T1);
    h.register(2, T2);
    h.register(3, T3); // the newest, goes quiet
    h.advanceSeconds(20);
    h.keepalive(1, T1);
    h.keepalive(2, T2);
    h.advanceSeconds(20); // tunnel 3 overdue
    h.clientSends(C1, bytes(1));
    assertEquals(C1, h.tunnel(2).client, "the newest live spare");
    h.keepalive(3, T3); // tunnel 3 is on time again

    h.clientSends(C2, bytes(2));
    h.clientSends(C3, bytes(3));

    assertEquals(C2, h.tunnel(1).client, "the spare passed over was put back as the oldest");
    assertEquals(C3, h.tunnel(3).client);
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
    h.register(2, T2); // the newest: it would be taken next
    h.close(2, T2, CloseReason.IDLE);

    h.clientSends(C1, bytes(1));

    assertEquals(C1, h.tunnel(1).client);
    assertTrue(h.sentTo(T2).stream().noneMatch(s -> s.isData() || s.control().type() == MessageType.BIND));
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
