package io.rut.config;

import static io.rut.config.SeedFlags.Side.INSIDE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeedFlagsInsideTest {

  private static JsonObject toJson(String commandLine) {
    return SeedFlags.toJson(INSIDE, List.of(commandLine.split(" ")));
  }

  private static String error(String commandLine) {
    return assertThrows(ConfigException.class, () -> toJson(commandLine)).getMessage();
  }

  private static void assertContains(String part, String message) {
    assertTrue(message.contains(part), () -> "expected to contain '" + part + "', got: " + message);
  }

  @Test
  void everyOptionReachesTheConfiguration() {
    JsonObject json = toJson("-s localhost:51820 -o vps.example.com:2222 -k S -n 7 --spares 3"
        + " --keepaliveInterval 10 --connectionTimeout 30 --logLevel debug --metrics [::1]:9101");

    JsonObject s = json.getJsonArray("services").getJsonObject(0);
    assertEquals("default", s.getString("name"));
    assertEquals("localhost:51820", s.getString("target"));
    assertEquals("vps.example.com:2222", s.getString("outside"));

    InsideConfig c = InsideConfig.fromJson(json);
    assertEquals(List.of(new InsideServiceConfig("default", new HostPort("vps.example.com", 2222),
            new HostPort("localhost", 51820), List.of("S"), 3, 7, Duration.ofSeconds(10),
            Duration.ofSeconds(30), ClientAddress.NONE, null)),
        c.services());
    assertEquals(LogLevel.DEBUG, c.logLevel());
    assertEquals(new MetricsConfig(new HostPort("::1", 9101), null), c.metrics());
  }

  @Test
  void cToolExampleFromTheReadme() {
    InsideConfig c = InsideConfig.fromJson(toJson("-s localhost:51820 -o outside.server.com:1234 -k mysecret -n 100"));
    InsideServiceConfig s = c.services().get(0);
    assertEquals(100, s.maxTunnels());
    assertEquals(2, s.spares());
    assertEquals(Duration.ofSeconds(25), s.keepaliveInterval());
    assertEquals(Duration.ofSeconds(60), s.connectionTimeout());
    assertEquals(LogLevel.INFO, c.logLevel());
  }

  @Test
  void fractionalDurations() {
    InsideServiceConfig s = InsideConfig.fromJson(
        toJson("-s h:1 -o v:2 -k S --keepaliveInterval 0.5 --connectionTimeout 1.25")).services().get(0);
    assertEquals(Duration.ofMillis(500), s.keepaliveInterval());
    assertEquals(Duration.ofMillis(1250), s.connectionTimeout());
  }

  @Test
  void logLevelAsNumber() {
    assertEquals(LogLevel.ERROR, InsideConfig.fromJson(toJson("-s h:1 -o v:2 -k S --logLevel 0")).logLevel());
  }

  @Test
  void repeatedSecretsMakeARotationList() {
    JsonObject json = toJson("-s h:1 -k one -o v:2 -k two");
    assertEquals(new JsonArray().add("one").add("two"),
        json.getJsonArray("services").getJsonObject(0).getJsonArray("secret"));
    assertEquals(List.of("one", "two"), InsideConfig.fromJson(json).services().get(0).secrets());
  }

  @Test
  void missingService() {
    String m = error("-o vps:2222 -k S");
    assertTrue(m.startsWith("missing -s"), m);
  }

  @Test
  void missingOutside() {
    String m = error("-s localhost:51820 -k S");
    assertTrue(m.startsWith("missing -o"), m);
  }

  @Test
  void dashLBelongsToTheOutsideAndContradictsDashO() {
    String m = error("-s h:1 -o v:2 -l 2222");
    assertContains("-l belongs to the outside agent", m);
    assertContains("-l and -o contradict", m);
  }

  @Test
  void unknownOptionListsValidOnes() {
    String m = error("-s h:1 --timeout 5");
    assertContains("unknown option '--timeout'", m);
    for (String flag : SeedFlags.flags(INSIDE).keySet()) {
      assertContains(flag, m);
    }
    assertFalse(m.contains("-l,"), m);
  }

  @Test
  void optionWithoutValue() {
    assertEquals("--spares: missing value", error("-s h:1 -o v:2 --spares"));
  }

  @Test
  void nonNumericValues() {
    assertEquals("-n: 'ten' is not a number", error("-s h:1 -o v:2 -n ten"));
    assertEquals("--spares: 'x' is not a number", error("-s h:1 -o v:2 --spares x"));
    assertEquals("--connectionTimeout: '1m' is not a number", error("-s h:1 -o v:2 --connectionTimeout 1m"));
  }

  @Test
  void optionGivenTwice() {
    assertEquals("-s: given twice", error("-s h:1 -s h:2 -o v:3"));
    assertEquals("--spares: given twice", error("-s h:1 -o v:2 --spares 1 --spares 2"));
  }

  @Test
  void sparesBeyondMaxTunnelsIsCaughtByTheConfiguration() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> InsideConfig.fromJson(toJson("-s h:1 -o v:2 -k S -n 2 --spares 3")));
    assertTrue(e.getMessage().startsWith("services[0].spares: "), e.getMessage());
  }

  private static String readError(String commandLine) {
    return assertThrows(ConfigException.class,
        () -> SeedFlags.read(INSIDE, List.of(commandLine.split(" ")), InsideConfig::fromJson)).getMessage();
  }

  @Test
  void configurationErrorsAreNamedByTheirOptions() {
    assertEquals("--spares 3: 3 spares do not fit in -n 2", readError("-s h:1 -o v:2 -k S -n 2 --spares 3"));
    assertEquals("-o v:0: port 0 is not a destination", readError("-s h:1 -o v:0 -k S"));
    assertEquals("-s h:0: port 0 is not a destination", readError("-s h:0 -o v:2 -k S"));
    assertEquals("--connectionTimeout 0: must be between 0.1 and 86400.0 seconds",
        readError("-s h:1 -o v:2 -k S --connectionTimeout 0"));
    assertEquals("--spares 0: must be between 1 and 1000000", readError("-s h:1 -o v:2 -k S --spares 0"));
  }
}
