package io.rut.launch;

import io.rut.config.LogLevel;
import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** One log line per event on standard error: time, level, then RUT's key=value text. */
public final class LogSetup {

  // JUL keeps loggers weakly: a configured logger nobody holds is collected with its level.
  private static final Logger RUT = Logger.getLogger("rut");
  private static final Logger LAUNCHER = Logger.getLogger("io.vertx.launcher.application.VertxApplication");

  private LogSetup() {
  }

  public static Level julLevel(LogLevel level) {
    return switch (level) {
      case ERROR -> Level.SEVERE;
      case WARN -> Level.WARNING;
      case INFO -> Level.INFO;
      case DEBUG -> Level.FINE;
      case TRACE -> Level.FINEST;
    };
  }

  /** Routes all logging to standard error at {@code level}; libraries stay at warnings unless debugging. */
  public static void apply(LogLevel level) {
    // Vert.x loads its own JUL configuration once, resetting every handler: let it do so first.
    try {
      Class.forName("io.vertx.core.logging.JULLogDelegateFactory", true, LogSetup.class.getClassLoader());
    } catch (ClassNotFoundException ignored) {
      // not on the class path: nothing will reset the configuration
    }
    Logger root = Logger.getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    Handler handler = new ConsoleHandler();
    handler.setLevel(Level.ALL);
    handler.setFormatter(new LineFormatter());
    root.addHandler(handler);
    Level jul = julLevel(level);
    root.setLevel(level.compareTo(LogLevel.DEBUG) >= 0 ? jul : Level.WARNING);
    RUT.setLevel(jul);
    // The launcher's own failure report is a stack trace; RUT prints one line instead.
    LAUNCHER.setLevel(Level.OFF);
  }

  static final class LineFormatter extends Formatter {
    @Override
    public String format(LogRecord r) {
      String level = switch (r.getLevel().intValue()) {
        case 1000 -> "ERROR";
        case 900 -> "WARN";
        case 800 -> "INFO";
        default -> r.getLevel().intValue() >= 500 ? "DEBUG" : "TRACE";
      };
      String text = formatMessage(r);
      if (!"rut".equals(r.getLoggerName())) {
        text = "logger=" + r.getLoggerName() + " message=\"" + text + "\"";
      }
      String thrown = r.getThrown() == null ? "" : " error=\"" + r.getThrown() + "\"";
      return Instant.ofEpochMilli(r.getMillis()) + " " + level + " " + text + thrown + System.lineSeparator();
    }
  }
}
