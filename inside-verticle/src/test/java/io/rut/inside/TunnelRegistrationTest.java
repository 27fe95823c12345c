package io.rut.inside;

import static io.rut.inside.TunnelHarness.COOKIE;
import static io.rut.inside.TunnelHarness.ID;
import static io.rut.inside.TunnelHarness.MS;
import static io.rut.inside.TunnelHarness.OUTSIDE;
import static io.rut.inside.TunnelHarness.PUBLIC;
import static io.rut.inside.TunnelHarness.S;
import static io.rut.inside.TunnelHarness.START;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.inside.TunnelHarness.Sent;
import io.rut.protocol.ControlMessage;
import io.rut.protocol.MessageType;
import io.rut.protocol.RejectReason;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** OPENING -> REGISTERING -> SPARE: HELLO with back-off, CHALLENGE and AUTH, ACK; REJECT. */
class TunnelRegistrationTest {

  @Test
  void openedSendsHelloWithTheSpareFlag() {
    TunnelHarness h = new TunnelHarness();
    assertEquals(TunnelState.OPENING, h.tunnel.state());
    assertTrue(h.sent.isEmpty(), "nothing goes out before the sockets are bound");

    h.tunnel.opened(h.now);

    assertEquals(TunnelState.REGISTERING, h.tunnel.state());
    assertEquals(1, h.controls().size());
    Sent hello = h.lastControl();
    ControlMessage m = hello.message();
    assertEquals(MessageType.HELLO, m.type());
    assertTrue(m.spare(), "a new tunnel has no client");
    assertEquals(ID, m.tunnelId());
    assertEquals(h.serviceId(), m.serviceId());
    assertEquals(OUTSIDE, hello.to());
    assertEquals(88, hello.bytes().length);
  }

  @Test
  void openedTwiceSendsOneHello() {
    TunnelHarness h = new TunnelHarness();
    h.tunnel.opened(h.now);
    h.tunnel.opened(h.now);
    assertEquals(1, h.controls(MessageType.HELLO).size());
  }

