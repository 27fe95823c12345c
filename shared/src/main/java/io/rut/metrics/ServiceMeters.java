package io.rut.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.rut.protocol.MessageType;
import java.util.EnumMap;
import java.util.Map;

/**
 * The meters of one service on one agent, created up front so that counting on the data path is an
 * array lookup and an add. Labelled by agent and service only: bounded cardinality.
 */
public final class ServiceMeters {

  private final MeterRegistry registry;
  private final Tags tags;
  private final Counter[] drops = new Counter[DropReason.values().length];
  private final Counter[] datagrams = new Counter[Direction.values().length];
  private final Counter[] bytes = new Counter[Direction.values().length];
  private final Counter[] controlIn = new Counter[MessageType.values().length];
  private final Counter[] controlOut = new Counter[MessageType.values().length];
  private final Map<String, Counter> events = new java.util.concurrent.ConcurrentHashMap<>();

  public ServiceMeters(MeterRegistry registry, String agent, String service) {
    this.registry = registry;
    this.tags = Tags.of("agent", agent, "service", service);
    for (DropReason r : DropReason.values()) {
      drops[r.ordinal()] = Counter.builder("rut_drops").description("datagrams dropped, by reason")
          .tags(tags).tag("reason", r.label()).register(registry);
    }
    for (Direction d : Direction.values()) {
      datagrams[d.ordinal()] = Counter.builder("rut_forwarded_datagrams").description("datagrams forwarded")
          .tags(tags).tag("direction", d.label()).register(registry);
      bytes[d.ordinal()] = Counter.builder("rut_forwarded_bytes").description("payload bytes forwarded")
          .tags(tags).tag("direction", d.label()).register(registry);
    }
    for (MessageType t : MessageType.values()) {
      String type = t.name().toLowerCase(java.util.Locale.ROOT);
      controlIn[t.ordinal()] = Counter.builder("rut_control_messages").description("control messages")
          .tags(tags).tag("type", type).tag("way", "in").register(registry);
      controlOut[t.ordinal()] = Counter.builder("rut_control_messages").description("control messages")
          .tags(tags).tag("type", type).tag("way", "out").register(registry);
    }
  }

  public void drop(DropReason reason) {
    drops[reason.ordinal()].increment();
  }

  public double drops(DropReason reason) {
    return drops[reason.ordinal()].count();
  }

  public void forwarded(Direction direction, int length) {
    datagrams[direction.ordinal()].increment();
    bytes[direction.ordinal()].increment(length);
  }

  public double forwarded(Direction direction) {
    return datagrams[direction.ordinal()].count();
  }

  public void controlIn(MessageType type) {
    controlIn[type.ordinal()].increment();
  }

  public void controlOut(MessageType type) {
    controlOut[type.ordinal()].increment();
  }

  public double sent(MessageType type) {
    return controlOut[type.ordinal()].count();
  }

  /** Counts a lifecycle event (tunnel opened, closed by reason, rebinding, outside restart...). */
  public void event(String name) {
    events.computeIfAbsent(name, n -> Counter.builder("rut_events").description("tunnel lifecycle events")
        .tags(tags).tag("event", n).register(registry)).increment();
  }

  public double events(String name) {
    Counter c = events.get(name);
    return c == null ? 0 : c.count();
  }

  public MeterRegistry registry() {
    return registry;
  }
}
