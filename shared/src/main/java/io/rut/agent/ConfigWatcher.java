package io.rut.agent;

import io.rut.config.ConfigException;
import io.rut.config.ConfigText;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.rut.metrics.EventLog;
import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;
import java.util.logging.Level;

/**
 * Watches the {@code -conf} file (vertx-config's file store, read as raw text every scan period)
 * and, on SIGHUP, reads it at once. Each changed text is parsed and validated as a whole and handed
 * to the agent; a text that fails, or that the agent cannot apply, is rejected in one log line and
 * one count, and the running configuration stays in force. A file that holds a secret and that
 * other users can read is warned about at start and at each reload.
 */
public final class ConfigWatcher<C> {

  private final Vertx vertx;
  private final String path;
  private final long scanMillis;
  private final Function<JsonObject, C> parse;
  private final Function<C, Future<Void>> apply;
  private final EventLog log;
  private final Counter applied;
  private final Counter rejected;
  private ConfigRetriever retriever;
  private String current;
  private String pending;
  private boolean busy;

  public ConfigWatcher(Vertx vertx, String path, java.time.Duration scanPeriod, Function<JsonObject, C> parse,
                       Function<C, Future<Void>> apply, EventLog log, MeterRegistry registry, String agent) {
    this.vertx = vertx;
    this.path = path;
    this.scanMillis = Math.max(100, scanPeriod.toMillis());
    this.parse = parse;
    this.apply = apply;
    this.log = log;
    this.applied = Counter.builder("rut_config_reloads").description("configuration reloads, by result")
        .tag("agent", agent).tag("result", "ok").register(registry);
    this.rejected = Counter.builder("rut_config_reloads").description("configuration reloads, by result")
        .tag("agent", agent).tag("result", "rejected").register(registry);
  }

  /** Starts watching; {@code startText} is the text the agent started from. */
  public Future<Void> start(String startText) {
    current = startText;
    warnIfReadableByOthers(startText);
    retriever = ConfigRetriever.create(vertx, new ConfigRetrieverOptions().setScanPeriod(scanMillis)
        .addStore(new ConfigStoreOptions().setType("file").setFormat("raw").setConfig(new JsonObject()
            .put("path", path).put("raw.key", "text").put("raw.type", "string"))));
    retriever.configStream().exceptionHandler(e -> log.limited(Level.WARNING, "config-unreadable", "config_unreadable",
        "file", path, "error", e.getMessage()));
    retriever.listen(change -> offer(change.getNewConfiguration().getString("text")));
    log.info("config_watched", "file", path, "scanPeriod", scanMillis / 1000.0);
    return Future.succeededFuture();
  }

  /** Reads the file now (SIGHUP). */
  public void reloadNow() {
    retriever.getConfig().onSuccess(json -> {
      String text = json.getString("text");
      if (text != null && text.equals(current)) {
        warnIfReadableByOthers(text);
        log.info("config_unchanged", "file", path);
      } else {
        offer(text);
      }
    });
  }

  public Future<Void> stop() {
    return retriever == null ? Future.succeededFuture() : retriever.close();
  }

  private void offer(String text) {
    if (text == null || text.equals(current)) {
      return;
    }
    if (busy) {
      pending = text;
      return;
    }
    busy = true;
    C next;
    try {
      JsonObject json = ConfigText.parse(text, "'" + path + "'");
      warn(json);
      next = parse.apply(json);
    } catch (ConfigException e) {
      reject(text, e.getMessage());
      return;
    }
    apply.apply(next).onComplete(r -> {
      if (r.succeeded()) {
        current = text;
        applied.increment();
        log.info("config_reloaded", "file", path);
        done();
      } else {
        reject(text, r.cause().getMessage());
      }
    });
  }

  /** Warns, at start and at each reload, while the file with its secrets is open to other users. */
  private void warnIfReadableByOthers(String text) {
    try {
      warn(ConfigText.parse(text, "'" + path + "'"));
    } catch (ConfigException e) {
      // not a configuration: its reload reports that
    }
  }

  private void warn(JsonObject json) {
    Object[] warning = ConfigPermissions.warning(java.nio.file.Path.of(path), json);
    if (warning != null) {
      log.warn("config_readable_by_others", warning);
    }
  }

  private void reject(String text, String reason) {
    // Remember the rejected text too, so that it is reported once and not at every scan.
    current = text;
    rejected.increment();
    log.warn("config_rejected", "file", path, "reason", reason, "keeping", "the running configuration");
    done();
  }

  private void done() {
    busy = false;
    String next = pending;
    pending = null;
    if (next != null) {
      offer(next);
    }
  }
}
