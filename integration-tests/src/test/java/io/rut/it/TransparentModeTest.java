package io.rut.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.inside.InsideMain;
import io.rut.outside.OutsideMain;
import io.rut.tools.UdpEcho;
import io.rut.tools.UdpProbe;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code "clientAddress": "transparent"} with real sockets and real policy routing, in two network
 * namespaces this test makes: the outside agent and the clients on the public side, the inside
 * agent and an echo service (which prints every peer it meets) on the home side.
 */
class TransparentModeTest {

  private static final Pattern PROBE_PORT = Pattern.compile("from port (\\d+)");
  private static Namespaces ns;
  private static Namespaces.Proc echo;
  private Namespaces.Proc inside;

  @TempDir
  Path dir;

  @BeforeAll
  static void namespaces() throws Exception {
    ns = Namespaces.orSkip("rtp");
    Namespaces.sh("ip -n " + ns.home + " rule add from 127.0.0.0/8 iif lo table 100",
        "ip -n " + ns.home + " route add local 0.0.0.0/0 dev lo table 100",
        "ip -n " + ns.home + " -6 rule add from ::1/128 iif lo table 100",
        "ip -n " + ns.home + " -6 route add local ::/0 dev lo table 100");
    echo = ns.java(ns.home, UdpEcho.class, "127.0.0.1:5000", "[::1]:5000");
    JsonArray services = new JsonArray();
    for (String[] s : new String[][] {{"tp", "2222"}, {"plain", "2223"}}) {
      services.add(new JsonObject().put("name", s[0]).put("listen", "[::]:" + s[1]).put("secret", Rig.SECRET));
    }
    Path conf = Files.createTempFile("rut-outside", ".json");
    Files.writeString(conf, new JsonObject().put("services", services).encode());
    Namespaces.Proc outside = ns.java(ns.pub, OutsideMain.class, "-conf", conf.toString());
    assertNotNull(outside.await(l -> l.contains("event=started"), 30), outside.output());
    assertNotNull(echo.await(l -> l.contains("listening on 127.0.0.1:5000"), 30), echo.output());
  }

  @AfterAll
  static void removeNamespaces() throws Exception {
    if (ns != null) {
      ns.close();
    }
  }

  @AfterEach
  void stopInside() throws Exception {
    if (inside != null) {
      inside.process.destroy();
      inside.exit(20);
    }
  }

  private static JsonObject service(String name, String port, String target, String mode) {
    return new JsonObject().put("name", name).put("outside", "10.77.0.1:" + port).put("target", target)
        .put("secret", Rig.SECRET).put("clientAddress", mode);
  }

