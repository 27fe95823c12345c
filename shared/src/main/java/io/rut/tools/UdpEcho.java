package io.rut.tools;

import io.rut.config.HostPort;
import io.rut.net.DatagramTransport;
import io.rut.net.Udp;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP echo service: sends every datagram back to where it came from. Stands in for the real
 * service (e.g. WireGuard) in the demo and the tests, and remembers which peers it has seen.
 * {@code java -cp inside.jar io.rut.tools.UdpEcho 127.0.0.1:51820}
 */
public final class UdpEcho extends VerticleBase {

  private final InetSocketAddress listen;
  private final Set<String> peers = java.util.Collections.synchronizedSet(new HashSet<>());
  private final AtomicLong echoed = new AtomicLong();
  private DatagramSocket socket;

  public UdpEcho(InetSocketAddress listen) {
    this.listen = listen;
  }

  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: UdpEcho HOST:PORT");
      System.exit(2);
    }
    Vertx vertx = Vertx.builder().withTransport(DatagramTransport.best()).build();
    UdpEcho echo = new UdpEcho(HostPort.parse(args[0]).resolve());
    vertx.deployVerticle(echo).onSuccess(id -> System.err.println("echo: listening on "
            + Udp.show(echo.socket.localAddress())))
        .onFailure(e -> {
          System.err.println("echo: " + Udp.describe(e));
          System.exit(1);
        });
  }

  @Override
  public Future<?> start() {
    socket = Udp.socketFor(vertx, listen);
    socket.handler(p -> {
      peers.add(Udp.show(p.sender()));
      echoed.incrementAndGet();
      socket.send(p.data(), p.sender().port(), p.sender().host());
    });
    return socket.listen(listen.getPort(), listen.getAddress().getHostAddress());
  }

  @Override
  public Future<?> stop() {
    return socket.close();
  }

  public int port() {
    return socket.localAddress().port();
  }

  /** The distinct source addresses seen so far. */
  public Set<String> peers() {
    synchronized (peers) {
      return Set.copyOf(peers);
    }
  }

  public long echoed() {
    return echoed.get();
  }
}
