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
 * service (e.g. WireGuard) in the demo and the tests, and remembers which peers it has seen; run
 * from the command line it prints the first {@value #PEERS_PRINTED} of them as it meets them (which
 * address the service sees for each client: see transparent mode in docs/OPERATIONS.md).
 * {@code java -cp inside.jar io.rut.tools.UdpEcho 127.0.0.1:51820}
 */
public final class UdpEcho extends VerticleBase {

  static final int PEERS_PRINTED = 100;

  private final InetSocketAddress listen;
  private boolean printPeers;
  private final Set<String> peers = java.util.Collections.synchronizedSet(new HashSet<>());
  private final AtomicLong echoed = new AtomicLong();
  private DatagramSocket socket;

  public UdpEcho(InetSocketAddress listen) {
    this.listen = listen;
  }

  /** One echo service per HOST:PORT argument (e.g. 127.0.0.1:51820 [::1]:51820), each replying from its address. */
  public static void main(String[] args) {
    if (args.length == 0) {
      System.err.println("usage: UdpEcho HOST:PORT...");
      System.exit(2);
    }
    Vertx vertx = Vertx.builder().withTransport(DatagramTransport.best()).build();
    for (String arg : args) {
      UdpEcho echo = new UdpEcho(HostPort.parse(arg).resolve());
      echo.printPeers = true;
      vertx.deployVerticle(echo).onSuccess(id -> System.err.println("echo: listening on "
              + Udp.show(echo.socket.localAddress())))
          .onFailure(e -> {
            System.err.println("echo: " + arg + ": " + Udp.describe(e));
            System.exit(1);
          });
    }
  }

  @Override
  public Future<?> start() {
    socket = Udp.socketFor(vertx, listen);
    socket.handler(p -> {
      String peer = Udp.show(p.sender());
      if (peers.add(peer) && printPeers && peers.size() <= PEERS_PRINTED) {
        System.err.println("echo: peer " + peer + (peers.size() == PEERS_PRINTED ? " (no more peers printed)" : ""));
      }
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
