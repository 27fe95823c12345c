package io.rut.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rut.metrics.EventLog;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The permission warning at start and at each reload that reads the file, and only then. */
class ConfigWatcherPermissionsTest {

  private static final Logger RUT = Logger.getLogger("rut");

  @TempDir
  Path dir;

  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      lines.add(r.getMessage());
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };
  private final Vertx vertx = Vertx.vertx();

  @BeforeEach
  void listen() {
    RUT.addHandler(capture);
  }

  @AfterEach
  void stop() throws Exception {
    RUT.removeHandler(capture);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static String config(String name) {
    return new JsonObject().put("services", new JsonArray().add(new JsonObject().put("name", name)
        .put("secret", "base64:cnV0LXRlc3Qta2V5LXJ1dC10ZXN0LWtleS0zMmJ5dGU="))).encode();
  }

  private ConfigWatcher<JsonObject> watch(Path file) throws Exception {
    ConfigWatcher<JsonObject> w = new ConfigWatcher<>(vertx, file.toString(), Duration.ofMillis(100), json -> json,
        json -> Future.succeededFuture(), new EventLog("test"), new SimpleMeterRegistry(), "test");
    vertx.runOnContext(v -> w.start(config("a")));
    return w;
  }

  private List<String> warnings() {
    return lines.stream().filter(l -> l.contains("event=config_readable_by_others")).toList();
  }

  private void await(Supplier<Boolean> done, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!done.get()) {
      assertTrue(System.nanoTime() < deadline, what + ": " + lines);
      Thread.sleep(20);
    }
  }

  @Test
  void aReadableFileIsWarnedAboutAtStartAndAtEachReload() throws Exception {
    Path file = Files.writeString(dir.resolve("outside.json"), config("a"));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    ConfigWatcher<JsonObject> w = watch(file);
    await(() -> warnings().size() == 1, "a warning at start");
    assertEquals("agent=test event=config_readable_by_others file=" + file + " mode=0644 readableBy=others "
        + "fix=\"chmod 600 " + file + ", or chmod 640 with a group of the agent's own\"", warnings().get(0));

    vertx.runOnContext(v -> w.reloadNow());
    await(() -> lines.stream().anyMatch(l -> l.contains("event=config_unchanged")), "SIGHUP read the file");
    assertEquals(2, warnings().size(), "again when SIGHUP read the file: " + lines);

    Files.writeString(file, config("b"));
    await(() -> lines.stream().anyMatch(l -> l.contains("event=config_reloaded")), "a reload");
    assertEquals(3, warnings().size(), "again at the reload: " + lines);

    Thread.sleep(500);
    assertEquals(3, warnings().size(), "not at every scan: " + lines);
  }

  @Test
  void aFileOnlyTheAgentReadsIsNot() throws Exception {
    Path file = Files.writeString(dir.resolve("outside.json"), config("a"));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    ConfigWatcher<JsonObject> w = watch(file);
    await(() -> lines.stream().anyMatch(l -> l.contains("event=config_watched")), "a start");
    Files.writeString(file, config("b"));
    await(() -> lines.stream().anyMatch(l -> l.contains("event=config_reloaded")), "a reload");
    vertx.runOnContext(v -> w.reloadNow());
    await(() -> lines.stream().anyMatch(l -> l.contains("event=config_unchanged")), "SIGHUP read the file");
    assertEquals(List.of(), warnings());
  }
}
