package io.rut.agent;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rut.config.AgentConfig;
import io.rut.config.ConfigDiff;
import io.rut.config.MetricsConfig;
import io.rut.config.ServiceSettings;
import io.rut.launch.LogSetup;
import io.rut.launch.RutLauncher;
import io.rut.metrics.EventLog;
import io.rut.metrics.ServiceMeters;
import io.rut.metrics.StatusServer;
import io.rut.metrics.StatusSource;
import io.rut.protocol.MessageCounter;
import io.rut.protocol.ServiceKeys;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What both agents do around their services: derive keys off the event loop, run one
 * {@link ServiceUnit} per configured service sharing one message counter, serve the status
 * endpoint, and apply a reloaded configuration as a whole.
 *
 * @param <C> the agent's configuration
 * @param <S> one service's configuration
 */
public abstract class AgentVerticle<C extends AgentConfig, S extends ServiceSettings> extends VerticleBase
    implements StatusSource, RutLauncher.Reloadable {

  private record Running<S>(S config, ServiceUnit<S> unit, ServiceMeters meters, String deployment) {
  }

  protected final String agent;
  protected final MessageCounter counter = new MessageCounter();
  protected final EventLog log;
  protected final PrometheusMeterRegistry registry;
  private final String configPath;
  private final Function<io.vertx.core.json.JsonObject, C> parser;
  private final Map<String, Running<S>> services = new LinkedHashMap<>();
  private C config;
  private ConfigWatcher<C> watcher;
  private StatusServer status;
  private String statusDeployment;

  protected AgentVerticle(String agent, C config, String configPath, PrometheusMeterRegistry registry,
                          Function<io.vertx.core.json.JsonObject, C> parser) {
    this.agent = agent;
    this.config = config;
    this.configPath = configPath;
    this.registry = registry;
    this.parser = parser;
    this.log = new EventLog(agent);
  }

  /** The configured services, in order. */
  protected abstract List<S> services(C config);

  /** Settings that pin a service to its sockets: a change of these restarts the service. */
  protected abstract Object addressOf(S service);

  protected abstract ServiceUnit<S> create(S service, ServiceKeys keys, ServiceMeters meters);

  @Override
  public Future<?> start() {
    return startServices(services(config))
        .compose(v -> startStatus(config.metrics()))
        .compose(v -> startWatcher())
        .onSuccess(v -> log.info("started", "services", services.keySet()));
  }

  @Override
  public Future<?> stop() {
    return watcher == null ? Future.succeededFuture() : watcher.stop();
  }

  @Override
  public void reloadNow() {
    if (watcher != null) {
      context.runOnContext(v -> watcher.reloadNow());
    }
  }

  private Future<Void> startWatcher() {
    if (configPath == null) {
      log.info("config_not_watched", "reason", "no configuration file (options or inline JSON)");
      return Future.succeededFuture();
    }
    watcher = new ConfigWatcher<>(vertx, configPath, config.configScanPeriod(), parser, this::apply, log,
        registry, agent);
    return vertx.fileSystem().readFile(configPath).compose(text -> watcher.start(text.toString()));
  }

  /** Starts {@code list} all or nothing: if one fails, the others are undeployed again. */
  private Future<Void> startServices(List<S> list) {
    return deriveKeys(list).compose(keys -> {
      List<Future<Running<S>>> started = new ArrayList<>();
      for (S s : list) {
        started.add(deploy(s, keys.get(s.name())));
      }
      return Future.join(started).transform(r -> {
        if (r.succeeded()) {
          return Future.succeededFuture();
        }
        List<Future<Void>> undo = new ArrayList<>();
        Throwable cause = null;
        for (Future<Running<S>> f : started) {
          if (f.succeeded()) {
            undo.add(undeploy(f.result()));
          } else if (cause == null) {
            cause = f.cause();
          }
        }
        Throwable failure = cause;
        return Future.join(undo).transform(x -> Future.failedFuture(failure));
      });
    });
  }

  private Future<Map<String, ServiceKeys>> deriveKeys(List<S> list) {
    return vertx.executeBlocking(() -> {
      Map<String, ServiceKeys> keys = new HashMap<>();
      for (S s : list) {
        keys.put(s.name(), ServiceKeys.derive(s.name(), s.secrets()));
      }
      return keys;
    });
  }

  private Future<Running<S>> deploy(S s, ServiceKeys keys) {
    ServiceMeters m = new ServiceMeters(registry, agent, s.name());
    ServiceUnit<S> unit = create(s, keys, m);
    return vertx.deployVerticle(unit)
        .map(id -> {
          Running<S> r = new Running<>(s, unit, m, id);
          services.put(s.name(), r);
          return r;
        })
        .onFailure(e -> m.close());
  }

  private Future<Void> undeploy(Running<S> r) {
    services.remove(r.config().name());
    return vertx.undeploy(r.deployment()).onComplete(x -> r.meters().close());
  }

  /**
   * Applies a new configuration as a whole: new services start first (a port in use rejects it all
   * and changes nothing), then changed services are updated in place, then removed ones say goodbye
   * and stop. Services whose settings did not change are not touched.
   */
  protected Future<Void> apply(C next) {
    List<S> running = services.values().stream().map(Running::config).toList();
    ConfigDiff<S> diff = ConfigDiff.of(running, services(next), this::addressOf);
    List<S> added = diff.added();
    List<S> changed = diff.changed();
    List<Running<S>> removed = diff.removed().stream().map(s -> services.get(s.name())).toList();
    // A service that moves to other sockets is removed and added: set the old one aside meanwhile.
    Map<String, Running<S>> moving = new HashMap<>();
    for (Running<S> r : removed) {
      if (diff.moves(r.config().name())) {
        moving.put(r.config().name(), services.remove(r.config().name()));
      }
    }
    return startServices(added)
        .recover(e -> {
          services.putAll(moving);
          return Future.failedFuture(e);
        })
        .compose(v -> deriveKeys(changed))
        .compose(keys -> {
          List<Future<Void>> updates = new ArrayList<>();
          for (S s : changed) {
            Running<S> r = services.get(s.name());
            updates.add(r.unit().update(s, keys.get(s.name())));
            services.put(s.name(), new Running<>(s, r.unit(), r.meters(), r.deployment()));
          }
          return Future.all(updates);
        })
        .compose(v -> {
          List<Future<Void>> gone = new ArrayList<>();
          for (Running<S> r : removed) {
            gone.add(r.unit().retire().compose(x -> vertx.undeploy(r.deployment()))
                .onComplete(x -> r.meters().close()));
            if (!diff.moves(r.config().name())) {
              services.remove(r.config().name());
            }
          }
          return Future.all(gone);
        })
        .compose(v -> next.metrics().equals(config.metrics()) ? Future.succeededFuture()
            : stopStatus().compose(x -> startStatus(next.metrics())))
        .onSuccess(v -> {
          if (next.logLevel() != config.logLevel()) {
            LogSetup.apply(next.logLevel());
          }
          if (!next.dataPath().equals(config.dataPath())) {
            log.warn("data_path_unchanged", "reason", "dataPath is read at start only: restart to apply it");
          }
          config = next;
          log.info("services_applied", "added", names(added), "changed", names(changed), "removed",
              removed.stream().map(r -> r.config().name()).toList());
        })
        .mapEmpty();
  }

  private List<String> names(List<S> list) {
    return list.stream().map(ServiceSettings::name).toList();
  }

  private Future<Void> startStatus(MetricsConfig metrics) {
    if (metrics.listen() == null) {
      return Future.succeededFuture();
    }
    status = new StatusServer(metrics, registry, this);
    return vertx.deployVerticle(status).onSuccess(id -> {
      statusDeployment = id;
      log.info("status_endpoint", "address", metrics.listen(), "paths", "/metrics /health /tunnels");
    }).mapEmpty();
  }

  private Future<Void> stopStatus() {
    if (statusDeployment == null) {
      return Future.succeededFuture();
    }
    String id = statusDeployment;
    statusDeployment = null;
    status = null;
    return vertx.undeploy(id);
  }

  /** The status endpoint's port (useful when configured as 0), or -1. */
  public int statusPort() {
    return status == null ? -1 : status.port();
  }

  @Override
  public Future<JsonArray> health() {
    return statuses().map(list -> {
      JsonArray out = new JsonArray();
      for (Object o : list) {
        JsonObject s = ((JsonObject) o).copy();
        s.remove("list");
        out.add(s);
      }
      return out;
    });
  }

  @Override
  public Future<JsonArray> tunnels() {
    return statuses().map(list -> {
      JsonArray out = new JsonArray();
      for (Object o : list) {
        out.addAll(((JsonObject) o).getJsonArray("list"));
      }
      return out;
    });
  }

  private Future<JsonArray> statuses() {
    List<Future<JsonObject>> each = new ArrayList<>();
    for (Running<S> r : new ArrayList<>(services.values())) {
      each.add(r.unit().status());
    }
    return Future.join(each).transform(x -> Future.succeededFuture(StatusServer.collect(each)));
  }

  /** The running unit of {@code service}, or null. */
  protected ServiceUnit<S> unit(String service) {
    Running<S> r = services.get(service);
    return r == null ? null : r.unit();
  }

  public ServiceMeters meters(String service) {
    Running<S> r = services.get(service);
    return r == null ? null : r.meters();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }
}
