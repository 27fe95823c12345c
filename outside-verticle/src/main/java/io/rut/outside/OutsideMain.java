package io.rut.outside;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rut.config.OutsideConfig;
import io.rut.config.SeedFlags;
import io.rut.launch.RutLauncher;
import io.vertx.core.Deployable;
import io.vertx.core.json.JsonObject;

/** {@code java -jar outside.jar}: the outside agent's command line. */
public final class OutsideMain implements RutLauncher.Agent<OutsideConfig> {

  public static void main(String[] args) {
    RutLauncher.main(new OutsideMain(), args);
  }

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
  public Deployable verticle(OutsideConfig config, String configPath, PrometheusMeterRegistry registry) {
    return new OutsideVerticle(config, configPath, registry);
  }
}
