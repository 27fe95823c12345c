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

  /** One option for --help: what its value is ({@code PORT}) and what it does. */
  public record Option(String value, String help) {
  }

  private static final Map<String, Option> OUTSIDE_FLAGS = new LinkedHashMap<>();
  private static final Map<String, Option> INSIDE_FLAGS = new LinkedHashMap<>();

  /** The configuration keys that options write, and the option that writes each. */
  private static final Map<String, String> FLAG_OF_KEY = Map.of(
      "services[0].listen", "-l", "services[0].target", "-s", "services[0].outside", "-o",
      "services[0].secret", "-k", "services[0].maxTunnels", "-n", "services[0].spares", "--spares",
      "services[0].keepaliveInterval", "--keepaliveInterval",
      "services[0].connectionTimeout", "--connectionTimeout", "logLevel", "--logLevel",
      "metrics.listen", "--metrics");

  static {
    OUTSIDE_FLAGS.put("-l", new Option("PORT", "listen on [::]:PORT, IPv4 and IPv6 (or HOST:PORT)"));
    OUTSIDE_FLAGS.put("-k", new Option("SECRET", "shared secret: base64:<32 bytes> or a passphrase; repeat to rotate"));
    OUTSIDE_FLAGS.put("-n", new Option("NUMBER", "max open tunnels (default 100)"));
    OUTSIDE_FLAGS.put("--keepaliveInterval", new Option("SECONDS", "inside agent's keepalive interval (default 25)"));
    OUTSIDE_FLAGS.put("--logLevel", new Option("LEVEL", "0-4 or error|warn|info|debug|trace (default info)"));
    OUTSIDE_FLAGS.put("--metrics", new Option("HOST:PORT", "serve /metrics, /health, /tunnels (default off)"));
    INSIDE_FLAGS.put("-s", new Option("HOST:PORT", "the service to relay to, e.g. localhost:51820"));
    INSIDE_FLAGS.put("-o", new Option("HOST:PORT", "the outside agent, e.g. vps.example.com:2222"));
    INSIDE_FLAGS.put("-k", OUTSIDE_FLAGS.get("-k"));
    INSIDE_FLAGS.put("-n", OUTSIDE_FLAGS.get("-n"));
    INSIDE_FLAGS.put("--spares", new Option("NUMBER", "spare tunnels kept ready (default 2)"));
    INSIDE_FLAGS.put("--keepaliveInterval", new Option("SECONDS", "keepalive interval (default 25)"));
    INSIDE_FLAGS.put("--connectionTimeout", new Option("SECONDS", "close a tunnel idle this long, +-20% (default 60)"));
    INSIDE_FLAGS.put("--logLevel", OUTSIDE_FLAGS.get("--logLevel"));
    INSIDE_FLAGS.put("--metrics", OUTSIDE_FLAGS.get("--metrics"));
  }

  private SeedFlags() {
  }

  /** The options of one agent, in the order --help lists them. */
  public static Map<String, Option> flags(Side side) {
    return side == Side.OUTSIDE ? OUTSIDE_FLAGS : INSIDE_FLAGS;
  }

  /**
   * Reads {@code args} into a validated configuration with {@code fromJson}; an error is told in
   * the words of the command line ({@code -n 0: must be between 1 and 1000000}), never as a path
   * of the configuration the options were turned into.
   */
  public static <C> C read(Side side, List<String> args, java.util.function.Function<JsonObject, C> fromJson) {
    JsonObject json = toJson(side, args);
    try {
      return fromJson.apply(json);
    } catch (ConfigException e) {
      throw new ConfigException(inOptionTerms(e.getMessage(), args));
    }
  }

  /** {@code services[0].maxTunnels: must be ..., got 0} as {@code -n 0: must be ...}. */
  static String inOptionTerms(String message, List<String> args) {
    String key = FLAG_OF_KEY.keySet().stream()
        .filter(k -> message.startsWith(k + ":") || message.startsWith(k + "["))
        .max(java.util.Comparator.comparingInt(String::length)).orElse(null);
    if (key == null) {
      return message;
    }
    String flag = FLAG_OF_KEY.get(key);
    String rest = message.substring(key.length());
    String which = "";
    if (rest.startsWith("[")) {
      // one of several -k: say which, counting from 1
      int close = rest.indexOf(']');
      which = " (the " + ordinal(Integer.parseInt(rest.substring(1, close)) + 1) + ")";
      rest = rest.substring(close + 1);
    }
    String reason = rest.substring(1).trim().replace(" maxTunnels ", " -n ");
    if (reason.startsWith("required")) {
      return "missing " + flag + reason.substring("required".length());
    }
    reason = reason.replaceFirst(", got [^,]*$", "");
    // A secret is never echoed.
    String value = flag.equals("-k") ? null : lastValue(args, flag);
    return flag + which + (value == null ? "" : " " + value) + ": " + reason;
  }

  private static String ordinal(int n) {
    return n + (n % 100 / 10 == 1 ? "th" : switch (n % 10) {
      case 1 -> "st";
      case 2 -> "nd";
      case 3 -> "rd";
      default -> "th";
    });
  }

  private static String lastValue(List<String> args, String flag) {
    int i = args.lastIndexOf(flag);
    return i < 0 || i + 1 >= args.size() ? null : args.get(i + 1);
  }

  /** Turns {@code args} into configuration JSON, or throws naming the bad option. */
  public static JsonObject toJson(Side side, List<String> args) {
    Map<String, Option> known = flags(side);
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
    return "unknown option '" + flag + "'; valid options are -conf FILE, keygen, health HOST:PORT, --help, "
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
