package io.rut.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.PooledByteBufAllocatorMetric;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class DatagramTransportTest {

  private static final PooledByteBufAllocatorMetric METRIC =
      (PooledByteBufAllocatorMetric) ((ByteBufAllocatorMetricProvider) DatagramTransport.ALLOCATOR).metric();

  /**
   * An event loop reads into a buffer of the largest datagram and releases it once the datagram has
   * been forwarded, a few at a time: those buffers must come back from the loop's own cache, not
   * from the shared arena, where a chunk would be freed and zeroed again as they come and go.
   */
  @Test
  void readBuffersAreRecycledByTheEventLoopsCache() throws Exception {
    AtomicReference<Throwable> failed = new AtomicReference<>();
    long before = arenaAllocations();
    Thread loop = new FastThreadLocalThread(() -> {
      try {
        ArrayDeque<ByteBuf> inFlight = new ArrayDeque<>();
        for (int i = 0; i < 10_000; i++) {
          inFlight.add(DatagramTransport.ALLOCATOR.directBuffer(DatagramTransport.READ_BUFFER,
              DatagramTransport.READ_BUFFER));
          if (inFlight.size() > i % 9) {
            while (!inFlight.isEmpty()) {
              inFlight.poll().release();
            }
          }
        }
        inFlight.forEach(ByteBuf::release);
      } catch (Throwable e) {
        failed.set(e);
      }
    }, "reader");
    loop.start();
    loop.join(20_000);
    assertEquals(null, failed.get());
    long fromArena = arenaAllocations() - before;
    assertTrue(fromArena <= 16, "10,000 reads took " + fromArena + " buffers from the shared arena");
  }

  @Test
  void aReadBufferHoldsTheLargestDatagramAndAChunkHoldsABatchedRead() {
    assertTrue(DatagramTransport.READ_BUFFER >= 65_535 - 8);
    assertTrue(METRIC.chunkSize() >= DatagramTransport.READ_BUFFER * DatagramTransport.DATAGRAMS_PER_READ);
    assertEquals(1 << 20, METRIC.chunkSize());
  }

  private static long arenaAllocations() {
    long n = 0;
    for (PoolArenaMetric arena : METRIC.directArenas()) {
      n += arena.numAllocations();
    }
    return n;
  }
}
