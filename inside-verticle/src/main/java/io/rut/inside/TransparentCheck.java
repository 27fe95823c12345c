package io.rut.inside;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.rut.net.RelaySocket;
import io.rut.net.Udp;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * What transparent mode needs, tried for real before a service uses it: a socket bound to an
 * address of another host (the capability), a datagram from there reaching a socket on the
 * service's address, and one sent back from the service's address reaching it again (the policy
 * routing that brings replies to the agent). The test address is from the documentation ranges
 * (198.51.100.0/24, 2001:db8::/32), so a missing route sends nothing off the host. Run it on a
 * verticle's event loop; it answers within {@link #TIMEOUT_MS}.
 */
final class TransparentCheck {

  static final long TIMEOUT_MS = 1000;
  /** The routing table the suggested commands use; any free table works. */
  static final int TABLE = 100;

  private TransparentCheck() {
  }

  /** Null when {@code target} can see clients' addresses, otherwise the one line that says what is missing. */
  static Future<String> run(Vertx vertx, InetSocketAddress target) {
    boolean v6 = target.getAddress() instanceof Inet6Address;
    InetSocketAddress client = new InetSocketAddress(testAddress(v6), 0);
    RelaySocket fake;
    try {
      fake = RelaySocket.transparent(vertx, client);
    } catch (IOException e) {
      return Future.succeededFuture("transparent mode for " + Udp.show(target) + " needs CAP_NET_ADMIN (" + e.getMessage()
          + "): run the inside agent as root, or with AmbientCapabilities=CAP_NET_ADMIN in its systemd unit");
    }
    RelaySocket service = RelaySocket.create(vertx, v6, false);
    byte[] ping = ("rut-transparent-check " + UUID.randomUUID()).getBytes(StandardCharsets.US_ASCII);
    Promise<String> answer = Promise.promise();
    InetSocketAddress[] fakeAt = new InetSocketAddress[1];
    service.handler((data, sender, now) -> {
      if (fakeAt[0] != null && sender.equals(fakeAt[0]) && same(data, ping)) {
        service.send(ping.clone(), sender); // the reply, from the service's address
      }
    });
    fake.handler((data, sender, now) -> {
      if (sender.getAddress().equals(target.getAddress()) && same(data, ping)) {
        answer.tryComplete(null);
      }
    });
    service.listen(0, target.getAddress().getHostAddress()).onComplete(bound -> {
      if (bound.failed()) {
        answer.tryComplete("transparent mode needs the service on this host, and " + target.getAddress().getHostAddress()
            + " is not an address of it (" + bound.cause().getMessage() + ")");
        return;
      }
      fakeAt[0] = fake.localAddress();
      fake.send(ping.clone(), service.localAddress());
    });
    long timer = vertx.setTimer(TIMEOUT_MS, t -> answer.tryComplete(
        "transparent mode for " + Udp.show(target) + ": the service's replies do not come back to the agent; route "
            + "them with: " + routingCommands(target)));
    return answer.future().eventually(() -> {
      vertx.cancelTimer(timer);
      return Future.all(fake.close(), service.close());
    });
  }

  /** The policy routing that delivers the service's replies to a client's address on this host. */
  static String routingCommands(InetSocketAddress target) {
    boolean v6 = target.getAddress() instanceof Inet6Address;
    String ip = v6 ? "ip -6" : "ip";
    InetAddress a = target.getAddress();
    String from = a.isLoopbackAddress() ? (v6 ? "::1/128" : "127.0.0.0/8") : a.getHostAddress() + (v6 ? "/128" : "/32");
    return String.join(" && ", List.of(
        ip + " rule add from " + from + " iif lo table " + TABLE,
        ip + " route replace local " + (v6 ? "::/0" : "0.0.0.0/0") + " dev lo table " + TABLE));
  }

  private static boolean same(ByteBuf data, byte[] expected) {
    return data.readableBytes() == expected.length
        && ByteBufUtil.equals(data, data.readerIndex(), Unpooled.wrappedBuffer(expected), 0, expected.length);
  }

  private static InetAddress testAddress(boolean v6) {
    try {
      return InetAddress.getByName(v6 ? "2001:db8::7275:74" : "198.51.100.74");
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
