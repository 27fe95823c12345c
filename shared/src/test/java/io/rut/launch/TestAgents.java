package io.rut.launch;

import io.rut.config.InsideConfig;
import io.rut.config.OutsideConfig;
import io.rut.config.SeedFlags;
import io.vertx.core.Deployable;
import io.vertx.core.json.JsonObject;

/** Agents that read and validate configuration like the real ones but never deploy anything. */
final class TestAgents {

  private TestAgents() {
  }

  static final RutLauncher.Agent<OutsideConfig> OUTSIDE = new RutLauncher.Agent<>() {
    @Override
    public String name() {
      return "outside";
    }

    @Override
    public SeedFlags.Side side() {
      return SeedFlags.Side.OUTSIDE;
    }

    @Override
    public OutsideConfig fromJson(JsonObject json) {
      return OutsideConfig.fromJson(json);
    }

    @Override
    public Deployable verticle(OutsideConfig config, String configPath,
        io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry) {
      throw new UnsupportedOperationException("tests never deploy");
    }
  };

  static final RutLauncher.Agent<InsideConfig> INSIDE = new RutLauncher.Agent<>() {
    @Override
    public String name() {
      return "inside";
    }

    @Override
    public SeedFlags.Side side() {
      return SeedFlags.Side.INSIDE;
    }

    @Override
    public InsideConfig fromJson(JsonObject json) {
      return InsideConfig.fromJson(json);
    }

    @Override
    public Deployable verticle(InsideConfig config, String configPath,
        io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry) {
      throw new UnsupportedOperationException("tests never deploy");
    }
  };
}
