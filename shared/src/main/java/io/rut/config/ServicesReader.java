package io.rut.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;

/** Reads the top level that both agents share: a services list, metrics and logLevel. */
final class ServicesReader {

  static final Set<String> TOP_KEYS = Set.of("services", "metrics", "logLevel", "configScanPeriod", "dataPath");

  private ServicesReader() {
  }

  static <T> List<T> services(JsonObject json, BiFunction<JsonObject, String, T> reader,
                              java.util.function.Function<T, String> name) {
    if (json == null) {
      throw new ConfigException("configuration is empty");
    }
    JsonFields top = new JsonFields(json, "", TOP_KEYS);
    JsonArray list = top.array("services");
    if (list.isEmpty()) {
      throw new ConfigException("services: at least one service is required");
    }
    List<T> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String path = "services[" + i + "]";
      T s = reader.apply(JsonFields.objectAt(list, i, "services"), path);
      if (!names.add(name.apply(s))) {
        throw new ConfigException(path + ".name: service '" + name.apply(s) + "' is defined twice");
      }
      out.add(s);
    }
    return List.copyOf(out);
  }

  static MetricsConfig metrics(JsonObject json) {
    return MetricsConfig.fromJson(new JsonFields(json, "", TOP_KEYS).object("metrics"));
  }

  static DataPathConfig dataPath(JsonObject json) {
    return DataPathConfig.fromJson(new JsonFields(json, "", TOP_KEYS).object("dataPath"));
  }

  static java.time.Duration scanPeriod(JsonObject json) {
    return new JsonFields(json, "", TOP_KEYS).seconds("configScanPeriod", java.time.Duration.ofSeconds(1), 0.1, 3600);
  }

  static LogLevel logLevel(JsonObject json) {
    return json.containsKey("logLevel") ? LogLevel.parse(json.getValue("logLevel")) : LogLevel.INFO;
  }
}
