package io.rut.inside;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rut.config.HostPort;
import io.rut.config.InsideConfig;
import io.rut.config.InsideServiceConfig;
import io.rut.metrics.EventLog;
import io.rut.metrics.ServiceMeters;
import io.rut.protocol.MessageCounter;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The inside agent: one {@link ServiceAgent} per configured service, sharing one message counter. */
public final class InsideVerticle extends VerticleBase {

  private final InsideConfig config;
  private final MeterRegistry registry;
  private final MessageCounter counter = new MessageCounter();
  private final EventLog log = new EventLog("inside");
  private final Map<String, ServiceAgent> agents = new LinkedHashMap<>();
  private final Map<String, ServiceMeters> meters = new LinkedHashMap<>();

  private final Function<HostPort, InetSocketAddress> resolver;

  public InsideVerticle(InsideConfig config) {
    this(config, new SimpleMeterRegistry(), HostPort::resolve);
  }

  /**
   * @param resolver turns a configured host:port into an address; blocking, called at start and
   *                 again when an outside agent stops answering
   */
  public InsideVerticle(InsideConfig config, MeterRegistry registry, Function<HostPort, InetSocketAddress> resolver) {
    this.config = config;
    this.registry = registry;
    this.resolver = resolver;
  }

  @Override
  public Future<?> start() {
    List<Future<String>> deployed = new ArrayList<>();
    for (InsideServiceConfig service : config.services()) {
      ServiceMeters m = new ServiceMeters(registry, "inside", service.name());
      ServiceAgent agent = new ServiceAgent(service, counter, m, log, resolver);
      agents.put(service.name(), agent);
      meters.put(service.name(), m);
      deployed.add(vertx.deployVerticle(agent));
    }
    return Future.all(deployed).onSuccess(v -> log.info("started", "services", agents.keySet()));
  }

  public ServiceAgent agent(String service) {
    return agents.get(service);
  }

  public ServiceMeters meters(String service) {
    return meters.get(service);
  }
}
