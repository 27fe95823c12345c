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
  private final LinkedHashMap<K, Bucket> buckets;

  TokenBuckets(int capacity, double perSecond, double burst) {
    this.capacity = capacity;
    this.buckets = new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, Bucket> eldest) {
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
    Bucket b = buckets.get(key);
    if (b == null) {
      b = new Bucket(burst, now);
      buckets.put(key, b);
    }
    b.tokens = Math.min(burst, b.tokens + (now - b.last) * ratePerNano);
    b.last = now;
    if (b.tokens < 1) {
      return false;
    }
    b.tokens -= 1;
    return true;
  }

  /** The time stays a long: as a double, a nanoTime above 2^53 would round and cost a token. */
  private static final class Bucket {
    double tokens;
    long last;

    Bucket(double tokens, long last) {
      this.tokens = tokens;
      this.last = last;
    }
  }

  int size() {
    return buckets.size();
  }
}
