package io.rut.outside;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rut.config.OutsideConfig;
import io.rut.config.OutsideServiceConfig;
import io.rut.metrics.EventLog;
import io.rut.metrics.ServiceMeters;
import io.rut.protocol.MessageCounter;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The outside agent: one {@link ServiceRelay} per configured service, sharing one message counter. */
public final class OutsideVerticle extends VerticleBase {

  private final OutsideConfig config;
  private final MeterRegistry registry;
  private final MessageCounter counter = new MessageCounter();
  private final EventLog log = new EventLog("outside");
  private final Map<String, ServiceRelay> relays = new LinkedHashMap<>();
  private final Map<String, ServiceMeters> meters = new LinkedHashMap<>();

  public OutsideVerticle(OutsideConfig config) {
    this(config, new SimpleMeterRegistry());
  }

  public OutsideVerticle(OutsideConfig config, MeterRegistry registry) {
    this.config = config;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    List<Future<String>> deployed = new ArrayList<>();
    for (OutsideServiceConfig service : config.services()) {
      ServiceMeters m = new ServiceMeters(registry, "outside", service.name());
      ServiceRelay relay = new ServiceRelay(service, counter, m, log);
      relays.put(service.name(), relay);
      meters.put(service.name(), m);
      deployed.add(vertx.deployVerticle(relay));
    }
    return Future.all(deployed).onSuccess(v -> log.info("started", "services", relays.keySet()));
  }

  public ServiceRelay relay(String service) {
    return relays.get(service);
  }

  public ServiceMeters meters(String service) {
    return meters.get(service);
  }
}
