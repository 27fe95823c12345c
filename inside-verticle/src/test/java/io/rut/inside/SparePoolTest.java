package io.rut.inside;

import static io.rut.inside.TunnelHarness.MS;
import static io.rut.inside.TunnelHarness.S;
import static io.rut.inside.TunnelHarness.START;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rut.config.InsideServiceConfig;
import org.junit.jupiter.api.Test;

/** How many spares an inside service opens. */
class SparePoolTest {

  private static InsideServiceConfig config(int spares, int maxTunnels) {
    return TunnelHarness.config(json -> json.put("spares", spares).put("maxTunnels", maxTunnels));
  }

  @Test
  void opensSparesUpToTheConfiguredNumber() {
    SparePool pool = new SparePool();
    InsideServiceConfig c = config(3, 100);
    assertEquals(3, pool.toOpen(c, 0, 0, START));
    assertEquals(2, pool.toOpen(c, 1, 5, START));
    assertEquals(0, pool.toOpen(c, 3, 10, START));
    assertEquals(0, pool.toOpen(c, 5, 10, START), "never negative");
  }

  @Test
  void oneMoreSpareForEveryBindInTheLastSecond() {
    SparePool pool = new SparePool();
    InsideServiceConfig c = config(2, 100);
    pool.bound(START);
    pool.bound(START + 100 * MS);
    pool.bound(START + 200 * MS);
    assertEquals(5, pool.toOpen(c, 0, 3, START + 300 * MS));
    assertEquals(3, pool.toOpen(c, 2, 5, START + 300 * MS));
  }

  @Test
  void bindsOlderThanASecondAreForgotten() {
    SparePool pool = new SparePool();
    InsideServiceConfig c = config(2, 100);
    pool.bound(START);
    pool.bound(START + 500 * MS);
    assertEquals(4, pool.toOpen(c, 0, 2, START + 1 * S), "a bind exactly 1 s old still counts");
    assertEquals(3, pool.toOpen(c, 0, 2, START + 1 * S + 1));
    assertEquals(2, pool.toOpen(c, 0, 2, START + 1_500 * MS + 1));
    assertEquals(2, pool.toOpen(c, 0, 2, START + 60 * S));
  }

  @Test
  void atMost32MoreSpares() {
    SparePool pool = new SparePool();
    InsideServiceConfig c = config(2, 1000);
    for (int i = 0; i < 50; i++) {
      pool.bound(START + i * MS);
    }
    assertEquals(2 + 32, pool.toOpen(c, 0, 50, START + 50 * MS));
    assertEquals(SparePool.MAX_BURST_SPARES, 32);
  }

  @Test
  void neverPastMaxTunnels() {
    SparePool pool = new SparePool();
    InsideServiceConfig c = config(4, 10);
    assertEquals(2, pool.toOpen(c, 0, 8, START));
    assertEquals(0, pool.toOpen(c, 0, 10, START));
    assertEquals(0, pool.toOpen(c, 0, 12, START), "never negative either");
    for (int i = 0; i < 10; i++) {
      pool.bound(START);
    }
    assertEquals(3, pool.toOpen(c, 1, 7, START), "the burst stops at maxTunnels");
  }
}
