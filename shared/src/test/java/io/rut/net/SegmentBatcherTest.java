package io.rut.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.epoll.SegmentedDatagramPacket;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the batcher hands to its channel: the pieces of one coalesced read, forwarded in order,
 * leave as one slice of their read buffer; pieces that do not lie back to back in one buffer are
 * joined piece by piece. Each case checks the bytes, the segment size, and that every buffer is
 * released once the send is done with it.
 */
@ExtendWith(VertxExtension.class)
class SegmentBatcherTest {

  private static final InetSocketAddress TO = new InetSocketAddress("127.0.0.1", 9);
  private static Vertx vertx;

  @BeforeAll
  static void nativeTransport() {
    vertx = Vertx.builder().withTransport(DatagramTransport.best(io.rut.config.DataPathConfig.DEFAULT)).build();
  }

  @AfterAll
  static void close() {
    vertx.close().await();
  }

  /** Runs {@code body} on the event loop of an epoll channel that keeps what is written to it. */
  private static void onChannel(VertxTestContext test, BiConsumer<SegmentBatcher, List<Object>> body) {
    VertxInternal vx = (VertxInternal) vertx;
    ContextInternal context = vx.createEventLoopContext();
    DatagramChannel channel = vx.transport().datagramChannel(InternetProtocolFamily.IPv4);
    Assumptions.assumeTrue(SegmentBatcher.supported(channel), "segmented sends need the native transport");
    List<Object> written = new ArrayList<>();
    channel.pipeline().addLast(new ChannelOutboundHandlerAdapter() {
      @Override
      public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        written.add(msg);
        promise.setSuccess();
      }
    });
    context.nettyEventLoop().register(channel).addListener(r -> {
      test.verify(() -> {
        assertTrue(r.isSuccess(), "registered");
        body.accept(new SegmentBatcher(channel, true, f -> { }, e -> { }), written);
      });
      channel.close();
      test.completeNow();
    });
  }

  /** A read buffer holding datagrams of these lengths, cut into pieces as the transport cuts a GRO read. */
  private static List<ByteBuf> coalescedRead(int seed, int... lengths) {
    int total = 0;
    for (int length : lengths) {
      total += length;
    }
    ByteBuf root = DatagramTransport.ALLOCATOR.directBuffer(total);
    for (int i = 0; i < total; i++) {
      root.writeByte(seed + i * 7);
    }
    List<ByteBuf> pieces = new ArrayList<>();
    for (int length : lengths) {
      pieces.add(root.readRetainedSlice(length));
    }
    root.release(); // the pieces hold it now
    return pieces;
  }

  private static String bytesOf(List<ByteBuf> pieces) {
    StringBuilder hex = new StringBuilder();
    pieces.forEach(p -> hex.append(ByteBufUtil.hexDump(p)));
    return hex.toString();
  }

  /** Adds {@code pieces}, flushes, and returns the one segmented send that must come of it. */
  private static SegmentedDatagramPacket sendRun(SegmentBatcher batcher, List<Object> written, List<ByteBuf> pieces) {
    for (ByteBuf piece : pieces) {
      batcher.add(piece, TO);
    }
    batcher.flush();
    assertEquals(1, written.size(), "one write");
    return assertInstanceOf(SegmentedDatagramPacket.class, written.get(0));
  }

  @Test
  void piecesOfOneReadLeaveAsOneSliceOfIt(VertxTestContext test) {
    onChannel(test, (batcher, written) -> {
      List<ByteBuf> pieces = coalescedRead(1, 1000, 1000, 1000, 1000, 333);
      ByteBuf root = pieces.get(0).unwrap();
      String expected = bytesOf(pieces);
      SegmentedDatagramPacket sent = sendRun(batcher, written, pieces);
      assertTrue(!(sent.content() instanceof CompositeByteBuf), "one slice, not a piece per datagram");
      assertEquals(1000, sent.segmentSize());
      assertEquals(expected, ByteBufUtil.hexDump(sent.content()));
      sent.release();
      assertEquals(0, root.refCnt(), "the read buffer is released with the send");
    });
  }

  @Test
  void piecesWithAGapBetweenThemAreJoinedPieceByPiece(VertxTestContext test) {
    onChannel(test, (batcher, written) -> {
      List<ByteBuf> read = coalescedRead(2, 500, 500, 500, 500);
      ByteBuf root = read.get(0).unwrap();
      read.remove(1).release(); // a datagram the relay did not forward (control, or another client's)
      String expected = bytesOf(read);
      SegmentedDatagramPacket sent = sendRun(batcher, written, read);
      assertInstanceOf(CompositeByteBuf.class, sent.content());
      assertEquals(500, sent.segmentSize());
      assertEquals(expected, ByteBufUtil.hexDump(sent.content()));
      sent.release();
      assertEquals(0, root.refCnt());
    });
  }

  @Test
  void piecesOfTwoReadsAreJoinedPieceByPiece(VertxTestContext test) {
    onChannel(test, (batcher, written) -> {
      List<ByteBuf> first = coalescedRead(3, 700, 700);
      List<ByteBuf> second = coalescedRead(4, 700, 700);
      ByteBuf firstRoot = first.get(0).unwrap();
      ByteBuf secondRoot = second.get(0).unwrap();
      List<ByteBuf> run = new ArrayList<>(first);
      run.addAll(second);
      String expected = bytesOf(run);
      SegmentedDatagramPacket sent = sendRun(batcher, written, run);
      assertInstanceOf(CompositeByteBuf.class, sent.content());
      assertEquals(expected, ByteBufUtil.hexDump(sent.content()));
      sent.release();
      assertEquals(0, firstRoot.refCnt());
      assertEquals(0, secondRoot.refCnt());
    });
  }

  @Test
  void aRunThatEndsAtAnotherSizeLeavesInTwoWrites(VertxTestContext test) {
    onChannel(test, (batcher, written) -> {
      List<ByteBuf> pieces = coalescedRead(5, 800, 800, 800, 900);
      ByteBuf root = pieces.get(0).unwrap();
      String expected = bytesOf(pieces);
      for (ByteBuf piece : pieces) {
        batcher.add(piece, TO);
      }
      batcher.flush();
      assertEquals(2, written.size(), "a run of three and a datagram alone");
      SegmentedDatagramPacket run = assertInstanceOf(SegmentedDatagramPacket.class, written.get(0));
      assertTrue(!(run.content() instanceof CompositeByteBuf));
      io.netty.channel.socket.DatagramPacket alone =
          assertInstanceOf(io.netty.channel.socket.DatagramPacket.class, written.get(1));
      assertEquals(expected, ByteBufUtil.hexDump(run.content()) + ByteBufUtil.hexDump(alone.content()));
      run.release();
      alone.release();
      assertEquals(0, root.refCnt());
    });
  }
}
