package io.rut.it;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny UDP NAT between the inside agent and the outside agent: each inside socket gets its own
 * upstream socket (its public port). {@link #rebind()} drops every mapping, like a NAT reboot: the
 * next datagram from inside leaves from a new port, and replies to the old ports are lost. It also
 * records what passes upstream, so tests can replay captured control messages.
 */
final class RebindingProxy {

  private final Vertx vertx;
  private final SocketAddress upstream;
  private final Map<SocketAddress, DatagramSocket> mappings = new ConcurrentHashMap<>();
  final List<Buffer> capturedUpstream = new CopyOnWriteArrayList<>();
  /** What the outside sent down, with the inside socket it went to. */
  final List<Map.Entry<SocketAddress, Buffer>> capturedDownstream = new CopyOnWriteArrayList<>();
  private DatagramSocket front;
  /** Upstream datagrams that match are lost on the way, as many times as {@link #drops} allows. */
  volatile java.util.function.Predicate<Buffer> lose = b -> false;
  final java.util.concurrent.atomic.AtomicInteger drops = new java.util.concurrent.atomic.AtomicInteger();

  RebindingProxy(Vertx vertx, int outsidePort) {
    this.vertx = vertx;
    this.upstream = SocketAddress.inetSocketAddress(outsidePort, "127.0.0.1");
  }

  int start() {
    front = vertx.createDatagramSocket(new DatagramSocketOptions());
    front.handler(p -> {
      SocketAddress inside = p.sender();
      capturedUpstream.add(p.data().copy());
      if (lose.test(p.data()) && drops.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        return;
      }
      DatagramSocket out = mappings.get(inside);
      if (out == null) {
        DatagramSocket fresh = vertx.createDatagramSocket(new DatagramSocketOptions());
        fresh.handler(reply -> {
          capturedDownstream.add(Map.entry(inside, reply.data().copy()));
          front.send(reply.data(), inside.port(), inside.host());
        });
        mappings.put(inside, fresh);
        Buffer first = p.data();
        fresh.listen(0, "127.0.0.1").onSuccess(s -> s.send(first, upstream.port(), upstream.host()));
        return;
      }
      out.send(p.data(), upstream.port(), upstream.host());
    });
    Rig.await(front.listen(0, "127.0.0.1"));
    return front.localAddress().port();
  }

  /** Forgets every mapping: new public ports from now on, the old ones dead. */
  void rebind() {
    for (DatagramSocket s : mappings.values()) {
      s.close();
    }
    mappings.clear();
  }

  /** Sends {@code data} to an inside socket from the address the inside knows as the outside's. */
  void injectDownstream(SocketAddress inside, Buffer data) {
    Rig.await(front.send(data, inside.port(), inside.host()));
  }
}
