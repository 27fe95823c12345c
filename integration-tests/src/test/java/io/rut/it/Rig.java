package io.rut.it;

import io.rut.config.InsideConfig;
import io.rut.config.OutsideConfig;
import io.rut.inside.InsideVerticle;
import io.rut.outside.OutsideVerticle;
import io.rut.outside.RelayVerticle;
import io.rut.tools.UdpEcho;
import io.rut.net.DatagramTransport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A loopback tunnel for tests: a Vert.x with RUT's transport, a UDP echo service, an outside agent
 * on an OS-assigned port and an inside agent pointing at it, all real sockets in this process.
 */
final class Rig implements AutoCloseable {

  static final String SERVICE = "test";
  static final String SECRET = "base64:cnV0LXRlc3Qta2V5LXJ1dC10ZXN0LWtleS0zMmJ5dGU=";

  static {
    // -Drut.log=debug shows what the agents do while a test runs
    String level = System.getProperty("rut.log");
    if (level != null) {
      io.rut.launch.LogSetup.apply(io.rut.config.LogLevel.parse(level));
    }
  }

  final io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry = io.rut.metrics.Registries.prometheus();
  final Vertx vertx;

  Rig() {
    this(false);
  }

  /** @param vertxMetrics whether Vert.x's own meters (event bus, datagrams) go to {@link #registry} too */
  Rig(boolean vertxMetrics) {
    vertx = (vertxMetrics ? io.rut.metrics.Registries.withVertxMetrics(new io.vertx.core.VertxOptions(), registry)
        : Vertx.builder()).withTransport(DatagramTransport.best()).build();
  }
  UdpEcho echo;
  OutsideVerticle outside;
  InsideVerticle inside;
  private String outsideDeployment;
  private String insideDeployment;

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("did not complete: " + e, e);
    }
  }

  UdpEcho startEcho(String host, int port) {
    echo = new UdpEcho(new InetSocketAddress(host, port));
    await(vertx.deployVerticle(echo));
    return echo;
  }

  void stopEcho() {
    await(vertx.undeploy(echo.deploymentID()));
  }

  static JsonObject outsideService(String listen) {
    return new JsonObject().put("name", SERVICE).put("listen", listen).put("secret", SECRET);
  }

  OutsideVerticle startOutside(JsonObject service) {
    outside = new OutsideVerticle(OutsideConfig.fromJson(
        new JsonObject().put("services", new JsonArray().add(service))), null, registry);
    outsideDeployment = await(vertx.deployVerticle(outside));
    return outside;
  }

  /** Starts the outside agent from a configuration file that it watches, as {@code -conf FILE} does. */
  OutsideVerticle startOutsideFile(java.nio.file.Path file) {
    outside = new OutsideVerticle(OutsideConfig.fromJson(new JsonObject(read(file))), file.toString(), registry);
    outsideDeployment = await(vertx.deployVerticle(outside));
    return outside;
  }

  InsideVerticle startInsideFile(java.nio.file.Path file) {
    inside = new InsideVerticle(InsideConfig.fromJson(new JsonObject(read(file))), file.toString(), registry,
        io.rut.config.HostPort::resolve);
    insideDeployment = await(vertx.deployVerticle(inside));
    return inside;
  }

  static String read(java.nio.file.Path file) {
    try {
      return java.nio.file.Files.readString(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static void write(java.nio.file.Path file, JsonObject json) {
    try {
      java.nio.file.Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      java.nio.file.Files.writeString(tmp, json.encodePrettily());
      java.nio.file.Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A UDP port that was free a moment ago. */
  static int freePort() {
    try (java.net.DatagramSocket s = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  void stopOutside() {
    await(vertx.undeploy(outsideDeployment));
  }

  RelayVerticle relay() {
    return outside.relay(SERVICE);
  }

  int outsidePort() {
    return relay().port();
  }

  static JsonObject insideService(String outside, String target) {
    return new JsonObject().put("name", SERVICE).put("outside", outside).put("target", target)
        .put("secret", SECRET);
  }

  InsideVerticle startInside(JsonObject service) {
    return startInside(service, io.rut.config.HostPort::resolve);
  }

  InsideVerticle startInside(JsonObject service,
                             java.util.function.Function<io.rut.config.HostPort, InetSocketAddress> resolver) {
    inside = new InsideVerticle(InsideConfig.fromJson(
        new JsonObject().put("services", new JsonArray().add(service))), null, registry, resolver);
    insideDeployment = await(vertx.deployVerticle(inside));
    return inside;
  }

  void stopInside() {
    await(vertx.undeploy(insideDeployment));
  }

  /** Echo on 127.0.0.1, outside on [::]:0, inside over 127.0.0.1 with the given extra settings. */
  static Rig standard(JsonObject insideExtra, JsonObject outsideExtra) {
    Rig rig = new Rig();
    rig.startEcho("127.0.0.1", 0);
    rig.startOutside(outsideService("[::]:0").mergeIn(outsideExtra));
    rig.startInside(insideService("127.0.0.1:" + rig.outsidePort(), "127.0.0.1:" + rig.echo.port())
        .mergeIn(insideExtra));
    rig.awaitSpares(1);
    return rig;
  }

  /** Waits until the outside holds at least {@code n} registered spares. */
  void awaitSpares(int n) {
    awaitStatus(s -> s.getInteger("spares") >= n, Duration.ofSeconds(10));
  }

  /**
   * Waits until the inside agent's pool has settled: every spare it opened is registered with the
   * outside and nothing changed for half a second (a bind opens burst spares a moment later).
   */
  void awaitSettled() {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    String last = "";
    long sameSince = System.nanoTime();
    while (true) {
      JsonObject in = insideStatus();
      JsonObject out = outsideStatus();
      String now = in.getInteger("tunnels") + "/" + in.getInteger("spares") + "/" + out.getInteger("spares");
      boolean registered = in.getInteger("spares").equals(out.getInteger("spares"));
      if (!now.equals(last)) {
        last = now;
        sameSince = System.nanoTime();
      } else if (registered && System.nanoTime() - sameSince > 500_000_000L) {
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("the spare pool never settled; tunnels/spares inside/spares outside: " + now);
      }
      sleep(50);
    }
  }

  JsonObject outsideStatus() {
    return await(relay().status());
  }

  JsonObject awaitStatus(Predicate<JsonObject> condition, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    JsonObject s = outsideStatus();
    while (!condition.test(s)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("outside status never matched; last: " + s.encode());
      }
      sleep(20);
      s = outsideStatus();
    }
    return s;
  }

  JsonObject insideStatus() {
    return await(inside.agent(SERVICE).status());
  }

  /** The next event on {@code address} that matches; subscribe before causing it. */
  <T> CompletableFuture<T> nextEvent(String address, Predicate<T> match) {
    CompletableFuture<T> result = new CompletableFuture<>();
    MessageConsumer<T> consumer = vertx.eventBus().consumer(address);
    consumer.handler(m -> {
      if (match.test(m.body()) && result.complete(m.body())) {
        consumer.unregister();
      }
    });
    await(consumer.completion());
    return result;
  }

  /** The outside's next CLOSED event of a tunnel that carried a client. */
  CompletableFuture<io.rut.outside.OutsideEvent> nextClientTunnelClosed() {
    return nextEvent(io.rut.outside.OutsideEvent.ADDRESS, (io.rut.outside.OutsideEvent e) ->
        e.kind() == io.rut.outside.OutsideEvent.Kind.CLOSED && e.client() != null);
  }

  /** A WireGuard handshake initiation (random content) whose mac1 verifies for {@code serverKey}. */
  static byte[] wireguardInitiation(byte[] serverKey, long seed) {
    byte[] m = new byte[io.rut.protocol.WireGuardInitiation.SIZE];
    new java.util.Random(seed).nextBytes(m);
    m[0] = 1;
    m[1] = m[2] = m[3] = 0;
    System.arraycopy(new io.rut.protocol.WireGuardInitiation(serverKey).mac1(m), 0, m, 116, 16);
    return m;
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    await(vertx.close());
  }
}
