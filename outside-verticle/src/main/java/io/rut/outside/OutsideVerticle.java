package io.rut.outside;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rut.agent.AgentVerticle;
import io.rut.agent.ServiceUnit;
import io.rut.config.OutsideConfig;
import io.rut.config.OutsideServiceConfig;
import io.rut.metrics.Registries;
import io.rut.metrics.ServiceMeters;
import io.rut.protocol.ServiceKeys;
import java.util.List;

/** The outside agent: one {@link RelayVerticle} per configured service. */
public final class OutsideVerticle extends AgentVerticle<OutsideConfig, OutsideServiceConfig> {

  public OutsideVerticle(OutsideConfig config) {
    this(config, null, Registries.prometheus());
  }

  /**
   * @param configPath the file to watch for changes, or null (options, inline JSON)
   * @param registry   where the meters go, served at {@code /metrics}
   */
  public OutsideVerticle(OutsideConfig config, String configPath, PrometheusMeterRegistry registry) {
    super("outside", config, configPath, registry, OutsideConfig::fromJson);
  }

  @Override
  protected List<OutsideServiceConfig> services(OutsideConfig config) {
    return config.services();
  }

  @Override
  protected Object addressOf(OutsideServiceConfig service) {
    return service.listen();
  }

  @Override
  protected ServiceUnit<OutsideServiceConfig> create(OutsideServiceConfig service, ServiceKeys keys,
                                                      ServiceMeters meters) {
    return new RelayVerticle(service, keys, counter, meters, log);
  }

  public RelayVerticle relay(String service) {
    return (RelayVerticle) unit(service);
  }
}
