package io.rut.config;

import io.vertx.core.json.JsonObject;
import java.util.List;

/** The inside agent's whole configuration, validated. */
public record InsideConfig(List<InsideServiceConfig> services, MetricsConfig metrics, LogLevel logLevel,
                           java.time.Duration configScanPeriod, DataPathConfig dataPath)
    implements AgentConfig {

  /** Validates {@code json}; a {@link ConfigException} names the first bad key. */
  public static InsideConfig fromJson(JsonObject json) {
    return new InsideConfig(
        ServicesReader.services(json, InsideServiceConfig::fromJson, InsideServiceConfig::name),
        ServicesReader.metrics(json), ServicesReader.logLevel(json),
        ServicesReader.scanPeriod(json), ServicesReader.dataPath(json));
  }
}
