package io.rut.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The C tools' command-line options, turned into a one-service configuration named
 * {@code default}, so that their users' command lines keep working.
 */
public final class SeedFlags {

  /** Which agent reads the flags. */
  public enum Side { OUTSIDE, INSIDE }

  public static final String SERVICE_NAME = "default";

  private static final Map<String, String> OUTSIDE_FLAGS = new LinkedHashMap<>();
  private static final Map<String, String> INSIDE_FLAGS = new LinkedHashMap<>();

  static {
    OUTSIDE_FLAGS.put("-l", "PORT        listen on [::]:PORT, IPv4 and IPv6 (or HOST:PORT)");
    OUTSIDE_FLAGS.put("-k", "SECRET      shared secret: base64:<32 bytes> or a passphrase; repeat to rotate");
    OUTSIDE_FLAGS.put("-n", "NUMBER      max open tunnels (default 100)");
    OUTSIDE_FLAGS.put("--keepaliveInterval", "SECONDS  the inside agent's keepalive interval (default 25)");
    OUTSIDE_FLAGS.put("--logLevel", "LEVEL   0-4 or error|warn|info|debug|trace (default 2 = info)");
    OUTSIDE_FLAGS.put("--metrics", "HOST:PORT serve /metrics, /health and /tunnels there (default off)");
    INSIDE_FLAGS.put("-s", "HOST:PORT   the service to relay to, e.g. localhost:51820");
    INSIDE_FLAGS.put("-o", "HOST:PORT   the outside agent, e.g. vps.example.com:2222");
    INSIDE_FLAGS.put("-k", "SECRET      shared secret: base64:<32 bytes> or a passphrase; repeat to rotate");
    INSIDE_FLAGS.put("-n", "NUMBER      max open tunnels (default 100)");
    INSIDE_FLAGS.put("--spares", "NUMBER  spare tunnels kept ready (default 2)");
    INSIDE_FLAGS.put("--keepaliveInterval", "SECONDS  keepalive interval (default 25)");
    INSIDE_FLAGS.put("--connectionTimeout", "SECONDS  close a tunnel idle this long, +-20 % (default 60)");
    INSIDE_FLAGS.put("--logLevel", "LEVEL   0-4 or error|warn|info|debug|trace (default 2 = info)");
    INSIDE_FLAGS.put("--metrics", "HOST:PORT serve /metrics, /health and /tunnels there (default off)");
  }

  private SeedFlags() {
  }

  /** Option lines for --help. */
  public static Map<String, String> flags(Side side) {
    return side == Side.OUTSIDE ? OUTSIDE_FLAGS : INSIDE_FLAGS;
  }

  /** Turns {@code args} into configuration JSON, or throws naming the bad option. */
  public static JsonObject toJson(Side side, List<String> args) {
    Map<String, String> known = flags(side);
    Map<String, Object> values = new LinkedHashMap<>();
    List<String> secrets = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String flag = args.get(i);
      if (!known.containsKey(flag)) {
        throw new ConfigException(unknownFlag(side, flag));
      }
      if (i + 1 >= args.size()) {
        throw new ConfigException(flag + ": missing value");
      }
      String value = args.get(++i);
      if (flag.equals("-k")) {
        secrets.add(value);
      } else if (values.put(flag, value) != null) {
        throw new ConfigException(flag + ": given twice");
      }
    }
    JsonObject service = new JsonObject().put("name", SERVICE_NAME);
    if (!secrets.isEmpty()) {
      service.put("secret", secrets.size() == 1 ? secrets.get(0) : new JsonArray(secrets));
    }
    if (side == Side.OUTSIDE) {
      String listen = require(values, "-l", "the port to listen on, e.g. -l 2222");
      service.put("listen", hostPort("-l", listen.matches("\\d+") ? "[::]:" + listen : listen));
    } else {
      service.put("target", hostPort("-s", require(values, "-s", "the service, e.g. -s localhost:51820")));
      service.put("outside", hostPort("-o", require(values, "-o", "the outside agent, e.g. -o vps.example.com:2222")));
      number(values, "--connectionTimeout", service, "connectionTimeout");
      number(values, "--spares", service, "spares");
    }
    number(values, "-n", service, "maxTunnels");
    number(values, "--keepaliveInterval", service, "keepaliveInterval");
    JsonObject config = new JsonObject().put("services", new JsonArray().add(service));
    if (values.containsKey("--logLevel")) {
      config.put("logLevel", values.get("--logLevel"));
    }
    if (values.containsKey("--metrics")) {
      config.put("metrics", new JsonObject().put("listen", values.get("--metrics")));
    }
    return config;
  }

  private static String unknownFlag(Side side, String flag) {
    Side other = side == Side.OUTSIDE ? Side.INSIDE : Side.OUTSIDE;
    if (flags(other).containsKey(flag) && !flags(side).containsKey(flag)) {
      String agent = other == Side.OUTSIDE ? "outside" : "inside";
      return "option " + flag + " belongs to the " + agent + " agent (" + agent + ".jar); "
          + (flag.equals("-o") || flag.equals("-l") ? "-l and -o contradict each other: -l runs the outside "
          + "agent, -o the inside one" : "see --help");
    }
    return "unknown option '" + flag + "'; valid options are -conf FILE, keygen, --help, "
        + String.join(", ", flags(side).keySet());
  }

  private static String require(Map<String, Object> values, String flag, String what) {
    Object v = values.get(flag);
    if (v == null) {
      throw new ConfigException("missing " + flag + ": " + what);
    }
    return (String) v;
  }

  private static String hostPort(String flag, String value) {
    try {
      return HostPort.parse(value).toString();
    } catch (ConfigException e) {
      throw new ConfigException(flag + ": " + (flag.equals("-l") ? "expected PORT or HOST:PORT; " : "") + e.getMessage());
    }
  }

  private static void number(Map<String, Object> values, String flag, JsonObject target, String key) {
    Object v = values.get(flag);
    if (v == null) {
      return;
    }
    try {
      java.math.BigDecimal d = new java.math.BigDecimal(((String) v).trim());
      if (d.stripTrailingZeros().scale() <= 0 && d.abs().compareTo(java.math.BigDecimal.valueOf(1_000_000_000L)) < 0) {
        target.put(key, d.longValue());
      } else {
        target.put(key, d.doubleValue());
      }
    } catch (NumberFormatException e) {
      throw new ConfigException(flag + ": '" + v + "' is not a number");
    }
  }
}
