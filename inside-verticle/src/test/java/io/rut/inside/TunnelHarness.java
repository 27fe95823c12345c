package io.rut.inside;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.rut.config.InsideConfig;
import io.rut.config.InsideServiceConfig;
import io.rut.control.ControlChannel;
import io.rut.metrics.DropReason;
import io.rut.metrics.EventLog;
import io.rut.metrics.ServiceMeters;
import io.rut.protocol.CloseReason;
import io.rut.protocol.ControlCodec;
import io.rut.protocol.ControlMessage;
import io.rut.protocol.MessageCounter;
import io.rut.protocol.MessageType;
import io.rut.protocol.RejectReason;
import io.rut.protocol.ServiceId;
import io.rut.protocol.ServiceKeys;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * One {@link Tunnel} on a fake clock, with a recording {@link TunnelOutput} and the outside agent
 * played by a {@link ControlCodec} of the same keys. No sockets, no Vert.x, no sleeps.
 */
final class TunnelHarness implements TunnelOutput {

  static final long MS = 1_000_000L;
  static final long S = 1_000_000_000L;
  /** The fake clock starts here (nanoseconds), far from 0 so that no "never happened" value of 0 is near. */
  static final long START = 1_000 * S;

  static final String SERVICE = "wg";
  static final String KEY_A = base64Key((byte) 1);
  static final String KEY_B = base64Key((byte) 2);
  static final long ID = 0x1234_5678_9abc_def0L;
  static final InetSocketAddress OUTSIDE = new InetSocketAddress("203.0.113.10", 2222);
  static final InetSocketAddress TARGET = new InetSocketAddress("127.0.0.1", 51820);
  /** Where the outside sees the tunnel (the NAT mapping). */
  static final InetSocketAddress PUBLIC = new InetSocketAddress("198.51.100.7", 40000);
  static final InetSocketAddress CLIENT = new InetSocketAddress("192.0.2.33", 12345);
  static final byte[] COOKIE = new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

  enum Kind { CONTROL, TO_SERVICE, TO_OUTSIDE }

  /** One thing the tunnel sent; {@code message} is the control message decoded with the outside's codec then. */
  record Sent(Kind kind, byte[] bytes, InetSocketAddress to, long at, ControlMessage message) {
    MessageType type() {
      return message == null ? null : message.type();
    }
  }

  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final ServiceMeters meters;
  final InsideServiceConfig config;
  final ServiceKeys keys;
  final MessageCounter counter = new MessageCounter(1000);
  final TunnelContext ctx;
  final Tunnel tunnel;
  final List<Sent> sent = new ArrayList<>();
  final List<TunnelEvent> events = new ArrayList<>();
  /** Every route the tunnel asked for that differed from the one before, as granted. */
  final List<ServiceRoute> routes = new ArrayList<>();
  /** Sockets on a client's address cannot be opened (no capability, address in use). */
  boolean refuseBinds;
  /** The outside's codec: decodes what the tunnel sends, signs what the outside answers. */
  ControlCodec outside;
  private long outsideCounter = 5_000_000L;
  long now = START;

  TunnelHarness() {
    this(json -> { }, 1);
  }

  TunnelHarness(Consumer<JsonObject> settings) {
    this(settings, 1);
  }

  TunnelHarness(Consumer<JsonObject> settings, long seed) {
    this(settings, seed, START);
  }

  /** A tunnel made at {@code start} on the fake clock (System.nanoTime's origin is arbitrary: it may be negative). */
  TunnelHarness(Consumer<JsonObject> settings, long seed, long start) {
    now = start;
    config = config(settings);
    keys = ServiceKeys.derive(SERVICE, config.secrets());
    meters = new ServiceMeters(registry, "inside", SERVICE);
    ctx = new TunnelContext(config, keys, counter, meters, new EventLog("inside"), OUTSIDE, TARGET,
        TunnelContext.otherFamilyTarget(config));
    tunnel = new Tunnel(ID, ctx, new ControlChannel(SERVICE, keys, counter, meters),
        new TunnelDeadlines(config, new SplittableRandom(seed)), this, now);
    outside = new ControlCodec(keys);
  }

  static String base64Key(byte fill) {
    byte[] raw = new byte[32];
    Arrays.fill(raw, fill);
    return "base64:" + Base64.getEncoder().encodeToString(raw);
  }

  static JsonObject serviceJson() {
    return new JsonObject().put("name", SERVICE).put("outside", "203.0.113.10:2222")
        .put("target", "127.0.0.1:51820").put("secret", KEY_A);
  }

