package io.rut.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.agent.LaunchRehearsal;
import io.rut.inside.PairRehearsal;
import io.rut.metrics.DropReason;
import io.rut.outside.RelayRehearsal;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.io.File;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The agents' launch rehearsals: bursts of new clients through a private relay in the agent's own
 * process. Each serves every client, closes every socket it opened, and leaves a real pair running
 * beside it alone.
 */
class LaunchRehearsalTest {

  private Rig rig;

  @AfterEach
  void tearDown() {
    if (rig != null) {
      rig.close();
    }
  }

  private static int openFiles() {
    String[] fds = new File("/proc/self/fd").list();
    return fds == null ? -1 : fds.length;
  }

  /** Runs a rehearsal to its end as the launcher does: on a Vert.x of its own. */
  private static LaunchRehearsal.Outcome rehearse(LaunchRehearsal rehearsal) {
    return awaitLong(rehearsal.runApart(2));
  }

  private static <T> T awaitLong(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("did not complete: " + e, e);
    }
  }

  private static void assertServedEveryClient(LaunchRehearsal.Outcome o) {
    assertNull(o.problem(), "no problem");
    assertEquals(LaunchRehearsal.CLIENTS_IN_ALL, o.clients(), "every wave arrived");
    assertEquals(o.clients(), o.served(), "every client got all its echoes");
  }

  /** Runs a rehearsal to its end; every client is served and every socket it opened is closed again. */
  private static void assertRehearsesAndClosesWhatItOpened(LaunchRehearsal rehearsal) {
    int before = openFiles();
    assertServedEveryClient(rehearse(rehearsal));
    assertTrue(openFiles() <= before + 2, "sockets left open: " + (openFiles() - before));
  }

  @Test
  void theOutsideRehearsalServesEveryClientAndClosesWhatItOpened() {
    assertRehearsesAndClosesWhatItOpened(new RelayRehearsal());
  }

  @Test
  void theInsideRehearsalServesEveryClientAndClosesWhatItOpened() {
    assertRehearsesAndClosesWhatItOpened(new PairRehearsal());
  }

  @Test
  void aRealPairKeepsServingItsClientWhileBothRehearse() {
    rig = Rig.standard(new JsonObject(), new JsonObject());
    Future<LaunchRehearsal.Outcome> outside = new RelayRehearsal().runApart(2);
    Future<LaunchRehearsal.Outcome> inside = new PairRehearsal().runApart(2);
    int roundTrips = 0;
    try (TestClient client = TestClient.to(rig.outsidePort())) {
      while (!(outside.isComplete() && inside.isComplete()) && roundTrips < 10_000) {
        byte[] ping = ("ping " + roundTrips++).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertArrayEquals(ping, client.roundTrip(ping, 2000), "round trip " + roundTrips + " came back");
      }
    }
    assertServedEveryClient(awaitLong(outside));
    assertServedEveryClient(awaitLong(inside));
    assertTrue(roundTrips > 10, "the client talked all through the rehearsals: " + roundTrips);
    JsonObject out = rig.outsideStatus();
    assertEquals(1, out.getInteger("active"), "the real outside binds only the real client");
    assertEquals(0, out.getInteger("waitingClients"), "and holds no rehearsed one");
    assertEquals(1, rig.insideStatus().getInteger("tunnels") - rig.insideStatus().getInteger("spares"),
        "the real inside carries only the real client");
    for (DropReason r : DropReason.values()) {
      assertEquals(0.0, rig.outside.meters(Rig.SERVICE).drops(r), "no real drop counted for " + r.label());
    }
  }
}
