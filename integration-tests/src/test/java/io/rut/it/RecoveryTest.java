package io.rut.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.inside.InsideMain;
import io.rut.outside.OutsideMain;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recovery with default settings (keepalive 25 s, idle timeout 60 s; room for 300 tunnels with the
 * C tools' {@code -n}, since the default 100 would not hold them): 200 clients, each sending 10 datagrams a second
 * and checking every echo for its own, through a real pair of agent processes. One agent is killed
 * with SIGKILL and started again at once; every client must be carried again within 3 s of the new
 * agent having started, and no datagram may ever reach another client.
 */
class RecoveryTest {

  private static final int CLIENTS = 200;
  private static final long ROUND_NANOS = 100_000_000L;
  private static final long SECOND = 1_000_000_000L;

  @TempDir
  Path dir;
  private Rig rig;
  private final List<Process> started = new ArrayList<>();
  private Clients clients;
  private int outsidePort;

  @AfterEach
  void tearDown(org.junit.jupiter.api.TestInfo test) throws Exception {
    if (clients != null) {
      clients.close();
    }
    // The agents' logs outlive the run, for whoever has to find out why recovery was slow.
    Path keep = Path.of("target", "recovery-logs", test.getTestMethod().orElseThrow().getName());
    Files.createDirectories(keep);
    try (var logs = Files.list(dir)) {
      for (Path log : logs.toList()) {
        Files.copy(log, keep.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    for (Process p : started) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    if (rig != null) {
      rig.close();
    }
  }

  @Test
  void aKilledInsideAgentStartedAgainCarriesEveryClientWithinThreeSeconds() throws Exception {
    Process inside = startPair();
    inside.destroyForcibly();
    inside.waitFor(10, TimeUnit.SECONDS);
    long restarted = System.nanoTime();
    Process again = startInside("inside-2.log");
    long up = awaitStarted(dir.resolve("inside-2.log"));
    report("inside", restarted, up, clients.allCarriedAfter(up, 20 * SECOND));
    assertTrue(again.isAlive());
  }

  @Test
  void aKilledOutsideAgentStartedAgainCarriesEveryClientWithinThreeSeconds() throws Exception {
    startPair();
    Process outside = started.get(0);
    outside.destroyForcibly();
    outside.waitFor(10, TimeUnit.SECONDS);
    long restarted = System.nanoTime();
    startOutside("outside-2.log");
    long up = awaitStarted(dir.resolve("outside-2.log"));
    report("outside", restarted, up, clients.allCarriedAfter(up, 20 * SECOND));
  }

  private void report(String agent, long restarted, long up, long allCarried) {
    double fromStart = (allCarried - up) / 1e9;
    long[] firsts = clients.firstEchoAfter.clone();
    java.util.Arrays.sort(firsts);
    System.out.printf("recovery after %s kill -9: agent up %.2f s after its launch; clients carried again, "
            + "counted from then: half %.2f s, 90 %% %.2f s, all %.2f s; %d datagrams lost of %d sent; "
            + "%d foreign echoes%n", agent, (up - restarted) / 1e9, (firsts[CLIENTS / 2] - up) / 1e9,
        (firsts[CLIENTS * 9 / 10] - up) / 1e9, fromStart, clients.sent - clients.echoed, clients.sent,
        clients.foreign);
    assertEquals(0, clients.foreign, "no datagram of one client reached another");
    assertTrue(fromStart <= 3.0, "every client carried again within 3 s of the new agent, took " + fromStart + " s");
  }

  /** Echo, outside and inside with default settings; 200 clients in their steady state. Returns the inside. */
  private Process startPair() throws Exception {
    rig = new Rig();
    rig.startEcho("127.0.0.1", 0);
    outsidePort = Rig.freePort();
    startOutside("outside.log");
    awaitStarted(dir.resolve("outside.log"));
    Process inside = startInside("inside.log");
    awaitStarted(dir.resolve("inside.log"));
    clients = new Clients(new InetSocketAddress("127.0.0.1", outsidePort));
    long carried = clients.allCarriedAfter(System.nanoTime(), 30 * SECOND);
    assertTrue(carried > 0, "all clients set up");
    clients.run(2 * SECOND); // the steady state
    return inside;
  }

  private Process startOutside(String log) throws IOException {
    return start(OutsideMain.class, log, "-l", "127.0.0.1:" + outsidePort, "-k", Rig.SECRET,
        "-n", "300");
  }

  private Process startInside(String log) throws IOException {
    return start(InsideMain.class, log, "-s", "127.0.0.1:" + rig.echo.port(), "-o", "127.0.0.1:" + outsidePort,
        "-k", Rig.SECRET, "-n", "300");
  }

  private Process start(Class<?> main, String log, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), main.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(dir.resolve(log).toFile()).start();
    started.add(p);
    return p;
  }

  /** When the agent logging to {@code log} said it had started (System.nanoTime). */
  private static long awaitStarted(Path log) throws Exception {
    long deadline = System.nanoTime() + 30 * SECOND;
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log).contains("event=started ")) {
        return System.nanoTime();
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no event=started in 30 s: " + (Files.exists(log) ? Files.readString(log) : ""));
  }

  /** 200 UDP clients on 127.0.0.1, each sending its own number 10 times a second, served by one thread. */
  private static final class Clients implements AutoCloseable {
    private final Selector selector = Selector.open();
    private final DatagramChannel[] channels = new DatagramChannel[CLIENTS];
    private final long[] lastEcho = new long[CLIENTS];
    /** Each client's first echo after the moment {@link #allCarriedAfter} measures from. */
    final long[] firstEchoAfter = new long[CLIENTS];
    private long since;
    private final InetSocketAddress outside;
    private final ByteBuffer in = ByteBuffer.allocate(2048);
    private long seq;
    long sent;
    long echoed;
    long foreign;

    Clients(InetSocketAddress outside) throws IOException {
      this.outside = outside;
      for (int i = 0; i < CLIENTS; i++) {
        channels[i] = DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress("127.0.0.1", 0));
        channels[i].configureBlocking(false);
        channels[i].register(selector, SelectionKey.OP_READ, i);
      }
    }

    private long nextRound = System.nanoTime();

    /** Sends and receives for {@code nanos}. */
    void run(long nanos) throws IOException {
      long end = System.nanoTime() + nanos;
      while (System.nanoTime() < end) {
        step();
      }
    }

    /** A round of sends when one is due, then what arrives until the next. */
    private void step() throws IOException {
      if (System.nanoTime() >= nextRound) {
        round();
        nextRound = Math.max(nextRound + ROUND_NANOS, System.nanoTime() - ROUND_NANOS);
      }
      receive(Math.max(1, (nextRound - System.nanoTime()) / 1_000_000));
    }

    /**
     * Runs until every client has had an echo after {@code since}, or {@code limit} passed; returns
     * when the last of them came back (System.nanoTime), or fails.
     */
    long allCarriedAfter(long since, long limit) throws IOException {
      this.since = since;
      java.util.Arrays.fill(firstEchoAfter, 0);
      long end = System.nanoTime() + limit;
      while (System.nanoTime() < end) {
        step();
        boolean all = true;
        for (long t : lastEcho) {
          all &= t - since > 0;
        }
        if (all) {
          return System.nanoTime(); // the slowest client's first echo since then came back just now
        }
      }
      int missing = 0;
      for (long t : lastEcho) {
        missing += t - since > 0 ? 0 : 1;
      }
      throw new AssertionError(missing + " of " + CLIENTS + " clients not carried again within "
          + limit / SECOND + " s");
    }

    private void round() throws IOException {
      seq++;
      for (int i = 0; i < CLIENTS; i++) {
        channels[i].send(ByteBuffer.wrap((i + ":" + seq).getBytes(StandardCharsets.US_ASCII)), outside);
        sent++;
      }
    }

    private void receive(long timeoutMs) throws IOException {
      if (selector.select(timeoutMs) == 0) {
        return;
      }
      for (SelectionKey key : selector.selectedKeys()) {
        int i = (Integer) key.attachment();
        DatagramChannel ch = (DatagramChannel) key.channel();
        while (true) {
          in.clear();
          if (ch.receive(in) == null) {
            break;
          }
          String text = new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII);
          int colon = text.indexOf(':');
          if (colon < 0 || Integer.parseInt(text.substring(0, colon)) != i) {
            foreign++;
          } else {
            echoed++;
            lastEcho[i] = System.nanoTime();
            if (firstEchoAfter[i] == 0 && lastEcho[i] - since > 0) {
              firstEchoAfter[i] = lastEcho[i];
            }
          }
        }
      }
      selector.selectedKeys().clear();
    }

    @Override
    public void close() throws IOException {
      for (DatagramChannel ch : channels) {
        ch.close();
      }
      selector.close();
    }
  }
}
