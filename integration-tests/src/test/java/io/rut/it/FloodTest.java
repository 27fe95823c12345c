package io.rut.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.ResourceLeakDetector;
import io.rut.metrics.DropReason;
import io.rut.protocol.ControlMessage;
import io.rut.protocol.MessageType;
import io.rut.protocol.WireGuardInitiation;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 100,000 datagrams a second from 10,000 spoofed loopback sources for 30 s (junk, forged control
 * messages, fake WireGuard initiations, a replayed HELLO) at an outside agent that knows its
 * WireGuard server's key, while a real client keeps its tunnel busy; then the same flood for 10 s
 * more at the outside that has met it once.
 */
class FloodTest {

  // A test of rates: paranoid leak tracking (a stack trace per buffer) would make the outside
  // the bottleneck. The sampling level still reports a leak here.
  private static final ResourceLeakDetector.Level LEAK_LEVEL = ResourceLeakDetector.getLevel();

  @BeforeAll
  static void sampledLeakDetection() {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
  }

  @AfterAll
  static void restoreLeakDetection() {
    ResourceLeakDetector.setLevel(LEAK_LEVEL);
  }

  static final int RATE = 100_000;
  static final int SECONDS = 30;
  static final int SOURCES = 10_000;
  /** A second, shorter flood at the same outside once it has met the first. */
  static final int SECOND_SECONDS = 10;

  private Rig rig;
  private Process flood;

  @AfterEach
  void tearDown() {
    if (flood != null) {
      flood.destroyForcibly();
    }
    if (rig != null) {
      rig.close();
    }
  }

  private static File buildFlooder() throws Exception {
    File exe = new File("target/flood");
    Process gcc;
    try {
      gcc = new ProcessBuilder("gcc", "-O2", "-o", exe.getPath(), "src/test/c/flood.c").inheritIO().start();
    } catch (java.io.IOException e) {
      Assumptions.abort("no gcc here to build the flooder: " + e.getMessage());
      return null;
    }
    assertEquals(0, gcc.waitFor(), "the flooder builds");
    return exe;
  }

  /** Round trips every 4 ms for {@code seconds}; what was sent, and when (s from the start) each loss was sent. */
  private record Conversation(int sent, List<Double> lossesAt) {
    int lost() {
      return lossesAt.size();
    }
  }

  private static Conversation converse(TestClient client, int seconds) {
    int sent = 0;
    List<Double> lossesAt = new ArrayList<>();
    long start = System.nanoTime();
    long end = start + seconds * 1_000_000_000L;
    while (System.nanoTime() < end) {
      byte[] msg = ("legit " + sent).getBytes(StandardCharsets.UTF_8);
      sent++;
      long at = System.nanoTime();
      if (client.roundTrip(msg, 200) == null) {
        lossesAt.add(Math.round((at - start) / 1e7) / 100.0);
      }
      Rig.sleep(4);
    }
    return new Conversation(sent, lossesAt);
  }

  /** What the flooder said it sent, and the legitimate client's conversation meanwhile. */
  private record Flood(String report, Conversation client) {
  }