  static InsideServiceConfig config(Consumer<JsonObject> settings) {
    JsonObject json = serviceJson();
    settings.accept(json);
    return InsideConfig.fromJson(new JsonObject().put("services", new JsonArray().add(json))).services().get(0);
  }

  // ---- TunnelOutput -------------------------------------------------------------------------

  @Override
  public void toService(ByteBuf data, InetSocketAddress service) {
    sent.add(new Sent(Kind.TO_SERVICE, ByteBufUtil.getBytes(data), service, now, null));
  }

  @Override
  public void toService(byte[] header, ByteBuf data, InetSocketAddress service) {
    sent.add(new Sent(Kind.TO_SERVICE, ProxyHeader.prepend(header, ByteBufUtil.getBytes(data)), service, now, null));
  }

  @Override
  public void toService(byte[] datagram, InetSocketAddress service) {
    sent.add(new Sent(Kind.TO_SERVICE, datagram.clone(), service, now, null));
  }

  @Override
  public void toOutside(ByteBuf data, InetSocketAddress to) {
    sent.add(new Sent(Kind.TO_OUTSIDE, ByteBufUtil.getBytes(data), to, now, null));
  }

  @Override
  public void sendControl(byte[] message, InetSocketAddress to) {
    ControlMessage m = outside.decode(message.clone());
    sent.add(new Sent(Kind.CONTROL, message.clone(), to, now, m));
  }

  @Override
  public void publish(TunnelEvent event) {
    events.add(event);
  }

  @Override
  public ServiceRoute route(ServiceRoute planned) {
    ServiceRoute granted = planned.transparent() && refuseBinds ? ServiceRoute.bindFailed(TARGET) : planned;
    if (routes.isEmpty() || !routes.get(routes.size() - 1).equals(granted)) {
      routes.add(granted);
    }
    return granted;
  }

  // ---- the clock ----------------------------------------------------------------------------

  /** Ticks at every deadline up to {@code t}, as the verticle's one timer would, then sets the clock to {@code t}. */
  TunnelHarness advanceTo(long t) {
    int ticks = 0;
    while (tunnel.nextDeadline() <= t) {
      long next = tunnel.nextDeadline();
      assertTrue(next >= now, "a deadline in the past: " + (next - now));
      now = next;
      tunnel.tick(now);
      answerKeepalives();
      if (++ticks > 100_000) {
        fail("the next deadline does not move on from " + next);
      }
    }
    now = Math.max(now, t);
    return this;
  }

  TunnelHarness advance(long nanos) {
    return advanceTo(now + nanos);
  }

  /** Sets the clock to the next deadline and ticks; returns that time. */
  long tickNext() {
    long next = tunnel.nextDeadline();
    assertTrue(next != TunnelDeadlines.NEVER, "no deadline pending");
    now = next;
    tunnel.tick(now);
    answerKeepalives();
    return now;
  }

  /** While set, the outside answers every KEEPALIVE with an ACK at once, as a live outside does. */
  boolean outsideAnswers;
  private int answeredUpTo;

  private void answerKeepalives() {
    for (; answeredUpTo < sent.size(); answeredUpTo++) {
      Sent s = sent.get(answeredUpTo);
      if (outsideAnswers && s.type() == MessageType.KEEPALIVE) {
        ack(s.message().counter(), PUBLIC);
      }
    }
  }

  TunnelHarness answering() {
    outsideAnswers = true;
    answeredUpTo = sent.size();
    return this;
  }

  /** Ticks deadline after deadline until something of {@code kind}/{@code type} is sent, up to {@code limit}. */
  Sent runUntilSent(MessageType type, long limit) {
    int mark = sent.size();
    while (tunnel.nextDeadline() <= limit) {
      tickNext();
      for (int i = mark; i < sent.size(); i++) {
        if (sent.get(i).type() == type) {
          return sent.get(i);
        }
      }
    }
    fail("no " + type + " until " + limit / MS + " ms on the clock");
    return null;
  }

  // ---- the outside's messages ---------------------------------------------------------------

  long nextOutsideCounter() {
    return ++outsideCounter;
  }

  long lastOutsideCounter() {
    return outsideCounter;
  }

  long serviceId() {
    return ServiceId.of(SERVICE);
  }

  void fromOutside(ControlMessage m) {
    fromOutside(outside.encode(m), OUTSIDE);
  }

  void fromOutside(byte[] datagram, InetSocketAddress sender) {
    tunnel.datagrams().fromOutside(Unpooled.wrappedBuffer(datagram), sender, now);
  }

  void fromService(byte[] datagram) {
    fromService(datagram, TARGET);
  }

