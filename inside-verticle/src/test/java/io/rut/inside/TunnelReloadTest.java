package io.rut.inside;

import static io.rut.inside.TunnelHarness.KEY_A;
import static io.rut.inside.TunnelHarness.KEY_B;
import static io.rut.inside.TunnelHarness.MS;
import static io.rut.inside.TunnelHarness.OUTSIDE;
import static io.rut.inside.TunnelHarness.PUBLIC;
import static io.rut.inside.TunnelHarness.S;
import static io.rut.inside.TunnelHarness.SERVICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.config.InsideServiceConfig;
import io.rut.inside.TunnelHarness.Sent;
import io.rut.protocol.ControlCodec;
import io.rut.protocol.ControlMessage;
import io.rut.protocol.MessageType;
import io.rut.protocol.ServiceKeys;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** A reload: new keys, a new keepalive interval, a new connection timeout, on a live tunnel. */
class TunnelReloadTest {

  private static TunnelContext reloaded(TunnelHarness h, Consumer<JsonObject> settings) {
    InsideServiceConfig config = TunnelHarness.config(settings);
    return h.ctx.with(config, ServiceKeys.derive(SERVICE, config.secrets()));
  }

  @Test
  void newKeysSignTheNextMessageAndTheOldOneStillVerifiesIfListedSecond() {
    TunnelHarness h = new TunnelHarness(json -> json.put("keepaliveInterval", 10)).register();
    ControlCodec oldOnly = h.outside;
    ControlCodec newOnly = new ControlCodec(ServiceKeys.derive(SERVICE, List.of(KEY_B)));

    h.tunnel.update(reloaded(h, json -> json.put("keepaliveInterval", 10)
        .put("secret", new JsonArray().add(KEY_B).add(KEY_A))), h.now);
    h.outside = newOnly; // decodes what the tunnel sends from now on
    Sent ka = h.runUntilSent(MessageType.KEEPALIVE, h.now + 20 * S);

    assertNotNull(newOnly.decode(ka.bytes().clone()), "signed with the new key");
    assertNull(oldOnly.decode(ka.bytes().clone()), "not with the old one");

    // the outside has not reloaded yet: it still signs with the old key
    h.now += 10 * MS;
    h.fromOutside(oldOnly.encode(ControlMessage.ack(h.serviceId(), TunnelHarness.ID, h.nextOutsideCounter(),
        ka.message().counter(), PUBLIC)), OUTSIDE);

    assertEquals(1, h.keepaliveRtt().count(), "the ACK under the old key verified");
    assertEquals(h.now, h.tunnel.path().lastAck());
  }

  @Test
  void aNewKeepaliveIntervalReschedulesTheKeepalive() {
    TunnelHarness h = new TunnelHarness(json -> json.put("keepaliveInterval", 25)).register();
    h.advance(1 * S);
    long before = h.tunnel.nextDeadline();
    assertTrue(before - h.now > 20 * S);
    long at = h.now;

    h.tunnel.update(reloaded(h, json -> json.put("keepaliveInterval", 5)), at);

    long next = h.tunnel.nextDeadline();
    assertTrue(next >= at + 4_500 * MS - 50 * MS && next <= at + 5_500 * MS + 50 * MS,
        "rescheduled within 5 s +-10 %: " + (next - at) / MS + " ms");
    Sent ka = h.runUntilSent(MessageType.KEEPALIVE, at + 6 * S);
    assertEquals(next, ka.at());
    h.ackLast();
    Sent ka2 = h.runUntilSent(MessageType.KEEPALIVE, ka.at() + 6 * S);
    assertTrue(ka2.at() - ka.at() <= 5_550 * MS, "and the next ones too");
  }

  @Test
  void anUnchangedKeepaliveIntervalKeepsTheSchedule() {
    TunnelHarness h = new TunnelHarness(json -> json.put("keepaliveInterval", 25)).register();
    h.advance(1 * S);
    long before = h.tunnel.nextDeadline();

    h.tunnel.update(reloaded(h, json -> json.put("keepaliveInterval", 25).put("secret", KEY_B)), h.now);

    assertEquals(before, h.tunnel.nextDeadline());
  }

  @Test
  void aNewConnectionTimeoutRedrawsTheIdleTimeout() {
    for (long seed = 1; seed <= 10; seed++) {
      TunnelHarness h = new TunnelHarness(json -> json.put("keepaliveInterval", 120).put("connectionTimeout", 60), seed)
          .activate();
      h.advance(1 * S);
      h.fromOutside(new byte[] {1}, OUTSIDE);
      long lastData = h.now;
      h.advance(1 * S);

      h.tunnel.update(reloaded(h, json -> json.put("keepaliveInterval", 120).put("connectionTimeout", 10)), h.now);

      Sent close = h.runUntilSent(MessageType.CLOSE, lastData + 20 * S);
      long idle = close.at() - lastData;
      assertTrue(idle >= 8 * S && idle <= 12 * S, "seed " + seed + ": closed " + idle / MS + " ms after the last data");
    }
  }

  @Test
  void aLongerConnectionTimeoutKeepsTheTunnelLonger() {
    for (long seed = 1; seed <= 10; seed++) {
      TunnelHarness h = new TunnelHarness(json -> json.put("keepaliveInterval", 120).put("connectionTimeout", 10), seed)
          .activate().answering();
      h.fromOutside(new byte[] {1}, OUTSIDE);
      long lastData = h.now;
      h.advance(5 * S);

      h.tunnel.update(reloaded(h, json -> json.put("keepaliveInterval", 120).put("connectionTimeout", 60)), h.now);

      h.advanceTo(lastData + 48 * S - 1);
      assertEquals(TunnelState.ACTIVE, h.tunnel.state(), "seed " + seed);
      Sent close = h.runUntilSent(MessageType.CLOSE, lastData + 80 * S);
      assertTrue(close.at() - lastData <= 72 * S);
    }
  }

  @Test
  void aShorterKeepaliveIntervalCapsTheHelloBackoffFromTheNextHelloOn() {
    TunnelHarness h = new TunnelHarness(json -> json.put("keepaliveInterval", 25));
    h.tunnel.opened(h.now);
    h.advance(60 * S); // HELLOs every 25 s by now
    long reloadedAt = h.now;

    h.tunnel.update(reloaded(h, json -> json.put("keepaliveInterval", 5)), reloadedAt);
    h.advance(60 * S);

    List<Long> after = h.controls(MessageType.HELLO).stream().map(Sent::at).filter(t -> t > reloadedAt).toList();
    assertTrue(after.size() >= 3, "HELLOs after the reload: " + after.size());
    for (int i = 1; i < after.size(); i++) {
      long gap = after.get(i) - after.get(i - 1);
      assertTrue(gap <= 5 * S, "HELLO " + i + " after the reload came " + gap / MS + " ms after the one before");
    }
  }
}
