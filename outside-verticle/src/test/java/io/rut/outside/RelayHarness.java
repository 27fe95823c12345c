package io.rut.outside;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.rut.config.OutsideConfig;
import io.rut.config.OutsideServiceConfig;
import io.rut.metrics.Direction;
import io.rut.metrics.DropReason;
import io.rut.metrics.EventLog;
import io.rut.metrics.ServiceMeters;
import io.rut.protocol.CloseReason;
import io.rut.protocol.ControlCodec;
import io.rut.protocol.ControlMessage;
import io.rut.protocol.CookieJar;
import io.rut.protocol.MessageCounter;
import io.rut.protocol.MessageType;
import io.rut.protocol.ServiceId;
import io.rut.protocol.ServiceKeys;
import io.rut.protocol.WireGuardInitiation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A {@link Relay} of one service with everything around it faked: a clock advanced by hand, a
 * recording {@link RelayOutput}, meters in a {@link SimpleMeterRegistry}, and an "inside agent"
 * that signs control messages with the service's keys. No sockets, no Vert.x, no sleeping.
 */
final class RelayHarness {

  static final String SERVICE = "wg";
  static final long SECOND = 1_000_000_000L;
  static final long MS = 1_000_000L;
  /** A 32-byte key, all 1, as a secret. */
  static final String KEY_A = secret((byte) 1);
  /** A 32-byte key, all 2, as a secret. */
  static final String KEY_B = secret((byte) 2);
  /** Some WireGuard server's public key (any 32 bytes do for mac1). */
  static final byte[] WG_KEY = filled(32, (byte) 7);
  static final String WG_KEY_BASE64 = Base64.getEncoder().encodeToString(WG_KEY);

  private static final Logger RUT_LOG = Logger.getLogger("rut");

  static {
    // The relay logs every decision; the tests assert on meters and output instead.
    RUT_LOG.setLevel(Level.OFF);
  }

  /** The fake clock, in nanoseconds (an arbitrary origin, as {@link System#nanoTime()} has). */
  long now = 1_000 * SECOND;
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final ServiceMeters meters = new ServiceMeters(registry, "outside", SERVICE);
  final Recorder out = new Recorder();
  final long serviceId = ServiceId.of(SERVICE);
  final Relay relay;
  /** Signs what the inside sends (the first secret of the configuration, unless a test changes it). */
  ControlCodec inside;
  /** Verifies and decodes what the relay sends. */
  ControlCodec reader;
  /** The inside agent's one message counter. */
  private long insideCounter = 1_000_000;
  /** The relay handles a HELLO or KEEPALIVE of the inside: a CHALLENGE now answers it, and is no probe. */
  private boolean asking;

  RelayHarness() {
    this(new JsonObject());
  }

  /** A relay of service {@value #SERVICE} with {@code settings} over the defaults (name, listen, secret). */
  RelayHarness(JsonObject settings) {
    OutsideServiceConfig config = config(settings);
    ServiceKeys keys = ServiceKeys.derive(SERVICE, config.secrets());
    inside = new ControlCodec(keys);
    reader = new ControlCodec(keys);
    relay = new Relay(config, keys, new MessageCounter(7_000_000), meters, new EventLog("outside"), out,
        new CookieJar(filled(32, (byte) 9), () -> this.now / SECOND));
  }

  static OutsideServiceConfig config(JsonObject settings) {
    JsonObject service = new JsonObject().put("name", SERVICE).put("listen", "0.0.0.0:5000").put("secret", KEY_A);
    service.mergeIn(settings);
    return OutsideConfig.fromJson(new JsonObject().put("services", new JsonArray().add(service))).services().get(0);
  }

  static String secret(byte fill) {
    return ServiceKeys.BASE64_PREFIX + Base64.getEncoder().encodeToString(filled(32, fill));
  }

  static byte[] filled(int n, byte fill) {
    byte[] b = new byte[n];
    Arrays.fill(b, fill);
    return b;
  }

  static ControlCodec codec(String... secrets) {
    return new ControlCodec(ServiceKeys.derive(SERVICE, List.of(secrets)));
  }

  static InetSocketAddress addr(String ip, int port) {
    return new InetSocketAddress(ip, port); // literals only: no DNS
  }

  /** A WireGuard handshake initiation for the server of {@code serverKey}: 148 bytes, type 1, valid mac1. */
  static byte[] initiation(byte[] serverKey, long seed) {
    byte[] m = new byte[WireGuardInitiation.SIZE];
    new Random(seed).nextBytes(m);
    m[0] = 1;
    m[1] = m[2] = m[3] = 0;
    System.arraycopy(new WireGuardInitiation(serverKey).mac1(m), 0, m, 116, 16);
    return m;
  }

  static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  // ---- time ---------------------------------------------------------------------------------

  void advanceMillis(long millis) {
    now += millis * MS;
  }

  void advanceSeconds(double seconds) {
    now += Math.round(seconds * SECOND);
  }

  void tick() {
    relay.tick(now);
  }

  // ---- datagrams in -------------------------------------------------------------------------

