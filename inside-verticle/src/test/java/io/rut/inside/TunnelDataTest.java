package io.rut.inside;

import static io.rut.inside.TunnelHarness.OUTSIDE;
import static io.rut.inside.TunnelHarness.PUBLIC;
import static io.rut.inside.TunnelHarness.TARGET;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.inside.TunnelHarness.Kind;
import io.rut.inside.TunnelHarness.Sent;
import io.rut.metrics.Direction;
import io.rut.metrics.DropReason;
import io.rut.protocol.ControlCodec;
import io.rut.protocol.ControlMessage;
import io.rut.protocol.ServiceKeys;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PROTOCOL.md section 1: the source decides; data crosses unchanged. */
class TunnelDataTest {

  @Test
  void aDatagramOnTheTunnelSocketFromAnyoneButTheOutsideIsAStranger() {
    TunnelHarness h = new TunnelHarness().activate();
    int mark = h.mark();

    h.fromOutside(new byte[] {1, 2, 3}, new InetSocketAddress("203.0.113.10", 2223)); // same host, other port
    h.fromOutside(new byte[] {1, 2, 3}, new InetSocketAddress("203.0.113.11", 2222)); // other host, same port
    h.fromOutside(new byte[] {1, 2, 3}, TARGET);

    assertEquals(3, h.drops(DropReason.STRANGER));
    assertTrue(h.since(mark).isEmpty(), "nothing forwarded");
    assertEquals(0, h.meters.forwarded(Direction.TUNNEL_TO_SERVICE));
  }

  @Test
  void aValidControlMessageFromAStrangerIsDroppedToo() {
    TunnelHarness h = new TunnelHarness().register();

    h.fromOutside(h.outside.encode(ControlMessage.bind(h.serviceId(), TunnelHarness.ID, h.nextOutsideCounter(),
        TunnelHarness.CLIENT)), PUBLIC);

    assertEquals(1, h.drops(DropReason.STRANGER));
    assertEquals(TunnelState.SPARE, h.tunnel.state());
    assertTrue(h.events.isEmpty());
  }

  @Test
  void aDatagramOnTheServiceSocketFromAnyoneButTheServiceIsDropped() {
    TunnelHarness h = new TunnelHarness().activate();
    int mark = h.mark();

    h.fromService(new byte[] {9}, new InetSocketAddress("127.0.0.1", 51821));
    h.fromService(new byte[] {9}, new InetSocketAddress("127.0.0.2", 51820));
    h.fromService(new byte[] {9}, OUTSIDE);

    assertEquals(3, h.drops(DropReason.NOT_FROM_SERVICE));
    assertTrue(h.since(mark).isEmpty(), "nothing sent to the outside");
  }

  @Test
  void emptyDatagramsAreDroppedOnBothSockets() {
    TunnelHarness h = new TunnelHarness().activate();
    int mark = h.mark();

    h.fromOutside(new byte[0], OUTSIDE);
    h.fromService(new byte[0]);

    assertEquals(2, h.drops(DropReason.EMPTY));
    assertTrue(h.since(mark).isEmpty());
  }

  @Test
  void anEmptyDatagramDoesNotActivateASpare() {
    TunnelHarness h = new TunnelHarness().register();
    h.fromOutside(new byte[0], OUTSIDE);
    assertEquals(TunnelState.SPARE, h.tunnel.state());
    assertEquals(1, h.drops(DropReason.EMPTY));
  }

