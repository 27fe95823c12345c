package io.rut.config;

import static io.rut.config.SeedFlags.Side.OUTSIDE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeedFlagsOutsideTest {

  private static JsonObject toJson(String commandLine) {
    return SeedFlags.toJson(OUTSIDE, List.of(commandLine.split(" ")));
  }

  private static String error(String commandLine) {
    return assertThrows(ConfigException.class, () -> toJson(commandLine)).getMessage();
  }

  private static void assertContains(String part, String message) {
    assertTrue(message.contains(part), () -> "expected to contain '" + part + "', got: " + message);
  }

  @Test
  void cToolCommandLineBecomesOneDefaultService() {
    JsonObject json = toJson("-l 2222 -k S -n 5 --keepaliveInterval 10 --logLevel 3");

    JsonArray services = json.getJsonArray("services");
    assertEquals(1, services.size());
    JsonObject s = services.getJsonObject(0);
    assertEquals("default", s.getString("name"));
    assertEquals("[::]:2222", s.getString("listen"));
    assertEquals("S", s.getString("secret"));
    assertEquals(5, s.getInteger("maxTunnels"));
    assertEquals(10, s.getInteger("keepaliveInterval"));

    OutsideConfig c = OutsideConfig.fromJson(json);
    OutsideServiceConfig service = c.services().get(0);
    assertEquals(SeedFlags.SERVICE_NAME, service.name());
    assertEquals(new HostPort("::", 2222), service.listen());
    assertEquals(List.of("S"), service.secrets());
    assertEquals(5, service.maxTunnels());
    assertEquals(Duration.ofSeconds(10), service.keepaliveInterval());
    assertEquals(LogLevel.DEBUG, c.logLevel());
    assertEquals(MetricsConfig.OFF, c.metrics());
  }

  @Test
  void omittedOptionsLeaveTheDefaults() {
    OutsideConfig c = OutsideConfig.fromJson(toJson("-l 2222 -k S"));
    assertEquals(100, c.services().get(0).maxTunnels());
    assertEquals(Duration.ofSeconds(25), c.services().get(0).keepaliveInterval());
    assertEquals(LogLevel.INFO, c.logLevel());
  }

  @Test
  void hostAndPortAreKept() {
    assertEquals("127.0.0.1:2222", toJson("-l 127.0.0.1:2222 -k S").getJsonArray("services")
        .getJsonObject(0).getString("listen"));
  }

  @Test
  void repeatedSecretsMakeARotationList() {
    JsonObject json = toJson("-l 1 -k new -k old -k older");
    assertEquals(new JsonArray().add("new").add("old").add("older"),
        json.getJsonArray("services").getJsonObject(0).getJsonArray("secret"));
    assertEquals(List.of("new", "old", "older"), OutsideConfig.fromJson(json).services().get(0).secrets());
  }

  @Test
  void fractionalKeepalive() {
    OutsideConfig c = OutsideConfig.fromJson(toJson("-l 1 -k S --keepaliveInterval 0.5"));
    assertEquals(Duration.ofMillis(500), c.services().get(0).keepaliveInterval());
  }

  @Test
  void logLevelByName() {
    assertEquals(LogLevel.TRACE, OutsideConfig.fromJson(toJson("-l 1 -k S --logLevel trace")).logLevel());
  }

  @Test
  void metricsAddress() {
    OutsideConfig c = OutsideConfig.fromJson(toJson("-l 1 -k S --metrics 127.0.0.1:9100"));
    assertEquals(new MetricsConfig(new HostPort("127.0.0.1", 9100), null), c.metrics());
  }

  @Test
  void withoutSecretTheConfigurationAsksForOne() {
    JsonObject json = toJson("-l 2222");
    assertFalse(json.getJsonArray("services").getJsonObject(0).containsKey("secret"));
    ConfigException e = assertThrows(ConfigException.class, () -> OutsideConfig.fromJson(json));
    assertContains("keygen", e.getMessage());
  }

  @Test
  void missingListen() {
    String m = error("-k S -n 5");
    assertTrue(m.startsWith("missing -l"), m);
  }

  @Test
  void unknownOptionListsValidOnes() {
    String m = error("-l 1 -x 5");
    assertContains("unknown option '-x'", m);
    for (String flag : SeedFlags.flags(OUTSIDE).keySet()) {
      assertContains(flag, m);
    }
    assertContains("-conf", m);
    assertContains("health HOST:PORT", m);
  }

  @Test
  void positionalArgumentIsUnknown() {
    assertContains("unknown option '2222'", error("2222"));
  }

  @Test
  void outsideOptionsOnlyAreListed() {
    assertFalse(error("-l 1 -x 5").contains("--spares"));
  }

  @Test
  void dashOBelongsToTheInsideAndContradictsDashL() {
    String m = error("-l 2222 -o vps:2222");
    assertContains("-o belongs to the inside agent", m);
    assertContains("-l and -o contradict", m);
  }

  @Test
  void dashSBelongsToTheInside() {
    String m = error("-s localhost:51820 -l 2222");
    assertContains("-s belongs to the inside agent", m);
    assertFalse(m.contains("contradict"), m);
  }

  @Test
  void insideOnlyLongOptionsBelongToTheInside() {
    assertContains("--spares belongs to the inside agent", error("-l 1 --spares 2"));
    assertContains("--connectionTimeout belongs to the inside agent", error("-l 1 --connectionTimeout 2"));
  }

  @Test
  void optionWithoutValue() {
    assertEquals("-n: missing value", error("-l 2222 -n"));
    assertEquals("-k: missing value", error("-l 2222 -k"));
  }

  @Test
  void nonNumericMaxTunnels() {
    String m = error("-l 2222 -n many");
    assertEquals("-n: 'many' is not a number", m);
  }

  @Test
  void nonNumericKeepalive() {
    assertEquals("--keepaliveInterval: 'soon' is not a number", error("-l 2222 --keepaliveInterval soon"));
  }

  @Test
  void fractionalMaxTunnelsIsRejectedByTheConfiguration() {
    JsonObject json = toJson("-l 2222 -k S -n 5.5");
    ConfigException e = assertThrows(ConfigException.class, () -> OutsideConfig.fromJson(json));
    assertContains("maxTunnels", e.getMessage());
  }

  @Test
  void optionGivenTwice() {
    assertEquals("-l: given twice", error("-l 1 -l 2"));
    assertEquals("-n: given twice", error("-l 1 -n 2 -n 3"));
  }

  @Test
  void badListenPortNamesTheFlag() {
    ConfigException e = assertThrows(ConfigException.class, () -> OutsideConfig.fromJson(toJson("-l 70000 -k S")));
    assertTrue(e.getMessage().startsWith("-l: ") && e.getMessage().contains("70000"), e.getMessage());
  }

  @Test
  void numbersWithTypeSuffixesAreNotNumbers() {
    assertEquals("-n: '5d' is not a number", error("-l 1 -n 5d"));
  }

  private static String readError(String commandLine) {
    return assertThrows(ConfigException.class,
        () -> SeedFlags.read(OUTSIDE, List.of(commandLine.split(" ")), OutsideConfig::fromJson)).getMessage();
  }

  @Test
  void aValueOutOfRangeIsNamedByItsOption() {
    assertEquals("-n 0: must be between 1 and 1000000", readError("-l 2222 -k S -n 0"));
    assertEquals("-n 5.5: must be a whole number", readError("-l 2222 -k S -n 5.5"));
    assertEquals("--keepaliveInterval 0: must be between 0.1 and 3600.0 seconds",
        readError("-l 2222 -k S --keepaliveInterval 0"));
  }

  @Test
  void theLastValueOfAnOptionIsTheOneNamed() {
    assertEquals("-n 2000000: must be between 1 and 1000000", readError("-l 2222 -k S -n 2000000"));
  }

  @Test
  void aMissingSecretAsksForMinusK() {
    String m = readError("-l 2222");
    assertTrue(m.startsWith("missing -k: every service needs a secret; make one with 'keygen'"), m);
  }

  @Test
  void aBadSecretIsNamedButNeverShown() {
    assertEquals("-k: a base64: secret must hold exactly 32 bytes, this one holds 3",
        readError("-l 2222 -k base64:AAAA"));
    assertEquals("-k (the 2nd): a base64: secret must hold exactly 32 bytes, this one holds 3",
        readError("-l 2222 -k S -k base64:AAAA"));
  }

  @Test
  void logLevelAndMetricsAreNamedByTheirOptions() {
    assertEquals("--logLevel loud: expected 0-4 or one of error, warn, info, debug, trace",
        readError("-l 2222 -k S --logLevel loud"));
    assertEquals("--metrics nowhere: expected host:port (write IPv6 as [addr]:port)",
        readError("-l 2222 -k S --metrics nowhere"));
  }

  @Test
  void aValidCommandLineIsRead() {
    assertEquals(7, SeedFlags.read(OUTSIDE, List.of("-l", "1", "-k", "S", "-n", "7"), OutsideConfig::fromJson)
        .services().get(0).maxTunnels());
  }

  @Test
  void noErrorOfAnOptionNamesAConfigurationKey() {
    for (String line : List.of("-l 1 -k S -n 0", "-l 1 -k S -n 1.5", "-l 1", "-l 1 -k base64:AAAA",
        "-l 1 -k S --keepaliveInterval 99999", "-l 1 -k S --logLevel 9", "-l 1 -k S --metrics x")) {
      String m = readError(line);
      assertFalse(m.contains("services[") || m.contains("maxTunnels") || m.contains("metrics."), m);
    }
  }
}
