package io.rut.config;

import java.util.Locale;

/** Log verbosity; the C tools' numbers 0-4 are accepted as well as the names. */
public enum LogLevel {
  ERROR, WARN, INFO, DEBUG, TRACE;

  public static LogLevel parse(Object value) {
    if (value instanceof Number n) {
      int i = n.intValue();
      if (i >= 0 && i < values().length && n.doubleValue() == i) {
        return values()[i];
      }
    } else if (value instanceof String s) {
      if (s.matches("[0-4]")) {
        return values()[Integer.parseInt(s)];
      }
      for (LogLevel l : values()) {
        if (l.name().equalsIgnoreCase(s.trim())) {
          return l;
        }
      }
    }
    throw new ConfigException("logLevel: expected 0-4 or one of error, warn, info, debug, trace, got '"
        + value + "'");
  }

  public String lowerName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
