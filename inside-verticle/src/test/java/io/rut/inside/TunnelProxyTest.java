package io.rut.inside;

import static io.rut.inside.TunnelHarness.CLIENT;
import static io.rut.inside.TunnelHarness.OUTSIDE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rut.config.InsideServiceConfig;
import io.rut.inside.TunnelHarness.Kind;
import io.rut.inside.TunnelHarness.Sent;
import io.rut.protocol.ServiceKeys;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code "clientAddress": "proxy-v2"}: every datagram to the service names the client it came from. */
class TunnelProxyTest {

  private static TunnelHarness proxied() {
    return new TunnelHarness(json -> json.put("clientAddress", "proxy-v2"));
  }

  private static byte[] payload(Sent s, int headerLength) {
    return Arrays.copyOfRange(s.bytes(), headerLength, s.bytes().length);
  }

  @Test
  void eachDatagramToTheServiceStartsWithTheClientsHeader() {
    TunnelHarness h = proxied().activate();
    h.fromOutside(new byte[] {7, 8}, OUTSIDE);
    h.fromService(new byte[] {9});

    byte[] header = ProxyHeader.of(CLIENT, OUTSIDE);
    List<Sent> toService = h.sentOf(Kind.TO_SERVICE);
    assertEquals(1, toService.size());
    assertArrayEquals(header, Arrays.copyOf(toService.get(0).bytes(), header.length));
    assertArrayEquals(new byte[] {7, 8}, payload(toService.get(0), header.length));
    assertArrayEquals(new byte[] {9}, h.sentOf(Kind.TO_OUTSIDE).get(0).bytes(), "replies go out as they are");
  }

  @Test
  void datagramsHeldDuringTheClaimGetTheHeaderToo() {
    TunnelHarness h = proxied().register();
    h.bind(CLIENT);
    h.fromOutside(new byte[] {1}, OUTSIDE);
    h.tunnel.verdict(true, h.now);

    byte[] header = ProxyHeader.of(CLIENT, OUTSIDE);
    assertArrayEquals(ProxyHeader.prepend(header, new byte[] {1}), h.sentOf(Kind.TO_SERVICE).get(0).bytes());
  }

  @Test
  void aClientWhoseBindWasLostIsLocal() {
    TunnelHarness h = proxied().register();
    h.advance(TunnelPath.SETTLE);
    h.fromOutside(new byte[] {5}, OUTSIDE);
    assertArrayEquals(ProxyHeader.prepend(ProxyHeader.LOCAL, new byte[] {5}), h.sentOf(Kind.TO_SERVICE).get(0).bytes());
  }

  @Test
  void aReloadSwitchesLiveTunnelsBetweenModes() {
    TunnelHarness h = new TunnelHarness().activate();
    h.fromOutside(new byte[] {1}, OUTSIDE);
    InsideServiceConfig proxy = TunnelHarness.config(json -> json.put("clientAddress", "proxy-v2"));
    h.tunnel.update(h.ctx.with(proxy, ServiceKeys.derive(proxy.name(), proxy.secrets())), h.now);
    h.fromOutside(new byte[] {2}, OUTSIDE);
    InsideServiceConfig none = TunnelHarness.config(json -> json.put("clientAddress", "none"));
    h.tunnel.update(h.ctx.with(none, ServiceKeys.derive(none.name(), none.secrets())), h.now);
    h.fromOutside(new byte[] {3}, OUTSIDE);

    List<Sent> toService = h.sentOf(Kind.TO_SERVICE);
    assertArrayEquals(new byte[] {1}, toService.get(0).bytes());
    assertArrayEquals(ProxyHeader.prepend(ProxyHeader.of(CLIENT, OUTSIDE), new byte[] {2}), toService.get(1).bytes());
    assertArrayEquals(new byte[] {3}, toService.get(2).bytes());
    assertEquals(TunnelState.ACTIVE, h.tunnel.state(), "the client stays carried");
  }
}
