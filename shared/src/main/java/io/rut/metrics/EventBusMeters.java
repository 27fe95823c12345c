package io.rut.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.spi.metrics.EventBusMetrics;
import java.util.concurrent.atomic.LongAdder;

/**
 * Vert.x's event-bus meters ({@code vertx_eventbus_*}, with vertx-micrometer-metrics' names, tags
 * and meaning), each registered once, when Vert.x starts. vertx-micrometer-metrics 5.0 registers
 * its {@code handlers} gauge again for every handler and its {@code pending} gauge for every
 * message, and Micrometer answers each registration of a gauge that exists with a warning.
 * Handlers on Vert.x's internal addresses ({@code __vertx.}) are not counted, as there.
 */
final class EventBusMeters implements EventBusMetrics<Object> {

  /** What a counted handler is known by; the meters have no address tag, so one will do. */
  private static final Object HANDLER = new Object();

  private final LongAdder handlers = new LongAdder();
  private final Side local;
  private final Side remote;
  private final Counter replyFailures;

  EventBusMeters(MeterRegistry registry) {
    Gauge.builder("vertx.eventbus.handlers", handlers, LongAdder::doubleValue).strongReference(true)
        .description("Number of event bus handlers in use").register(registry);
    local = new Side(registry, "local");
    remote = new Side(registry, "remote");
    replyFailures = Counter.builder("vertx.eventbus.reply.failures").description("Number of message reply failures")
        .register(registry);
  }

  /** The meters of local or of remote messages. */
  private static final class Side {
    final LongAdder pending = new LongAdder();
    final Counter processed;
    final Counter published;
    final Counter sent;
    final Counter received;
    final Counter delivered;
    final Counter discarded;

    Side(MeterRegistry registry, String side) {
      Gauge.builder("vertx.eventbus.pending", pending, LongAdder::doubleValue).strongReference(true).tag("side", side)
          .description("Number of messages not processed yet").register(registry);
      processed = counter(registry, "processed", side, "Number of processed messages");
      published = counter(registry, "published", side, "Number of messages published (publish / subscribe)");
      sent = counter(registry, "sent", side, "Number of messages sent (point-to-point)");
      received = counter(registry, "received", side, "Number of messages received");
      delivered = counter(registry, "delivered", side, "Number of messages delivered to handlers");
      discarded = counter(registry, "discarded", side, "Number of discarded messages");
    }

    private static Counter counter(MeterRegistry registry, String name, String side, String description) {
      return Counter.builder("vertx.eventbus." + name).tag("side", side).description(description).register(registry);
    }
  }

  private static boolean internal(String address) {
    return address.startsWith("__vertx.");
  }

  private Side side(boolean isLocal) {
    return isLocal ? local : remote;
  }

  @Override
  public Object handlerRegistered(String address) {
    if (internal(address)) {
      return null;
    }
    handlers.increment();
    return HANDLER;
  }

  @Override
  public void handlerUnregistered(Object handler) {
    if (handler != null) {
      handlers.decrement();
    }
  }

  @Override
  public void messageDelivered(Object handler, boolean isLocal) {
    if (handler != null) {
      side(isLocal).pending.decrement();
      side(isLocal).processed.increment();
    }
  }

  @Override
  public void discardMessage(Object handler, boolean isLocal, Message<?> msg) {
    if (handler != null) {
      side(isLocal).pending.decrement();
      side(isLocal).discarded.increment();
    }
  }

  @Override
  public void messageSent(String address, boolean publish, boolean isLocal, boolean isRemote) {
    if (!internal(address)) {
      (publish ? side(isLocal).published : side(isLocal).sent).increment();
    }
  }

  @Override
  public void messageReceived(String address, boolean publish, boolean isLocal, int handlerCount) {
    if (!internal(address)) {
      side(isLocal).received.increment();
      if (handlerCount > 0) {
        side(isLocal).pending.add(handlerCount);
        side(isLocal).delivered.increment();
      }
    }
  }

  @Override
  public void replyFailure(String address, ReplyFailure failure) {
    if (!internal(address)) {
      replyFailures.increment();
    }
  }
}
