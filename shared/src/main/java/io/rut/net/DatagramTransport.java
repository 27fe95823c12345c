package io.rut.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.rut.config.DataPathConfig;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.transport.Transport;
import java.net.SocketAddress;
import java.util.concurrent.ThreadFactory;

/**
 * Vert.x's transport (epoll where the native library loads, NIO otherwise) with datagram sockets
 * set up for a relay. Vert.x ties the read buffer to SO_RCVBUF: a read buffer big enough for a
 * 65,507-byte datagram would then leave the kernel queue small, and a big kernel queue would make
 * every read allocate megabytes. This sets the two apart: reads sized for the largest datagram,
 * a kernel queue sized for bursts.
 */
public final class DatagramTransport implements Transport {

  /** Largest UDP payload over IPv6 without jumbograms; IPv4's 65,507 fits too. */
  public static final int READ_BUFFER = 65_536;
  /** Requested kernel queues; Linux caps them at net.core.rmem_max / wmem_max. */
  public static final int KERNEL_BUFFER = 4 << 20;
  /** Datagrams read per wakeup of the event loop (Vert.x would read one). */
  public static final int READS_PER_WAKEUP = 16;
  /** Datagrams one recvmmsg reads at most on a shared socket; each gets a slot of {@link #READ_BUFFER}. */
  public static final int DATAGRAMS_PER_READ = 8;

  private final Transport base;
  private final Spi spi;

  private DatagramTransport(Transport base, DataPathConfig dataPath) {
    this.base = base;
    this.spi = new Spi(base.implementation(), dataPath);
  }

  /** The native transport where it is available, NIO otherwise; both tuned for datagrams. */
  public static DatagramTransport best() {
    return best(DataPathConfig.DEFAULT);
  }

  /** As {@link #best()}, its sockets batching datagrams as {@code dataPath} allows. */
  public static DatagramTransport best(DataPathConfig dataPath) {
    Transport t = Transport.nativeTransport();
    return new DatagramTransport(t != null && t.available() ? t : Transport.NIO, dataPath);
  }

  /** The data path settings of {@code vertx}'s transport (the defaults for another transport). */
  static DataPathConfig dataPathOf(io.vertx.core.internal.VertxInternal vertx) {
    return vertx.transport() instanceof Spi s ? s.dataPath : DataPathConfig.DEFAULT;
  }

  @Override
  public String name() {
    return base.name();
  }

  @Override
  public boolean available() {
    return true;
  }

  @Override
  public Throwable unavailabilityCause() {
    return null;
  }

  @Override
  public io.vertx.core.spi.transport.Transport implementation() {
    return spi;
  }

  /**
   * The data path's buffers: Netty's pooled allocator with 1 MiB chunks, whatever the heap limit.
   * Netty's default allocator takes a fresh, zeroed 64 KiB buffer for every read when the heap
   * limit is 512 MB or less (the JVM's default limit on a host with 2 GB or less), which halved
   * the round trips at twice the CPU (docs/PERFORMANCE.md, "Memory on a small host"); 1 MiB
   * chunks instead of 4 hold 3-6 MB less and still fit a batched read (8 x 64 KiB).
   *
   * <p>Pages are 64 KiB (16 per chunk), so that a read buffer is a "small" allocation, which the
   * event loop's own cache recycles. With 8 KiB pages it would be a "normal" one of 8 pages, too
   * big for that cache: every read would take a run from the shared arena, and a chunk whose last
   * read buffer came back was freed and, a moment later, allocated and zeroed again (7-9 % of
   * the agents' CPU per round trip at 16 and 200 clients, docs/PERFORMANCE.md).
   */
  static final ByteBufAllocator ALLOCATOR = new PooledByteBufAllocator(true, 0,
      PooledByteBufAllocator.defaultNumDirectArena(), READ_BUFFER, 4,
      PooledByteBufAllocator.defaultSmallCacheSize(), PooledByteBufAllocator.defaultNormalCacheSize(),
      PooledByteBufAllocator.defaultUseCacheForAllThreads());

  /** Kernel queues sized for bursts, reads for the largest datagram, several per wakeup. */
  static void tune(DatagramChannel channel) {
    channel.config().setAllocator(ALLOCATOR);
    channel.config().setReceiveBufferSize(KERNEL_BUFFER);
    channel.config().setSendBufferSize(KERNEL_BUFFER);
    channel.config().setRecvByteBufAllocator(new BatchedReads(READ_BUFFER, READS_PER_WAKEUP));
  }

