package io.rut.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Tunnels opened and closed over and over: afterwards the agents' sockets, threads and heap are back
 * at their baseline. The number of cycles is {@code -Drut.soak.cycles}: 10,000 in the build, 100,000
 * for the long run ({@code mvn -pl integration-tests test -Dtest=SoakTest -Drut.soak.cycles=100000}).
 */
class SoakTest {

  static final int CYCLES = Integer.getInteger("rut.soak.cycles", 10_000);
  static final int CLIENTS = 250;

  private Rig rig;
  private final List<TestClient> clients = new ArrayList<>();

  @AfterEach
  void tearDown() {
    clients.forEach(TestClient::close);
    if (rig != null) {
      rig.close();
    }
  }

  private static long openFiles() {
    String[] fds = new File("/proc/self/fd").list();
    return fds == null ? -1 : fds.length;
  }

  private static long usedHeapAfterGc() {
    System.gc();
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private int round() {
    for (TestClient c : clients) {
      c.send("soak".getBytes());
    }
    int echoed = 0;
    long deadline = System.currentTimeMillis() + 10_000;
    for (TestClient c : clients) {
      echoed += c.receive(Math.max(1, deadline - System.currentTimeMillis())) != null ? 1 : 0;
    }
    rig.awaitStatus(s -> s.getInteger("active") == 0, Duration.ofSeconds(10));
    return echoed;
  }

  @Test
  void openingAndClosingTunnelsLeaksNothing() {
    rig = Rig.standard(new JsonObject().put("connectionTimeout", 0.1).put("spares", CLIENTS)
        .put("maxTunnels", 4 * CLIENTS), new JsonObject().put("maxTunnels", 4 * CLIENTS).put("maxSpares", 2 * CLIENTS)
        // Rounds of 250 new clients every 0.2 s outrun the default 1,000 bindings/s: this test is
        // about opening and closing, so admission must not refuse any of them.
        .put("newClientsPerSecond", 100_000));
    for (int i = 0; i < CLIENTS; i++) {
      clients.add(TestClient.to(rig.outsidePort()));
    }
    round(); // warm up: pools, JIT, lazily started threads
    rig.awaitSpares(CLIENTS);
    long files = openFiles();
    int threads = ManagementFactory.getThreadMXBean().getThreadCount();
    long heap = usedHeapAfterGc();

    long start = System.nanoTime();
    int cycles = 0;
    int lost = 0;
    while (cycles < CYCLES) {
      int echoed = round();
      lost += CLIENTS - echoed;
      cycles += CLIENTS;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    rig.awaitSpares(CLIENTS);
    Rig.sleep(500);
    long filesAfter = openFiles();
    int threadsAfter = ManagementFactory.getThreadMXBean().getThreadCount();
    long heapAfter = usedHeapAfterGc();
    double closed = rig.outside.meters(Rig.SERVICE).closedCount("inside_idle");
    System.out.printf("soak: %d tunnels opened and closed in %.1f s (%.0f/s), %d first datagrams unanswered; "
            + "open files %d -> %d, threads %d -> %d, heap %.1f -> %.1f MB%n", cycles, seconds, cycles / seconds,
        lost, files, filesAfter, threads, threadsAfter, heap / 1e6, heapAfter / 1e6);
    // Unanswered first datagrams (late by more than 10 s) depend on the machine's load; printed above.
    assertTrue(closed >= cycles, "the tunnels really closed: " + closed);
    assertTrue(filesAfter <= files + 10, "no sockets leak: " + files + " -> " + filesAfter);
    assertTrue(threadsAfter <= threads + 2, "no threads leak: " + threads + " -> " + threadsAfter);
    assertTrue(heapAfter <= heap + 32_000_000, "heap back to baseline: " + heap + " -> " + heapAfter);
  }
}