  /** Floods the outside for {@code seconds} with the flood's kinds while {@code client} converses. */
  private Flood flood(File flooder, byte[] hello, int seconds, TestClient client) throws Exception {
    flood = new ProcessBuilder(flooder.getPath(), Integer.toString(rig.outsidePort()), Integer.toString(RATE),
        Integer.toString(seconds), Integer.toString(SOURCES), HexFormat.of().formatHex(hello))
        .redirectErrorStream(true).start();
    Conversation conversation = converse(client, seconds);
    assertTrue(flood.waitFor(seconds + 10, TimeUnit.SECONDS), "the flooder stops by itself");
    return new Flood(new String(flood.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim(), conversation);
  }

  /** UDP datagrams this network namespace's kernel dropped for a full receive queue, any socket. */
  private static long kernelReceiveQueueDrops() throws java.io.IOException {
    List<String> udp = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/net/snmp")).stream()
        .filter(l -> l.startsWith("Udp:")).toList();
    List<String> names = List.of(udp.get(0).split(" "));
    return Long.parseLong(udp.get(1).split(" ")[names.indexOf("RcvbufErrors")]);
  }

  private static long usedHeapAfterGc() {
    System.gc();
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static long openFiles() {
    String[] fds = new File("/proc/self/fd").list();
    return fds == null ? -1 : fds.length;
  }

  @Test
  void aFloodCostsTheLegitimateClientNothingAndNoInsideSocket() throws Exception {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
        "the flooder spoofs sources through a raw socket, which needs root");
    File flooder = buildFlooder();
    byte[] serverKey = new byte[32];
    new Random(3).nextBytes(serverKey);
    rig = Rig.standard(new JsonObject(), new JsonObject()
        .put("wireguardPublicKey", java.util.Base64.getEncoder().encodeToString(serverKey)));
    byte[] initiation = Rig.wireguardInitiation(serverKey, 4);
    byte[] hello;
    try (FakeInside capture = new FakeInside(rig.outsidePort())) {
      hello = capture.codec.encode(ControlMessage.hello(capture.serviceId, 0x5eedL, FakeInside.COUNTER.next(), true));
    }

    try (TestClient client = TestClient.to(rig.outsidePort())) {
      assertArrayEquals(initiation, client.roundTrip(initiation, 2000), "the real client is admitted");
      rig.awaitSettled();
      int tunnelsBefore = rig.insideStatus().getInteger("tunnels");
      Conversation quiet = converse(client, 5);
      long heapBefore = usedHeapAfterGc();
      long filesBefore = openFiles();
      double challengesBefore = rig.outside.meters(Rig.SERVICE).sent(MessageType.CHALLENGE);
      long kernelDropsBefore = kernelReceiveQueueDrops();

      Flood first = flood(flooder, hello, SECONDS, client);
      Conversation flooded = first.client();
      String report = first.report();
      long sent = Long.parseLong(report.replaceAll("^flood: sent (\\d+) .*$", "$1"));

      long firstKernelDrops = kernelReceiveQueueDrops() - kernelDropsBefore;
      long heapAfter = usedHeapAfterGc();
      double notWireguard = rig.outside.meters(Rig.SERVICE).drops(DropReason.NOT_WIREGUARD);
      double challenges = rig.outside.meters(Rig.SERVICE).sent(MessageType.CHALLENGE) - challengesBefore;
      System.out.printf("flood: %s%nlegit client: quiet %d sent %d lost; flooded %d sent %d lost (sent at %s s)%n"
              + "refused as not WireGuard: %.0f; challenges to replayed HELLOs: %.0f; kernel receive-queue drops "
              + "meanwhile: %d; heap %+.1f MB; open files %d -> %d; inside tunnels %d -> %d%n",
          report, quiet.sent(), quiet.lost(), flooded.sent(), flooded.lost(), flooded.lossesAt(), notWireguard,
          challenges, firstKernelDrops,
          (heapAfter - heapBefore) / 1e6, filesBefore, openFiles(), tunnelsBefore,
          rig.insideStatus().getInteger("tunnels"));

      // On a loaded machine the flooder itself may fall short of 100,000/s; the figures say what it reached.
      assertTrue(sent >= (long) RATE * SECONDS / 2, "the flood ran at half its rate at least: " + report);
      assertEquals(1, rig.echo.peers().size(), "no flood source reached the service");
      assertEquals(tunnelsBefore, rig.insideStatus().getInteger("tunnels"), "no inside socket for the flood");
      assertTrue(notWireguard > sent / 2, "the flood was refused by admission");
      assertTrue(challenges <= sent / 16 + 1, "a challenge only per replayed HELLO, never more bytes than sent");
      assertTrue(heapAfter - heapBefore < 64_000_000, "memory stays bounded");
      assertTrue(openFiles() <= filesBefore + 5, "no sockets left behind");
      // On a slower machine, or with the agents squeezed onto one core, the outside can fall behind
      // in the flood's first fraction of a second while the JVM compiles its refusal paths; the
      // kernel then drops from its full queue for every source alike. The message says if it did.
      assertTrue(flooded.lost() <= quiet.lost(),
          "a flood costs the legitimate client nothing: lost " + flooded.lost() + " of " + flooded.sent()
              + " (sent at " + flooded.lossesAt() + " s; without a flood: " + quiet.lost()
              + "); kernel receive-queue drops meanwhile: " + firstKernelDrops);

      // The same flood again at an outside that has met one: nothing lost either.
      long kernelDropsBeforeSecond = kernelReceiveQueueDrops();
      Flood second = flood(flooder, hello, SECOND_SECONDS, client);
      Conversation again = second.client();
      String secondReport = second.report();
      System.out.printf("second flood: %s%nlegit client: %d sent %d lost (sent at %s s); kernel receive-queue "
              + "drops meanwhile: %d%n", secondReport, again.sent(), again.lost(), again.lossesAt(),
          kernelReceiveQueueDrops() - kernelDropsBeforeSecond);
      assertTrue(again.lost() <= quiet.lost(),
          "a flood at an outside that has met one before costs the legitimate client nothing: lost "
              + again.lost() + " of " + again.sent() + " (without a flood: " + quiet.lost() + ")");
      assertEquals(tunnelsBefore, rig.insideStatus().getInteger("tunnels"), "no inside socket for the flood");
    }
  }
}
