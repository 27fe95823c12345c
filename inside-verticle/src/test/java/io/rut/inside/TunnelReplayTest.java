package io.rut.inside;

import static io.rut.inside.TunnelHarness.CLIENT;
import static io.rut.inside.TunnelHarness.COOKIE;
import static io.rut.inside.TunnelHarness.ID;
import static io.rut.inside.TunnelHarness.OUTSIDE;
import static io.rut.inside.TunnelHarness.PUBLIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.inside.TunnelHarness.Kind;
import io.rut.metrics.DropReason;
import io.rut.protocol.CloseReason;
import io.rut.protocol.ControlMessage;
import io.rut.protocol.ServiceId;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** PROTOCOL.md section 4 and what the inside drops among valid control messages. */
class TunnelReplayTest {

  private static final InetSocketAddress ELSEWHERE = new InetSocketAddress("198.51.100.99", 50000);

  @Test
  void anAckWhoseCounterIsNotAboveTheLastIsAReplay() {
    TunnelHarness h = new TunnelHarness().register();
    long last = h.lastOutsideCounter();
    long ackAt = h.tunnel.path().lastAck();
    h.now += 1_000_000;

    h.fromOutside(ControlMessage.ack(h.serviceId(), ID, last, 0, ELSEWHERE));      // equal
    h.fromOutside(ControlMessage.ack(h.serviceId(), ID, last - 5, 0, ELSEWHERE));  // lower

    assertEquals(2, h.drops(DropReason.REPLAY));
    assertEquals(PUBLIC, h.tunnel.path().publicAddress(), "ignored");
    assertEquals(ackAt, h.tunnel.path().lastAck(), "ignored");
  }

  @Test
  void aReplayedAckDoesNotRegister() {
    TunnelHarness h = new TunnelHarness().register();
    long ackCounter = h.lastOutsideCounter();
    h.tunnel.reregister(h.now);
    assertEquals(TunnelState.REGISTERING, h.tunnel.state());

    h.fromOutside(ControlMessage.ack(h.serviceId(), ID, ackCounter, 0, PUBLIC));

    assertEquals(1, h.drops(DropReason.REPLAY));
    assertEquals(TunnelState.REGISTERING, h.tunnel.state());
  }

  @Test
  void aReplayedBindIsIgnored() {
    TunnelHarness h = new TunnelHarness().register();
    long last = h.lastOutsideCounter();

    h.fromOutside(ControlMessage.bind(h.serviceId(), ID, last, CLIENT));

    assertEquals(1, h.drops(DropReason.REPLAY));
    assertEquals(TunnelState.SPARE, h.tunnel.state());
    assertTrue(h.events.isEmpty());
  }

  @Test
  void aReplayedCloseIsIgnored() {
    TunnelHarness h = new TunnelHarness().activate();
    long last = h.lastOutsideCounter();

    h.fromOutside(ControlMessage.close(h.serviceId(), ID, last - 1, CloseReason.IDLE));

    assertEquals(1, h.drops(DropReason.REPLAY));
    assertEquals(TunnelState.ACTIVE, h.tunnel.state());
    assertTrue(h.events(TunnelEvent.Closed.class).isEmpty());
  }

  @Test
  void aDroppedReplayDoesNotRaiseTheHighestCounter() {
    TunnelHarness h = new TunnelHarness().register();
    long last = h.lastOutsideCounter();
    h.fromOutside(ControlMessage.bind(h.serviceId(), ID, last, CLIENT));
    assertEquals(TunnelState.SPARE, h.tunnel.state());

    h.fromOutside(ControlMessage.bind(h.serviceId(), ID, last + 1, CLIENT));

    assertEquals(TunnelState.CLAIMING, h.tunnel.state());
  }

  @Test
  void aControlMessageForAnotherTunnelIsUnknownTunnel() {
    TunnelHarness h = new TunnelHarness().register();

    h.fromOutside(ControlMessage.bind(h.serviceId(), ID + 1, h.nextOutsideCounter(), CLIENT));
    h.fromOutside(ControlMessage.close(h.serviceId(), ID + 1, h.nextOutsideCounter(), CloseReason.IDLE));

    assertEquals(2, h.drops(DropReason.UNKNOWN_TUNNEL));
    assertEquals(TunnelState.SPARE, h.tunnel.state());
    assertTrue(h.events.isEmpty());
    assertTrue(h.sentOf(Kind.TO_SERVICE).isEmpty(), "not data either");
  }

  @Test
  void aTypeTheInsideNeverGetsIsWrongDirection() {
    TunnelHarness h = new TunnelHarness().register();
    int mark = h.mark();

    h.fromOutside(ControlMessage.hello(h.serviceId(), ID, h.nextOutsideCounter(), true));
    h.fromOutside(ControlMessage.auth(h.serviceId(), ID, h.nextOutsideCounter(), COOKIE, CLIENT));
    h.fromOutside(ControlMessage.keepalive(h.serviceId(), ID, h.nextOutsideCounter(), null));

    assertEquals(3, h.drops(DropReason.WRONG_DIRECTION));
    assertTrue(h.since(mark).isEmpty(), "no answer, not data");
    assertEquals(TunnelState.SPARE, h.tunnel.state());
  }

  @Test
  void anotherServicesValidMessageIsWrongService() {
    TunnelHarness h = new TunnelHarness().register();
    int mark = h.mark();

    h.fromOutside(ControlMessage.bind(ServiceId.of("other"), ID, h.nextOutsideCounter(), CLIENT));
    h.fromOutside(ControlMessage.close(ServiceId.of("other"), ID, h.nextOutsideCounter(), CloseReason.SHUTDOWN));

    assertEquals(2, h.drops(DropReason.WRONG_SERVICE));
    assertEquals(TunnelState.SPARE, h.tunnel.state());
    assertTrue(h.since(mark).isEmpty(), "not data either");
    assertTrue(h.events.isEmpty());
  }

  @Test
  void aReplayOnAnActiveTunnelIsNotData() {
    TunnelHarness h = new TunnelHarness().activate();
    h.fromOutside(ControlMessage.bind(h.serviceId(), ID, h.lastOutsideCounter(), CLIENT));
    assertTrue(h.sentOf(Kind.TO_SERVICE).isEmpty());
    assertEquals(1, h.drops(DropReason.REPLAY));
    assertEquals(OUTSIDE, h.tunnel.path().outside());
  }
}
