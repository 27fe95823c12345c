package io.rut.config;

import static io.rut.config.Secrets.KEY_A;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LogLevelTest {

  private static JsonObject withLogLevel(Object level) {
    return new JsonObject()
        .put("services", new JsonArray().add(new JsonObject()
            .put("name", "wg").put("listen", "[::]:2222").put("secret", KEY_A)))
        .put("logLevel", level);
  }

  @ParameterizedTest
  @CsvSource({"0, ERROR", "1, WARN", "2, INFO", "3, DEBUG", "4, TRACE"})
  void numbersFollowTheCTools(int number, LogLevel expected) {
    assertEquals(expected, OutsideConfig.fromJson(withLogLevel(number)).logLevel());
  }

  @ParameterizedTest
  @CsvSource({"'0', ERROR", "'3', DEBUG", "'4', TRACE"})
  void numbersAsStrings(String text, LogLevel expected) {
    assertEquals(expected, OutsideConfig.fromJson(withLogLevel(text)).logLevel());
  }

  @ParameterizedTest
  @CsvSource({"error, ERROR", "warn, WARN", "info, INFO", "debug, DEBUG", "trace, TRACE", "DEBUG, DEBUG",
      "Warn, WARN"})
  void namesInAnyCase(String text, LogLevel expected) {
    assertEquals(expected, OutsideConfig.fromJson(withLogLevel(text)).logLevel());
  }

  @Test
  void wholeNumberWrittenAsDecimal() {
    assertEquals(LogLevel.DEBUG, LogLevel.parse(3.0));
  }

  @ParameterizedTest
  @ValueSource(strings = {"loud", "5", "-1", "", "info2"})
  void invalidStrings(String text) {
    ConfigException e = assertThrows(ConfigException.class, () -> OutsideConfig.fromJson(withLogLevel(text)));
    assertTrue(e.getMessage().startsWith("logLevel: "), e.getMessage());
    assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
  }

  @Test
  void invalidNumbers() {
    for (Object level : new Object[] {5, -1, 2.5, 4294967298L}) {
      ConfigException e = assertThrows(ConfigException.class, () -> InsideConfig.fromJson(withInside(level)),
          () -> "logLevel " + level);
      assertTrue(e.getMessage().startsWith("logLevel: expected 0-4"), e.getMessage());
    }
  }

  @Test
  void wrongType() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> OutsideConfig.fromJson(withLogLevel(new JsonObject())));
    assertTrue(e.getMessage().startsWith("logLevel: "), e.getMessage());
  }

  @Test
  void lowerName() {
    assertEquals("debug", LogLevel.DEBUG.lowerName());
  }

  private static JsonObject withInside(Object level) {
    return new JsonObject()
        .put("services", new JsonArray().add(new JsonObject()
            .put("name", "wg").put("outside", "vps:1").put("target", "localhost:2").put("secret", KEY_A)))
        .put("logLevel", level);
  }
}
