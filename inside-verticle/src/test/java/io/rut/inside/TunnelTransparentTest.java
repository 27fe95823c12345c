package io.rut.inside;

import static io.rut.inside.TunnelHarness.CLIENT;
import static io.rut.inside.TunnelHarness.OUTSIDE;
import static io.rut.inside.TunnelHarness.S;
import static io.rut.inside.TunnelHarness.TARGET;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.rut.config.ClientAddress;
import io.rut.config.InsideServiceConfig;
import io.rut.inside.ServiceRoute.Fallback;
import io.rut.inside.TunnelHarness.Kind;
import io.rut.metrics.DropReason;
import io.rut.protocol.ServiceKeys;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code "clientAddress": "transparent"}: the tunnel sends to the service from its client's own address. */
class TunnelTransparentTest {

  private static final InetSocketAddress CLIENT6 = new InetSocketAddress("2001:db8::33", 4444);
  private static final InetSocketAddress TARGET6 = new InetSocketAddress("::1", 51820);

  private static TunnelHarness transparent() {
    return new TunnelHarness(json -> json.put("clientAddress", "transparent"));
  }

  @Test
  void planSendsFromTheClientToTheTargetOfItsFamily() {
    assertEquals(new ServiceRoute(CLIENT, TARGET, null), ServiceRoute.plan(ClientAddress.TRANSPARENT, CLIENT, TARGET, null));
    assertEquals(new ServiceRoute(CLIENT6, TARGET6, null),
        ServiceRoute.plan(ClientAddress.TRANSPARENT, CLIENT6, TARGET, TARGET6));
    assertEquals(new ServiceRoute(null, TARGET, Fallback.OTHER_FAMILY),
        ServiceRoute.plan(ClientAddress.TRANSPARENT, CLIENT6, TARGET, null));
    assertEquals(new ServiceRoute(null, TARGET, Fallback.CLIENT_UNKNOWN),
        ServiceRoute.plan(ClientAddress.TRANSPARENT, null, TARGET, TARGET6));
    for (ClientAddress other : new ClientAddress[] {ClientAddress.NONE, ClientAddress.PROXY_V2}) {
      assertEquals(ServiceRoute.local(TARGET), ServiceRoute.plan(other, CLIENT, TARGET, TARGET6));
    }
  }

  @Test
  void theClientsDatagramsLeaveFromItsAddressAsTheyAre() {
    TunnelHarness h = transparent().activate();
    h.fromOutside(new byte[] {7, 8}, OUTSIDE);
    h.fromOutside(new byte[] {9}, OUTSIDE);
    h.fromService(new byte[] {1});

    assertEquals(List.of(new ServiceRoute(CLIENT, TARGET, null)), h.routes, "one socket, opened once");
    assertArrayEquals(new byte[] {7, 8}, h.sentOf(Kind.TO_SERVICE).get(0).bytes(), "no header: the datagram as it came");
    assertEquals(TARGET, h.sentOf(Kind.TO_SERVICE).get(1).to());
    assertArrayEquals(new byte[] {1}, h.sentOf(Kind.TO_OUTSIDE).get(0).bytes());
    assertEquals(1.0, h.meters.events("transparent_carried"));
    assertEquals("transparent", h.tunnel.datagrams().carried());
  }

  @Test
  void datagramsHeldDuringTheClaimLeaveFromTheClientToo() {
    TunnelHarness h = transparent().register();
    h.bind(CLIENT);
    h.fromOutside(new byte[] {1}, OUTSIDE);
    assertEquals(List.of(), h.routes, "nothing is opened before the agent grants the claim");
    h.tunnel.verdict(true, h.now);

    assertEquals(List.of(new ServiceRoute(CLIENT, TARGET, null)), h.routes);
    assertArrayEquals(new byte[] {1}, h.sentOf(Kind.TO_SERVICE).get(0).bytes());
  }

