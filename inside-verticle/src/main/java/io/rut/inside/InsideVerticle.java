package io.rut.inside;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rut.agent.AgentVerticle;
import io.rut.agent.ServiceUnit;
import io.rut.config.HostPort;
import io.rut.config.InsideConfig;
import io.rut.config.InsideServiceConfig;
import io.rut.metrics.Registries;
import io.rut.metrics.ServiceMeters;
import io.rut.protocol.ServiceKeys;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Function;

/** The inside agent: one {@link ServiceAgent} per configured service. */
public final class InsideVerticle extends AgentVerticle<InsideConfig, InsideServiceConfig> {

  private final Function<HostPort, InetSocketAddress> resolver;

  public InsideVerticle(InsideConfig config) {
    this(config, null, Registries.prometheus(), HostPort::resolve);
  }

  /**
   * @param configPath the file to watch for changes, or null (options, inline JSON)
   * @param registry   where the meters go, served at {@code /metrics}
   * @param resolver   turns a configured host:port into an address; blocking, called at start and
   *                   again when an outside agent stops answering
   */
  public InsideVerticle(InsideConfig config, String configPath, PrometheusMeterRegistry registry,
                        Function<HostPort, InetSocketAddress> resolver) {
    super("inside", config, configPath, registry, InsideConfig::fromJson);
    this.resolver = resolver;
  }

  @Override
  protected List<InsideServiceConfig> services(InsideConfig config) {
    return config.services();
  }

  @Override
  protected Object addressOf(InsideServiceConfig service) {
    return List.of(service.outside(), service.target());
  }

  @Override
  protected ServiceUnit<InsideServiceConfig> create(InsideServiceConfig service, ServiceKeys keys,
                                                     ServiceMeters meters) {
    return new ServiceAgent(service, keys, counter, meters, log, resolver);
  }

  public ServiceAgent agent(String service) {
    return (ServiceAgent) unit(service);
  }
}
