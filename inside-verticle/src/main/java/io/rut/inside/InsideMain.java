package io.rut.inside;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rut.config.HostPort;
import io.rut.config.InsideConfig;
import io.rut.config.SeedFlags;
import io.rut.launch.RutLauncher;
import io.vertx.core.Deployable;
import io.vertx.core.json.JsonObject;

/** {@code java -jar inside.jar}: the inside agent's command line. */
public final class InsideMain implements RutLauncher.Agent<InsideConfig> {

  public static void main(String[] args) {
    RutLauncher.main(new InsideMain(), args);
  }

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
  public Deployable verticle(InsideConfig config, String configPath, PrometheusMeterRegistry registry) {
    return new InsideVerticle(config, configPath, registry, HostPort::resolve);
  }
}
