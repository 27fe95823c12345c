package io.rut.inside;

import io.rut.config.InsideServiceConfig;
import io.rut.metrics.EventLog;
import io.rut.metrics.ServiceMeters;
import io.rut.protocol.MessageCounter;
import io.rut.protocol.ServiceKeys;
import java.net.InetSocketAddress;

/**
 * What every tunnel of one inside service is given: settings, keys, the agent's message counter,
 * meters, log and the resolved addresses. Immutable: a reload or a moved outside makes a new one.
 *
 * @param outside where the outside agent is now (resolved again when it stops answering)
 * @param target  the service's resolved address
 * @param otherFamilyTarget the service's address in the other family (transparent mode), or null
 */
public record TunnelContext(InsideServiceConfig config, ServiceKeys keys, MessageCounter counter,
                            ServiceMeters meters, EventLog log, InetSocketAddress outside,
                            InetSocketAddress target, InetSocketAddress otherFamilyTarget) {

  /** Where the service's tunnels publish their {@link TunnelEvent}s (and anyone may watch). */
  public static String eventsAddress(String service) {
    return "rut.inside." + service + ".events";
  }

  /** Where one tunnel takes its {@link TunnelCommand}s. */
  public static String commandsAddress(String service, long tunnel) {
    return "rut.inside." + service + ".tunnel." + Long.toHexString(tunnel);
  }

  public TunnelContext withOutside(InetSocketAddress newOutside) {
    return new TunnelContext(config, keys, counter, meters, log, newOutside, target, otherFamilyTarget);
  }

  /** The same service with changed settings or keys (a reload). */
  public TunnelContext with(InsideServiceConfig newConfig, ServiceKeys newKeys) {
    return new TunnelContext(newConfig, newKeys, counter, meters, log, outside, target,
        otherFamilyTarget(newConfig));
  }

  /** The configured otherFamilyTarget, resolved (it is an address literal), or null. */
  static InetSocketAddress otherFamilyTarget(InsideServiceConfig config) {
    return config.otherFamilyTarget() == null ? null : config.otherFamilyTarget().resolve();
  }
}
