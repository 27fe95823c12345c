package io.rut.inside;

import static io.rut.inside.TunnelHarness.CLIENT;
import static io.rut.inside.TunnelHarness.COOKIE;
import static io.rut.inside.TunnelHarness.ID;
import static io.rut.inside.TunnelHarness.MS;
import static io.rut.inside.TunnelHarness.OUTSIDE;
import static io.rut.inside.TunnelHarness.PUBLIC;
import static io.rut.inside.TunnelHarness.S;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.inside.TunnelHarness.Sent;
import io.rut.protocol.CloseReason;
import io.rut.protocol.MessageType;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the outside's CHALLENGE to a KEEPALIVE means (restart, NAT rebinding), its CLOSE, and the
 * agent's commands: register again, shut down.
 */
class TunnelRestartTest {

  private static final InetSocketAddress REBOUND = new InetSocketAddress("198.51.100.7", 40001);

  @Test
  void aSpareChallengedFromItsLastAckedAddressRegistersAgainHalfASecondLater() {
    TunnelHarness h = new TunnelHarness(json -> json.put("keepaliveInterval", 10)).register();
    h.runUntilSent(MessageType.KEEPALIVE, h.now + 20 * S);
    h.now += 20 * MS;
    int mark = h.mark();

    h.challenge(PUBLIC); // the outside does not know the tunnel any more
    long restartedAt = h.now;

    assertEquals(TunnelState.REGISTERING, h.tunnel.state());
    assertEquals(List.of(new TunnelEvent.OutsideRestarted(ID)), h.events(TunnelEvent.OutsideRestarted.class));
    assertTrue(h.since(mark).isEmpty(), "no AUTH at once: the active tunnels restore their bindings first");

    h.advanceTo(restartedAt + 500 * MS - 1);
    assertTrue(h.since(mark).isEmpty(), "nothing within 500 ms");
    h.advanceTo(restartedAt + 500 * MS);
    List<Sent> sent = h.since(mark);
    assertEquals(1, sent.size());
    assertEquals(MessageType.HELLO, sent.get(0).type());
    assertTrue(sent.get(0).message().spare());

    h.challenge(PUBLIC);
    assertEquals(MessageType.AUTH, h.lastControl().type());
    h.ackLast();
    assertEquals(TunnelState.SPARE, h.tunnel.state());
  }

  @Test
  void anActiveTunnelChallengedFromItsLastAckedAddressRestoresItsBindingAtOnce() {
    TunnelHarness h = new TunnelHarness(json -> json.put("keepaliveInterval", 10).put("connectionTimeout", 600))
        .activate();
    h.runUntilSent(MessageType.KEEPALIVE, h.now + 20 * S);
    h.now += 20 * MS;
    int mark = h.mark();

    h.challenge(PUBLIC);

    List<Sent> sent = h.since(mark);
    assertEquals(1, sent.size());
    Sent auth = sent.get(0);
    assertEquals(MessageType.AUTH, auth.type());
    assertEquals(h.now, auth.at());
    assertArrayEquals(COOKIE, auth.message().cookie());
    assertEquals(CLIENT, auth.message().address(), "AUTH carries the client: the outside restores the binding");
    assertFalse(auth.message().spare());
    assertEquals(List.of(new TunnelEvent.OutsideRestarted(ID)), h.events(TunnelEvent.OutsideRestarted.class));
    assertEquals(TunnelState.ACTIVE, h.tunnel.state());
    assertEquals(0, h.event("nat_rebinding"));
  }

  @Test
  void aChallengeFromAnotherAddressIsNatRebinding() {
    TunnelHarness h = new TunnelHarness(json -> json.put("keepaliveInterval", 10)).register();
    h.runUntilSent(MessageType.KEEPALIVE, h.now + 20 * S);
    int mark = h.mark();

    h.challenge(REBOUND);

    List<Sent> sent = h.since(mark);
    assertEquals(1, sent.size());
    assertEquals(MessageType.AUTH, sent.get(0).type());
    assertArrayEquals(COOKIE, sent.get(0).message().cookie());
    assertNull(sent.get(0).message().address());
    assertEquals(1, h.event("nat_rebinding"));
    assertTrue(h.events(TunnelEvent.OutsideRestarted.class).isEmpty());
    assertEquals(TunnelState.SPARE, h.tunnel.state());

    h.ack(sent.get(0).message().counter(), REBOUND);
    assertEquals(REBOUND, h.tunnel.path().publicAddress());
  }

  @Test
  void anActiveTunnelChallengedFromAnotherAddressNamesItsClientToo() {
    TunnelHarness h = new TunnelHarness(json -> json.put("keepaliveInterval", 10).put("connectionTimeout", 600))
        .activate();
    h.runUntilSent(MessageType.KEEPALIVE, h.now + 20 * S);

    h.challenge(REBOUND);

    assertEquals(MessageType.AUTH, h.lastControl().type());
    assertEquals(CLIENT, h.lastControl().message().address());
    assertEquals(1, h.event("nat_rebinding"));
    assertEquals(TunnelState.ACTIVE, h.tunnel.state());
  }

