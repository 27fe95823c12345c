package io.rut.outside;

import static io.rut.outside.RelayHarness.MS;
import static io.rut.outside.RelayHarness.addr;
import static io.rut.outside.RelayHarness.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.metrics.DropReason;
import io.rut.outside.RelayHarness.Kind;
import io.rut.outside.RelayHarness.Sent;
import io.rut.protocol.CloseReason;
import io.rut.protocol.ControlMessage;
import io.rut.protocol.MessageType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link SilentTunnels}: a bound tunnel silent (nothing at all from its address) for more than
 * 1 s while its client sent at least 2 datagrams is probed with a CHALLENGE; anything from the
 * tunnel's address answers the probe; a client datagram more than 1 s after an unanswered probe
 * closes the tunnel (CLOSE unknown-tunnel, reason {@code silent}) and goes the way of a new
 * client's. Spares silent at least as long as the dead tunnel are probed too, take no client
 * meanwhile, and are closed by the sweep if they do not answer within 1 s. Probes of a tunnel that
 * answers by control only come at doubling intervals, up to the keepalive interval; data from the
 * tunnel brings the interval back to 1 s.
 *
 * <p>The harness's inside agent answers nothing by itself: a test that wants a tunnel alive
 * answers its probe ({@link RelayHarness#answerProbe}) or has it send something.
 */
class SilentTunnelsTest {

  static final InetSocketAddress T1 = addr("198.51.100.1", 40001);
  static final InetSocketAddress T1_MOVED = addr("198.51.100.1", 40999);
  static final InetSocketAddress T2 = addr("198.51.100.2", 40002);
  static final InetSocketAddress T3 = addr("198.51.100.3", 40003);
  static final InetSocketAddress T4 = addr("198.51.100.4", 40004);
  static final InetSocketAddress T5 = addr("198.51.100.5", 40005);
  static final InetSocketAddress T6 = addr("198.51.100.6", 40006);
  static final InetSocketAddress C1 = addr("203.0.113.10", 51820);
  static final InetSocketAddress C2 = addr("203.0.113.20", 51821);

  private final RelayHarness h = new RelayHarness(); // keepaliveInterval 25 s

  /** Registers tunnel {@code id} at {@code t} and binds {@code c} to it (it must be the newest spare). */
  private static void bound(RelayHarness h, long id, InetSocketAddress t, InetSocketAddress c) {
    h.register(id, t);
    h.clientSends(c, bytes(0));
    assertEquals(c, h.tunnel(id).client);
  }

  /**
   * Tunnel 1 carries C1 and hears nothing from then on; C1 sends at +600 ms and +1200 ms: the
   * second one finds the tunnel silent for 1.2 s after 2 datagrams, and the tunnel is probed.
   */
  private void probedTunnelOne() {
    bound(h, 1, T1, C1);
    h.advanceMillis(600);
    h.clientSends(C1, bytes(1));
    h.advanceMillis(600);
    h.clientSends(C1, bytes(2));
    assertEquals(1, h.probesTo(1, T1).size(), "tunnel 1 probed");
  }

  // ---- who is probed ------------------------------------------------------------------------

  @Test
  void idleTunnelIsNeverProbed() {
    bound(h, 1, T1, C1);
    h.register(2, T2);
    h.clearOutput();

    for (int i = 0; i < 100; i++) { // 50 s, sweeps included, and the client sends nothing
      h.advanceMillis(500);
      h.tick();
    }

    assertTrue(h.probesTo(1, T1).isEmpty());
    assertTrue(h.probesTo(2, T2).isEmpty(), "nor is an idle spare");
    assertEquals(0, h.events("tunnel_probed"));
    assertEquals(C1, h.tunnel(1).client);
    assertNotNull(h.tunnel(2));
  }

  /**
   * A single datagram after a long silence is no reason to probe: the old rule moved such a client
   * to a livelier spare once its tunnel was overdue; now it stays.
   */
  @Test
  void loneClientDatagramAfterALongSilenceIsNotProbed() {
    bound(h, 1, T1, C1);
    h.register(2, T2);
    h.advanceSeconds(20);
    h.keepalive(2, T2);
    h.advanceSeconds(20); // tunnel 1 silent for 40 s (overdue), spare 2 for 20 s
    h.clearOutput();

    h.clientSends(C1, bytes(1));

    assertEquals(C1, h.tunnel(1).client);
    assertArrayEquals(bytes(1), h.dataTo(T1).get(0));
    assertTrue(h.probesTo(1, T1).isEmpty());
    assertTrue(h.sentTo(T2).isEmpty(), "the livelier spare is left alone");
    assertEquals(0, h.events("tunnel_probed"));
    assertEquals(0, h.closedCount("silent"));
  }

  @Test
  void clientKeepalivesBetweenTheTunnelsAreNeverProbed() {
    bound(h, 1, T1, C1);
    for (int i = 0; i < 10; i++) { // a persistent keepalive each way, one datagram at a time
      h.advanceSeconds(12);
      h.clientSends(C1, bytes(i));
      h.advanceSeconds(12);
      h.keepalive(1, T1);
    }

    assertEquals(0, h.events("tunnel_probed"));
    assertEquals(10, h.dataTo(T1).size() - 1);
  }

  @Test
  void secondClientDatagramAfterOverASecondOfSilenceProbes() {
    bound(h, 1, T1, C1);
    h.advanceSeconds(5);
    h.clientSends(C1, bytes(1)); // the first since the tunnel was heard: no probe
    assertTrue(h.probesTo(1, T1).isEmpty());
    h.clearOutput();

    h.advanceMillis(1);
    h.clientSends(C1, bytes(2));

    List<ControlMessage> probes = h.controlTo(T1, MessageType.CHALLENGE);
    assertEquals(1, probes.size());
    ControlMessage probe = probes.get(0);
    assertEquals(1, probe.tunnelId());
    assertEquals(h.serviceId, probe.serviceId());
    assertEquals(T1, probe.address(), "the tunnel's address as observed");
    assertEquals(16, probe.cookie().length);
    assertEquals(1, h.events("tunnel_probed"));
    assertArrayEquals(bytes(2), h.dataTo(T1).get(0), "the datagram goes on to the tunnel");
  }

  @Test
  void silenceOfExactlyASecondIsNoReasonToProbe() {
    bound(h, 1, T1, C1);
    h.advanceMillis(500);
    h.clientSends(C1, bytes(1));
    h.advanceMillis(500);
    h.clientSends(C1, bytes(2)); // silent for exactly 1 s, 2 datagrams
    assertEquals(0, h.events("tunnel_probed"));

    h.advanceMillis(1);
    h.clientSends(C1, bytes(3));

    assertEquals(1, h.events("tunnel_probed"));
  }

  @Test
  void anythingFromTheTunnelRestartsTheCount() {
    bound(h, 1, T1, C1);
    h.advanceSeconds(5);
    h.clientSends(C1, bytes(1));
    h.keepalive(1, T1); // heard: the count starts again
    h.advanceSeconds(5);

    h.clientSends(C1, bytes(2));

    assertEquals(0, h.events("tunnel_probed"));
  }

  @Test
  void twoWayTrafficIsNeverProbed() {
    bound(h, 1, T1, C1);
    for (int i = 0; i < 300; i++) { // 30 s of data each way, 100 ms apart
      h.advanceMillis(50);
      h.clientSends(C1, bytes(1));
      h.advanceMillis(50);
      h.tunnelSends(T1, bytes(2));
    }

    assertEquals(0, h.events("tunnel_probed"));
  }

  // ---- answers ------------------------------------------------------------------------------

  @Test
  void probeAnsweredByAuthKeepsTheTunnel() {
    probedTunnelOne();
    ControlMessage answer = h.answerProbe(1, T1);
    assertEquals(MessageType.ACK, answer.type(), "the probe's cookie verifies");
    h.advanceSeconds(2);
    h.clearOutput();

    h.clientSends(C1, bytes(3));

    assertNotNull(h.tunnel(1));
    assertEquals(C1, h.tunnel(1).client);
    assertArrayEquals(bytes(3), h.dataTo(T1).get(0));
    assertEquals(0, h.closedCount("silent"));
    assertEquals(0, h.events("silent_tunnel_closed"));
    assertTrue(h.controlTo(T1, MessageType.CLOSE).isEmpty());
  }

  @Test
  void probeAnsweredByDataKeepsTheTunnel() {
    probedTunnelOne();
    h.advanceMillis(300);
    h.tunnelSends(T1, bytes(9));
    assertArrayEquals(bytes(9), h.dataTo(C1).get(0), "the answer is the client's data");
    h.advanceSeconds(2);

    h.clientSends(C1, bytes(3));

    assertEquals(C1, h.tunnel(1).client);
    assertEquals(0, h.closedCount("silent"));
  }

  @Test
  void probeAnsweredByAKeepaliveKeepsTheTunnel() {
    probedTunnelOne();
    h.advanceMillis(900);
    h.keepalive(1, T1);
    h.advanceSeconds(2);

    h.clientSends(C1, bytes(3));

    assertEquals(C1, h.tunnel(1).client);
    assertEquals(0, h.closedCount("silent"));
  }

  @Test
  void unansweredProbeClosesTheTunnelAtTheClientsNextDatagramAfterASecond() {
    probedTunnelOne();
    h.advanceMillis(1_000);
    h.clientSends(C1, bytes(3)); // exactly 1 s after the probe: still forwarded
    assertEquals(C1, h.tunnel(1).client);
    assertArrayEquals(bytes(3), h.dataTo(T1).get(h.dataTo(T1).size() - 1));
    h.clearOutput();

    h.advanceMillis(1);
    h.clientSends(C1, bytes(4));

    assertNull(h.tunnel(1), "the silent tunnel is closed");
    assertNull(h.table().byAddress(T1));
    assertEquals(1, h.closedCount("silent"));
    assertEquals(1, h.events("silent_tunnel_closed"));
    List<ControlMessage> close = h.controlTo(T1, MessageType.CLOSE);
    assertEquals(1, close.size());
    assertEquals(CloseReason.UNKNOWN_TUNNEL.code, close.get(0).reason());
    assertEquals(1, close.get(0).tunnelId());
    assertTrue(h.dataTo(T1).isEmpty(), "the datagram does not go to the dead tunnel");
    assertEquals(1, h.published(OutsideEvent.Kind.CLOSED).size());
    assertEquals(1, h.table().pendingCount(), "no spare free: the client waits, as a new client would");
  }

  @Test
  void sweepLeavesABoundTunnelWithAnUnansweredProbeToItsClient() {
    probedTunnelOne();
    h.advanceSeconds(5);
    h.tick();
    assertEquals(C1, h.tunnel(1).client, "only spares are closed by the sweep");

    h.clientSends(C1, bytes(3));

    assertNull(h.tunnel(1));
    assertEquals(1, h.closedCount("silent"));
  }

  // ---- where the client goes ----------------------------------------------------------------

  @Test
  void deadTunnelsClientTakesTheNewestLiveSpare() {
    RelayHarness h = new RelayHarness(new JsonObject().put("maxTunnelsPerIp", 1));
    bound(h, 1, T1, C1);
    h.advanceSeconds(3);
    h.register(2, T2); // a spare of a live agent, heard 3 s after tunnel 1
    h.advanceSeconds(1);
    h.clientSends(C1, bytes(1));
    h.advanceMillis(100);
    h.clientSends(C1, bytes(2)); // probed
    h.advanceMillis(1_100);
    h.clearOutput();

    byte[] payload = bytes(4, 5, 6);
    h.clientSends(C1, payload);

    assertNull(h.tunnel(1));
    assertEquals(C1, h.tunnel(2).client);
    List<Sent> toT2 = h.sentTo(T2);
    assertEquals(2, toT2.size(), "BIND, then the datagram: " + toT2);
    assertEquals(MessageType.BIND, toT2.get(0).control().type());
    assertEquals(C1, toT2.get(0).control().address());
    assertArrayEquals(payload, toT2.get(1).bytes());
    assertEquals(0, h.drops(DropReason.PER_IP_LIMIT), "the dead tunnel gave the source its room back");
    assertEquals(1, h.events("tunnel_probed"), "tunnel 1 only: the spare heard since is no suspect");
  }

  @Test
  void deadTunnelsClientWaitsWithoutASpareAndTakesTheNextOne() {
    probedTunnelOne();
    h.advanceMillis(1_100);
    h.clientSends(C1, bytes(3)); // tunnel 1 closed; no spare
    assertEquals(1, h.table().pendingCount());
    h.advanceMillis(500);

    h.register(2, T2);

    assertEquals(C1, h.tunnel(2).client);
    List<byte[]> toT2 = h.dataTo(T2);
    assertEquals(1, toT2.size());
    assertArrayEquals(bytes(3), toT2.get(0));
    assertEquals(Kind.HELD, h.sentTo(T2).stream().filter(Sent::isData).findFirst().orElseThrow().kind());
  }

  @Test
  void deadTunnelsClientPassesAdmissionAgain() {
    RelayHarness h = new RelayHarness();
    bound(h, 1, T1, C1);
    h.reload(new JsonObject().put("deny", new JsonArray().add("203.0.113.0/24")));
    h.advanceSeconds(3);
    h.register(2, T2);
    h.advanceSeconds(1);
    h.clientSends(C1, bytes(1));
    h.clientSends(C1, bytes(2)); // probed; the bound client was not refused
    assertEquals(2, h.dataTo(T1).size() - 1);
    h.advanceMillis(1_100);

    h.clientSends(C1, bytes(3));

    assertNull(h.tunnel(1));
    assertEquals(1, h.drops(DropReason.NOT_ALLOWED), "as a new client, it is refused");
    assertNull(h.tunnel(2).client);
    assertEquals(0, h.table().pendingCount());
  }

  @Test
  void deadTunnelsWireguardClientIsSparedTheHandshakeCheck() {
    RelayHarness h = new RelayHarness(new JsonObject().put("wireguardPublicKey", RelayHarness.WG_KEY_BASE64));
    h.register(1, T1);
    h.clientSends(C1, RelayHarness.initiation(RelayHarness.WG_KEY, 1));
    assertEquals(C1, h.tunnel(1).client);
    h.advanceSeconds(3);
    h.register(2, T2);
    h.advanceSeconds(1);
    byte[] transport = bytes(4, 0, 0, 0, 1, 2, 3);
    h.clientSends(C1, transport);
    h.clientSends(C1, transport); // probed
    h.advanceMillis(1_100);

    h.clientSends(C1, transport);

    assertEquals(0, h.drops(DropReason.NOT_WIREGUARD), "its session goes on with transport data");
    assertEquals(C1, h.tunnel(2).client);
  }

  /**
   * An inside agent carrying tunnel 1 (client C1) and spares 3 and 4 is killed; nothing is heard
   * from any of them again. The dead tunnel is found through C1's traffic; its spares are suspects
   * and take no client; the agent's successor registers spare 2, which carries C1; the sweep closes
   * the suspects that did not answer.
   */
  @Test
  void restartedAgentsNewSpareCarriesTheClientAndTheOldSparesAreClosed() {
    bound(h, 1, T1, C1);
    h.register(3, T3);
    h.register(4, T4); // the agent refills its pool
    h.advanceSeconds(20);
    h.keepalive(1, T1);
    h.keepalive(3, T3);
    h.keepalive(4, T4);
    h.advanceMillis(500);
    h.tunnelSends(T1, bytes(7)); // the last that is heard of the agent
    h.advanceMillis(500);
    h.clientSends(C1, bytes(1));
    h.advanceMillis(600);
    h.clientSends(C1, bytes(2)); // tunnel 1 probed
    h.advanceMillis(1_100);
    h.clearOutput();

    h.clientSends(C1, bytes(3)); // tunnel 1 found dead

    assertNull(h.tunnel(1));
    assertEquals(1, h.probesTo(3, T3).size(), "the dead agent's spares are probed");
    assertEquals(1, h.probesTo(4, T4).size());
    assertNull(h.tunnel(3).client, "and take no client while their probe is outstanding");
    assertNull(h.tunnel(4).client);
    assertEquals(1, h.table().pendingCount(), "the client waits");

    h.advanceMillis(300);
    h.register(2, T2); // the agent's successor

    assertEquals(C1, h.tunnel(2).client);
    assertArrayEquals(bytes(3), h.dataTo(T2).get(0));
    assertTrue(h.probesTo(2, T2).isEmpty(), "the new spare is no suspect");
    for (InetSocketAddress t : List.of(T3, T4)) {
      assertTrue(h.sentTo(t).stream().noneMatch(s -> s.isData() || s.control().type() == MessageType.BIND),
          "nothing for a suspect: " + h.sentTo(t));
    }

    h.advanceMillis(700); // 1 s after the probes
    h.tick();
    assertNotNull(h.tunnel(3), "a suspect has a second to answer");
    assertNotNull(h.tunnel(4));
    h.advanceMillis(1);
    h.tick();

    assertNull(h.tunnel(3), "the sweep closes a suspect that did not answer");
    assertNull(h.tunnel(4));
    for (InetSocketAddress t : List.of(T3, T4)) {
      List<ControlMessage> close = h.controlTo(t, MessageType.CLOSE);
      assertEquals(1, close.size());
      assertEquals(CloseReason.UNKNOWN_TUNNEL.code, close.get(0).reason());
    }
    assertEquals(3, h.closedCount("silent"));
    assertEquals(3, h.events("silent_tunnel_closed"));
    assertEquals(C1, h.tunnel(2).client, "the new spare carries on");
    assertEquals(1, h.table().size());
  }

  /**
   * Spares are taken newest first, and the dead agent's spare (3) is newer than the live agent's
   * (2): without the suspects' probes the client would go to the dead one.
   */
  @Test
  void suspectIsSkippedForAnOlderLiveSpare() {
    h.register(2, T2); // the live agent's spare
    h.advanceSeconds(1);
    h.register(3, T3); // the dying agent's spare and tunnel
    bound(h, 1, T1, C1);
    h.advanceSeconds(9);
    h.keepalive(3, T3);
    h.tunnelSends(T1, bytes(7)); // the dying agent is last heard here
    h.advanceSeconds(10);
    h.keepalive(2, T2);
    h.clientSends(C1, bytes(1));
    h.advanceMillis(500);
    h.clientSends(C1, bytes(2)); // probed
    h.advanceMillis(1_100);

    h.clientSends(C1, bytes(3));

    assertNull(h.tunnel(1));
    assertEquals(C1, h.tunnel(2).client, "the live spare, though older");
    assertNull(h.tunnel(3).client);
    assertEquals(1, h.probesTo(3, T3).size());
    assertTrue(h.probesTo(2, T2).isEmpty());
  }

  @Test
  void suspectsAreTheSparesHeardNoLaterThanASecondAfterTheDeadTunnel() {
    h.register(6, T6);
    h.clientSends(C2, bytes(0)); // another client's tunnel, as silent as any
    assertEquals(C2, h.tunnel(6).client);
    h.register(5, T5); // a spare heard before the dead tunnel
    bound(h, 1, T1, C1);
    h.register(3, T3);
    h.register(4, T4);
    h.advanceSeconds(10);
    h.tunnelSends(T1, bytes(7)); // tunnel 1 last heard
    h.advanceSeconds(1);
    h.keepalive(3, T3); // exactly 1 s later: a suspect
    h.advanceMillis(1);
    h.keepalive(4, T4); // later: not
    h.advanceSeconds(1);
    h.clientSends(C1, bytes(1));
    h.advanceMillis(500);
    h.clientSends(C1, bytes(2));
    h.advanceMillis(1_100);
    h.clearOutput();

    h.clientSends(C1, bytes(3));

    assertEquals(1, h.probesTo(3, T3).size());
    assertEquals(1, h.probesTo(5, T5).size(), "silent longer than the dead tunnel: a suspect");
    assertTrue(h.probesTo(4, T4).isEmpty(), "heard over a second after the dead tunnel");
    assertTrue(h.probesTo(6, T6).isEmpty(), "a bound tunnel is no suspect");
    assertEquals(C1, h.tunnel(4).client, "the one spare left to take");
    assertEquals(3, h.events("tunnel_probed"), "tunnel 1, then spares 3 and 5");
  }

  @Test
  void probedSpareTakesNoClientWhileItsProbeIsOutstanding() {
    RelayHarness h = new RelayHarness(new JsonObject().put("maxPendingClients", 0)); // no one waits
    h.register(3, T3);
    bound(h, 1, T1, C1);
    h.advanceSeconds(2);
    h.clientSends(C1, bytes(1));
    h.clientSends(C1, bytes(2));
    h.advanceMillis(1_100);
    h.clientSends(C1, bytes(3)); // tunnel 1 dead, spare 3 probed
    assertEquals(1, h.probesTo(3, T3).size());
    assertEquals(1, h.drops(DropReason.NO_SPARE), "the suspect is not the dead tunnel's client's");
    h.advanceMillis(500);

    h.clientSends(C2, bytes(4));

    assertEquals(2, h.drops(DropReason.NO_SPARE), "nor a new client's");
    assertNull(h.tunnel(3).client);
    assertTrue(h.sentTo(T3).stream().noneMatch(s -> s.isData() || s.control().type() == MessageType.BIND));
  }

  @Test
  void probedSpareThatAnswersTakesTheNextClient() {
    h.register(3, T3);
    bound(h, 1, T1, C1);
    h.advanceSeconds(2);
    h.register(2, T2); // heard 2 s after tunnel 1's last, no suspect: it carries C1
    h.clientSends(C1, bytes(1));
    h.clientSends(C1, bytes(2));
    h.advanceMillis(1_100);
    h.clientSends(C1, bytes(3)); // tunnel 1 dead, spare 3 probed
    assertEquals(C1, h.tunnel(2).client);
    h.advanceMillis(300);

    assertEquals(MessageType.ACK, h.answerProbe(3, T3).type());
    h.clientSends(C2, bytes(4));
    h.advanceSeconds(2);
    h.tick();

    assertEquals(C2, h.tunnel(3).client, "an answered probe frees the spare");
    assertEquals(1, h.closedCount("silent"), "tunnel 1 only");
  }

  @Test
  void sweepSparesASuspectThatAnswered() {
    h.register(3, T3);
    bound(h, 1, T1, C1);
    h.advanceSeconds(2);
    h.clientSends(C1, bytes(1));
    h.clientSends(C1, bytes(2));
    h.advanceMillis(1_100);
    h.clientSends(C1, bytes(3)); // spare 3 probed
    h.advanceMillis(900);
    h.keepalive(3, T3);
    h.advanceSeconds(5);

    h.tick();

    assertNotNull(h.tunnel(3));
    assertEquals(1, h.closedCount("silent"));
  }

  /**
   * Spare 3 is probed as a suspect while C1 waits for a spare; spare 3 answers, so it is free
   * again, and should take the client that waits (as a spare that registers does). The relay
   * handles the AUTH (and offers the spare to the waiting client) before it notes that the probe
   * was answered, so the spare is still "probed" when it is offered, and the client goes on
   * waiting; nothing offers the spare again until another spare registers.
   */
  @Test
  void waitingClientIsCarriedByAProbedSpareAsSoonAsItAnswers() {
    h.register(3, T3);
    bound(h, 1, T1, C1);
    h.advanceSeconds(2);
    h.clientSends(C1, bytes(1));
    h.clientSends(C1, bytes(2));
    h.advanceMillis(1_100);
    h.clientSends(C1, bytes(3)); // tunnel 1 dead, spare 3 probed, C1 waits
    assertEquals(1, h.table().pendingCount());
    h.advanceMillis(200);

    h.answerProbe(3, T3);

    assertEquals(C1, h.tunnel(3).client, "the spare that answered carries the waiting client");
    assertEquals(0, h.table().pendingCount());
    assertArrayEquals(bytes(3), h.dataTo(T3).get(0));
  }

  /**
   * The tunnel's NAT mapping changed: the probe went to the old address and is lost, but the
   * inside's next KEEPALIVE comes from the new one, is challenged, and its AUTH moves the tunnel.
   * The tunnel has just proven it lives, from the address it now has: the probe is answered, and
   * the client's next datagram should go to the tunnel's new address.
   */
  @Test
  void probedTunnelThatMovesToANewAddressIsNotClosed() {
    probedTunnelOne();
    h.advanceMillis(500);
    h.keepalive(1, T1_MOVED); // from the new mapping: challenged
    assertEquals(MessageType.ACK, h.answerChallenge(1, T1_MOVED).type());
    assertEquals(T1_MOVED, h.tunnel(1).address);
    h.advanceMillis(1_000); // 1.5 s after the probe to the old address
    h.clearOutput();

    h.clientSends(C1, bytes(3));

    assertNotNull(h.tunnel(1), "the tunnel answered from its new address");
    assertEquals(0, h.closedCount("silent"));
    assertArrayEquals(bytes(3), h.dataTo(T1_MOVED).get(0));
  }

  // ---- the pace of probes -------------------------------------------------------------------

  /**
   * C1 sends to tunnel 1 every 100 ms until {@code toMillis} after {@code start}; each probe of
   * tunnel 1 is answered at once with AUTH if {@code answer}; the tunnel sends one datagram of data
   * at {@code dataAtMillis} (never, if negative). Returns when the probes went out, in ms after
   * {@code start}.
   */
  private List<Long> oneWay(RelayHarness h, long start, long toMillis, boolean answer, long dataAtMillis) {
    List<Long> probes = new ArrayList<>();
    while (h.now - start < toMillis * MS) {
      h.advanceMillis(100);
      long at = (h.now - start) / MS;
      if (at == dataAtMillis) {
        h.tunnelSends(T1, bytes(8));
      }
      int before = h.probesTo(1, T1).size();
      h.clientSends(C1, bytes(1));
      if (h.probesTo(1, T1).size() > before) {
        probes.add(at);
        if (answer) {
          assertEquals(MessageType.ACK, h.answerProbe(1, T1).type());
        }
      }
    }
    return probes;
  }

  @Test
  void oneWayFlowIsProbedAtDoublingIntervalsUpToTheKeepaliveInterval() {
    long start = h.now;
    bound(h, 1, T1, C1);

    List<Long> probes = oneWay(h, start, 82_000, true, -1);

    // 1 s of silence, then 2, 4, 8, 16 s and the keepalive interval (25 s) between probes
    assertEquals(List.of(1_100L, 3_100L, 7_100L, 15_100L, 31_100L, 56_100L, 81_100L), probes);
    assertEquals(C1, h.tunnel(1).client);
    assertEquals(0, h.closedCount("silent"));
  }

  @Test
  void probeIntervalStopsAtAShorterKeepaliveInterval() {
    RelayHarness h = new RelayHarness(new JsonObject().put("keepaliveInterval", 4));
    long start = h.now;
    bound(h, 1, T1, C1);

    List<Long> probes = oneWay(h, start, 16_000, true, -1);

    assertEquals(List.of(1_100L, 3_100L, 7_100L, 11_100L, 15_100L), probes);
  }

  @Test
  void dataFromTheTunnelBringsTheProbeIntervalBackToASecond() {
    long start = h.now;
    bound(h, 1, T1, C1);

    List<Long> probes = oneWay(h, start, 20_000, true, 10_000); // probes at 1.1, 3.1, 7.1 s, then data

    assertEquals(List.of(1_100L, 3_100L, 7_100L, 11_100L, 13_100L, 17_100L), probes,
        "after the data at 10 s: 1 s of silence, then 2 s, then 4 s");
  }

  @Test
  void probesAreAtMostOnePerIntervalWhileUnanswered() {
    long start = h.now;
    bound(h, 1, T1, C1);

    List<Long> probes = oneWay(h, start, 2_200, false, -1);

    assertEquals(List.of(1_100L), probes, "one probe, then the tunnel is closed at 2.2 s");
    assertEquals(1, h.closedCount("silent"));
  }

  @Test
  void probeAndCloseWorkAcrossTheWrapOfTheClock() {
    h.now = Long.MAX_VALUE - 1_500 * MS; // nanoTime values compare by difference only
    bound(h, 1, T1, C1);
    h.advanceMillis(600);
    h.clientSends(C1, bytes(1));
    h.advanceMillis(600);
    h.clientSends(C1, bytes(2)); // probed just before the wrap
    assertEquals(1, h.events("tunnel_probed"));
    h.advanceMillis(1_100); // past the wrap

    h.clientSends(C1, bytes(3));

    assertEquals(1, h.closedCount("silent"));
    assertNull(h.tunnel(1));
  }
}
