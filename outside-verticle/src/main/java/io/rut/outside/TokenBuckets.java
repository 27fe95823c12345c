package io.rut.outside;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token buckets by key (a source address), in a table of bounded size: the least recently used
 * bucket is forgotten first, so a flood from many sources costs bounded memory.
 */
final class TokenBuckets<K> {

  private final int capacity;
  private double ratePerNano;
  private double burst;
  private final LinkedHashMap<K, double[]> buckets;

  TokenBuckets(int capacity, double perSecond, double burst) {
    this.capacity = capacity;
    this.buckets = new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, double[]> eldest) {
        return size() > TokenBuckets.this.capacity;
      }
    };
    setRate(perSecond, burst);
  }

  void setRate(double perSecond, double burst) {
    this.ratePerNano = perSecond / 1e9;
    this.burst = Math.max(1, burst);
  }

  /** Takes one token for {@code key} if there is one. */
  boolean take(K key, long now) {
    double[] b = buckets.get(key);
    if (b == null) {
      b = new double[] {burst, now};
      buckets.put(key, b);
    }
    b[0] = Math.min(burst, b[0] + (now - (long) b[1]) * ratePerNano);
    b[1] = now;
    if (b[0] < 1) {
      return false;
    }
    b[0] -= 1;
    return true;
  }

  int size() {
    return buckets.size();
  }
}
