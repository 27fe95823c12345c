package io.rut.outside;

import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * Recently closed keys with an expiry, bounded in size (the least recently touched forgotten first). The outside keeps
 * the ids and addresses of tunnels it closed itself, so that a tunnel whose CLOSE is still in flight
 * cannot register again, and its last datagrams are not taken for a new client.
 */
final class Tombstones<K> {

  private final int capacity;
  private final LinkedHashMap<K, Long> until = new LinkedHashMap<>(16, 0.75f, true);

  Tombstones(int capacity) {
    this.capacity = capacity;
  }

  void add(K key, long untilNanos) {
    until.put(key, untilNanos);
    if (until.size() > capacity) {
      Iterator<K> oldest = until.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
  }

  /** True while {@code key} is buried; a hit extends the burial to {@code extendTo} if that is later. */
  boolean contains(K key, long now, long extendTo) {
    Long end = until.get(key);
    if (end == null) {
      return false;
    }
    if (now - end > 0) {
      until.remove(key);
      return false;
    }
    if (extendTo - end > 0) { // nanoTime values compare by difference only
      until.put(key, extendTo);
    }
    return true;
  }

  void remove(K key) {
    until.remove(key);
  }

  void expire(long now) {
    until.values().removeIf(end -> now - end > 0);
  }

  int size() {
    return until.size();
  }
}
