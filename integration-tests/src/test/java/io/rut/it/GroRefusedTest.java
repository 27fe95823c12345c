package io.rut.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.inside.InsideMain;
import io.rut.outside.OutsideMain;
import io.rut.tools.UdpEcho;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A kernel without UDP_GRO (before Linux 5.0) refuses the socket option. Both agents run here with
 * a small preloaded library that answers setsockopt(SOL_UDP, UDP_GRO) with ENOPROTOOPT, as such a
 * kernel does (src/test/c/no_gro.c): they must say so, count it, and relay every datagram whole.
 */
class GroRefusedTest {

  private static final Pattern GRO_REFUSED = Pattern.compile("rut_events_total\\{[^}]*event=\"gro_refused\"[^}]*} (\\d+)");

  private final List<Namespaces.Proc> started = new ArrayList<>();

  @AfterEach
  void stop() throws InterruptedException {
    for (Namespaces.Proc p : started) {
      p.process.destroy();
    }
    for (Namespaces.Proc p : started) {
      p.exit(15);
    }
  }

  @Test
  void agentsOnAKernelWithoutGroSayItCountItAndRelayEveryDatagram() throws Exception {
    File shim = buildShim();
    int servicePort = Rig.freePort();
    int listenPort = Rig.freePort();
    int outsideMetrics = freeTcpPort();
    int insideMetrics = freeTcpPort();
    String outsideConf = new JsonObject().put("metrics", new JsonObject().put("listen", "127.0.0.1:" + outsideMetrics))
        .put("services", new JsonArray().add(Rig.outsideService("127.0.0.1:" + listenPort))).encode();
    String insideConf = new JsonObject().put("metrics", new JsonObject().put("listen", "127.0.0.1:" + insideMetrics))
        .put("services", new JsonArray().add(Rig.insideService("127.0.0.1:" + listenPort, "127.0.0.1:" + servicePort)))
        .encode();
    Namespaces.Proc echo = start(List.of(), UdpEcho.class, "127.0.0.1:" + servicePort);
    Namespaces.Proc outside = start(List.of("env", "LD_PRELOAD=" + shim.getAbsolutePath()), OutsideMain.class,
        "-conf", outsideConf);
    String listening = outside.await(l -> l.contains("event=listening"), 30);
    assertNotNull(listening, outside.output());
    Namespaces.Proc inside = start(List.of("env", "LD_PRELOAD=" + shim.getAbsolutePath()), InsideMain.class,
        "-conf", insideConf);
    assertNotNull(inside.await(l -> l.contains("event=started"), 30), inside.output());
    assertNotNull(echo.await(l -> l.contains("listening"), 30), echo.output());

    String refused = outside.await(l -> l.contains("event=gro_refused"), 5);
    assertNotNull(refused, "the outside says that the kernel refused UDP_GRO:\n" + outside.output());
    assertTrue(refused.contains("Protocol not available") && refused.contains("one datagram per read"), refused);
    assertFalse(listening.contains("gro "), "the outside reads without GRO: " + listening);

    Namespaces.Proc client = start(List.of(), BurstClient.class, "127.0.0.1", Integer.toString(listenPort), "20",
        "1400", "10");
    assertEquals(0, client.exit(90), "every datagram of every burst came back whole:\n" + client.output()
        + "\n" + outside.output() + "\n" + inside.output());
    String insideRefused = inside.await(l -> l.contains("event=gro_refused"), 5);
    assertNotNull(insideRefused, "the inside says so too:\n" + inside.output());
    assertTrue(insideRefused.contains("Protocol not available"), insideRefused);

    assertEquals(1, groRefused(outsideMetrics), "the outside's one socket, counted once");
    // Each tunnel has a socket toward the outside and one toward the service: both read without GRO.
    assertTrue(groRefused(insideMetrics) >= 2, "the inside counts each socket that reads without GRO");
  }

  private static long groRefused(int metricsPort) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    Matcher m = GRO_REFUSED.matcher(r.body());
    assertTrue(m.find(), "the scrape counts gro_refused:\n" + r.body());
    return (long) Double.parseDouble(m.group(1));
  }

  private Namespaces.Proc start(List<String> prefix, Class<?> main, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), main.getName()));
    cmd.addAll(List.of(args));
    Namespaces.Proc p = new Namespaces.Proc(new ProcessBuilder(cmd).redirectErrorStream(true).start());
    started.add(p);
    return p;
  }

  private static int freeTcpPort() throws java.io.IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static File buildShim() throws Exception {
    File so = new File("target/no_gro.so");
    Process gcc;
    try {
      gcc = new ProcessBuilder("gcc", "-O2", "-shared", "-fPIC", "-o", so.getPath(), "src/test/c/no_gro.c", "-ldl")
          .inheritIO().start();
    } catch (java.io.IOException e) {
      Assumptions.abort("no gcc here to build the library that refuses UDP_GRO: " + e.getMessage());
      return null;
    }
    assertEquals(0, gcc.waitFor(), "the library builds");
    return so;
  }
}
