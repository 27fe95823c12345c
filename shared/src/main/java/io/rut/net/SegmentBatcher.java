package io.rut.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.epoll.SegmentedDatagramPacket;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * The writes of one socket, joined where the kernel can split them again: consecutive datagrams to
 * one destination, all of one size but the last, which may be shorter, leave as one UDP_SEGMENT
 * (GSO) send, and the kernel (or the network card) cuts them apart at exactly those boundaries.
 * A run ends at another destination, another size, a shorter datagram, {@link #MAX_SEGMENTS}
 * datagrams or {@link #MAX_BYTES}, and at each flush. Where the kernel refuses a segmented send
 * (no checksum offload on the way out: EIO; segments larger than the route's MTU: EMSGSIZE or
 * EINVAL), the run is sent again datagram by datagram and the socket stops joining.
 *
 * <p>A run of datagrams that lie back to back in one read buffer (the pieces of one coalesced
 * read, forwarded as they came) leaves as one slice of that buffer rather than one piece per
 * datagram, which spares a buffer view and an I/O vector per datagram.
 */
final class SegmentBatcher {

  /** The kernel's limit on segments per send (UDP_MAX_SEGMENTS, 64 before Linux 6.9). */
  static final int MAX_SEGMENTS = 64;
  /** What one UDP datagram can carry over IPv4, and so one segmented send. */
  static final int MAX_BYTES = 65_507;

  private final DatagramChannel channel;
  private final ChannelFutureListener onWrite;
  private final Consumer<String> onRefused;
  private boolean joining;
  private ByteBuf first;
  private CompositeByteBuf run;
  private InetSocketAddress to;
  private int size;
  private int bytes;
  private int count;
  private boolean ended;
  private long nextAddress;
  private long segmentedSends;
  private long segmentedDatagrams;

  /**
   * @param joining   whether to join at all (GSO on, supported by this kernel and transport)
   * @param onWrite   told of every write's outcome
   * @param onRefused told once, with the error, when the kernel refuses segmented sends
   */
  SegmentBatcher(DatagramChannel channel, boolean joining, ChannelFutureListener onWrite, Consumer<String> onRefused) {
    this.channel = channel;
    this.joining = joining;
    this.onWrite = onWrite;
    this.onRefused = onRefused;
  }

  boolean joining() {
    return joining;
  }

  /** Adds a datagram to send; {@code data} is the batcher's now (it is released once sent). */
  void add(ByteBuf data, InetSocketAddress dest) {
    int len = data.readableBytes();
    if (first != null && !ended && len > 0 && len <= size && count < MAX_SEGMENTS && bytes + len <= MAX_BYTES
        && (dest == to || dest.equals(to))) {
      if (run == null && nextAddress != 0 && follows(data)) {
        data.release(); // first's root buffer holds these bytes until the run is sent
        nextAddress += len;
      } else {
        if (run == null) {
          run = channel.alloc().compositeDirectBuffer(MAX_SEGMENTS);
          run.addComponent(true, span());
          nextAddress = 0;
        }
        run.addComponent(true, data);
      }
      bytes += len;
      count++;
      ended = len < size;
      return;
    }
    flush();
    if (!joining) {
      channel.write(new DatagramPacket(data, dest)).addListener(onWrite);
      return;
    }
    first = data;
    to = dest;
    size = len;
    bytes = len;
    count = 1;
    ended = len == 0;
    nextAddress = data.unwrap() != null && data.hasMemoryAddress() ? start(data) + len : 0;
  }

  /**
   * Whether {@code data} starts where the run ends, in the same read buffer as its first datagram
   * (only asked while {@code nextAddress} is set, so {@code first} is a piece of a read buffer).
   */
  private boolean follows(ByteBuf data) {
    return data.hasMemoryAddress() && start(data) == nextAddress && data.unwrap() == first.unwrap();
  }

  private static long start(ByteBuf b) {
    return b.memoryAddress() + b.readerIndex();
  }

  /** The run so far as one buffer: {@code first}, or a slice of its read buffer that spans the run. */
  private ByteBuf span() {
    if (bytes == first.readableBytes()) {
      return first;
    }
    ByteBuf root = first.unwrap();
    ByteBuf span = root.retainedSlice((int) (start(first) - root.memoryAddress()), bytes);
    first.release();
    first = span;
    return span;
  }

  /** Writes the open run (the channel's flush sends it). */
  void flush() {
    if (first == null) {
      return;
    }
    if (count == 1) {
      channel.write(new DatagramPacket(first, to)).addListener(onWrite);
    } else {
      segmentedSends++;
      segmentedDatagrams += count;
      ByteBuf content = run != null ? run : span();
      ByteBuf again = content.retainedDuplicate();
      InetSocketAddress dest = to;
      int segment = size;
      channel.write(new SegmentedDatagramPacket(content, segment, dest))
          .addListener((ChannelFutureListener) f -> sent(f, again, segment, dest));
    }
    first = null;
    run = null;
  }

  private void sent(ChannelFuture f, ByteBuf again, int segment, InetSocketAddress dest) throws Exception {
    if (f.isSuccess() || !refusedSegments(f.cause())) {
      again.release();
      onWrite.operationComplete(f);
      return;
    }
    if (joining) {
      joining = false;
      onRefused.accept(f.cause().getMessage());
    }
    while (again.isReadable()) {
      ByteBuf one = again.readRetainedSlice(Math.min(segment, again.readableBytes()));
      channel.write(new DatagramPacket(one, dest)).addListener(onWrite);
    }
    again.release();
    channel.flush();
  }

  private static boolean refusedSegments(Throwable e) {
    String m = String.valueOf(e.getMessage());
    return m.contains("Input/output error") || m.contains("Invalid argument") || m.contains("Message too long");
  }

  /** Segmented sends written so far, and the datagrams they held. */
  long segmentedSends() {
    return segmentedSends;
  }

  long segmentedDatagrams() {
    return segmentedDatagrams;
  }

  /** Whether segmented sends can work here at all. */
  static boolean supported(DatagramChannel channel) {
    try {
      return channel instanceof io.netty.channel.epoll.EpollDatagramChannel && SegmentedDatagramPacket.isSupported();
    } catch (LinkageError e) {
      return false;
    }
  }
}
