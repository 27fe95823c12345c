package io.rut.tunnel;

import io.rut.config.InsideServiceConfig;
import io.rut.metrics.EventLog;
import io.rut.metrics.ServiceMeters;
import io.rut.protocol.MessageCounter;
import io.rut.protocol.ServiceKeys;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every tunnel of one inside service shares: configuration, keys, the agent's counter, meters,
 * log, the resolved addresses and the event-bus addresses it talks to its agent on.
 *
 * @param outside where the outside agent is now (re-resolved by the agent when it stops answering)
 * @param target  the service's resolved address
 * @param lastAckNanos when any tunnel of the service last heard an ACK (System.nanoTime), 0 for never
 * @param carriers     which tunnel carries each client the outside bound (tunnels on several event loops)
 */
public record TunnelContext(InsideServiceConfig config, ServiceKeys keys, long serviceId, MessageCounter counter,
                            ServiceMeters meters, EventLog log, InetSocketAddress outside,
                            InetSocketAddress target, AtomicLong lastAckNanos,
                            ConcurrentMap<InetSocketAddress, Long> carriers) {

  /** Where tunnels report lifecycle events to their agent (and to any observer). */
  public String eventsAddress() {
    return "rut.inside." + config.name() + ".events";
  }

  /** Where the agent broadcasts commands to all its tunnels. */
  public String commandsAddress() {
    return "rut.inside." + config.name() + ".commands";
  }

  public TunnelContext withOutside(InetSocketAddress newOutside) {
    return new TunnelContext(config, keys, serviceId, counter, meters, log, newOutside, target, lastAckNanos,
        carriers);
  }

  /** The same service with changed settings or keys (a configuration reload). */
  public TunnelContext with(InsideServiceConfig newConfig, ServiceKeys newKeys) {
    return new TunnelContext(newConfig, newKeys, serviceId, counter, meters, log, outside, target, lastAckNanos,
        carriers);
  }
}