  /**
   * On the native transport, for a socket that many peers send to (the outside's), recvmmsg into
   * slots of the largest datagram (a smaller slot would cut longer datagrams short); for the
   * others, or with {@code batchedReads} off, UDP_GRO. Not both on one socket: Netty's recvmmsg
   * (up to 4.2.18) loses GRO's segment size, so a run of datagrams would come up as one, and the
   * workaround for that (IP_RECVORIGDSTADDR) leaks the read buffer of each run read alone
   * (SegmentsTest measured 160 MB after 300 runs).
   *
   * @return what the kernel refused, or null
   */
  static String tuneBatches(DatagramChannel channel, DataPathConfig dataPath, boolean shared) {
    if (!(channel instanceof EpollDatagramChannel)) {
      return null;
    }
    if (shared && dataPath.batchedReads()) {
      channel.config().setOption(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, READ_BUFFER);
      channel.config().setRecvByteBufAllocator(new BatchedReads(READ_BUFFER * DATAGRAMS_PER_READ, READS_PER_WAKEUP));
      return null;
    }
    if (!shared) {
      // A tunnel's socket mostly holds one datagram when it wakes. Edge-triggered, Netty must read
      // until the kernel says EAGAIN: two recvmsg per datagram. Level-triggered with one read
      // per wakeup, it makes one; what is left wakes the loop again (and GRO makes a run one read).
      channel.config().setOption(EpollChannelOption.EPOLL_MODE, io.netty.channel.epoll.EpollMode.LEVEL_TRIGGERED);
      channel.config().setRecvByteBufAllocator(new BatchedReads(READ_BUFFER, 1));
    }
    if (dataPath.gro()) {
      try {
        channel.config().setOption(EpollChannelOption.UDP_GRO, true);
      } catch (ChannelException e) {
        return "UDP_GRO: " + (e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
      }
    }
    return null;
  }

  /**
   * Reads sized for the largest datagram, several per wakeup: Vert.x asks for one per wakeup after
   * configuring the channel, which costs an epoll round per datagram under load.
   */
  private static final class BatchedReads extends FixedRecvByteBufAllocator {
    BatchedReads(int size, int perWakeup) {
      super(size);
      super.maxMessagesPerRead(perWakeup);
    }

    @Override
    public io.netty.channel.MaxMessagesRecvByteBufAllocator maxMessagesPerRead(int ignored) {
      return this;
    }
  }

  private static final class Spi implements io.vertx.core.spi.transport.Transport {
    private final io.vertx.core.spi.transport.Transport d;
    private final DataPathConfig dataPath;

    Spi(io.vertx.core.spi.transport.Transport d, DataPathConfig dataPath) {
      this.d = d;
      this.dataPath = dataPath;
    }

    @Override
    public void configure(DatagramChannel channel, DatagramSocketOptions options) {
      d.configure(channel, options);
      tune(channel);
    }

    @Override
    public boolean supportsDomainSockets() {
      return d.supportsDomainSockets();
    }

    @Override
    public boolean supportFileRegion() {
      return d.supportFileRegion();
    }

    @Override
    public boolean isAvailable() {
      return d.isAvailable();
    }

    @Override
    public Throwable unavailabilityCause() {
      return d.unavailabilityCause();
    }

    @Override
    public SocketAddress convert(io.vertx.core.net.SocketAddress address) {
      return d.convert(address);
    }

    @Override
    public io.vertx.core.net.SocketAddress convert(SocketAddress address) {
      return d.convert(address);
    }

    @Override
    public IoHandlerFactory ioHandlerFactory() {
      return d.ioHandlerFactory();
    }

    @Override
    public EventLoopGroup eventLoopGroup(int type, int nThreads, ThreadFactory threadFactory, int ioRatio) {
      return d.eventLoopGroup(type, nThreads, threadFactory, ioRatio);
    }

    @Override
    public DatagramChannel datagramChannel() {
      return d.datagramChannel();
    }

    @Override
    public DatagramChannel datagramChannel(InternetProtocolFamily family) {
      return d.datagramChannel(family);
    }

    @Override
    public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
      return d.channelFactory(domainSocket);
    }

    @Override
    public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
      return d.serverChannelFactory(domainSocket);
    }

    @Override
    public void configure(ClientOptionsBase options, int connectTimeout, boolean domainSocket, Bootstrap bootstrap) {
      d.configure(options, connectTimeout, domainSocket, bootstrap);
    }

    @Override
    public void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap bootstrap) {
      d.configure(options, domainSocket, bootstrap);
    }
  }
}
