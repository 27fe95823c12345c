package io.rut.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads one JSON object strictly: unknown keys are errors that list the valid ones, and every
 * error names the full path of the key ({@code services[1].secret}).
 */
final class JsonFields {

  private final JsonObject json;
  private final String path;

  JsonFields(JsonObject json, String path, Set<String> allowed) {
    this.json = json;
    this.path = path;
    for (String key : json.fieldNames()) {
      if (!allowed.contains(key)) {
        throw new ConfigException(where(key) + ": unknown key; valid keys are " + new TreeSet<>(allowed));
      }
    }
  }

  String where(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  ConfigException error(String key, String reason) {
    return new ConfigException(where(key) + ": " + reason);
  }

  boolean has(String key) {
    return json.containsKey(key) && json.getValue(key) != null;
  }

  String string(String key) {
    Object v = json.getValue(key);
    if (v == null) {
      throw error(key, "required");
    }
    if (!(v instanceof String s) || s.isBlank()) {
      throw error(key, "must be a non-empty string");
    }
    return s;
  }

  String string(String key, String fallback) {
    return has(key) ? string(key) : fallback;
  }

  int integer(String key, int fallback, int min, int max) {
    if (!has(key)) {
      return fallback;
    }
    Object v = json.getValue(key);
    java.math.BigDecimal d = v instanceof Number n ? new java.math.BigDecimal(n.toString()) : null;
    if (d == null || d.stripTrailingZeros().scale() > 0) {
      throw error(key, "must be a whole number");
    }
    if (d.compareTo(java.math.BigDecimal.valueOf(min)) < 0 || d.compareTo(java.math.BigDecimal.valueOf(max)) > 0) {
      throw error(key, "must be between " + min + " and " + max + ", got " + d.toPlainString());
    }
    return d.intValueExact();
  }

  boolean bool(String key, boolean fallback) {
    if (!has(key)) {
      return fallback;
    }
    if (!(json.getValue(key) instanceof Boolean b)) {
      throw error(key, "must be true or false");
    }
    return b;
  }

  /** A duration written in seconds; fractions allowed (0.5). */
  Duration seconds(String key, Duration fallback, double min, double max) {
    if (!has(key)) {
      return fallback;
    }
    Object v = json.getValue(key);
    if (!(v instanceof Number n)) {
      throw error(key, "must be a number of seconds");
    }
    double d = n.doubleValue();
    if (!(d >= min && d <= max)) {
      throw error(key, "must be between " + min + " and " + max + " seconds, got " + d);
    }
    return Duration.ofNanos(Math.round(d * 1e9));
  }

  HostPort hostPort(String key) {
    try {
      return HostPort.parse(string(key));
    } catch (ConfigException e) {
      if (e.getMessage().startsWith(where(key))) {
        throw e;
      }
      throw error(key, e.getMessage());
    }
  }

  /** A string or a non-empty list of strings. */
  List<String> stringOrList(String key) {
    Object v = json.getValue(key);
    if (v == null) {
      throw error(key, "required");
    }
    if (v instanceof String s) {
      return List.of(s);
    }
    if (v instanceof JsonArray a && !a.isEmpty()) {
      List<String> out = new ArrayList<>();
      for (int i = 0; i < a.size(); i++) {
        if (!(a.getValue(i) instanceof String s)) {
          throw error(key + "[" + i + "]", "must be a string");
        }
        out.add(s);
      }
      return List.copyOf(out);
    }
    throw error(key, "must be a string or a non-empty list of strings");
  }

  /** A service name: 1 to 64 of letters, digits, '.', '_' and '-'. */
  String serviceName(String key) {
    String name = string(key);
    if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
      throw error(key, "'" + name + "' is not a valid service name (1-64 of letters, digits, . _ -)");
    }
    return name;
  }

  /** The service's secrets, each checked for form (PROTOCOL.md section 3). */
  List<String> secrets(String key) {
    if (!has(key)) {
      throw error(key, "required: every service needs a secret; make one with 'keygen' (java -jar outside.jar keygen)");
    }
    List<String> secrets = stringOrList(key);
    boolean list = json.getValue(key) instanceof JsonArray;
    for (int i = 0; i < secrets.size(); i++) {
      try {
        io.rut.protocol.ServiceKeys.checkSecret(secrets.get(i));
      } catch (IllegalArgumentException e) {
        throw error(list ? key + "[" + i + "]" : key, e.getMessage());
      }
    }
    return secrets;
  }

  /** A list of address blocks; absent means empty. */
  List<Cidr> cidrs(String key) {
    if (!has(key)) {
      return List.of();
    }
    List<String> texts = stringOrList(key);
    List<Cidr> out = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      try {
        out.add(Cidr.parse(texts.get(i).trim()));
      } catch (ConfigException e) {
        throw error(key + "[" + i + "]", e.getMessage());
      }
    }
    return List.copyOf(out);
  }

  /** A positive rate per second. */
  double rate(String key, double fallback) {
    if (!has(key)) {
      return fallback;
    }
    if (!(json.getValue(key) instanceof Number n) || !(n.doubleValue() > 0) || n.doubleValue() > 1e9) {
      throw error(key, "must be a positive number per second");
    }
    return n.doubleValue();
  }

  /** A WireGuard public key (base64 of 32 bytes, as `wg pubkey` prints), or null when absent. */
  String wireguardKey(String key) {
    if (!has(key)) {
      return null;
    }
    String k = string(key).trim();
    try {
      if (java.util.Base64.getDecoder().decode(k).length == 32) {
        return k;
      }
    } catch (IllegalArgumentException ignored) {
      // reported below
    }
    throw error(key, "must be a WireGuard public key: base64 of 32 bytes, as 'wg pubkey' prints");
  }

  JsonArray array(String key) {
    Object v = json.getValue(key);
    if (!(v instanceof JsonArray a)) {
      throw error(key, v == null ? "required" : "must be a list");
    }
    return a;
  }

  JsonObject object(String key) {
    Object v = json.getValue(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonObject o)) {
      throw error(key, "must be an object");
    }
    return o;
  }

  static JsonObject objectAt(JsonArray a, int i, String path) {
    if (!(a.getValue(i) instanceof JsonObject o)) {
      throw new ConfigException(path + "[" + i + "]: must be an object");
    }
    return o;
  }
}
