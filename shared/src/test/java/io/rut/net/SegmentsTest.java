package io.rut.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Datagram boundaries survive batching, on real loopback sockets: a sender whose equal-sized
 * datagrams leave as one segmented (GSO) send, a relay socket that reads them as coalesced runs
 * (UDP_GRO, and recvmmsg as the outside's socket does) and forwards each datagram, joined again
 * into segmented sends, and a plain socket at the end that must get exactly what was sent. Each
 * case runs through both kinds of relay socket: a shared one (the outside's: recvmmsg) and a
 * tunnel's (UDP_GRO: the kernel hands a run of one sender's datagrams over in one read).
 */
class SegmentsTest {

  private static Vertx vertx;
  private static RelaySocket shared;
  private static RelaySocket tunnel;
  private static RelaySocket sender;
  private static final List<Integer> relayed = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void setUp() throws Exception {
    // batchedReads on: the shared relay reads with recvmmsg, the tunnel's with GRO
    vertx = Vertx.builder().withTransport(DatagramTransport.best(new io.rut.config.DataPathConfig(true, true, true)))
        .build();
    Assumptions.assumeTrue(vertx.isNativeTransportEnabled(), "segmented sends need the native transport");
    CompletableFuture<Void> ready = new CompletableFuture<>();
    vertx.runOnContext(v -> {
      shared = RelaySocket.create(vertx, false, true);
      tunnel = RelaySocket.create(vertx, false, false);
      sender = RelaySocket.create(vertx, false, false);
      shared.listen(0, "127.0.0.1").compose(x -> tunnel.listen(0, "127.0.0.1")).compose(x -> sender.listen(0, "127.0.0.1"))
          .onComplete(r -> {
            if (r.succeeded()) {
              ready.complete(null);
            } else {
              ready.completeExceptionally(r.cause());
            }
          });
    });
    ready.get(10, TimeUnit.SECONDS);
    assertTrue(tunnel.batching().contains("gro"), "the kernel takes UDP_GRO: " + tunnel.batching());
    assertTrue(sender.joinsSends(), "segmented sends are on");
  }

  @AfterAll
  static void tearDown() {
    if (vertx != null) {
      vertx.close().await();
    }
  }

  /** Through both relays in turn: what {@code sink} got from each must be what was sent. */
  private static void assertRelayed(List<byte[]> datagrams, DatagramSocket sink) throws Exception {
    for (RelaySocket relay : List.of(shared, tunnel)) {
      assertSame(datagrams, relay(relay, datagrams, sink));
    }
  }

  /** Sends {@code datagrams} in one round of the event loop; {@code relay} forwards each to {@code sink}. */
  private static List<byte[]> relay(RelaySocket relay, List<byte[]> datagrams, DatagramSocket sink) throws Exception {
    InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), sink.getLocalPort());
    relayed.clear();
    CompletableFuture<Void> sent = new CompletableFuture<>();
    vertx.runOnContext(v -> {
      relay.handler((data, from, now) -> {
        relayed.add(data.readableBytes());
        relay.forward(data, to);
      });
      for (byte[] d : datagrams) {
        sender.send(d, relay.localAddress());
      }
      sent.complete(null);
    });
    sent.get(10, TimeUnit.SECONDS);
    List<byte[]> got = new ArrayList<>();
    for (int i = 0; i < datagrams.size(); i++) {
      DatagramPacket p = new DatagramPacket(new byte[70_000], 70_000);
      try {
        sink.receive(p);
      } catch (java.net.SocketTimeoutException e) {
        throw new AssertionError("datagram " + i + " of " + datagrams.size() + " did not arrive; the relay read "
            + relayed + "; the sink got " + got.stream().map(d -> d.length).toList(), e);
      }
      byte[] b = new byte[p.getLength()];
      System.arraycopy(p.getData(), 0, b, 0, b.length);
      got.add(b);
    }
    return got;
  }

  private static byte[] datagram(int index, int length) {
    byte[] d = new byte[length];
    for (int i = 0; i < length; i++) {
      d[i] = (byte) (index * 31 + i);
    }
    return d;
  }

  private static void assertSame(List<byte[]> sent, List<byte[]> got) {
    assertEquals(sent.size(), got.size());
    for (int i = 0; i < sent.size(); i++) {
      assertArrayEquals(sent.get(i), got.get(i), "datagram " + i + " of " + sent.size() + ": length "
          + sent.get(i).length + ", got " + got.get(i).length);
    }
    assertEquals(sent.stream().map(d -> d.length).toList(), relayed, "the relay saw each datagram alone");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 17, 63, 64})
  void runsOfOneSizeWithAShortLastOneKeepTheirBoundaries(int segments) throws Exception {
    try (DatagramSocket sink = sink()) {
      List<byte[]> sent = new ArrayList<>();
      for (int i = 0; i < segments; i++) {
        sent.add(datagram(i, i == segments - 1 && segments > 1 ? 333 : 1000));
      }
      long sends = onLoop(() -> tunnel.segmentedSends());
      long joined = onLoop(() -> tunnel.segmentedDatagrams());
      assertRelayed(sent, sink);
      if (segments > 1) {
        assertEquals(1, onLoop(() -> tunnel.segmentedSends()) - sends, "one segmented send carried the run onwards");
        assertEquals(segments, onLoop(() -> tunnel.segmentedDatagrams()) - joined);
      }
    }
  }

  private static long onLoop(java.util.function.LongSupplier read) throws Exception {
    CompletableFuture<Long> value = new CompletableFuture<>();
    vertx.runOnContext(v -> value.complete(read.getAsLong()));
    return value.get(10, TimeUnit.SECONDS);
  }

  @Test
  void mixedSizesAndTheLargestDatagramKeepTheirBoundaries() throws Exception {
    try (DatagramSocket sink = sink()) {
      int[] lengths = {1200, 1200, 1200, 88, 1200, 1200, 1, 1, 1, 1400, 1500, 1500, 65_507, 700, 700, 88, 88, 88};
      List<byte[]> sent = new ArrayList<>();
      for (int i = 0; i < lengths.length; i++) {
        sent.add(datagram(i, lengths[i]));
      }
      assertRelayed(sent, sink);
    }
  }

  @Test
  void moreThanOneSendsWorthOfSegmentsIsSplitAtTheLimits() throws Exception {
    try (DatagramSocket sink = sink()) {
      List<byte[]> sent = new ArrayList<>();
      for (int i = 0; i < 150; i++) {
        sent.add(datagram(i, 1400));
      }
      assertRelayed(sent, sink);
    }
  }

  @Test
  void batchesReadOneAtATimeLeaveNoBufferBehind() throws Exception {
    io.netty.buffer.ByteBufAllocatorMetric metric =
        ((io.netty.buffer.ByteBufAllocatorMetricProvider) DatagramTransport.ALLOCATOR).metric();
    try (DatagramSocket sink = sink()) {
      List<byte[]> run = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        run.add(datagram(i, 1000));
      }
      assertRelayed(run, sink);
      long before = metric.usedDirectMemory();
      for (int round = 0; round < 150; round++) {
        assertRelayed(run, sink);
      }
      long grown = metric.usedDirectMemory() - before;
      assertTrue(grown < 32L << 20, "300 runs of 10 datagrams left " + grown + " bytes of direct memory in use");
    }
  }

  private static DatagramSocket sink() throws Exception {
    DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    s.setReceiveBufferSize(4 << 20);
    s.setSoTimeout(3000);
    return s;
  }
}
