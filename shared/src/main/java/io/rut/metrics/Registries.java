package io.rut.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.DatagramSocketMetrics;
import io.vertx.core.spi.metrics.EventBusMetrics;
import io.vertx.core.spi.metrics.PoolMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;

/**
 * RUT's one meter registry per agent, in Prometheus form, shared by RUT's own meters and (when the
 * metrics endpoint is configured at start) Vert.x's event-bus and worker-pool meters.
 */
public final class Registries {

  private Registries() {
  }

  public static PrometheusMeterRegistry prometheus() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /**
   * Turns on Vert.x's own meters into {@code registry}: its event bus ({@code vertx_eventbus_*},
   * from {@link EventBusMeters}), its worker pools and any Vert.x datagram socket (the agents' data
   * path uses none; RUT's own meters count it). Vert.x's HTTP and TCP meters stay off: they would
   * only count scrapes of the endpoint, and register their connection gauges once per connection.
   */
  public static VertxBuilder withVertxMetrics(VertxOptions options, PrometheusMeterRegistry registry) {
    options.setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
    return Vertx.builder().with(options).withMetrics(new Factory(registry));
  }

  /** vertx-micrometer-metrics for pools and datagram sockets, {@link EventBusMeters} for the event bus. */
  private static final class Factory implements VertxMetricsFactory {
    private final MeterRegistry registry;
    private final MicrometerMetricsFactory micrometer;

    Factory(MeterRegistry registry) {
      this.registry = registry;
      this.micrometer = new MicrometerMetricsFactory(registry);
    }

    @Override
    public VertxMetrics metrics(VertxOptions options) {
      VertxMetrics vertx = micrometer.metrics(options);
      EventBusMetrics<?> eventBus = new EventBusMeters(registry);
      return new VertxMetrics() {
        @Override
        public EventBusMetrics<?> createEventBusMetrics() {
          return eventBus;
        }

        @Override
        public PoolMetrics<?, ?> createPoolMetrics(String type, String name, int size) {
          return vertx.createPoolMetrics(type, name, size);
        }

        @Override
        public DatagramSocketMetrics createDatagramSocketMetrics(DatagramSocketOptions o) {
          return vertx.createDatagramSocketMetrics(o);
        }

        @Override
        public void vertxCreated(Vertx v) {
          vertx.vertxCreated(v);
        }

        @Override
        public boolean isMetricsEnabled() {
          return true;
        }

        @Override
        public void close() {
          vertx.close();
        }
      };
    }

    @Override
    public MetricsOptions newOptions() {
      return micrometer.newOptions();
    }

    @Override
    public MetricsOptions newOptions(MetricsOptions options) {
      return micrometer.newOptions(options);
    }

    @Override
    public MetricsOptions newOptions(JsonObject json) {
      return micrometer.newOptions(json);
    }
  }
}
