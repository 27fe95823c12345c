package io.rut.inside;

import io.rut.metrics.EventLog;
import io.rut.net.Udp;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;

/**
 * Whether an inside service is healthy: while one of its tunnels is registered at the outside.
 * Each change is logged once: the first tunnel registered, the last one lost.
 */
final class ServiceHealth {

  private final EventLog log;
  private final String service;
  private final Set<Long> registered = new HashSet<>();
  private boolean healthy;

  ServiceHealth(EventLog log, String service) {
    this.log = log;
    this.service = service;
  }

  /** Tunnel {@code tunnel} is registered now, or no longer (it lost its path, or closed). */
  void path(long tunnel, boolean up, InetSocketAddress outside, boolean stopping) {
    if (up) {
      registered.add(tunnel);
    } else {
      registered.remove(tunnel);
    }
    boolean now = !registered.isEmpty();
    if (now == healthy || stopping) {
      return;
    }
    healthy = now;
    if (now) {
      log.info("service_healthy", "service", service, "outside", Udp.show(outside));
    } else {
      log.warn("service_unhealthy", "service", service, "reason", "no_tunnel_registered", "outside", Udp.show(outside));
    }
  }
}
