package io.rut.inside;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.net.DatagramTransport;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link TransparentCheck} on this host as it is: no reply routing is set up here, so the check
 * must find what is missing (the capability without root, the route with it) and say how to fix it.
 * With routing in place it passes: TransparentModeTest, in network namespaces of its own.
 */
@ExtendWith(VertxExtension.class)
class TransparentCheckTest {

  private final Vertx vertx = Vertx.builder().withTransport(DatagramTransport.best()).build();

  @AfterEach
  void close() {
    vertx.close();
  }

  @Test
  void routingCommandsMatchTheServicesAddress() {
    assertEquals("ip rule add from 127.0.0.0/8 iif lo table 100 && ip route replace local 0.0.0.0/0 dev lo table 100",
        TransparentCheck.routingCommands(new InetSocketAddress("127.0.0.1", 51820)));
    assertEquals("ip -6 rule add from ::1/128 iif lo table 100 && ip -6 route replace local ::/0 dev lo table 100",
        TransparentCheck.routingCommands(new InetSocketAddress("::1", 51820)));
    assertEquals("ip rule add from 10.0.0.5/32 iif lo table 100 && ip route replace local 0.0.0.0/0 dev lo table 100",
        TransparentCheck.routingCommands(new InetSocketAddress("10.0.0.5", 51820)));
  }

  @Test
  void saysWhatIsMissingOnAHostWithoutReplyRouting(VertxTestContext test) throws Exception {
    Process rules = new ProcessBuilder("ip", "rule", "show").redirectErrorStream(true).start();
    String shown = new String(rules.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    rules.waitFor();
    Assumptions.assumeFalse(shown.contains("lookup 100"), "this host routes table 100 already: " + shown);
    boolean root = "root".equals(System.getProperty("user.name"));
    InetSocketAddress target = new InetSocketAddress("127.0.0.1", 51820);
    long t0 = System.nanoTime();
    vertx.runOnContext(v -> TransparentCheck.run(vertx, target).onComplete(test.succeeding(problem -> test.verify(() -> {
      assertTrue(problem != null, "the check cannot pass here");
      if (root) {
        assertTrue(problem.endsWith("route them with: " + TransparentCheck.routingCommands(target)), problem);
      } else {
        assertTrue(problem.contains("needs CAP_NET_ADMIN"), problem);
      }
      assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "answered within the check's timeout");
      test.completeNow();
    }))));
  }
}
