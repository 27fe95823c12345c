package io.rut.outside;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One service's tunnels on the outside agent: by id, by tunnel address and by client address, all
 * O(1); the free spares, newest last; and the new clients waiting for a spare. Touched by
 * its relay's event loop only.
 */
final class TunnelTable {

  private final Map<Long, OutsideTunnel> byId = new HashMap<>();
  private final Map<InetSocketAddress, OutsideTunnel> byAddress = new HashMap<>();
  private final Map<InetSocketAddress, OutsideTunnel> byClient = new HashMap<>();
  private final ArrayDeque<OutsideTunnel> spares = new ArrayDeque<>();
  private final LinkedHashMap<InetSocketAddress, PendingClient> pending = new LinkedHashMap<>();

  OutsideTunnel byId(long id) {
    return byId.get(id);
  }

  OutsideTunnel byAddress(InetSocketAddress a) {
    return byAddress.get(a);
  }

  OutsideTunnel byClient(InetSocketAddress a) {
    return byClient.get(a);
  }

  int size() {
    return byId.size();
  }

  int spareCount() {
    return byId.size() - byClient.size();
  }

  int activeCount() {
    return byClient.size();
  }

  java.util.Collection<OutsideTunnel> all() {
    return byId.values();
  }

  void add(OutsideTunnel t) {
    byId.put(t.id, t);
    byAddress.put(t.address, t);
    if (t.client == null) {
      offerSpare(t);
    }
  }

  /** Moves {@code t} to a new tunnel address (NAT rebinding); the old address is forgotten. */
  void move(OutsideTunnel t, InetSocketAddress to) {
    byAddress.remove(t.address, t);
    t.address = to;
    byAddress.put(to, t);
  }

  void remove(OutsideTunnel t) {
    // By identity: another tunnel may have taken the address (an inside restarted behind a NAT
    // that gave its new socket the same mapping), and it keeps it.
    byId.remove(t.id, t);
    byAddress.remove(t.address, t);
    if (t.client != null) {
      byClient.remove(t.client, t);
    }
    // A removed spare stays in the deque until pollSpare skips it: O(1) removal.
  }

  void bind(OutsideTunnel t, InetSocketAddress client) {
    t.client = client;
    byClient.put(client, t);
  }

  /** The newest free spare, or null. */
  OutsideTunnel pollSpare() {
    OutsideTunnel t;
    while ((t = spares.pollLast()) != null) {
      t.queued = false;
      if (t.client == null && byId.get(t.id) == t) {
        return t;
      }
    }
    return null;
  }

  /** {@code t} is free: the newest spare. */
  void offerSpare(OutsideTunnel t) {
    if (!t.queued) {
      t.queued = true;
      spares.addLast(t);
    }
  }

  /** {@code t} was passed over (it went quiet): it is taken last. */
  void returnSpare(OutsideTunnel t) {
    if (!t.queued) {
      t.queued = true;
      spares.addFirst(t);
    }
  }

  PendingClient pending(InetSocketAddress client) {
    return pending.get(client);
  }

  int pendingCount() {
    return pending.size();
  }

  PendingClient addPending(InetSocketAddress client) {
    PendingClient p = new PendingClient(client);
    pending.put(client, p);
    return p;
  }

  PendingClient removePending(InetSocketAddress client) {
    return pending.remove(client);
  }

  /** The client that has waited longest, or null. */
  PendingClient oldestPending() {
    Iterator<PendingClient> it = pending.values().iterator();
    return it.hasNext() ? it.next() : null;
  }

  Iterable<PendingClient> allPending() {
    return pending.values();
  }
}
