package io.rut.config;

import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The outside agent's whole configuration, validated. */
public record OutsideConfig(List<OutsideServiceConfig> services, MetricsConfig metrics, LogLevel logLevel,
                           java.time.Duration configScanPeriod, DataPathConfig dataPath)
    implements AgentConfig {

  /** Validates {@code json}; a {@link ConfigException} names the first bad key. */
  public static OutsideConfig fromJson(JsonObject json) {
    List<OutsideServiceConfig> services =
        ServicesReader.services(json, OutsideServiceConfig::fromJson, OutsideServiceConfig::name);
    Set<Integer> ports = new HashSet<>();
    for (int i = 0; i < services.size(); i++) {
      int port = services.get(i).listen().port();
      if (port != 0 && !ports.add(port)) {
        throw new ConfigException("services[" + i + "].listen: port " + port + " is used by another service");
      }
    }
    return new OutsideConfig(services, ServicesReader.metrics(json), ServicesReader.logLevel(json),
        ServicesReader.scanPeriod(json), ServicesReader.dataPath(json));
  }
}