  @Test
  void anIpv6ClientGoesToTheOtherFamilyTarget() {
    TunnelHarness h = new TunnelHarness(json -> json.put("clientAddress", "transparent")
        .put("otherFamilyTarget", "[::1]:51820")).activate(CLIENT6);
    h.fromOutside(new byte[] {3}, OUTSIDE);
    h.fromService(new byte[] {4}, TARGET);
    h.fromService(new byte[] {5}, TARGET6);

    assertEquals(List.of(new ServiceRoute(CLIENT6, TARGET6, null)), h.routes);
    assertEquals(TARGET6, h.sentOf(Kind.TO_SERVICE).get(0).to());
    assertEquals(1, h.sentOf(Kind.TO_OUTSIDE).size(), "replies are taken from the target the client is sent to");
    assertArrayEquals(new byte[] {5}, h.sentOf(Kind.TO_OUTSIDE).get(0).bytes());
    assertEquals(1.0, h.meters.drops(DropReason.NOT_FROM_SERVICE));
  }

  @Test
  void withoutAnOtherFamilyTargetAnIpv6ClientIsCarriedAsBeforeAndCounted() {
    TunnelHarness h = transparent().activate(CLIENT6);
    h.fromOutside(new byte[] {3}, OUTSIDE);

    assertEquals(List.of(new ServiceRoute(null, TARGET, Fallback.OTHER_FAMILY)), h.routes);
    assertEquals(TARGET, h.sentOf(Kind.TO_SERVICE).get(0).to());
    assertEquals(1.0, h.meters.events("transparent_fallback_other_family"));
    assertEquals("local", h.tunnel.datagrams().carried());
  }

  @Test
  void aSocketThatCannotBeOpenedFallsBackAndIsTriedAgainASecondLater() {
    TunnelHarness h = transparent().activate();
    h.refuseBinds = true;
    h.fromOutside(new byte[] {1}, OUTSIDE);
    h.refuseBinds = false;
    h.advance(S / 2);
    h.fromOutside(new byte[] {2}, OUTSIDE);
    assertEquals(List.of(ServiceRoute.bindFailed(TARGET)), h.routes, "not tried again at once");
    h.advance(S / 2);
    h.fromOutside(new byte[] {3}, OUTSIDE);

    assertEquals(List.of(ServiceRoute.bindFailed(TARGET), new ServiceRoute(CLIENT, TARGET, null)), h.routes);
    assertEquals(3, h.sentOf(Kind.TO_SERVICE).size(), "no datagram lost meanwhile");
    assertEquals(1.0, h.meters.events("transparent_fallback_bind_failed"));
    assertEquals(1.0, h.meters.events("transparent_carried"));
  }

  @Test
  void aReloadMovesALiveTunnelBetweenModesWithoutLosingItsClient() {
    TunnelHarness h = new TunnelHarness().activate();
    h.fromOutside(new byte[] {1}, OUTSIDE);
    reload(h, "transparent");
    h.fromOutside(new byte[] {2}, OUTSIDE);
    reload(h, "none");
    h.fromOutside(new byte[] {3}, OUTSIDE);

    assertEquals(List.of(ServiceRoute.local(TARGET), new ServiceRoute(CLIENT, TARGET, null), ServiceRoute.local(TARGET)),
        h.routes);
    assertEquals(3, h.sentOf(Kind.TO_SERVICE).size());
    assertEquals(TunnelState.ACTIVE, h.tunnel.state(), "the client stays carried");
  }

  @Test
  void aBindWhoseAddressWasLostIsCarriedLocallyUntilTheAddressIsKnown() {
    TunnelHarness h = transparent().register();
    h.advance(TunnelPath.SETTLE);
    h.fromOutside(new byte[] {5}, OUTSIDE);
    assertNull(h.tunnel.client());
    assertEquals(List.of(new ServiceRoute(null, TARGET, Fallback.CLIENT_UNKNOWN)), h.routes);
    h.bind(CLIENT); // the outside's BIND again, now that the tunnel carries data
    h.fromOutside(new byte[] {6}, OUTSIDE);
    assertEquals(new ServiceRoute(CLIENT, TARGET, null), h.routes.get(h.routes.size() - 1));
  }

  private static void reload(TunnelHarness h, String mode) {
    InsideServiceConfig c = TunnelHarness.config(json -> json.put("clientAddress", mode));
    h.tunnel.update(h.ctx.with(c, ServiceKeys.derive(c.name(), c.secrets())), h.now);
  }
}
