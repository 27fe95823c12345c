package io.rut.inside;

import static io.rut.inside.TunnelHarness.CLIENT;
import static io.rut.inside.TunnelHarness.ID;
import static io.rut.inside.TunnelHarness.MS;
import static io.rut.inside.TunnelHarness.OUTSIDE;
import static io.rut.inside.TunnelHarness.S;
import static io.rut.inside.TunnelHarness.TARGET;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.inside.TunnelHarness.Kind;
import io.rut.inside.TunnelHarness.Sent;
import io.rut.metrics.Direction;
import io.rut.metrics.DropReason;
import io.rut.protocol.CloseReason;
import io.rut.protocol.MessageType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SPARE -> CLAIMING -> ACTIVE or CONFLICTED (-> ACTIVE after the grace); a spare activated by data. */
class TunnelClaimTest {

  private static byte[] datagram(int i) {
    return new byte[] {(byte) i, (byte) (i * 3), 42};
  }

  @Test
  void bindMakesTheSpareClaimAndPublishesTheClient() {
    TunnelHarness h = new TunnelHarness().register();

    h.bind(CLIENT);

    assertEquals(TunnelState.CLAIMING, h.tunnel.state());
    assertEquals(CLIENT, h.tunnel.client());
    assertEquals(List.of(new TunnelEvent.Claim(ID, CLIENT)), h.events(TunnelEvent.Claim.class));
  }

  @Test
  void dataWhileClaimingIsHeldUpTo8AndDeliveredInOrderOnAGrantedClaim() {
    TunnelHarness h = new TunnelHarness().register();
    h.bind(CLIENT);

    for (int i = 0; i < 9; i++) {
      h.fromOutside(datagram(i), OUTSIDE);
    }

    assertTrue(h.sentOf(Kind.TO_SERVICE).isEmpty(), "held, not forwarded");
    assertEquals(1, h.drops(DropReason.QUEUE_FULL), "the 9th");
    assertEquals(TunnelState.CLAIMING, h.tunnel.state());

    h.tunnel.verdict(true, h.now);

    assertEquals(TunnelState.ACTIVE, h.tunnel.state());
    assertEquals(CLIENT, h.tunnel.client());
    List<Sent> delivered = h.sentOf(Kind.TO_SERVICE);
    assertEquals(8, delivered.size());
    for (int i = 0; i < 8; i++) {
      assertArrayEquals(datagram(i), delivered.get(i).bytes(), "in order");
      assertEquals(TARGET, delivered.get(i).to());
    }
    assertEquals(8, h.meters.forwarded(Direction.TUNNEL_TO_SERVICE));

    h.fromOutside(datagram(20), OUTSIDE);
    assertEquals(9, h.sentOf(Kind.TO_SERVICE).size(), "then data flows");
  }

  @Test
  void deniedClaimDropsHeldAndFurtherDataAsConflictAndTakesOverAfterTheGrace() {
    TunnelHarness h = new TunnelHarness().register();
    h.bind(CLIENT);
    h.fromOutside(datagram(1), OUTSIDE);
    h.fromOutside(datagram(2), OUTSIDE);
    h.fromOutside(datagram(3), OUTSIDE);
    long deniedAt = h.now;

    h.tunnel.verdict(false, h.now);

    assertEquals(TunnelState.CONFLICTED, h.tunnel.state());
    assertEquals(3, h.drops(DropReason.BINDING_CONFLICT), "the held datagrams");
    h.fromOutside(datagram(4), OUTSIDE);
    assertEquals(4, h.drops(DropReason.BINDING_CONFLICT), "and what follows");
    assertTrue(h.sentOf(Kind.TO_SERVICE).isEmpty());

    h.advanceTo(deniedAt + 2 * S - 1);
    assertEquals(TunnelState.CONFLICTED, h.tunnel.state(), "within the grace");
    assertEquals(0, h.event("binding_taken_over"));
    assertTrue(h.events(TunnelEvent.Activated.class).isEmpty());

    h.advanceTo(deniedAt + 2 * S);

    assertEquals(TunnelState.ACTIVE, h.tunnel.state());
    assertEquals(1, h.event("binding_taken_over"));
    assertEquals(List.of(new TunnelEvent.Activated(ID, CLIENT)), h.events(TunnelEvent.Activated.class));
    h.fromOutside(datagram(5), OUTSIDE);
    assertEquals(1, h.sentOf(Kind.TO_SERVICE).size());
    assertArrayEquals(datagram(5), h.sentOf(Kind.TO_SERVICE).get(0).bytes());
  }

  @Test
  void closeFromTheOutsideEndsAConflictedTunnel() {
    TunnelHarness h = new TunnelHarness().register();
    h.bind(CLIENT);
    h.tunnel.verdict(false, h.now);

    h.now += 500 * MS;
    h.close(CloseReason.UNKNOWN_TUNNEL);

    assertEquals(TunnelState.CLOSED, h.tunnel.state());
    h.advance(5 * S);
    assertEquals(0, h.event("binding_taken_over"), "no take-over after the end");
    assertTrue(h.events(TunnelEvent.Activated.class).isEmpty());
  }

