package io.rut.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.inside.InsideMain;
import io.rut.outside.OutsideMain;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The agents as real processes: command lines, start failures and SIGTERM. */
class AgentProcessTest {

  private final List<Process> started = new ArrayList<>();
  private Rig rig;

  @AfterEach
  void tearDown() throws InterruptedException {
    for (Process p : started) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    if (rig != null) {
      rig.close();
    }
  }

  private Process start(Class<?> main, String... args) throws IOException {
    return start(List.of(), main, args);
  }

  private Process start(List<String> jvmOptions, Class<?> main, String... args) throws IOException {
    return started(agent(jvmOptions, main, args).start());
  }

  /** An agent's command line on this test's class path; its standard output is dropped. */
  private static ProcessBuilder agent(List<String> jvmOptions, Class<?> main, String... args) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
  }

  private Process started(Process p) {
    started.add(p);
    return p;
  }

  private static List<String> errorLines(Process p) throws Exception {
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the agent exits by itself");
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    return err.lines().filter(l -> !l.isBlank()).toList();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "outside|-l 2222|secret",
      "outside|-l 2222 -k base64:AAAA|32 bytes",
      "outside|-l 2222 -o example.com:1 -k x|contradict",
      "outside|-l nope -k x|-l: expected PORT or HOST:PORT",
      "outside|-l 2222 -k x --bogus 1|unknown option",
      "inside|-s localhost -o 127.0.0.1:2222 -k x|-s: expected host:port",
      "inside|-s 127.0.0.1:51820 -k x|missing -o",
      "inside|-s 127.0.0.1:51820 -o 127.0.0.1:2222 -k x -l 5|belongs to the outside agent",
      "inside|-conf /no/such/file.json|config file '/no/such/file.json' not found",
  })
  void badCommandLinesExitWithOneClearLine(String agent, String args, String expected) throws Exception {
    Process p = start(agent.equals("outside") ? OutsideMain.class : InsideMain.class, args.split(" "));
    List<String> lines = errorLines(p);
    assertEquals(2, p.exitValue());
    assertEquals(1, lines.size(), "one line: " + lines);
    assertTrue(lines.get(0).startsWith("rut-" + agent + ": error: ") && lines.get(0).contains(expected), lines.get(0));
  }

  @Test
  void unknownConfigKeysAreNamedWithTheValidOnes(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path conf = dir.resolve("outside.json");
    Files.writeString(conf, new JsonObject().put("services", new JsonArray().add(
        Rig.outsideService("[::]:0").put("maxTunnel", 5))).encode());
    Process p = start(OutsideMain.class, "-conf", conf.toString());
    List<String> lines = errorLines(p);
    assertEquals(2, p.exitValue());
    assertEquals(1, lines.size(), "one line: " + lines);
    assertTrue(lines.get(0).contains("services[0].maxTunnel: unknown key") && lines.get(0).contains("maxTunnels"),
        lines.get(0));
  }

  @Test
  void aPortInUseIsOneLineAndExitCode1() throws Exception {
    try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      Process p = start(OutsideMain.class, "-l", "127.0.0.1:" + taken.getLocalPort(), "-k", Rig.SECRET);
      List<String> lines = errorLines(p);
      assertEquals(1, p.exitValue(), "a failure to start: " + lines);
      assertEquals(1, lines.size(), "one line: " + lines);
      assertTrue(lines.get(0).startsWith("rut-outside: error: ") && lines.get(0).contains("address already in use")
          && lines.get(0).contains("127.0.0.1:" + taken.getLocalPort()), lines.get(0));
    }
  }

  @Test
  void anUnresolvableHostIsOneLineAndExitCode1() throws Exception {
    Process p = start(InsideMain.class, "-s", "127.0.0.1:9", "-o", "no-such-host.invalid:1", "-k", Rig.SECRET);
    List<String> lines = errorLines(p);
    assertEquals(1, p.exitValue(), "a failure to start: " + lines);
    assertEquals(List.of("rut-inside: error: cannot resolve host 'no-such-host.invalid'"), lines);
  }

  @Test
  void sigtermMakesTheInsideAgentCloseItsTunnelsAndExitZero(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    rig = new Rig();
    rig.startEcho("127.0.0.1", 0);
    rig.startOutside(Rig.outsideService("127.0.0.1:0"));
    String conf = new JsonObject().put("services", new JsonArray().add(Rig.insideService(
        "127.0.0.1:" + rig.outsidePort(), "127.0.0.1:" + rig.echo.port()))).encode();
    Path log = dir.resolve("inside.log");
    Process inside = startLogged(List.of(), InsideMain.class, log, "-conf", conf);
    rig.awaitStatus(s -> s.getInteger("spares") >= 2, Duration.ofSeconds(20));
    try (TestClient client = TestClient.to(rig.outsidePort())) {
      byte[] hello = "hello".getBytes();
      org.junit.jupiter.api.Assertions.assertArrayEquals(hello, client.roundTrip(hello, 2000));
    }
    inside.destroy(); // SIGTERM
    assertTrue(inside.waitFor(20, TimeUnit.SECONDS), "the inside agent stops on SIGTERM");
    assertEquals(0, inside.exitValue(), "a clean stop");
    rig.awaitStatus(s -> s.getInteger("tunnels") == 0, Duration.ofSeconds(2));
    assertTrue(rig.outside.meters(Rig.SERVICE).closedCount("inside_shutdown") >= 3,
        "the active tunnel and the spares said CLOSE");
    assertStoppingThenStopped(log, "inside", "SIGTERM");
  }

  @Test
  void sigintStopsTheOutsideAgentWithExitZero(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    String conf = new JsonObject().put("services", new JsonArray().add(Rig.outsideService("127.0.0.1:0"))).encode();
    Path log = dir.resolve("outside.log");
    Process outside = startLogged(List.of(), OutsideMain.class, log, "-conf", conf);
    awaitLine(log, "event=started");
    Process kill = new ProcessBuilder("kill", "-INT", Long.toString(outside.pid())).start();
    assertEquals(0, kill.waitFor());
    assertTrue(outside.waitFor(20, TimeUnit.SECONDS), "the outside agent stops on SIGINT");
    assertEquals(0, outside.exitValue(), "a clean stop");
    assertStoppingThenStopped(log, "outside", "SIGINT");
  }

  /** One stopping line, then one stopped line, the last line of the log. */
  private static void assertStoppingThenStopped(Path log, String agent, String signal) throws IOException {
    List<String> lines = Files.readAllLines(log);
    List<String> stopping = lines.stream().filter(l -> l.contains(" event=stopping")).toList();
    List<String> stopped = lines.stream().filter(l -> l.contains(" event=stopped")).toList();
    assertEquals(1, stopping.size(), "one stopping line: " + lines);
    assertEquals(1, stopped.size(), "one stopped line: " + lines);
    assertTrue(stopping.get(0).endsWith(" INFO agent=" + agent + " event=stopping signal=" + signal), stopping.get(0));
    assertTrue(stopped.get(0).endsWith(" INFO agent=" + agent + " event=stopped"), stopped.get(0));
    assertTrue(lines.indexOf(stopping.get(0)) < lines.indexOf(stopped.get(0)), "stopping before stopped: " + lines);
    assertEquals(stopped.get(0), lines.get(lines.size() - 1), "nothing after stopped: " + lines);
  }

  @Test
  void launchedAgentsHoldOnlyTheirOwnSockets(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    rig = new Rig();
    rig.startEcho("127.0.0.1", 0);
    rig.startOutside(Rig.outsideService("127.0.0.1:0"));
    String outsideConf = new JsonObject().put("services", new JsonArray().add(Rig.outsideService("127.0.0.1:0")))
        .encode();
    String insideConf = new JsonObject().put("services", new JsonArray().add(Rig.insideService(
        "127.0.0.1:" + rig.outsidePort(), "127.0.0.1:" + rig.echo.port()))).encode();
    Path outsideLog = dir.resolve("outside.log");
    Path insideLog = dir.resolve("inside.log");
    Process outside = startLogged(List.of(), OutsideMain.class, outsideLog, "-conf", outsideConf);
    Process inside = startLogged(List.of(), InsideMain.class, insideLog, "-conf", insideConf);
    for (Process p : List.of(outside, inside)) {
      awaitLine(p == outside ? outsideLog : insideLog, "event=started");
      Thread.sleep(1000);
      long sockets = sockets(p);
      assertTrue(sockets <= 8, "a started agent holds " + sockets + " sockets");
    }
    try (TestClient client = TestClient.to(rig.outsidePort())) {
      byte[] hello = "launched".getBytes();
      org.junit.jupiter.api.Assertions.assertArrayEquals(hello, client.roundTrip(hello, 2000),
          "the launched inside agent serves through the real outside");
    }
  }

  /** An agent whose log (standard error) goes to {@code log}. */
  private Process startLogged(List<String> jvmOptions, Class<?> main, Path log, String... args) throws IOException {
    return started(agent(jvmOptions, main, args).redirectError(log.toFile()).start());
  }

  /** The first line of {@code log} with {@code text}; fails after 30 s. */
  private static String awaitLine(Path log, String text) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(log)) {
        java.util.Optional<String> line = Files.readAllLines(log).stream().filter(l -> l.contains(text)).findFirst();
        if (line.isPresent()) {
          return line.get();
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no '" + text + "' within 30 s in " + (Files.exists(log) ? Files.readString(log) : "no log"));
  }

  /** The sockets a process holds open. */
  private static long sockets(Process p) throws IOException {
    try (var fds = Files.list(Path.of("/proc", Long.toString(p.pid()), "fd"))) {
      return fds.filter(fd -> {
        try {
          return Files.readSymbolicLink(fd).toString().startsWith("socket:");
        } catch (IOException gone) {
          return false;
        }
      }).count();
    }
  }

  @Test
  void sighupReloadsTheConfigurationFile(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    int statusPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      statusPort = s.getLocalPort();
    }
    Path conf = dir.resolve("outside.json");
    JsonObject metrics = new JsonObject().put("listen", "127.0.0.1:" + statusPort);
    // An hour between scans: only SIGHUP can explain a reload within seconds.
    Files.writeString(conf, new JsonObject().put("configScanPeriod", 3600).put("metrics", metrics)
        .put("services", new JsonArray().add(Rig.outsideService("127.0.0.1:0").put("name", "a"))).encode());
    Process outside = start(OutsideMain.class, "-conf", conf.toString());
    String health = awaitHealth(statusPort, body -> body.contains("\"a\""));
    Files.writeString(conf, new JsonObject().put("configScanPeriod", 3600).put("metrics", metrics)
        .put("services", new JsonArray().add(Rig.outsideService("127.0.0.1:0").put("name", "a"))
            .add(Rig.outsideService("127.0.0.1:0").put("name", "b"))).encode());
    Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(outside.pid())).start();
    assertEquals(0, kill.waitFor());
    health = awaitHealth(statusPort, body -> body.contains("\"b\""));
    assertTrue(health.contains("\"a\"") && health.contains("\"b\""), health);
  }

  @Test
  void healthAsksARunningAgentAndExits0WhenHealthy() throws Exception {
    rig = new Rig();
    rig.startEcho("127.0.0.1", 0);
    rig.startOutside(Rig.outsideService("127.0.0.1:0"));
    int statusPort = freeTcpPort();
    String conf = new JsonObject().put("metrics", new JsonObject().put("listen", "127.0.0.1:" + statusPort))
        .put("services", new JsonArray().add(Rig.insideService("127.0.0.1:" + rig.outsidePort(),
            "127.0.0.1:" + rig.echo.port()))).encode();
    start(InsideMain.class, "-conf", conf);
    awaitHealth(statusPort, body -> body.contains("\"ok\""));

    Process health = started(agent(List.of(), InsideMain.class, "health", "127.0.0.1:" + statusPort)
        .redirectOutput(ProcessBuilder.Redirect.PIPE).start());
    String out = new String(health.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    List<String> err = errorLines(health);
    assertEquals(0, health.exitValue(), "healthy: " + out + err);
    assertTrue(new JsonObject(out).getString("status").equals("ok"), out);
    assertEquals(List.of(), err);
  }

  @Test
  void healthOfAClosedPortExits1WithOneLine() throws Exception {
    int port = freeTcpPort();
    Process health = start(OutsideMain.class, "health", "127.0.0.1:" + port);
    List<String> err = errorLines(health);
    assertEquals(1, health.exitValue());
    assertEquals(List.of("rut-outside: health: http://127.0.0.1:" + port + "/health: connection refused"), err);
  }

  @Test
  void aStatusEndpointServesVertxEventBusMetersAndLogsNoGaugeRegisteredTwice(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    rig = new Rig();
    rig.startEcho("127.0.0.1", 0);
    rig.startOutside(Rig.outsideService("127.0.0.1:0"));
    int statusPort = freeTcpPort();
    String conf = new JsonObject().put("metrics", new JsonObject().put("listen", "127.0.0.1:" + statusPort))
        .put("services", new JsonArray().add(Rig.insideService("127.0.0.1:" + rig.outsidePort(),
            "127.0.0.1:" + rig.echo.port()))).encode();
    Path log = dir.resolve("inside.log");
    startLogged(List.of(), InsideMain.class, log, "-conf", conf);
    awaitLine(log, "event=started");
    // Each tunnel registers an event-bus handler, and each scrape is a new HTTP connection.
    awaitHealth(statusPort, body -> body.contains("\"ok\""));
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    String metrics = "";
    for (int i = 0; i < 3; i++) {
      metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + statusPort
          + "/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }
    String handlers = metrics.lines().filter(l -> l.startsWith("vertx_eventbus_handlers ")).findFirst().orElse("");
    assertTrue(!handlers.isEmpty() && Double.parseDouble(handlers.split(" ")[1]) >= 3,
        "the service's and its tunnels' handlers: " + handlers);
    List<String> warnings = Files.readAllLines(log).stream().filter(l -> l.contains("already registered")).toList();
    assertEquals(List.of(), warnings);
  }

  private static int freeTcpPort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @ParameterizedTest
  @CsvSource({"rw-r--r--, 1", "rw-------, 0"})
  void aConfigFileWithASecretThatOthersCanReadIsWarnedAbout(String mode, int warnings,
      @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path conf = dir.resolve("outside.json");
    Files.writeString(conf, new JsonObject().put("services", new JsonArray().add(Rig.outsideService("127.0.0.1:0")))
        .encode());
    Files.setPosixFilePermissions(conf, java.nio.file.attribute.PosixFilePermissions.fromString(mode));
    Path log = dir.resolve("outside.log");
    startLogged(List.of(), OutsideMain.class, log, "-conf", conf.toString());
    awaitLine(log, "event=started");
    List<String> lines = Files.readAllLines(log).stream().filter(l -> l.contains("config_readable_by_others")).toList();
    assertEquals(warnings, lines.size(), "warnings: " + lines);
    if (warnings > 0) {
      assertTrue(lines.get(0).contains(" WARN agent=outside event=config_readable_by_others file=" + conf
          + " mode=0644 readableBy=others fix=\"chmod 600 " + conf), lines.get(0));
    }
  }

  @Test
  void anAgentLeavesItsSchedulingPolicyAsItWasStarted() throws Exception {
    String conf = new JsonObject().put("services", new JsonArray().add(Rig.outsideService("127.0.0.1:0"))).encode();
    Process normal = start(OutsideMain.class, "-conf", conf);
    assertEquals(java.util.Set.of(0), policiesOnceListening(normal), "SCHED_OTHER (0) for every thread");
  }

  /** The scheduling policies of a process's threads, once an event loop has started. */
  private static java.util.Set<Integer> policiesOnceListening(Process p) throws Exception {
    Path tasks = Path.of("/proc", Long.toString(p.pid()), "task");
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      java.util.Set<Integer> policies = new java.util.HashSet<>();
      boolean loop = false;
      try (var threads = Files.list(tasks)) {
        for (Path t : threads.toList()) {
          try {
            loop |= Files.readString(t.resolve("comm")).startsWith("vert.x-eventloo");
            Files.readAllLines(t.resolve("sched")).stream().filter(l -> l.startsWith("policy"))
                .forEach(l -> policies.add(Integer.parseInt(l.replaceAll("\\D", ""))));
          } catch (IOException threadEnded) {
            // a thread that ended meanwhile has no policy to show
          }
        }
      }
      if (loop) {
        return policies;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no event loop started within 30 s");
  }

  private static String awaitHealth(int port, java.util.function.Predicate<String> ready) throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      try {
        last = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/health"))
            .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        if (ready.test(last)) {
          return last;
        }
      } catch (IOException notYet) {
        // the agent is still starting
      }
      Thread.sleep(100);
    }
    throw new AssertionError("health never matched: " + last);
  }
}
