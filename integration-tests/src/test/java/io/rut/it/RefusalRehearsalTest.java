package io.rut.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rut.metrics.DropReason;
import io.rut.outside.ServiceRelay;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The outside rehearses its refusal paths at start on a private copy of each relay: the rehearsal
 * runs to its end for every kind of admission and leaves the real relay's meters and tables alone.
 */
class RefusalRehearsalTest {

  private Rig rig;

  @AfterEach
  void tearDown() {
    if (rig != null) {
      rig.close();
    }
  }

  private void assertUntouched(ServiceRelay relay) {
    assertEquals(20_000, Rig.await(relay.rehearsed()), "every rehearsed datagram went through the copy");
    for (DropReason r : DropReason.values()) {
      assertEquals(0.0, rig.outside.meters(Rig.SERVICE).drops(r), "no drop counted for " + r.label());
    }
    JsonObject status = rig.outsideStatus();
    assertEquals(0, status.getInteger("waitingClients"), "no rehearsed client waits");
    assertEquals(0, status.getInteger("active"), "no rehearsed client is bound");
  }

  @Test
  void aWireGuardServiceRehearsesAndStillAdmitsItsClient() {
    byte[] serverKey = new byte[32];
    new Random(5).nextBytes(serverKey);
    rig = Rig.standard(new JsonObject(), new JsonObject()
        .put("wireguardPublicKey", Base64.getEncoder().encodeToString(serverKey)));
    assertUntouched(rig.outside.relay(Rig.SERVICE));
    byte[] initiation = Rig.wireguardInitiation(serverKey, 6);
    try (TestClient client = TestClient.to(rig.outsidePort())) {
      assertArrayEquals(initiation, client.roundTrip(initiation, 2000), "a real initiation is admitted");
    }
  }

  @Test
  void anOpenServiceRehearsesItsAllowListAndWaitingRoom() {
    rig = Rig.standard(new JsonObject(), new JsonObject().put("allow", new JsonArray().add("198.18.0.0/16")));
    assertUntouched(rig.outside.relay(Rig.SERVICE));
    rig.close();
    rig = Rig.standard(new JsonObject(), new JsonObject().put("maxPendingClients", 4));
    assertUntouched(rig.outside.relay(Rig.SERVICE));
    try (TestClient client = TestClient.to(rig.outsidePort())) {
      assertArrayEquals("after".getBytes(), client.roundTrip("after".getBytes(), 2000));
    }
  }
}