  /** One datagram from {@code from}, as the socket hands it over (valid during the call only). */
  void datagram(byte[] bytes, InetSocketAddress from) {
    ByteBuf b = Unpooled.wrappedBuffer(bytes.clone());
    relay.onDatagram(b, from, now);
    b.setZero(0, b.capacity()); // the socket reuses its buffer: whatever the relay kept must be a copy
  }

  void clientSends(InetSocketAddress client, byte[] bytes) {
    datagram(bytes, client);
  }

  void tunnelSends(InetSocketAddress tunnel, byte[] bytes) {
    datagram(bytes, tunnel);
  }

  long nextCounter() {
    return ++insideCounter;
  }

  /** Encodes {@code m} as the inside does, sends it from {@code from}, and returns the bytes. */
  byte[] control(ControlMessage m, InetSocketAddress from) {
    byte[] wire = inside.encode(m);
    asking = m.type() == MessageType.HELLO || m.type() == MessageType.KEEPALIVE;
    try {
      datagram(wire, from);
    } finally {
      asking = false;
    }
    return wire;
  }

  byte[] hello(long tunnelId, InetSocketAddress from) {
    return control(ControlMessage.hello(serviceId, tunnelId, nextCounter(), true), from);
  }

  byte[] auth(long tunnelId, InetSocketAddress from, byte[] cookie, InetSocketAddress client) {
    return control(ControlMessage.auth(serviceId, tunnelId, nextCounter(), cookie, client), from);
  }

  byte[] keepalive(long tunnelId, InetSocketAddress from) {
    return keepalive(tunnelId, from, null);
  }

  byte[] keepalive(long tunnelId, InetSocketAddress from, InetSocketAddress client) {
    return control(ControlMessage.keepalive(serviceId, tunnelId, nextCounter(), client), from);
  }

  byte[] close(long tunnelId, InetSocketAddress from, CloseReason reason) {
    return control(ControlMessage.close(serviceId, tunnelId, nextCounter(), reason), from);
  }

  /** HELLO, and the cookie of the CHALLENGE the relay answers it with. */
  byte[] cookie(long tunnelId, InetSocketAddress from) {
    int before = out.sent.size();
    hello(tunnelId, from);
    ControlMessage challenge = null;
    for (Sent s : out.sent.subList(before, out.sent.size())) {
      if (s.control != null && s.control.type() == MessageType.CHALLENGE && s.to.equals(from)) {
        challenge = s.control;
      }
    }
    assertNotNull(challenge, "no CHALLENGE for tunnel " + tunnelId + " at " + from);
    return challenge.cookie();
  }

  /** HELLO -> CHALLENGE -> AUTH -> ACK for a spare; returns the ACK (fails if there is none). */
  ControlMessage register(long tunnelId, InetSocketAddress address) {
    return register(tunnelId, address, null);
  }

  /** HELLO -> CHALLENGE -> AUTH (carrying {@code client}, or none) -> ACK; returns the ACK. */
  ControlMessage register(long tunnelId, InetSocketAddress address, InetSocketAddress client) {
    ControlMessage answer = authenticate(tunnelId, address, client);
    assertNotNull(answer, "no answer to AUTH of tunnel " + tunnelId);
    assertEquals(MessageType.ACK, answer.type(), "answer to AUTH of tunnel " + tunnelId);
    return answer;
  }

  /**
   * HELLO -> CHALLENGE -> AUTH; returns the relay's answer to the AUTH (its first control message to
   * {@code address} after it: ACK, REJECT or CLOSE), or null.
   */
  ControlMessage authenticate(long tunnelId, InetSocketAddress address, InetSocketAddress client) {
    byte[] cookie = cookie(tunnelId, address);
    int before = out.sent.size();
    auth(tunnelId, address, cookie, client);
    for (Sent s : out.sent.subList(before, out.sent.size())) {
      if (s.control != null && s.to.equals(address)) {
        return s.control;
      }
    }
    return null;
  }

  // ---- probes of silent tunnels (SilentTunnels) ----------------------------------------------

  /**
   * The probes the relay sent to {@code address} for {@code tunnelId}, in order: the CHALLENGEs
   * that answer no HELLO or KEEPALIVE of the inside (those look the same on the wire).
   */
  List<ControlMessage> probesTo(long tunnelId, InetSocketAddress address) {
    return out.probes.stream().filter(s -> s.to.equals(address) && s.control.tunnelId() == tunnelId)
        .map(Sent::control).toList();
  }

  /**
   * The inside agent behind {@code address} answers the latest probe of tunnel {@code tunnelId} as
   * a live one does: AUTH with the cookie the CHALLENGE carried, naming the tunnel's client if it
   * has one. A registered tunnel that a test wants alive must do this; the harness does not answer
   * by itself. Returns the relay's answer to the AUTH (ACK, normally), or null.
   */
  ControlMessage answerProbe(long tunnelId, InetSocketAddress address) {
    return answer(probesTo(tunnelId, address), tunnelId, address);
  }

  /** As {@link #answerProbe}, for the latest CHALLENGE of any kind (a KEEPALIVE's from a new address, say). */
  ControlMessage answerChallenge(long tunnelId, InetSocketAddress address) {
    return answer(controlTo(address, MessageType.CHALLENGE).stream().filter(m -> m.tunnelId() == tunnelId).toList(),
        tunnelId, address);
  }

