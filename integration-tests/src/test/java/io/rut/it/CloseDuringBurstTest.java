package io.rut.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.RepeatedTest;

/** Stopping while a burst of new clients has spares opening must neither spin nor hang. */
class CloseDuringBurstTest {

  @RepeatedTest(3)
  void closingDuringABurstOfNewClientsIsPrompt() {
    Rig rig = Rig.standard(new JsonObject(), new JsonObject());
    TestClient[] clients = new TestClient[50];
    try {
      for (int i = 0; i < clients.length; i++) {
        clients[i] = TestClient.to(rig.outsidePort());
        clients[i].send("x".getBytes());
      }
      long start = System.nanoTime();
      rig.close();
      double ms = (System.nanoTime() - start) / 1e6;
      assertTrue(ms < 5000, "closed in " + ms + " ms");
    } finally {
      for (TestClient c : clients) {
        if (c != null) {
          c.close();
        }
      }
    }
  }
}
