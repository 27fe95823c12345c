package io.rut.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.rut.config.OutsideConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code health HOST:PORT} against small HTTP servers that answer as an agent's endpoint would. */
class HealthCheckTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final HealthCheck check = new HealthCheck("outside", new PrintStream(out, true, StandardCharsets.UTF_8),
      new PrintStream(err, true, StandardCharsets.UTF_8));
  private HttpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  /** An endpoint whose /health answers {@code status} with {@code body}, demanding {@code token} if not null. */
  private String serve(int status, String body, String token) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/health", exchange -> {
      String auth = exchange.getRequestHeaders().getFirst("Authorization");
      boolean allowed = token == null || ("Bearer " + token).equals(auth);
      byte[] bytes = (allowed ? body : "").getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(allowed ? status : 401, bytes.length == 0 ? -1 : bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.start();
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  private List<String> errLines() {
    return err.toString(StandardCharsets.UTF_8).lines().toList();
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void healthyIsExitCode0AndTheBody() throws IOException {
    String target = serve(200, "{\"status\": \"ok\"}", null);
    assertEquals(0, check.run(List.of(target), null, Duration.ofSeconds(5)));
    assertEquals("{\"status\": \"ok\"}" + System.lineSeparator(), out());
    assertEquals(List.of(), errLines());
  }

  @Test
  void unhealthyIsExitCode1TheBodyAndOneLine() throws IOException {
    String target = serve(503, "{\"status\": \"unhealthy\"}\n", null);
    assertEquals(1, check.run(List.of(target), null, Duration.ofSeconds(5)));
    assertEquals("{\"status\": \"unhealthy\"}\n", out());
    assertEquals(List.of("rut-outside: health: http://" + target + "/health: HTTP 503"), errLines());
  }

  @Test
  void theTokenGoesOutAsBearer() throws IOException {
    String target = serve(200, "ok", "s3cret");
    assertEquals(0, check.run(List.of(target), "s3cret", Duration.ofSeconds(5)));
  }

  @Test
  void withoutTheTokenItSaysWhichVariableToSet() throws IOException {
    String target = serve(200, "ok", "s3cret");
    assertEquals(1, check.run(List.of(target), null, Duration.ofSeconds(5)));
    assertEquals(List.of("rut-outside: health: http://" + target + "/health: HTTP 401; set RUT_STATUS_TOKEN to "
        + "the endpoint's token"), errLines());
    assertEquals(1, check.run(List.of(target), "wrong", Duration.ofSeconds(5)));
  }

  @Test
  void aClosedPortIsExitCode1AndOneLine() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    assertEquals(1, check.run(List.of("127.0.0.1:" + port), null, Duration.ofSeconds(5)));
    assertEquals(List.of("rut-outside: health: http://127.0.0.1:" + port + "/health: connection refused"), errLines());
    assertEquals("", out());
  }

  @Test
  void anEndpointThatNeverAnswersIsGivenUpOnInTime() throws IOException {
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      long start = System.nanoTime();
      assertEquals(1, check.run(List.of("127.0.0.1:" + silent.getLocalPort()), null, Duration.ofMillis(300)));
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(millis < 3000, "gave up after " + millis + " ms");
      assertEquals(List.of("rut-outside: health: http://127.0.0.1:" + silent.getLocalPort()
          + "/health: no answer within 0.3 s"), errLines());
    }
  }

  @Test
  void aBadAddressIsAUsageError() {
    assertEquals(RutLauncher.USAGE, check.run(List.of(), null, Duration.ofSeconds(1)));
    assertEquals(RutLauncher.USAGE, check.run(List.of("9100"), null, Duration.ofSeconds(1)));
    assertEquals(RutLauncher.USAGE, check.run(List.of("127.0.0.1:0"), null, Duration.ofSeconds(1)));
    assertEquals(RutLauncher.USAGE, check.run(List.of("a:1", "b:2"), null, Duration.ofSeconds(1)));
    List<String> lines = errLines();
    assertEquals(4, lines.size(), lines.toString());
    assertTrue(lines.get(0).startsWith("rut-outside: error: health needs one HOST:PORT"), lines.get(0));
    assertTrue(lines.get(1).startsWith("rut-outside: error: health 9100: expected host:port"), lines.get(1));
  }

  @Test
  void theCommandLineReachesIt() throws IOException {
    String target = serve(200, "fine", null);
    Captured<OutsideConfig> c = new Captured<>(TestAgents.OUTSIDE);
    assertEquals(0, c.launch("health", target));
    assertEquals(List.of("fine"), c.outLines());
  }
}
