package io.rut.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class RelaySocketTest {

  private Vertx vertx;

  @BeforeEach
  void setUp() {
    vertx = Vertx.builder().withTransport(DatagramTransport.best()).build();
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  /** A verticle whose socket forwards every datagram it receives to {@code to}, as it is. */
  private static final class Forwarder extends AbstractVerticle {
    final InetSocketAddress to;
    final boolean ipv6;
    volatile RelaySocket socket;
    final AtomicReference<Thread> readOn = new AtomicReference<>();

    Forwarder(InetSocketAddress to, boolean ipv6) {
      this.to = to;
      this.ipv6 = ipv6;
    }

    @Override
    public void start(Promise<Void> started) {
      socket = RelaySocket.create(vertx, ipv6, false);
      socket.handler((data, sender, now) -> {
        readOn.set(Thread.currentThread());
        socket.forward(data, to);
      });
      socket.listen(0, ipv6 ? "::" : "127.0.0.1").<Void>mapEmpty().onComplete(started);
    }
  }

  /** A loopback socket to receive on, that gives up after 3 s. */
  private static DatagramSocket sink() throws Exception {
    DatagramSocket sink = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    sink.setSoTimeout(3000);
    return sink;
  }

  private static byte[] receive(DatagramSocket s) throws Exception {
    DatagramPacket p = new DatagramPacket(new byte[70_000], 70_000);
    s.receive(p);
    byte[] out = new byte[p.getLength()];
    System.arraycopy(p.getData(), 0, out, 0, p.getLength());
    return out;
  }

  @Test
  void forwardsEverySizeIntactOnItsOwnEventLoop() throws Exception {
    try (DatagramSocket sink = sink();
         DatagramSocket source = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      Forwarder f = new Forwarder((InetSocketAddress) sink.getLocalSocketAddress(), false);
      vertx.deployVerticle(f).await();
      InetSocketAddress relay = new InetSocketAddress("127.0.0.1", f.socket.localAddress().getPort());
      Random random = new Random(7);
      for (int size : new int[] {1, 64, 1400, 2049, 9000, 65_507}) {
        byte[] payload = new byte[size];
        random.nextBytes(payload);
        source.send(new DatagramPacket(payload, size, relay));
        assertArrayEquals(payload, receive(sink), size + " bytes, unchanged and not truncated");
      }
      assertTrue(f.readOn.get().getName().startsWith("vert.x-eventloop-thread"), f.readOn.get().getName());
    }
  }

  @Test
  void aReceiverThatFailsOnOneDatagramLosesThatOneOnly(VertxTestContext test) throws Exception {
    DatagramSocket sink = sink();
    InetSocketAddress to = (InetSocketAddress) sink.getLocalSocketAddress();
    var reported = test.checkpoint();
    vertx.exceptionHandler(e -> {
      if ("no d2".equals(e.getMessage())) {
        reported.flag();
      }
    });
    vertx.deployVerticle(new AbstractVerticle() {
      @Override
      public void start() {
        RelaySocket relay = RelaySocket.create(vertx, false, false);
        RelaySocket sender = RelaySocket.create(vertx, false, false);
        relay.handler((data, from, now) -> {
          if (data.toString(java.nio.charset.StandardCharsets.US_ASCII).equals("d2")) {
            throw new IllegalStateException("no d2");
          }
          relay.forward(data, to);
        });
        relay.listen(0, "127.0.0.1").compose(r -> sender.listen(0, "127.0.0.1"))
            .onComplete(test.succeeding(bound -> {
              // One round of the loop: one segmented send, read by the relay as one coalesced run.
              for (String d : new String[] {"d1", "d2", "d3"}) {
                sender.send(d.getBytes(java.nio.charset.StandardCharsets.US_ASCII), relay.localAddress());
              }
            }));
      }
    });
    assertEquals("d1", new String(receive(sink)));
    assertEquals("d3", new String(receive(sink)), "the datagram after the failed one still goes on");
    sink.close();
  }

  @Test
  void aDualStackSocketServesIpv4AndIpv6Senders() throws Exception {
    try (DatagramSocket sink = sink()) {
      Forwarder f = new Forwarder((InetSocketAddress) sink.getLocalSocketAddress(), true);
      vertx.deployVerticle(f).await();
      int port = f.socket.localAddress().getPort();
      for (String from : new String[] {"127.0.0.1", "::1"}) {
        try (DatagramSocket source = new DatagramSocket(0, InetAddress.getByName(from))) {
          byte[] payload = from.getBytes();
          source.send(new DatagramPacket(payload, payload.length, new InetSocketAddress(from, port)));
          assertArrayEquals(payload, receive(sink), "from " + from);
        }
      }
    }
  }

  @Test
  void aBurstOfSendsLeavesInOrder(VertxTestContext test) throws Exception {
    DatagramSocket sink = sink();
    InetSocketAddress to = (InetSocketAddress) sink.getLocalSocketAddress();
    vertx.deployVerticle(new AbstractVerticle() {
      @Override
      public void start() {
        RelaySocket s = RelaySocket.create(vertx, false, false);
        s.listen(0, "127.0.0.1").onComplete(test.succeeding(bound -> {
          for (int i = 0; i < 100; i++) {
            s.send(Integer.toString(i).getBytes(), to);
          }
        }));
      }
    });
    for (int i = 0; i < 100; i++) {
      assertEquals(Integer.toString(i), new String(receive(sink)));
    }
    sink.close();
    test.completeNow();
  }

  @Test
  void aSendThatCannotLeaveIsReportedAndTheSocketLivesOn(VertxTestContext test) throws Exception {
    DatagramSocket sink = sink();
    InetSocketAddress ok = (InetSocketAddress) sink.getLocalSocketAddress();
    // An IPv4 socket cannot reach an IPv6 destination: the kernel refuses the send.
    InetSocketAddress unreachable = new InetSocketAddress("::1", 9);
    var failed = test.checkpoint();
    vertx.deployVerticle(new AbstractVerticle() {
      @Override
      public void start() {
        RelaySocket s = RelaySocket.create(vertx, false, false);
        s.sendFailureHandler(e -> failed.flag());
        s.listen(0, "127.0.0.1").onComplete(test.succeeding(bound -> {
          s.send("lost".getBytes(), unreachable);
          s.send("after".getBytes(), ok);
        }));
      }
    });
    assertEquals("after", new String(receive(sink)));
    sink.close();
  }

  @Test
  void closingTwiceIsHarmlessAndFreesThePort(VertxTestContext test) {
    vertx.deployVerticle(new AbstractVerticle() {
      @Override
      public void start() {
        RelaySocket s = RelaySocket.create(vertx, false, false);
        s.listen(0, "127.0.0.1")
            .compose(bound -> {
              int port = s.localAddress().getPort();
              return s.close().compose(v -> s.close()).map(v -> port);
            })
            .onComplete(test.succeeding(port -> test.verify(() -> {
              try (DatagramSocket again = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
                assertEquals(port, again.getLocalPort());
              }
              test.completeNow();
            })));
      }
    });
  }

  @Test
  void aPortInUseFailsTheListen(VertxTestContext test) throws Exception {
    DatagramSocket taken = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    vertx.deployVerticle(new AbstractVerticle() {
      @Override
      public void start() {
        RelaySocket s = RelaySocket.create(vertx, false, false);
        s.listen(taken.getLocalPort(), "127.0.0.1").onComplete(test.failing(e -> {
          taken.close();
          s.close();
          test.completeNow();
        }));
      }
    });
  }

  @Test
  void sendNowTellsWhenTheDatagramLeft(VertxTestContext test) throws Exception {
    DatagramSocket sink = sink();
    InetSocketAddress to = (InetSocketAddress) sink.getLocalSocketAddress();
    var sent = test.checkpoint();
    vertx.deployVerticle(new AbstractVerticle() {
      @Override
      public void start() {
        RelaySocket s = RelaySocket.create(vertx, false, false);
        s.listen(0, "127.0.0.1").compose(bound -> s.sendNow("now".getBytes(), to))
            .onComplete(test.succeeding(v -> sent.flag()));
      }
    });
    assertEquals("now", new String(receive(sink)));
    sink.close();
  }
}