  void fromService(byte[] datagram, InetSocketAddress sender) {
    tunnel.datagrams().fromService(Unpooled.wrappedBuffer(datagram), sender, now);
  }

  void challenge(InetSocketAddress observed) {
    fromOutside(ControlMessage.challenge(serviceId(), ID, nextOutsideCounter(), COOKIE, observed));
  }

  void ack(long acked, InetSocketAddress observed) {
    fromOutside(ControlMessage.ack(serviceId(), ID, nextOutsideCounter(), acked, observed));
  }

  /** ACKs the last message the tunnel sent (a KEEPALIVE or an AUTH), observing {@link #PUBLIC}. */
  void ackLast() {
    ack(lastControl().message().counter(), PUBLIC);
  }

  void bind(InetSocketAddress client) {
    fromOutside(ControlMessage.bind(serviceId(), ID, nextOutsideCounter(), client));
  }

  void close(CloseReason reason) {
    fromOutside(ControlMessage.close(serviceId(), ID, nextOutsideCounter(), reason));
  }

  void reject(RejectReason reason, int retryAfterSeconds) {
    fromOutside(ControlMessage.reject(serviceId(), ID, nextOutsideCounter(), reason, retryAfterSeconds));
  }

  // ---- whole steps --------------------------------------------------------------------------

  /** OPENING -> REGISTERING -> SPARE: HELLO, CHALLENGE, AUTH, ACK (observing {@link #PUBLIC}). */
  TunnelHarness register() {
    tunnel.opened(now);
    assertEquals(MessageType.HELLO, lastControl().type());
    challenge(PUBLIC);
    Sent auth = lastControl();
    assertEquals(MessageType.AUTH, auth.type());
    ack(auth.message().counter(), PUBLIC);
    assertEquals(TunnelState.SPARE, tunnel.state());
    assertEquals(List.of(new TunnelEvent.PathUp(ID)), events, "registered: the agent hears of it");
    events.clear();
    return this;
  }

  /** A registered tunnel bound to {@link #CLIENT} by BIND and a granted claim: ACTIVE. */
  TunnelHarness activate() {
    return activate(CLIENT);
  }

  /** A registered tunnel bound to {@code client} by BIND and a granted claim: ACTIVE. */
  TunnelHarness activate(InetSocketAddress client) {
    register();
    bind(client);
    tunnel.verdict(true, now);
    assertEquals(TunnelState.ACTIVE, tunnel.state());
    return this;
  }

  // ---- what was sent ------------------------------------------------------------------------

  int mark() {
    return sent.size();
  }

  List<Sent> since(int mark) {
    return List.copyOf(sent.subList(mark, sent.size()));
  }

  List<Sent> controls() {
    return sent.stream().filter(s -> s.kind() == Kind.CONTROL).collect(Collectors.toList());
  }

  List<Sent> controls(MessageType type) {
    return sent.stream().filter(s -> s.type() == type).collect(Collectors.toList());
  }

  List<Sent> controlsSince(int mark) {
    return since(mark).stream().filter(s -> s.kind() == Kind.CONTROL).collect(Collectors.toList());
  }

  List<Sent> sentOf(Kind kind) {
    return sent.stream().filter(s -> s.kind() == kind).collect(Collectors.toList());
  }

  Sent lastControl() {
    List<Sent> c = controls();
    assertTrue(!c.isEmpty(), "no control message sent");
    Sent last = c.get(c.size() - 1);
    assertNotNull(last.message(), "the last control message does not verify under the outside's keys");
    assertEquals(OUTSIDE, last.to());
    return last;
  }

  <T extends TunnelEvent> List<T> events(Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
  }

  // ---- meters -------------------------------------------------------------------------------

  double drops(DropReason reason) {
    return meters.drops(reason);
  }

  double allDrops() {
    return registry.find("rut_drops").counters().stream().mapToDouble(c -> c.count()).sum();
  }

  double event(String name) {
    return meters.events(name);
  }

  Timer keepaliveRtt() {
    return registry.find("rut_keepalive_rtt").timer();
  }

  // ---- the log ------------------------------------------------------------------------------

  /** Collects the lines of the "rut" logger while it is open. */
  static final class LogCapture extends Handler implements AutoCloseable {
    final List<String> lines = new ArrayList<>();
    private final Logger logger = Logger.getLogger("rut");

    LogCapture() {
      logger.addHandler(this);
    }

    @Override
    public void publish(LogRecord r) {
      synchronized (lines) {
        lines.add(r.getMessage());
      }
    }

    long count(String event) {
      synchronized (lines) {
        return lines.stream().filter(l -> l.contains("event=" + event)).count();
      }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
      logger.removeHandler(this);
    }
  }
}
