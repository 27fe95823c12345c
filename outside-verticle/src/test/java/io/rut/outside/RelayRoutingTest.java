package io.rut.outside;

import static io.rut.outside.RelayHarness.addr;
import static io.rut.outside.RelayHarness.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.metrics.Direction;
import io.rut.metrics.DropReason;
import io.rut.outside.RelayHarness.Kind;
import io.rut.outside.RelayHarness.Sent;
import io.rut.protocol.ControlMessage;
import io.rut.protocol.MessageType;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PROTOCOL.md sections 1 and 6: every datagram is routed by its source. */
class RelayRoutingTest {

  static final InetSocketAddress T1 = addr("198.51.100.1", 40001);
  static final InetSocketAddress T2 = addr("198.51.100.2", 40002);
  static final InetSocketAddress C1 = addr("203.0.113.10", 51820);
  static final InetSocketAddress C2 = addr("203.0.113.20", 51821);

  private final RelayHarness h = new RelayHarness();

  @Test
  void emptyDatagramIsDropped() {
    h.register(1, T1);
    h.clearOutput();

    h.clientSends(C1, new byte[0]);
    h.tunnelSends(T1, new byte[0]);

    assertEquals(2, h.drops(DropReason.EMPTY));
    assertTrue(h.sent().isEmpty(), "nothing answers an empty datagram");
    assertNull(h.tunnel(1).client, "an empty datagram binds no spare");
  }

  @Test
  void dataFromSpareTunnelIsDropped() {
    h.register(1, T1);
    h.clearOutput();

    h.tunnelSends(T1, bytes(1, 2, 3));

    assertEquals(1, h.drops(DropReason.NO_CLIENT));
    assertTrue(h.sent().isEmpty());
  }

  @Test
  void dataFromBoundClientGoesToItsTunnelUnchanged() {
    h.register(1, T1);
    h.clientSends(C1, bytes(9)); // binds
    h.clearOutput();

    byte[] payload = bytes(1, 2, 3, 4, 5);
    h.clientSends(C1, payload);

    List<Sent> data = h.data();
    assertEquals(1, data.size());
    assertEquals(Kind.FORWARD, data.get(0).kind());
    assertEquals(T1, data.get(0).to());
    assertArrayEquals(payload, data.get(0).bytes());
    assertEquals(2, h.forwarded(Direction.CLIENT_TO_TUNNEL));
    assertEquals(2, h.tunnel(1).toTunnelDatagrams);
    assertEquals(6, h.tunnel(1).toTunnelBytes);
  }

  @Test
  void dataFromTunnelGoesToItsClient() {
    h.register(1, T1);
    h.clientSends(C1, bytes(9));
    h.clearOutput();

    byte[] payload = bytes(7, 7, 7);
    h.tunnelSends(T1, payload);

    List<Sent> data = h.data();
    assertEquals(1, data.size());
    assertEquals(C1, data.get(0).to());
    assertArrayEquals(payload, data.get(0).bytes());
    assertEquals(1, h.forwarded(Direction.TUNNEL_TO_CLIENT));
    assertEquals(1, h.tunnel(1).toClientDatagrams);
  }

  @Test
  void strangerBindsNewestSpareWithBindBeforeData() {
    h.register(1, T1);
    h.register(2, T2);
    h.clearOutput();

    byte[] first = bytes(1, 0, 0, 0, 42);
    h.clientSends(C1, first);

    List<Sent> toT2 = h.sentTo(T2);
    assertEquals(2, toT2.size(), "BIND then the data: " + toT2);
    assertEquals(MessageType.BIND, toT2.get(0).control().type());
    assertEquals(C1, toT2.get(0).control().address());
    assertEquals(2, toT2.get(0).control().tunnelId());
    assertTrue(toT2.get(1).isData());
    assertArrayEquals(first, toT2.get(1).bytes());
    assertTrue(h.sentTo(T1).isEmpty(), "the older spare stays free");
    assertEquals(C1, h.tunnel(2).client);
    assertNull(h.tunnel(1).client);
    assertEquals(1, h.events("tunnel_bound"));
    assertEquals(1, h.published(OutsideEvent.Kind.BOUND).size());
    assertEquals(C1, h.published(OutsideEvent.Kind.BOUND).get(0).client());
  }

  @Test
  void secondStrangerBindsTheNextSpare() {
    h.register(1, T1);
    h.register(2, T2);

    h.clientSends(C1, bytes(1));
    h.clientSends(C2, bytes(2));

    assertEquals(C1, h.tunnel(2).client, "the newest spare first");
    assertEquals(C2, h.tunnel(1).client);
    assertEquals(0, h.table().spareCount());
    assertEquals(2, h.table().activeCount());
  }