  @Test
  void dataCrossesUnchangedBothWays() {
    TunnelHarness h = new TunnelHarness().activate();
    byte[] in = new byte[1400];
    for (int i = 0; i < in.length; i++) {
      in[i] = (byte) (i * 7);
    }
    byte[] out = new byte[] {4, 0, 0, 0, 1, 2, 3};
    // 88 bytes that are not a control message: data as well
    byte[] lookalike = new byte[ControlCodec.SIZE];
    lookalike[0] = 0x52;
    int mark = h.mark();

    h.fromOutside(in, OUTSIDE);
    h.fromService(out);
    h.fromOutside(lookalike, OUTSIDE);

    List<Sent> sent = h.since(mark);
    assertEquals(3, sent.size());
    assertEquals(Kind.TO_SERVICE, sent.get(0).kind());
    assertArrayEquals(in, sent.get(0).bytes());
    assertEquals(TARGET, sent.get(0).to());
    assertEquals(Kind.TO_OUTSIDE, sent.get(1).kind());
    assertArrayEquals(out, sent.get(1).bytes());
    assertEquals(OUTSIDE, sent.get(1).to());
    assertEquals(Kind.TO_SERVICE, sent.get(2).kind());
    assertArrayEquals(lookalike, sent.get(2).bytes());
    assertEquals(2, h.meters.forwarded(Direction.TUNNEL_TO_SERVICE));
    assertEquals(1, h.meters.forwarded(Direction.SERVICE_TO_TUNNEL));
    assertEquals(2, h.tunnel.stats().toServiceDatagrams());
    assertEquals(in.length + lookalike.length, h.tunnel.stats().toServiceBytes());
    assertEquals(out.length, h.tunnel.stats().fromServiceBytes());
  }

  @Test
  void dataFollowsTheOutsideWhenItMoves() {
    TunnelHarness h = new TunnelHarness().activate();
    InetSocketAddress moved = new InetSocketAddress("203.0.113.77", 2222);
    h.tunnel.path().outsideMoved(moved);

    h.fromOutside(new byte[] {1}, OUTSIDE);
    assertEquals(1, h.drops(DropReason.STRANGER), "the old address is a stranger now");
    h.fromOutside(new byte[] {1}, moved);
    h.fromService(new byte[] {2});

    assertEquals(1, h.sentOf(Kind.TO_SERVICE).size());
    assertEquals(moved, h.sentOf(Kind.TO_OUTSIDE).get(0).to());
  }

  @Test
  void aForeignControlMessageFromTheOutsideIsNeverData() {
    TunnelHarness h = new TunnelHarness().activate();
    ServiceKeys otherKeys = ServiceKeys.derive(TunnelHarness.SERVICE, List.of(TunnelHarness.base64Key((byte) 9)));
    byte[] otherKey = new ControlCodec(otherKeys).encode(ControlMessage.close(h.serviceId(), TunnelHarness.ID,
        h.nextOutsideCounter(), io.rut.protocol.CloseReason.IDLE));
    byte[] otherVersion = h.outside.encode(ControlMessage.bind(h.serviceId(), TunnelHarness.ID,
        h.nextOutsideCounter(), TunnelHarness.CLIENT));
    otherVersion[3] = 2;
    int mark = h.mark();

    h.fromOutside(otherKey, OUTSIDE);
    h.fromOutside(otherVersion, OUTSIDE);

    assertTrue(h.since(mark).isEmpty(), "a foreign control message never reaches the service");
    assertEquals(2, h.allDrops(), "dropped and counted");
    assertEquals(TunnelState.ACTIVE, h.tunnel.state());

    TunnelHarness spare = new TunnelHarness().register();
    spare.fromOutside(otherKey, OUTSIDE);
    assertEquals(TunnelState.SPARE, spare.tunnel.state(), "it never binds a tunnel");
    assertTrue(spare.sentOf(Kind.TO_SERVICE).isEmpty());
  }

  @Test
  void aCloseUnderAnotherKeyIsNotActedOn() {
    TunnelHarness h = new TunnelHarness().activate();
    ServiceKeys otherKeys = ServiceKeys.derive(TunnelHarness.SERVICE, List.of(TunnelHarness.base64Key((byte) 9)));
    byte[] close = new ControlCodec(otherKeys).encode(ControlMessage.close(h.serviceId(), TunnelHarness.ID,
        h.nextOutsideCounter(), io.rut.protocol.CloseReason.IDLE));
    h.fromOutside(close, OUTSIDE);
    assertEquals(TunnelState.ACTIVE, h.tunnel.state(), "a CLOSE whose tag fails is never acted on");
    assertTrue(h.events(TunnelEvent.Closed.class).isEmpty());
  }
}
