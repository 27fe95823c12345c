package io.rut.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.inside.InsideMain;
import io.rut.outside.OutsideMain;
import io.rut.tools.UdpEcho;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A kernel that refuses segmented sends: in a network namespace whose loopback has an MTU of 1500,
 * a run of 2000-byte datagrams cannot leave as one UDP_SEGMENT send (each segment must fit the
 * MTU: EMSGSIZE, or EINVAL on older kernels). The agents must send such runs again one datagram at a time, say so once, and lose
 * nothing.
 */
class SegmentFallbackTest {

  @TempDir
  Path dir;

  @Test
  void runsThatTheKernelRefusesAreSentOneByOneAndNothingIsLost() throws Exception {
    try (Namespaces ns = Namespaces.orSkip("rsf")) {
      Namespaces.sh("ip -n " + ns.home + " link set lo mtu 1500");
      Path outsideConf = dir.resolve("outside.json");
      Files.writeString(outsideConf, new JsonObject().put("services", new JsonArray().add(new JsonObject()
          .put("name", "s").put("listen", "127.0.0.1:2222").put("secret", Rig.SECRET))).encode());
      Path insideConf = dir.resolve("inside.json");
      Files.writeString(insideConf, new JsonObject().put("services", new JsonArray().add(new JsonObject()
          .put("name", "s").put("outside", "127.0.0.1:2222").put("target", "127.0.0.1:5000")
          .put("secret", Rig.SECRET))).encode());
      for (Path p : new Path[] {outsideConf, insideConf}) {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
      }
      Namespaces.Proc echo = ns.java(ns.home, UdpEcho.class, "127.0.0.1:5000");
      Namespaces.Proc outside = ns.java(ns.home, OutsideMain.class, "-conf", outsideConf.toString());
      Namespaces.Proc inside = ns.java(ns.home, InsideMain.class, "-conf", insideConf.toString());
      assertNotNull(outside.await(l -> l.contains("event=listening"), 30), outside.output());
      assertTrue(outside.output().contains("gso"), "the outside joins sends here: " + outside.output());
      assertNotNull(inside.await(l -> l.contains("event=started"), 30), inside.output());
      assertNotNull(echo.await(l -> l.contains("listening"), 30), echo.output());

      Namespaces.Proc client = ns.java(ns.home, BurstClient.class, "127.0.0.1", "2222", "20", "2000", "10");
      assertEquals(0, client.exit(90), "every datagram of every burst came back whole:\n" + client.output()
          + "\n" + outside.output() + "\n" + inside.output());
      String refused = outside.await(l -> l.contains("event=segments_refused"), 5);
      assertNotNull(refused, "the outside said that the kernel refused its runs:\n" + outside.output());
      assertTrue(refused.contains("Message too long") || refused.contains("Invalid argument"), refused);
      assertEquals(1, outside.lines.stream().filter(l -> l.contains("segments_refused")).count(),
          "said once: " + outside.output());
    }
  }
}