  @Test
  void clientWithoutSpareWaitsAndIsDeliveredInOrderAfterBind() {
    for (int i = 0; i < 3; i++) {
      h.clientSends(C1, bytes(i));
    }
    assertTrue(h.sent().isEmpty(), "nothing goes anywhere while no spare is free");
    assertEquals(1, h.table().pendingCount());
    assertEquals(1, h.events("client_queued"));

    h.register(1, T1);

    List<Sent> toT1 = h.sentTo(T1).stream().filter(s -> s.control() == null
        || s.control().type() == MessageType.BIND).toList();
    assertEquals(4, toT1.size(), "BIND and three datagrams: " + toT1);
    assertEquals(MessageType.BIND, toT1.get(0).control().type());
    assertEquals(C1, toT1.get(0).control().address());
    for (int i = 0; i < 3; i++) {
      assertEquals(Kind.HELD, toT1.get(i + 1).kind());
      assertArrayEquals(bytes(i), toT1.get(i + 1).bytes(), "datagram " + i);
    }
    assertEquals(C1, h.tunnel(1).client);
    assertEquals(0, h.table().pendingCount());
    assertEquals(3, h.forwarded(Direction.CLIENT_TO_TUNNEL));
  }

  @Test
  void ackComesBeforeTheBindOfAWaitingClient() {
    h.clientSends(C1, bytes(1));

    h.register(1, T1);

    List<ControlMessage> toT1 = h.controlTo(T1);
    int ack = toT1.indexOf(toT1.stream().filter(m -> m.type() == MessageType.ACK).findFirst().orElseThrow());
    int bind = toT1.indexOf(toT1.stream().filter(m -> m.type() == MessageType.BIND).findFirst().orElseThrow());
    assertTrue(ack < bind, "the AUTH's ACK first, then the BIND: " + toT1);
  }

  @Test
  void waitingClientHoldsAtMostEightDatagrams() {
    for (int i = 0; i < 10; i++) {
      h.clientSends(C1, bytes(i));
    }
    assertEquals(2, h.drops(DropReason.QUEUE_FULL));

    h.register(1, T1);

    List<byte[]> delivered = h.dataTo(T1);
    assertEquals(PendingClient.MAX_DATAGRAMS, delivered.size());
    for (int i = 0; i < 8; i++) {
      assertArrayEquals(bytes(i), delivered.get(i), "the first 8 are kept, in order");
    }
  }

  @Test
  void waitingDatagramsExpireAfterTwoSeconds() {
    h.clientSends(C1, bytes(1));
    h.advanceMillis(1_500);
    h.clientSends(C1, bytes(2));
    h.advanceMillis(600); // the first waited 2.1 s, the second 0.6 s

    h.register(1, T1);

    assertEquals(1, h.drops(DropReason.QUEUE_EXPIRED));
    List<byte[]> delivered = h.dataTo(T1);
    assertEquals(1, delivered.size());
    assertArrayEquals(bytes(2), delivered.get(0));
  }

  @Test
  void waitingDatagramsAreKeptUpToTwoSeconds() {
    h.clientSends(C1, bytes(1));
    h.advanceMillis(2_000);
    h.tick();

    h.register(1, T1);

    assertEquals(0, h.drops(DropReason.QUEUE_EXPIRED));
    assertEquals(1, h.dataTo(T1).size());
  }

  @Test
  void sweepDropsExpiredWaitingClient() {
    h.clientSends(C1, bytes(1));
    h.clientSends(C1, bytes(2));
    h.advanceMillis(2_100);

    h.tick();

    assertEquals(2, h.drops(DropReason.QUEUE_EXPIRED));
    assertEquals(0, h.table().pendingCount());
    h.register(1, T1);
    assertNull(h.tunnel(1).client, "a client that is gone takes no spare");
    assertTrue(h.dataTo(T1).isEmpty());
  }

  @Test
  void noRoomToWaitDropsAsNoSpare() {
    RelayHarness h0 = new RelayHarness(new JsonObject().put("maxPendingClients", 0));

    h0.clientSends(C1, bytes(1));

    assertEquals(1, h0.drops(DropReason.NO_SPARE));
    assertEquals(0, h0.table().pendingCount());
    h0.register(1, T1);
    assertNull(h0.tunnel(1).client, "the refused client was not kept");
  }

  @Test
  void waitingClientsAreBoundedByMaxPendingClients() {
    RelayHarness h2 = new RelayHarness(new JsonObject().put("maxPendingClients", 1));

    h2.clientSends(C1, bytes(1));
    h2.clientSends(C2, bytes(2));

    assertEquals(1, h2.table().pendingCount());
    assertEquals(1, h2.drops(DropReason.NO_SPARE));
  }

  @Test
  void waitingClientsAreServedInArrivalOrder() {
    h.clientSends(C2, bytes(2));
    h.clientSends(C1, bytes(1));

    h.register(1, T1);
    h.register(2, T2);

    assertEquals(C2, h.tunnel(1).client);
    assertEquals(C1, h.tunnel(2).client);
  }

  @Test
  void nothingAnswersDataFromAStranger() {
    RelayHarness h0 = new RelayHarness(new JsonObject().put("maxPendingClients", 0));

    h0.clientSends(C1, bytes(1, 2, 3));

    assertTrue(h0.sent().isEmpty(), "an unadmitted source gets nothing back");
  }
}