  @Test
  void closeFromTheOutsideClosesAtOnceWithoutAnswer() {
    for (CloseReason reason : CloseReason.values()) {
      TunnelHarness h = new TunnelHarness().activate();
      int mark = h.mark();

      h.close(reason);

      assertEquals(TunnelState.CLOSED, h.tunnel.state());
      assertTrue(h.since(mark).isEmpty(), "no CLOSE back");
      String expected = "outside_" + reason.name().toLowerCase();
      assertEquals(List.of(new TunnelEvent.Closed(ID, CLIENT, expected)), h.events(TunnelEvent.Closed.class));
      assertEquals(1, h.meters.closedCount(expected));
      assertTrue(h.tunnel.finished());
      h.advance(120 * S);
      assertTrue(h.since(mark).isEmpty(), "nor anything later");
      h.fromOutside(new byte[] {1}, OUTSIDE);
      assertTrue(h.since(mark).isEmpty(), "data after the end goes nowhere");
    }
  }

  @Test
  void closeFromTheOutsideClosesASpare() {
    TunnelHarness h = new TunnelHarness().register();
    h.close(CloseReason.LIMIT);
    assertEquals(TunnelState.CLOSED, h.tunnel.state());
    assertEquals(List.of(new TunnelEvent.Closed(ID, null, "outside_limit")), h.events(TunnelEvent.Closed.class));
  }

  @Test
  void reregisterMakesAnActiveTunnelSayHelloAtOnce() {
    TunnelHarness h = new TunnelHarness(json -> json.put("keepaliveInterval", 10).put("connectionTimeout", 600))
        .activate();
    h.advance(2 * S);
    int mark = h.mark();

    h.tunnel.reregister(h.now);

    assertEquals(TunnelState.RECONNECTING, h.tunnel.state());
    List<Sent> sent = h.since(mark);
    assertEquals(1, sent.size());
    assertEquals(MessageType.HELLO, sent.get(0).type());
    assertFalse(sent.get(0).message().spare());
    long at = h.now;
    Sent next = h.runUntilSent(MessageType.HELLO, at + 5 * S);
    assertEquals(at + 1 * S, next.at(), "then 1 s back-off");

    h.challenge(PUBLIC);
    assertEquals(CLIENT, h.lastControl().message().address());
    h.ackLast();
    assertEquals(TunnelState.ACTIVE, h.tunnel.state());
  }

  @Test
  void reregisterMakesASpareSayHelloHalfASecondLater() {
    TunnelHarness h = new TunnelHarness().register();
    int mark = h.mark();
    long at = h.now;

    h.tunnel.reregister(at);

    assertEquals(TunnelState.REGISTERING, h.tunnel.state());
    assertTrue(h.since(mark).isEmpty());
    h.advanceTo(at + 500 * MS - 1);
    assertTrue(h.since(mark).isEmpty());
    h.advanceTo(at + 500 * MS);
    assertEquals(1, h.since(mark).size());
    assertEquals(MessageType.HELLO, h.lastControl().type());
    assertTrue(h.lastControl().message().spare());
  }

  @Test
  void reregisterOfAnOpeningOrClosedTunnelDoesNothing() {
    TunnelHarness opening = new TunnelHarness();
    opening.tunnel.reregister(opening.now);
    assertEquals(TunnelState.OPENING, opening.tunnel.state());
    assertTrue(opening.sent.isEmpty());

    TunnelHarness closed = new TunnelHarness().register();
    closed.close(CloseReason.IDLE);
    int mark = closed.mark();
    closed.tunnel.reregister(closed.now);
    closed.advance(5 * S);
    assertEquals(TunnelState.CLOSED, closed.tunnel.state());
    assertTrue(closed.since(mark).isEmpty());
  }

  @Test
  void shutdownOfATunnelThatSentAuthSaysCloseShutdown() {
    TunnelHarness h = new TunnelHarness().activate();
    int mark = h.mark();

    h.tunnel.shutdown(h.now);

    List<Sent> sent = h.since(mark);
    assertEquals(1, sent.size());
    assertEquals(MessageType.CLOSE, sent.get(0).type());
    assertEquals(CloseReason.SHUTDOWN.code, sent.get(0).message().reason());
    assertEquals(TunnelState.CLOSED, h.tunnel.state());
    h.advance(120 * S);
    assertEquals(1, h.since(mark).size(), "nothing after");
  }

  @Test
  void shutdownOfASpareThatSentAuthSaysCloseShutdown() {
    TunnelHarness h = new TunnelHarness().register();
    h.tunnel.shutdown(h.now);
    assertEquals(MessageType.CLOSE, h.lastControl().type());
    assertEquals(CloseReason.SHUTDOWN.code, h.lastControl().message().reason());
  }

  @Test
  void shutdownOfATunnelThatNeverSentAuthSaysNothing() {
    TunnelHarness registering = new TunnelHarness();
    registering.tunnel.opened(registering.now);
    registering.advance(1 * S); // HELLOs only
    int mark = registering.mark();
    registering.tunnel.shutdown(registering.now);
    assertTrue(registering.since(mark).isEmpty());
    assertEquals(TunnelState.CLOSED, registering.tunnel.state());

    TunnelHarness opening = new TunnelHarness();
    opening.tunnel.shutdown(opening.now);
    assertTrue(opening.sent.isEmpty());
  }
}
