package io.rut.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.InternetProtocolFamily;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import io.vertx.core.internal.VertxInternal;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A UDP socket of the data path: a channel of Vert.x's transport on the owning verticle's event
 * loop, without the per-datagram costs of Vert.x's {@code DatagramSocket} (a heap copy of every
 * datagram, a name resolution and two promises per send, one flush per datagram).
 *
 * <ul>
 *   <li>A received datagram is handed over as the read buffer itself, valid during the call only:
 *       forward it with {@link #forward}, which sends those same bytes; copy it to keep it.</li>
 *   <li>What one wakeup reads (up to 64 datagrams of a coalesced read, times the reads per wakeup)
 *       is handed over in one go, with one time for all of it, so that the per-datagram work is
 *       the relay's own.</li>
 *   <li>Sends take a resolved address and are flushed once per round of the event loop, so what
 *       a burst of reads produces leaves in one {@code sendmmsg} where the transport has it.</li>
 * </ul>
 * Create, use and close it on the owning verticle's context only.
 */
public final class RelaySocket {

  /** Receives one datagram; {@code data} is only valid during the call. */
  public interface Receiver {
    /**
     * @param now {@link System#nanoTime()} when the wakeup that read it began to be handled
     */
    void onDatagram(ByteBuf data, InetSocketAddress sender, long now);
  }

  private final ContextInternal context;
  private final DatagramChannel channel;
  private final SegmentBatcher batcher;
  private final String refused;
  private final Runnable flush = this::flush;
  private final ChannelFutureListener onWrite = this::onWrite;
  private Receiver receiver;
  private Handler<Throwable> exceptionHandler;
  private Handler<Throwable> sendFailureHandler;
  private Handler<BatchingRefused> refusedHandler;
  private boolean flushScheduled;
  private final String batching;

  private RelaySocket(ContextInternal context, DatagramChannel channel, boolean gso, String refused) {
    this.context = context;
    this.channel = channel;
    this.refused = refused;
    boolean gro = channel.config() instanceof io.netty.channel.epoll.EpollDatagramChannelConfig c && c.isUdpGro();
    boolean mmsg = channel.config() instanceof io.netty.channel.epoll.EpollDatagramChannelConfig c
        && c.getMaxDatagramPayloadSize() > 0;
    this.batcher = new SegmentBatcher(channel, gso && SegmentBatcher.supported(channel), onWrite, this::segmentsRefused);
    this.batching = ((mmsg ? "recvmmsg " : "") + (gro ? "gro " : "") + (batcher.joining() ? "gso" : "")).trim();
  }

  /** How this socket batches, for the log: {@code recvmmsg}, {@code gro}, {@code gso}, or empty. */
  public String batching() {
    return batching.isEmpty() ? "none" : batching;
  }

  /** A socket of the family of {@code peer} (IPv6 sockets are dual-stack), on the calling verticle's context. */
  public static RelaySocket create(Vertx vertx, InetSocketAddress peer) {
    return create(vertx, peer.getAddress() instanceof java.net.Inet6Address, false);
  }

  /**
   * An IPv4 or a dual-stack IPv6 socket, on the calling verticle's context.
   *
   * @param shared whether many peers send to it (the outside's service socket): it then reads up
   *               to 16 datagrams per wakeup (with recvmmsg where dataPath.batchedReads is on);
   *               a tunnel's socket reads one per wakeup, level-triggered
   */
  public static RelaySocket create(Vertx vertx, boolean ipv6, boolean shared) {
    VertxInternal vx = (VertxInternal) vertx;
    return register(vx, vx.getOrCreateContext(), channel(vx, ipv6), shared);
  }

  /**
   * A socket bound to {@code source}, which may be an address of another host, so that what it
   * sends comes from there (IP_TRANSPARENT: needs the native transport and CAP_NET_ADMIN or
   * CAP_NET_RAW). Call it on the owning verticle's event loop: the socket is bound when it returns.
   *
   * @throws IOException naming why the socket could not be opened or bound
   */
  public static RelaySocket transparent(Vertx vertx, InetSocketAddress source) throws IOException {
    VertxInternal vx = (VertxInternal) vertx;
    ContextInternal context = vx.getOrCreateContext();
    if (!context.nettyEventLoop().inEventLoop()) {
      throw new IllegalStateException("a transparent socket is opened on its verticle's event loop");
    }
    DatagramChannel channel = channel(vx, source.getAddress() instanceof java.net.Inet6Address);
    try {
      if (!channel.config().setOption(EpollChannelOption.IP_TRANSPARENT, true)) {
        throw new IOException("IP_TRANSPARENT needs the native epoll transport, and " + vx.transport().getClass()
            .getSimpleName() + " is in use");
      }
    } catch (ChannelException e) {
      channel.unsafe().closeForcibly();
      throw new IOException("IP_TRANSPARENT refused: " + rootMessage(e), e);
    } catch (IOException e) {
      channel.unsafe().closeForcibly();
      throw e;
    }
    RelaySocket socket = register(vx, context, channel, false);
    ChannelFuture bound = channel.bind(source);
    if (!bound.isDone() || !bound.isSuccess()) {
      channel.close();
      throw new IOException("cannot bind to " + Udp.show(source) + ": "
          + (bound.isDone() ? rootMessage(bound.cause()) : "bind did not complete on the event loop"));
    }
    return socket;
  }

  private static DatagramChannel channel(VertxInternal vx, boolean ipv6) {
    DatagramChannel channel = vx.transport().datagramChannel(
        ipv6 ? InternetProtocolFamily.IPv6 : InternetProtocolFamily.IPv4);
    vx.transport().configure(channel, new DatagramSocketOptions().setIpV6(ipv6));
    DatagramTransport.tune(channel);
    channel.config().setOption(ChannelOption.DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION, true);
    return channel;
  }

  private static RelaySocket register(VertxInternal vx, ContextInternal context, DatagramChannel channel,
                                      boolean shared) {
    io.rut.config.DataPathConfig dataPath = DatagramTransport.dataPathOf(vx);
    String refused = DatagramTransport.tuneBatches(channel, dataPath, shared);
    RelaySocket socket = new RelaySocket(context, channel, dataPath.gso(), refused);
    channel.pipeline().addLast("rut", new ReadRound(context, () -> socket.receiver, () -> socket.exceptionHandler));
    context.nettyEventLoop().register(channel);
    return socket;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  public RelaySocket handler(Receiver receiver) {
    this.receiver = receiver;
    return this;
  }

  /** Errors of the socket itself (not of one send). */
  public RelaySocket exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  /**
   * Told, on the socket's context, of each batching the kernel refuses: UDP_GRO when the socket was
   * opened (told as soon as the handler is set; the socket then reads one datagram per read), and
   * segmented sends the first time one is refused (the socket then sends one datagram per send).
   */
  public RelaySocket batchingRefusedHandler(Handler<BatchingRefused> handler) {
    this.refusedHandler = handler;
    if (refused != null && handler != null) {
      context.emit(BatchingRefused.gro(refused), handler);
    }
    return this;
  }

  /** Segmented (GSO) sends so far; read on the socket's event loop. */
  public long segmentedSends() {
    return batcher.segmentedSends();
  }

  /** Datagrams that left in segmented sends so far; read on the socket's event loop. */
  public long segmentedDatagrams() {
    return batcher.segmentedDatagrams();
  }

  /** Whether sends to one destination are joined into segmented (GSO) sends. */
  public boolean joinsSends() {
    return batcher.joining();
  }

  /** A datagram given to {@link #forward} or {@link #send} that could not be sent. */
  public RelaySocket sendFailureHandler(Handler<Throwable> handler) {
    this.sendFailureHandler = handler;
    return this;
  }

  public Future<RelaySocket> listen(int port, String host) {
    PromiseInternal<Void> bound = context.promise();
    channel.bind(new InetSocketAddress(host, port)).addListener(bound);
    return bound.future().map(v -> this);
  }

  /**
   * Sends the bytes of a received datagram as they are, without copying them. It takes a reference
   * to {@code data} itself (no duplicate), so the caller must not move its indices afterwards.
   */
  public void forward(ByteBuf data, InetSocketAddress to) {
    write(data.retain(), to);
  }

  /** Sends {@code header} and then the bytes of a received datagram, copying neither. */
  public void forward(byte[] header, ByteBuf data, InetSocketAddress to) {
    write(Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(header), data.retain()), to);
  }

  /** Sends a datagram of our own (a held datagram); {@code data} is not copied, so not reused. */
  public void send(byte[] data, InetSocketAddress to) {
    write(Unpooled.wrappedBuffer(data), to);
  }

  /** Sends and flushes at once; the future tells whether the datagram left. */
  public Future<Void> sendNow(byte[] data, InetSocketAddress to) {
    PromiseInternal<Void> sent = context.promise();
    batcher.flush(); // what was queued before leaves before
    channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(data), to)).addListener(sent);
    return sent.future();
  }

  public InetSocketAddress localAddress() {
    return channel.localAddress();
  }

  public Future<Void> close() {
    if (!channel.isOpen()) {
      return context.succeededFuture();
    }
    PromiseInternal<Void> closed = context.promise();
    batcher.flush();
    channel.flush();
    channel.close().addListener(closed);
    return closed.future();
  }

  private void write(ByteBuf data, InetSocketAddress to) {
    batcher.add(data, to);
    if (!flushScheduled) {
      flushScheduled = true;
      channel.eventLoop().execute(flush);
    }
  }

  private void flush() {
    flushScheduled = false;
    batcher.flush();
    channel.flush();
  }

  private void segmentsRefused(String error) {
    if (refusedHandler != null) {
      context.emit(BatchingRefused.segments(error), refusedHandler);
    }
  }

  private void onWrite(io.netty.channel.ChannelFuture f) {
    if (!f.isSuccess() && sendFailureHandler != null) {
      context.emit(f.cause(), sendFailureHandler);
    }
  }
}
