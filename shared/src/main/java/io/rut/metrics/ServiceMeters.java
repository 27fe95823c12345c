package io.rut.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
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
  private final Map<String, Counter> closed = new java.util.concurrent.ConcurrentHashMap<>();
  private final Counter opened;
  private final Timer keepaliveRtt;
  private final Timer clientSetup;
  private final java.util.List<Meter> meters = new java.util.concurrent.CopyOnWriteArrayList<>();

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
    opened = Counter.builder("rut_tunnels_opened").description("tunnels registered (outside) or opened (inside)")
        .tags(tags).register(registry);
    keepaliveRtt = Timer.builder("rut_keepalive_rtt").description("round trip of a keepalive and its ACK")
        .tags(tags).publishPercentileHistogram().minimumExpectedValue(java.time.Duration.ofMillis(1))
        .maximumExpectedValue(java.time.Duration.ofSeconds(10)).register(registry);
    clientSetup = Timer.builder("rut_client_setup").description(
            "from a new client's first datagram to its forwarding into a tunnel (waiting for a spare included)")
        .tags(tags).publishPercentileHistogram().minimumExpectedValue(java.time.Duration.ofNanos(100_000))
        .maximumExpectedValue(java.time.Duration.ofSeconds(2)).register(registry);
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

  /** Counts a lifecycle event (NAT rebinding, outside restart, binding restored...). */
  public void event(String name) {
    events.computeIfAbsent(name, n -> track(Counter.builder("rut_events").description("tunnel lifecycle events")
        .tags(tags).tag("event", n).register(registry))).increment();
  }

  public void opened() {
    opened.increment();
  }

  /** Counts a closed tunnel; {@code reason} comes from a small fixed set (idle, expired, shutdown...). */
  public void closed(String reason) {
    closed.computeIfAbsent(reason, r -> track(Counter.builder("rut_tunnels_closed").description("tunnels closed, by reason")
        .tags(tags).tag("reason", r).register(registry))).increment();
  }

  public double closedCount(String reason) {
    Counter c = closed.get(reason);
    return c == null ? 0 : c.count();
  }

  public void keepaliveRtt(long nanos) {
    keepaliveRtt.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  public void clientSetup(long nanos) {
    clientSetup.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /** Gauges of the tunnels by state, read from the owner's counts. */
  public void tunnelGauges(java.util.function.IntSupplier spares, java.util.function.IntSupplier active) {
    track(Gauge.builder("rut_tunnels", spares::getAsInt).description("tunnels by state").tags(tags)
        .tag("state", "spare").register(registry));
    track(Gauge.builder("rut_tunnels", active::getAsInt).description("tunnels by state").tags(tags)
        .tag("state", "active").register(registry));
  }

  private <M extends Meter> M track(M meter) {
    meters.add(meter);
    return meter;
  }

  /** Removes this service's meters from the registry (the service was removed from the configuration). */
  public void close() {
    for (Meter m : registry.getMeters()) {
      if (tags.stream().allMatch(t -> t.getValue().equals(m.getId().getTag(t.getKey())))) {
        registry.remove(m);
      }
    }
  }

  public double events(String name) {
    Counter c = events.get(name);
    return c == null ? 0 : c.count();
  }

  public MeterRegistry registry() {
    return registry;
  }
}
