package io.rut.config;

import static io.rut.config.Secrets.KEY_A;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import java.util.stream.Stream;

/** The top level both agents share: the services list, metrics and logLevel. */
class TopLevelConfigTest {

  private static JsonObject outsideService() {
    return new JsonObject().put("name", "wg").put("listen", "[::]:2222").put("secret", KEY_A);
  }

  private static JsonObject validOutside() {
    return new JsonObject().put("services", new JsonArray().add(outsideService()));
  }

  private static JsonObject validInside() {
    return new JsonObject().put("services", new JsonArray().add(new JsonObject()
        .put("name", "wg").put("outside", "vps:2222").put("target", "localhost:51820").put("secret", KEY_A)));
  }

  static Stream<Arguments> agents() {
    Function<JsonObject, Object> outside = OutsideConfig::fromJson;
    Function<JsonObject, Object> inside = InsideConfig::fromJson;
    return Stream.of(Arguments.of("outside", outside), Arguments.of("inside", inside));
  }

  private static String error(Function<JsonObject, Object> reader, JsonObject json) {
    return assertThrows(ConfigException.class, () -> reader.apply(json)).getMessage();
  }

  private static void assertStartsWith(String prefix, String message) {
    assertTrue(message.startsWith(prefix), () -> "expected '" + prefix + "...', got: " + message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("agents")
  void missingServices(String agent, Function<JsonObject, Object> reader) {
    assertEquals("services: required", error(reader, new JsonObject().put("logLevel", 2)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("agents")
  void emptyServices(String agent, Function<JsonObject, Object> reader) {
    assertEquals("services: at least one service is required",
        error(reader, new JsonObject().put("services", new JsonArray())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("agents")
  void servicesNotAList(String agent, Function<JsonObject, Object> reader) {
    assertEquals("services: must be a list", error(reader, new JsonObject().put("services", outsideService())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("agents")
  void serviceNotAnObject(String agent, Function<JsonObject, Object> reader) {
    JsonObject json = agent.equals("outside") ? validOutside() : validInside();
    json.getJsonArray("services").add("wg");
    assertEquals("services[1]: must be an object", error(reader, json));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("agents")
  void dataPathDefaultsAndEachPartTurnsOnOrOff(String agent, Function<JsonObject, Object> reader) {
    JsonObject json = agent.equals("outside") ? validOutside() : validInside();
    assertEquals(DataPathConfig.DEFAULT, ((AgentConfig) reader.apply(json.copy())).dataPath());
    assertEquals(new DataPathConfig(false, false, true), ((AgentConfig) reader.apply(json.copy()
        .put("dataPath", new JsonObject().put("gro", false)))).dataPath());
    assertEquals(new DataPathConfig(true, true, false), ((AgentConfig) reader.apply(json.copy()
        .put("dataPath", new JsonObject().put("batchedReads", true).put("gso", false)))).dataPath());
    assertEquals("dataPath.gso: must be true or false",
        error(reader, json.copy().put("dataPath", new JsonObject().put("gso", "off"))));
    assertEquals("dataPath.grow: unknown key; valid keys are [batchedReads, gro, gso]",
        error(reader, json.copy().put("dataPath", new JsonObject().put("grow", true))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("agents")
  void unknownTopLevelKeyListsValidKeys(String agent, Function<JsonObject, Object> reader) {
    JsonObject json = (agent.equals("outside") ? validOutside() : validInside()).put("service", new JsonArray());
    assertEquals("service: unknown key; valid keys are [configScanPeriod, dataPath, logLevel, metrics, services]", error(reader, json));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("agents")
  void nullConfiguration(String agent, Function<JsonObject, Object> reader) {
    assertEquals("configuration is empty", error(reader, null));
  }

  @Test
  void metricsNotAnObject() {
    assertEquals("metrics: must be an object", error(OutsideConfig::fromJson, validOutside().put("metrics", "on")));
  }

  @Test
  void unknownMetricsKey() {
    String m = error(OutsideConfig::fromJson, validOutside().put("metrics", new JsonObject().put("port", 9100)));
    assertEquals("metrics.port: unknown key; valid keys are [listen, token]", m);
  }

  @Test
  void badMetricsAddress() {
    String m = error(InsideConfig::fromJson, validInside().put("metrics", new JsonObject().put("listen", "9100")));
    assertStartsWith("metrics.listen: expected host:port", m);
  }

  @Test
  void emptyMetricsObjectIsOff() {
    OutsideConfig c = OutsideConfig.fromJson(validOutside().put("metrics", new JsonObject()));
    assertEquals(MetricsConfig.OFF, c.metrics());
  }
}