  @Test
  void aVerdictOutsideClaimingChangesNothing() {
    TunnelHarness spare = new TunnelHarness().register();
    spare.tunnel.verdict(true, spare.now);
    assertEquals(TunnelState.SPARE, spare.tunnel.state());
    assertNull(spare.tunnel.client());

    TunnelHarness active = new TunnelHarness().activate();
    active.tunnel.verdict(false, active.now);
    assertEquals(TunnelState.ACTIVE, active.tunnel.state());
    active.fromOutside(datagram(1), OUTSIDE);
    assertEquals(1, active.sentOf(Kind.TO_SERVICE).size());

    TunnelHarness conflicted = new TunnelHarness().register();
    conflicted.bind(CLIENT);
    conflicted.tunnel.verdict(false, conflicted.now);
    conflicted.tunnel.verdict(true, conflicted.now);
    assertEquals(TunnelState.CONFLICTED, conflicted.tunnel.state());

    TunnelHarness registering = new TunnelHarness();
    registering.tunnel.opened(registering.now);
    registering.tunnel.verdict(true, registering.now);
    assertEquals(TunnelState.REGISTERING, registering.tunnel.state());

    for (TunnelHarness h : List.of(spare, active, conflicted, registering)) {
      assertEquals(0, h.drops(DropReason.BINDING_CONFLICT));
    }
  }

  @Test
  void aSecondBindWhileClaimingIsIgnored() {
    TunnelHarness h = new TunnelHarness().register();
    h.bind(CLIENT);
    h.bind(new java.net.InetSocketAddress("192.0.2.99", 999));
    assertEquals(CLIENT, h.tunnel.client());
    assertEquals(1, h.events(TunnelEvent.Claim.class).size());
  }

  @Test
  void dataOnASpareWithoutBindActivatesIt() {
    TunnelHarness h = new TunnelHarness().register();
    h.advance(TunnelPath.SETTLE); // registered a while ago: the data cannot be an old tunnel's

    h.fromOutside(datagram(7), OUTSIDE);

    assertEquals(TunnelState.ACTIVE, h.tunnel.state());
    assertNull(h.tunnel.client(), "the BIND was lost: no client known");
    assertEquals(List.of(new TunnelEvent.Activated(ID, null)), h.events(TunnelEvent.Activated.class));
    assertTrue(h.events(TunnelEvent.Claim.class).isEmpty());
    List<Sent> forwarded = h.sentOf(Kind.TO_SERVICE);
    assertEquals(1, forwarded.size());
    assertArrayEquals(datagram(7), forwarded.get(0).bytes());
    assertEquals(TARGET, forwarded.get(0).to());

    h.fromOutside(datagram(8), OUTSIDE);
    assertEquals(1, h.events(TunnelEvent.Activated.class).size(), "published once");
  }

  /**
   * A new agent's socket may get the port of a dead tunnel that the outside still holds: until the
   * new tunnel has registered (and a moment after, while datagrams already sent drain), data
   * without BIND is that dead tunnel's client's, and is dropped rather than taken for a lost BIND.
   */
  @Test
  void dataBeforeRegistrationOrJustAfterItIsNotTakenForALostBind() {
    TunnelHarness h = new TunnelHarness();
    h.tunnel.opened(h.now);
    h.fromOutside(datagram(1), OUTSIDE);
    assertEquals(TunnelState.REGISTERING, h.tunnel.state());

    h.challenge(TunnelHarness.PUBLIC);
    h.ackLast();
    assertEquals(TunnelState.SPARE, h.tunnel.state());
    h.advance(TunnelPath.SETTLE - 1);
    h.fromOutside(datagram(2), OUTSIDE);
    assertEquals(TunnelState.SPARE, h.tunnel.state());

    assertEquals(2, h.drops(DropReason.NO_CLIENT));
    assertTrue(h.sentOf(Kind.TO_SERVICE).isEmpty(), "no other client's datagram reaches the service");
  }

  @Test
  void keepaliveOfAClaimingTunnelNamesItsClient() {
    TunnelHarness h = new TunnelHarness().register();
    h.bind(CLIENT);
    Sent ka = h.runUntilSent(MessageType.KEEPALIVE, h.now + 60 * S);
    assertEquals(CLIENT, ka.message().address());
  }

  @Test
  void heldDatagramsAreCountedWhenTheOutsideClosesAClaimingTunnel() {
    TunnelHarness h = new TunnelHarness().register();
    h.bind(CLIENT);
    h.fromOutside(datagram(1), OUTSIDE);
    h.fromOutside(datagram(2), OUTSIDE);
    double before = h.allDrops();

    h.close(CloseReason.UNKNOWN_TUNNEL);

    assertEquals(TunnelState.CLOSED, h.tunnel.state());
    assertTrue(h.sentOf(Kind.TO_SERVICE).isEmpty());
    assertEquals(before + 2, h.allDrops(), "the 2 held datagrams are counted as dropped");
  }
}
