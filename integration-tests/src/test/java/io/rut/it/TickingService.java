package io.rut.it;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.SocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A service that, like WireGuard's keepalives, sends on its own: a tick every 50 ms to every peer it heard from. */
final class TickingService extends VerticleBase {

  final Set<SocketAddress> peers = ConcurrentHashMap.newKeySet();
  private DatagramSocket socket;

  @Override
  public Future<?> start() {
    socket = vertx.createDatagramSocket(new DatagramSocketOptions());
    socket.handler(p -> peers.add(p.sender()));
    vertx.setPeriodic(50, id -> {
      for (SocketAddress peer : peers) {
        socket.send("tick", peer.port(), peer.host());
      }
    });
    return socket.listen(0, "127.0.0.1");
  }

  int port() {
    return socket.localAddress().port();
  }
}