  private Path config(JsonObject... services) throws Exception {
    Path file = dir.resolve("inside.json");
    Files.writeString(file, new JsonObject().put("services", new JsonArray(List.of((Object[]) services))).encode());
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  /** Probes the service through the outside at {@code via}; returns the probe's local port. */
  private static int probe(String via, int count, int intervalMs) throws Exception {
    Namespaces.Proc p = ns.java(ns.pub, UdpProbe.class, via, String.valueOf(count), String.valueOf(intervalMs));
    assertEquals(0, p.exit(60), "every datagram comes back through " + via + ":\n" + p.output());
    Matcher m = PROBE_PORT.matcher(p.output());
    assertTrue(m.find(), p.output());
    return Integer.parseInt(m.group(1));
  }

  private static String peerSeen(String prefix, int port) throws InterruptedException {
    return echo.await(l -> l.startsWith("echo: peer " + prefix) && l.endsWith(":" + port), 5);
  }

  /** Local peers the echo has met: in mode none, each tunnel's own socket. */
  private static long localPeers() {
    return echo.lines.stream().filter(l -> l.startsWith("echo: peer 127.0.0.1:")).count();
  }

  @Test
  void theServiceSeesEachClientsOwnAddressOverIpv4AndIpv6() throws Exception {
    inside = ns.java(ns.home, InsideMain.class, "-conf",
        config(service("tp", "2222", "127.0.0.1:5000", "transparent").put("otherFamilyTarget", "[::1]:5000")).toString());
    assertNotNull(inside.await(l -> l.contains("event=transparent_ready"), 30), inside.output());

    int v4 = probe("10.77.0.2:2222", 5, 50);
    assertNotNull(peerSeen("10.77.0.", v4), "the echo saw the IPv4 client's own address:\n" + echo.output());
    int v6 = probe("[fd77::2]:2222", 5, 50);
    assertNotNull(peerSeen("[fd77:", v6), "the echo saw the IPv6 client's own address:\n" + echo.output());
    assertTrue(echo.lines.stream().noneMatch(l -> l.matches("echo: peer 127\\.0\\.0\\.1:(" + v4 + "|" + v6 + ")")),
        echo.output());
  }

  @Test
  void missingRoutingGivesOneLineWithTheCommandsAndOtherServicesRun() throws Exception {
    inside = ns.java(ns.home, InsideMain.class, "-conf", config(
        service("tp", "2222", "10.77.0.3:5001", "transparent"), service("plain", "2223", "127.0.0.1:5000", "none"))
        .toString());
    String line = inside.await(l -> l.contains("event=transparent_unavailable"), 30);
    assertNotNull(line, inside.output());
    assertTrue(line.contains("ip rule add from 10.77.0.3/32 iif lo table 100 && ip route replace local 0.0.0.0/0 dev lo "
        + "table 100"), line);

    long before = localPeers();
    probe("10.77.0.2:2223", 3, 50);
    assertEquals(before + 1, localPeers(), "the other service relays as before:\n" + echo.output());
    assertEquals(1, inside.lines.stream().filter(l -> l.contains("transparent_unavailable")).count(), inside.output());
  }

  @Test
  void aMissingCapabilityGivesOneLineAndOtherServicesRun() throws Exception {
    inside = ns.java(ns.home, List.of("setpriv", "--bounding-set=-net_admin,-net_raw"), InsideMain.class, "-conf",
        config(service("tp", "2222", "127.0.0.1:5000", "transparent"), service("plain", "2223", "127.0.0.1:5000", "none"))
            .toString());
    String line = inside.await(l -> l.contains("event=transparent_unavailable"), 30);
    assertNotNull(line, inside.output());
    assertTrue(line.contains("needs CAP_NET_ADMIN") && line.contains("AmbientCapabilities=CAP_NET_ADMIN"), line);

    long before = localPeers();
    probe("10.77.0.2:2223", 3, 50);
    assertEquals(before + 1, localPeers(), "the other service relays as before:\n" + echo.output());
  }

  @Test
  void aReloadToTransparentMovesALiveClientWithoutLosingIt() throws Exception {
    Path conf = config(service("tp", "2222", "127.0.0.1:5000", "none"));
    inside = ns.java(ns.home, InsideMain.class, "-conf", conf.toString());
    assertNotNull(inside.await(l -> l.contains("event=started"), 30), inside.output());
    long before = localPeers();
    Namespaces.Proc client = ns.java(ns.pub, UdpProbe.class, "10.77.0.2:2222", "30", "100");
    assertNotNull(client.await(l -> l.contains("probe #3\""), 30), client.output());

    config(service("tp", "2222", "127.0.0.1:5000", "transparent"));
    assertNotNull(inside.await(l -> l.contains("event=transparent_ready"), 30), inside.output());
    assertEquals(0, client.exit(60), "no datagram lost across the reload:\n" + client.output());
    Matcher m = PROBE_PORT.matcher(client.output());
    assertTrue(m.find());
    int port = Integer.parseInt(m.group(1));
    assertEquals(before + 1, localPeers(), "before the reload the service saw a local peer:\n" + echo.output());
    assertNotNull(peerSeen("10.77.0.", port), "after it, the client itself:\n" + echo.output());
  }
}
