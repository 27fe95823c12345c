package io.rut.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Vert.x's own meters in RUT's registry: the event bus counted right, and no meter registered twice. */
class VertxMetersTest {

  // Micrometer warns of a gauge registered again once per JVM, then at debug level: listen to both.
  private static final Logger MICROMETER = Logger.getLogger("io.micrometer.core.instrument.MeterRegistry");

  private final List<String> records = new CopyOnWriteArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      records.add(r.getLevel() + " " + r.getMessage());
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };
  private Level level;
  private Vertx vertx;

  @BeforeEach
  void listen() {
    level = MICROMETER.getLevel();
    MICROMETER.setLevel(Level.ALL);
    MICROMETER.addHandler(capture);
  }

  @AfterEach
  void stop() throws Exception {
    MICROMETER.removeHandler(capture);
    MICROMETER.setLevel(level);
    if (vertx != null) {
      await(vertx.close());
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static String sample(String scrape, String series) {
    return scrape.lines().filter(l -> l.startsWith(series + " ")).findFirst().orElse(series + " absent");
  }

  @Test
  void eventBusMetersCountEveryHandlerAndMessageAndNoGaugeIsRegisteredTwice() throws Exception {
    PrometheusMeterRegistry registry = Registries.prometheus();
    vertx = Registries.withVertxMetrics(new VertxOptions(), registry).build();
    List<String> seen = new CopyOnWriteArrayList<>();
    MessageConsumer<String> a1 = vertx.eventBus().localConsumer("a", m -> seen.add("a1"));
    vertx.eventBus().localConsumer("a", m -> seen.add("a2"));
    vertx.eventBus().localConsumer("b", m -> seen.add("b"));
    for (int i = 0; i < 20; i++) {
      vertx.eventBus().localConsumer("tunnel." + i, m -> { }).unregister();
    }
    vertx.eventBus().send("b", "1");
    vertx.eventBus().send("b", "2");
    vertx.eventBus().publish("a", "3");
    assertFalse(await(vertx.eventBus().request("nobody", "?").map(true).otherwise(false)));
    await(vertx.executeBlocking(() -> "worker"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (seen.size() < 4 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }

    assertEquals(List.of(), records.stream().filter(r -> r.contains("already registered")).toList());
    String scrape = registry.scrape();
    assertEquals("vertx_eventbus_handlers 3.0", sample(scrape, "vertx_eventbus_handlers"));
    assertEquals("vertx_eventbus_sent_total{side=\"local\"} 3.0", sample(scrape, "vertx_eventbus_sent_total{side=\"local\"}"));
    assertEquals("vertx_eventbus_published_total{side=\"local\"} 1.0",
        sample(scrape, "vertx_eventbus_published_total{side=\"local\"}"));
    assertEquals("vertx_eventbus_processed_total{side=\"local\"} 4.0",
        sample(scrape, "vertx_eventbus_processed_total{side=\"local\"}"));
    assertEquals("vertx_eventbus_pending{side=\"local\"} 0.0", sample(scrape, "vertx_eventbus_pending{side=\"local\"}"));
    assertEquals("vertx_eventbus_reply_failures_total 1.0", sample(scrape, "vertx_eventbus_reply_failures_total"));
    assertEquals("vertx_eventbus_delivered_total{side=\"local\"} 3.0",
        sample(scrape, "vertx_eventbus_delivered_total{side=\"local\"}"));
    assertEquals("vertx_eventbus_received_total{side=\"local\"} 4.0",
        sample(scrape, "vertx_eventbus_received_total{side=\"local\"}"));
    assertTrue(scrape.contains("vertx_pool_"), "worker pool meters");

    await(a1.unregister());
    assertEquals("vertx_eventbus_handlers 2.0", sample(registry.scrape(), "vertx_eventbus_handlers"));
    assertEquals(List.of(), records.stream().filter(r -> r.contains("already registered")).toList());
  }
}