  @Test
  void helloRetriedAfter200MsThenDoublingUpToTheKeepaliveInterval() {
    TunnelHarness h = new TunnelHarness(json -> json.put("keepaliveInterval", 10));
    h.tunnel.opened(h.now);

    h.advanceTo(START + 60 * S);

    List<Sent> hellos = h.controls(MessageType.HELLO);
    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < hellos.size(); i++) {
      gaps.add((hellos.get(i).at() - hellos.get(i - 1).at()) / MS);
    }
    assertEquals(START, hellos.get(0).at());
    assertEquals(List.of(200L, 400L, 800L, 1600L, 3200L, 6400L, 10_000L, 10_000L, 10_000L, 10_000L), gaps.subList(0, 10));
    assertTrue(gaps.stream().allMatch(g -> g <= 10_000L), "capped at keepaliveInterval: " + gaps);
    for (Sent hello : hellos) {
      assertTrue(hello.message().spare());
    }
    assertEquals(0, h.controls(MessageType.KEEPALIVE).size(), "an unregistered tunnel sends no keepalive");
    assertEquals(TunnelState.REGISTERING, h.tunnel.state());
  }

  @Test
  void challengeIsAnsweredWithAuthCarryingTheCookie() {
    TunnelHarness h = new TunnelHarness();
    h.tunnel.opened(h.now);
    long helloCounter = h.lastControl().message().counter();

    h.now += 30 * MS;
    h.challenge(PUBLIC);

    Sent auth = h.lastControl();
    assertEquals(MessageType.AUTH, auth.type());
    assertArrayEquals(COOKIE, auth.message().cookie());
    assertNull(auth.message().address(), "a spare names no client");
    assertTrue(auth.message().spare());
    assertEquals(ID, auth.message().tunnelId());
    assertTrue(auth.message().counter() > helloCounter, "one counter, growing");
    assertEquals(h.now, auth.at(), "answered at once");
    assertEquals(TunnelState.REGISTERING, h.tunnel.state(), "registered only on ACK");
  }

  @Test
  void ackMakesTheTunnelSpareAndStopsHellos() {
    TunnelHarness h = new TunnelHarness(json -> json.put("keepaliveInterval", 20));
    h.tunnel.opened(h.now);
    h.advance(100 * MS);
    h.challenge(PUBLIC);
    h.ackLast();

    assertEquals(TunnelState.SPARE, h.tunnel.state());
    assertEquals(PUBLIC, h.tunnel.path().publicAddress());
    assertEquals(h.now, h.tunnel.path().lastAck());
    assertTrue(h.tunnel.nextDeadline() >= START + 18 * S, "the next wake-up is the keepalive, not a HELLO retry");
    int hellos = h.controls(MessageType.HELLO).size();

    h.advanceTo(START + 15 * S);

    assertEquals(hellos, h.controls(MessageType.HELLO).size(), "no HELLO after the ACK");
    assertEquals(TunnelState.SPARE, h.tunnel.state());
  }

  @Test
  void fourthUnansweredHelloWarnsThatTheOutsideDoesNotAnswer() {
    try (TunnelHarness.LogCapture log = new TunnelHarness.LogCapture()) {
      TunnelHarness h = new TunnelHarness();
      h.tunnel.opened(h.now);
      h.tickNext();
      h.tickNext();
      assertEquals(3, h.controls(MessageType.HELLO).size());
      assertEquals(0, log.count("outside_not_answering"));

      h.tickNext();

      assertEquals(4, h.controls(MessageType.HELLO).size());
      assertEquals(1, log.count("outside_not_answering"));
    }
  }

  @Test
  void aChallengeResetsTheCountOfUnansweredHellos() {
    try (TunnelHarness.LogCapture log = new TunnelHarness.LogCapture()) {
      TunnelHarness h = new TunnelHarness();
      h.tunnel.opened(h.now);
      h.tickNext();
      h.tickNext();
      h.challenge(PUBLIC); // its AUTH is lost: HELLOs go on
      h.tickNext();
      h.tickNext();
      h.tickNext();
      assertEquals(6, h.controls(MessageType.HELLO).size());
      assertEquals(0, log.count("outside_not_answering"), "3 HELLOs since the last CHALLENGE");
    }
  }

  @Test
  void anUnaskedChallengeToARegisteredTunnelIsAnsweredWithAuthAndChangesNothingElse() {
    TunnelHarness h = new TunnelHarness().register();
    int mark = h.mark();

    h.challenge(PUBLIC); // a probe of the outside, or the late answer to a HELLO sent before the ACK

    List<TunnelHarness.Sent> sent = h.since(mark);
    assertEquals(1, sent.size());
    assertEquals(MessageType.AUTH, sent.get(0).type(), "it lives");
    assertEquals(TunnelState.SPARE, h.tunnel.state());
    assertTrue(h.events.isEmpty(), "no outside restart inferred: no keepalive was outstanding");
  }


  @Test
  void rejectWithoutRetryAfterSendsHelloAgainAfterOneSecond() {
    TunnelHarness h = new TunnelHarness();
    h.tunnel.opened(h.now);
    h.challenge(PUBLIC);
    long rejectedAt = h.now;

    h.reject(RejectReason.TUNNEL_LIMIT, 0);

    assertEquals(TunnelState.REGISTERING, h.tunnel.state());
    int hellos = h.controls(MessageType.HELLO).size();
    h.advanceTo(rejectedAt + 1 * S - 1);
    assertEquals(hellos, h.controls(MessageType.HELLO).size(), "no HELLO before 1 s");
    h.advanceTo(rejectedAt + 1 * S);
    assertEquals(hellos + 1, h.controls(MessageType.HELLO).size());
    assertEquals(rejectedAt + 1 * S, h.lastControl().at());
  }

  @Test
  void rejectWithRetryAfterSendsHelloAgainOnlyThen() {
    TunnelHarness h = new TunnelHarness();
    h.tunnel.opened(h.now);
    h.challenge(PUBLIC);
    long rejectedAt = h.now;

    h.reject(RejectReason.RATE_LIMITED, 7);

    int hellos = h.controls(MessageType.HELLO).size();
    h.advanceTo(rejectedAt + 7 * S - 1);
    assertEquals(hellos, h.controls(MessageType.HELLO).size(), "no HELLO before the retry-after");
    h.advanceTo(rejectedAt + 7 * S);
    assertEquals(hellos + 1, h.controls(MessageType.HELLO).size());
    assertEquals(TunnelState.REGISTERING, h.tunnel.state());
  }

  @Test
  void rejectOfARegisteredSpareMakesItRegisterAgain() {
    TunnelHarness h = new TunnelHarness().register();
    long rejectedAt = h.now;

    h.reject(RejectReason.TUNNEL_LIMIT, 3);

    assertEquals(TunnelState.REGISTERING, h.tunnel.state());
    assertFalse(h.tunnel.state().registered());
    Sent hello = h.runUntilSent(MessageType.HELLO, rejectedAt + 10 * S);
    assertEquals(rejectedAt + 3 * S, hello.at());
    assertTrue(hello.message().spare());
  }
}
