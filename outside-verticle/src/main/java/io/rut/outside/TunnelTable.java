package io.rut.outside;

import io.vertx.core.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One service's tunnels on the outside agent: by id, by tunnel address and by client address, all
 * O(1); the free spares in registration order; and the new clients waiting for a spare. Touched by
 * its relay's event loop only.
 */
final class TunnelTable {

  private final Map<Long, OutsideTunnel> byId = new HashMap<>();
  private final Map<SocketAddress, OutsideTunnel> byAddress = new HashMap<>();
  private final Map<SocketAddress, OutsideTunnel> byClient = new HashMap<>();
  private final ArrayDeque<OutsideTunnel> spares = new ArrayDeque<>();
  private final LinkedHashMap<SocketAddress, PendingClient> pending = new LinkedHashMap<>();

  OutsideTunnel byId(long id) {
    return byId.get(id);
  }

  OutsideTunnel byAddress(SocketAddress a) {
    return byAddress.get(a);
  }

  OutsideTunnel byClient(SocketAddress a) {
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
  void move(OutsideTunnel t, SocketAddress to, java.net.InetSocketAddress inet) {
    byAddress.remove(t.address);
    t.address = to;
    t.inetAddress = inet;
    byAddress.put(to, t);
  }

  void remove(OutsideTunnel t) {
    byId.remove(t.id);
    byAddress.remove(t.address);
    if (t.client != null) {
      byClient.remove(t.client);
    }
    // A removed spare stays in the deque until pollSpare skips it: O(1) removal.
  }

  void bind(OutsideTunnel t, SocketAddress client) {
    t.client = client;
    t.clientInet = io.rut.tunnel.Udp.inet(client);
    byClient.put(client, t);
  }

  /** The oldest free spare, or null. */
  OutsideTunnel pollSpare() {
    OutsideTunnel t;
    while ((t = spares.poll()) != null) {
      t.queued = false;
      if (t.client == null && byId.get(t.id) == t) {
        return t;
      }
    }
    return null;
  }

  void offerSpare(OutsideTunnel t) {
    if (!t.queued) {
      t.queued = true;
      spares.add(t);
    }
  }

  PendingClient pending(SocketAddress client) {
    return pending.get(client);
  }

  int pendingCount() {
    return pending.size();
  }

  PendingClient addPending(SocketAddress client) {
    PendingClient p = new PendingClient(client);
    pending.put(client, p);
    return p;
  }

  PendingClient removePending(SocketAddress client) {
    return pending.remove(client);
  }

  /** The client that has waited longest, removed from the queue; or null. */
  PendingClient pollPending() {
    Iterator<PendingClient> it = pending.values().iterator();
    if (!it.hasNext()) {
      return null;
    }
    PendingClient p = it.next();
    it.remove();
    return p;
  }

  Iterable<PendingClient> allPending() {
    return pending.values();
  }
}
