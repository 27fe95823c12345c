package io.rut.config;

import java.time.Duration;

/** What every agent's configuration has besides its services. */
public interface AgentConfig {

  MetricsConfig metrics();

  LogLevel logLevel();

  /** How often the configuration file is read for changes. */
  Duration configScanPeriod();

  /** How the UDP sockets batch datagrams; read at start only. */
  DataPathConfig dataPath();
}
