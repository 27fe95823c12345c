package io.rut.config;

import static io.rut.config.Secrets.KEY_A;
import static io.rut.config.Secrets.KEY_B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class InsideConfigTest {

  private static JsonObject service(String name) {
    return new JsonObject()
        .put("name", name)
        .put("outside", "vps.example.com:2222")
        .put("target", "localhost:51820")
        .put("secret", KEY_A);
  }

  private static JsonObject config(JsonObject... services) {
    JsonArray list = new JsonArray();
    for (JsonObject s : services) {
      list.add(s);
    }
    return new JsonObject().put("services", list);
  }

  private static String error(JsonObject json) {
    return assertThrows(ConfigException.class, () -> InsideConfig.fromJson(json)).getMessage();
  }

  private static void assertStartsWith(String prefix, String message) {
    assertTrue(message.startsWith(prefix), () -> "expected '" + prefix + "...', got: " + message);
  }

  private static void assertContains(String part, String message) {
    assertTrue(message.contains(part), () -> "expected to contain '" + part + "', got: " + message);
  }

  @Test
  void readsEveryKey() {
    JsonObject json = new JsonObject()
        .put("services", new JsonArray().add(new JsonObject()
            .put("name", "wg")
            .put("outside", "[2001:db8::1]:2222")
            .put("target", "10.0.0.2:51820")
            .put("secret", new JsonArray().add(KEY_B).add("old passphrase"))
            .put("spares", 3)
            .put("maxTunnels", 7)
            .put("keepaliveInterval", 10)
            .put("connectionTimeout", 0.5)))
        .put("metrics", new JsonObject().put("listen", "[::1]:9101"))
        .put("logLevel", 4);

    InsideConfig c = InsideConfig.fromJson(json);

    assertEquals(List.of(new InsideServiceConfig("wg", new HostPort("2001:db8::1", 2222),
            new HostPort("10.0.0.2", 51820), List.of(KEY_B, "old passphrase"), 3, 7,
            Duration.ofSeconds(10), Duration.ofMillis(500), ClientAddress.NONE, null)),
        c.services());
    assertEquals(new MetricsConfig(new HostPort("::1", 9101), null), c.metrics());
    assertEquals(LogLevel.TRACE, c.logLevel());
  }

  @Test
  void defaultsApplyWhenKeysAreAbsent() {
    InsideConfig c = InsideConfig.fromJson(config(service("wg")));

    InsideServiceConfig s = c.services().get(0);
    assertEquals(100, s.maxTunnels());
    assertEquals(2, s.spares());
    assertEquals(Duration.ofSeconds(25), s.keepaliveInterval());
    assertEquals(Duration.ofSeconds(60), s.connectionTimeout());
    assertEquals(List.of(KEY_A), s.secrets());
    assertEquals(LogLevel.INFO, c.logLevel());
    assertEquals(MetricsConfig.OFF, c.metrics());
  }

  @Test
  void defaultSparesShrinkToFitOneTunnel() {
    InsideConfig c = InsideConfig.fromJson(config(service("wg").put("maxTunnels", 1)));
    assertEquals(1, c.services().get(0).spares());
  }

  @Test
  void secretAsString() {
    InsideConfig c = InsideConfig.fromJson(config(service("wg").put("secret", "a passphrase")));
    assertEquals(List.of("a passphrase"), c.services().get(0).secrets());
  }

  @Test
  void secretListKeepsRotationOrder() {
    InsideConfig c = InsideConfig.fromJson(config(service("wg").put("secret", new JsonArray().add(KEY_A).add(KEY_B))));
    assertEquals(List.of(KEY_A, KEY_B), c.services().get(0).secrets());
  }

  @Test
  void servicesMayShareAnOutsideAgent() {
    InsideConfig c = InsideConfig.fromJson(config(
        service("a").put("outside", "vps:1"), service("b").put("outside", "vps:2")));
    assertEquals(2, c.services().size());
  }

  @Test
  void missingSecretPointsToKeygen() {
    JsonObject s = service("b");
    s.remove("secret");
    String m = error(config(service("a"), s));
    assertStartsWith("services[1].secret: ", m);
    assertContains("keygen", m);
  }

  @Test
  void malformedBase64Secret() {
    String m = error(config(service("a").put("secret", "base64:%%%")));
    assertStartsWith("services[0].secret: ", m);
    assertContains("not valid base64", m);
  }

  @Test
  void base64SecretOfWrongLength() {
    String m = error(config(service("a").put("secret", Secrets.base64Key(33, (byte) 3))));
    assertStartsWith("services[0].secret: ", m);
    assertContains("32 bytes", m);
  }

  @Test
  void unknownServiceKeyListsValidKeys() {
    String m = error(config(service("a").put("listen", "[::]:1")));
    assertStartsWith("services[0].listen: unknown key", m);
    for (String key : InsideServiceConfig.KEYS) {
      assertContains(key, m);
    }
  }

  @Test
  void outsideOnlyKeyIsUnknownOnTheInside() {
    assertStartsWith("services[0].maxPendingClients: unknown key",
        error(config(service("a").put("maxPendingClients", 1))));
  }

  @Test
  void badOutsideAddress() {
    String m = error(config(service("a").put("outside", "vps.example.com")));
    assertStartsWith("services[0].outside: ", m);
    assertContains("expected host:port", m);
  }

  @Test
  void badTargetAddress() {
    String m = error(config(service("a").put("target", "localhost:http")));
    assertStartsWith("services[0].target: ", m);
    assertContains("not a number", m);
  }

  @Test
  void portZeroIsNoDestination() {
    assertStartsWith("services[0].outside: port 0", error(config(service("a").put("outside", "vps:0"))));
    assertStartsWith("services[0].target: port 0", error(config(service("a").put("target", "localhost:0"))));
  }

  @Test
  void missingOutsideAndTarget() {
    JsonObject noOutside = service("a");
    noOutside.remove("outside");
    assertEquals("services[0].outside: required", error(config(noOutside)));
    JsonObject noTarget = service("a");
    noTarget.remove("target");
    assertEquals("services[0].target: required", error(config(noTarget)));
  }

  @Test
  void wrongTypes() {
    assertStartsWith("services[0].spares: must be a whole number", error(config(service("a").put("spares", "2"))));
    assertStartsWith("services[0].connectionTimeout: must be a number of seconds",
        error(config(service("a").put("connectionTimeout", "60"))));
    assertStartsWith("services[0].connectionTimeout: must be a number of seconds",
        error(config(service("a").put("connectionTimeout", true))));
    assertStartsWith("services[0].target: must be a non-empty string",
        error(config(service("a").put("target", 51820))));
  }

  @Test
  void numbersOutOfRange() {
    assertStartsWith("services[0].spares: must be between 1 and", error(config(service("a").put("spares", 0))));
    assertStartsWith("services[0].maxTunnels: must be between 1 and",
        error(config(service("a").put("maxTunnels", -3))));
    assertStartsWith("services[0].connectionTimeout: must be between",
        error(config(service("a").put("connectionTimeout", 86_401))));
    assertStartsWith("services[0].keepaliveInterval: must be between",
        error(config(service("a").put("keepaliveInterval", 0))));
  }

  @Test
  void sparesMustFitInMaxTunnels() {
    String m = error(config(service("a").put("maxTunnels", 3).put("spares", 5)));
    assertStartsWith("services[0].spares: ", m);
    assertContains("maxTunnels 3", m);
  }

  @Test
  void sparesEqualToMaxTunnelsIsAccepted() {
    InsideConfig c = InsideConfig.fromJson(config(service("a").put("maxTunnels", 3).put("spares", 3)));
    assertEquals(3, c.services().get(0).spares());
  }

  @Test
  void duplicateServiceNames() {
    assertEquals("services[2].name: service 'a' is defined twice",
        error(config(service("a"), service("b"), service("a"))));
  }

  @Test
  void invalidServiceName() {
    assertStartsWith("services[0].name: 'wg:1' is not a valid service name",
        error(config(service("wg:1"))));
  }

  @Test
  void clientAddressIsNoneProxyV2TransparentOrRefusedInOneLine() {
    JsonObject base = new JsonObject().put("name", "wg").put("outside", "127.0.0.1:2222").put("target", "127.0.0.1:51820")
        .put("secret", Secrets.KEY_A);
    java.util.function.Function<JsonObject, InsideServiceConfig> read = service -> InsideConfig.fromJson(
        new JsonObject().put("services", new io.vertx.core.json.JsonArray().add(service))).services().get(0);
    assertEquals(ClientAddress.NONE, read.apply(base.copy()).clientAddress(), "by default the service is told nothing");
    assertEquals(ClientAddress.PROXY_V2, read.apply(base.copy().put("clientAddress", "proxy-v2")).clientAddress());
    ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
        () -> read.apply(base.copy().put("clientAddress", "proxy")));
    assertEquals(ClientAddress.TRANSPARENT, read.apply(base.copy().put("clientAddress", "transparent")).clientAddress());
    assertEquals("services[0].clientAddress: 'proxy' is not one of none, proxy-v2, transparent", e.getMessage());
  }

  @Test
  void otherFamilyTargetIsAnAddressOfTheOtherFamily() {
    JsonObject base = new JsonObject().put("name", "wg").put("outside", "127.0.0.1:2222").put("target", "127.0.0.1:51820")
        .put("secret", Secrets.KEY_A).put("clientAddress", "transparent");
    java.util.function.Function<JsonObject, InsideServiceConfig> read = service -> InsideConfig.fromJson(
        new JsonObject().put("services", new io.vertx.core.json.JsonArray().add(service))).services().get(0);
    assertEquals(null, read.apply(base.copy()).otherFamilyTarget());
    assertEquals(new HostPort("::1", 51820), read.apply(base.copy().put("otherFamilyTarget", "[::1]:51820")).otherFamilyTarget());
    for (String bad : new String[] {"127.0.0.2:51820", "localhost:51820", "[::1]:0"}) {
      ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
          () -> read.apply(base.copy().put("otherFamilyTarget", bad)), bad);
      assertStartsWith("services[0].otherFamilyTarget: must be an address literal of the other family than target "
          + "127.0.0.1:51820", e.getMessage());
    }
  }
}