  private ControlMessage answer(List<ControlMessage> challenges, long tunnelId, InetSocketAddress address) {
    assertNotNull(challenges.isEmpty() ? null : challenges, "no CHALLENGE of tunnel " + tunnelId + " at " + address);
    ControlMessage probe = challenges.get(challenges.size() - 1);
    OutsideTunnel t = tunnel(tunnelId);
    InetSocketAddress client = t == null ? null : t.client;
    int before = out.sent.size();
    auth(tunnelId, address, probe.cookie(), client);
    for (Sent s : out.sent.subList(before, out.sent.size())) {
      if (s.control != null && s.to.equals(address)) {
        return s.control;
      }
    }
    return null;
  }

  // ---- what went out ------------------------------------------------------------------------

  enum Kind { FORWARD, HELD, CONTROL }

  /** One datagram the relay sent: raw bytes, and for control messages what they decode to. */
  record Sent(Kind kind, InetSocketAddress to, byte[] bytes, ControlMessage control) {
    boolean isData() {
      return kind != Kind.CONTROL;
    }

    @Override
    public String toString() {
      return kind + "->" + to + (control != null ? " " + control.type() : " " + bytes.length + " bytes");
    }
  }

  /** The recording {@link RelayOutput}. */
  final class Recorder implements RelayOutput {
    final List<Sent> sent = new ArrayList<>();
    /** The CHALLENGEs of {@link #sent} that answer nothing the inside asked: probes. */
    final List<Sent> probes = new ArrayList<>();
    final List<OutsideEvent> published = new ArrayList<>();

    @Override
    public void forward(ByteBuf data, InetSocketAddress to) {
      sent.add(new Sent(Kind.FORWARD, to, ByteBufUtil.getBytes(data), null));
    }

    @Override
    public void send(byte[] datagram, InetSocketAddress to) {
      sent.add(new Sent(Kind.HELD, to, datagram.clone(), null));
    }

    @Override
    public void sendControl(byte[] message, InetSocketAddress to) {
      assertEquals(ControlCodec.SIZE, message.length, "control message size");
      ControlMessage m = reader.decode(message);
      if (m == null) {
        fail("the relay sent a control message that does not verify under the service's keys");
      }
      Sent s = new Sent(Kind.CONTROL, to, message.clone(), m);
      sent.add(s);
      if (m.type() == MessageType.CHALLENGE && !asking) {
        probes.add(s);
      }
    }

    @Override
    public void publish(OutsideEvent event) {
      published.add(event);
    }
  }

  /** Forgets what was sent and published so far. */
  void clearOutput() {
    out.sent.clear();
    out.probes.clear();
    out.published.clear();
  }

  List<Sent> sent() {
    return out.sent;
  }

  List<Sent> sentTo(InetSocketAddress to) {
    return out.sent.stream().filter(s -> s.to.equals(to)).toList();
  }

  /** Data (forwarded or held) sent to {@code to}, in order. */
  List<byte[]> dataTo(InetSocketAddress to) {
    return out.sent.stream().filter(s -> s.isData() && s.to.equals(to)).map(Sent::bytes).toList();
  }

  List<Sent> data() {
    return out.sent.stream().filter(Sent::isData).toList();
  }

  List<ControlMessage> controlTo(InetSocketAddress to) {
    return out.sent.stream().filter(s -> s.control != null && s.to.equals(to)).map(Sent::control).toList();
  }

  List<ControlMessage> controlTo(InetSocketAddress to, MessageType type) {
    return controlTo(to).stream().filter(m -> m.type() == type).toList();
  }

  List<ControlMessage> control() {
    return out.sent.stream().filter(s -> s.control != null).map(Sent::control).toList();
  }

  ControlMessage lastControlTo(InetSocketAddress to) {
    List<ControlMessage> all = controlTo(to);
    return all.isEmpty() ? null : all.get(all.size() - 1);
  }

  List<OutsideEvent> published(OutsideEvent.Kind kind) {
    return out.published.stream().filter(e -> e.kind() == kind).toList();
  }

  // ---- meters and state ---------------------------------------------------------------------

  double drops(DropReason reason) {
    return meters.drops(reason);
  }

  /** Drops of every reason together. */
  double allDrops() {
    double n = 0;
    for (DropReason r : DropReason.values()) {
      n += meters.drops(r);
    }
    return n;
  }

  double events(String name) {
    return meters.events(name);
  }

  double closedCount(String reason) {
    return meters.closedCount(reason);
  }

  double forwarded(Direction direction) {
    return meters.forwarded(direction);
  }

  TunnelTable table() {
    return relay.table();
  }

  OutsideTunnel tunnel(long id) {
    return relay.table().byId(id);
  }

  /** Reloads with {@code settings} over the defaults; the keys follow the configuration's secrets. */
  void reload(JsonObject settings) {
    OutsideServiceConfig next = config(settings);
    relay.update(next, ServiceKeys.derive(SERVICE, next.secrets()));
  }
}
