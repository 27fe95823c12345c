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

class OutsideConfigTest {

  private static JsonObject service(String name, String listen) {
    return new JsonObject().put("name", name).put("listen", listen).put("secret", KEY_A);
  }

  private static JsonObject config(JsonObject... services) {
    JsonArray list = new JsonArray();
    for (JsonObject s : services) {
      list.add(s);
    }
    return new JsonObject().put("services", list);
  }

  private static String error(JsonObject json) {
    return assertThrows(ConfigException.class, () -> OutsideConfig.fromJson(json)).getMessage();
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
        .put("services", new JsonArray()
            .add(new JsonObject()
                .put("name", "wg")
                .put("listen", "[::]:2222")
                .put("secret", KEY_A)
                .put("maxTunnels", 50)
                .put("maxSpares", 8)
                .put("keepaliveInterval", 0.5)
                .put("maxPendingClients", 10))
            .add(service("dns", "127.0.0.1:5353").put("keepaliveInterval", 30)))
        .put("metrics", new JsonObject().put("listen", "127.0.0.1:9100").put("token", "t0k"))
        .put("logLevel", "debug");

    OutsideConfig c = OutsideConfig.fromJson(json);

    assertEquals(List.of(
        new OutsideServiceConfig("wg", new HostPort("::", 2222), List.of(KEY_A), 50, 8,
            Duration.ofMillis(500), 10, List.of(), List.of(), 1_000_000, 1000, 1000, 2000, null),
        new OutsideServiceConfig("dns", new HostPort("127.0.0.1", 5353), List.of(KEY_A), 100, 64,
            Duration.ofSeconds(30), 256, List.of(), List.of(), 1_000_000, 1000, 1000, 2000, null)),
        c.services());
    assertEquals(new MetricsConfig(new HostPort("127.0.0.1", 9100), "t0k"), c.metrics());
    assertEquals(LogLevel.DEBUG, c.logLevel());
  }

  @Test
  void perAddressLimitsDefaultToNoneOfTheirOwn() {
    OutsideServiceConfig s = OutsideConfig.fromJson(config(service("wg", "[::]:2222").put("maxTunnels", 300)
        .put("newClientsPerSecond", 50))).services().get(0);
    assertEquals(1_000_000, s.maxTunnelsPerIp(), "no cap: many users share one NAT's address");
    assertEquals(50, s.newClientsPerSecondPerIp(), "no rate below the service's own");
  }

  @Test
  void defaultsApplyWhenKeysAreAbsent() {
    OutsideConfig c = OutsideConfig.fromJson(config(service("wg", "[::]:2222")));

    OutsideServiceConfig s = c.services().get(0);
    assertEquals(100, s.maxTunnels());
    assertEquals(64, s.maxSpares());
    assertEquals(Duration.ofSeconds(25), s.keepaliveInterval());
    assertEquals(256, s.maxPendingClients());
    assertEquals(LogLevel.INFO, c.logLevel());
    assertEquals(MetricsConfig.OFF, c.metrics());
  }

  @Test
  void maxSparesDefaultsToMaxTunnelsWhenSmall() {
    OutsideConfig c = OutsideConfig.fromJson(config(service("wg", "[::]:1").put("maxTunnels", 5)));
    assertEquals(5, c.services().get(0).maxSpares());
  }

  @Test
  void tunnelExpiryIsTwiceKeepalivePlusFiveSeconds() {
    OutsideConfig c = OutsideConfig.fromJson(config(service("wg", "[::]:1").put("keepaliveInterval", 10)));
    assertEquals(Duration.ofSeconds(25), c.services().get(0).tunnelExpiry());
  }

  @Test
  void secretAsPassphraseString() {
    OutsideConfig c = OutsideConfig.fromJson(config(service("wg", "[::]:1").put("secret", "correct horse")));
    assertEquals(List.of("correct horse"), c.services().get(0).secrets());
  }

  @Test
  void secretAsListKeepsRotationOrder() {
    OutsideConfig c = OutsideConfig.fromJson(
        config(service("wg", "[::]:1").put("secret", new JsonArray().add(KEY_B).add(KEY_A).add("old pass"))));
    assertEquals(List.of(KEY_B, KEY_A, "old pass"), c.services().get(0).secrets());
  }

  @Test
  void missingSecretNamesTheServiceAndPointsToKeygen() {
    JsonObject second = service("b", "[::]:2");
    second.remove("secret");
    String m = error(config(service("a", "[::]:1"), second));
    assertStartsWith("services[1].secret: ", m);
    assertContains("keygen", m);
  }

  @Test
  void malformedBase64Secret() {
    String m = error(config(service("a", "[::]:1").put("secret", "base64:not*base64!")));
    assertStartsWith("services[0].secret: ", m);
    assertContains("not valid base64", m);
  }

  @Test
  void base64SecretOfWrongLength() {
    String m = error(config(service("a", "[::]:1").put("secret", Secrets.base64Key(16, (byte) 7))));
    assertStartsWith("services[0].secret: ", m);
    assertContains("32 bytes", m);
    assertContains("16", m);
  }

  @Test
  void badSecretInListNamesItsIndex() {
    String m = error(config(service("a", "[::]:1")
        .put("secret", new JsonArray().add(KEY_A).add("base64:AAAA"))));
    assertStartsWith("services[0].secret[1]: ", m);
  }

  @Test
  void emptySecretIsRejected() {
    assertStartsWith("services[0].secret: ", error(config(service("a", "[::]:1").put("secret", ""))));
  }

  @Test
  void emptySecretListIsRejected() {
    String m = error(config(service("a", "[::]:1").put("secret", new JsonArray())));
    assertStartsWith("services[0].secret: ", m);
    assertContains("non-empty list", m);
  }

  @Test
  void nonStringSecretInListIsRejected() {
    String m = error(config(service("a", "[::]:1").put("secret", new JsonArray().add(KEY_A).add(5))));
    assertStartsWith("services[0].secret[1]: must be a string", m);
  }

  @Test
  void unknownServiceKeyListsValidKeys() {
    String m = error(config(service("a", "[::]:1").put("target", "localhost:1")));
    assertStartsWith("services[0].target: unknown key", m);
    for (String key : OutsideServiceConfig.KEYS) {
      assertContains(key, m);
    }
  }

  @Test
  void insideOnlyKeyIsUnknownOnTheOutside() {
    String m = error(config(service("a", "[::]:1"), service("b", "[::]:2").put("connectionTimeout", 5)));
    assertStartsWith("services[1].connectionTimeout: unknown key", m);
  }

  @Test
  void badListenAddress() {
    String m = error(config(service("a", "2222")));
    assertStartsWith("services[0].listen: ", m);
    assertContains("expected host:port", m);
  }

  @Test
  void listenPortOutOfRange() {
    String m = error(config(service("a", "[::]:65536")));
    assertStartsWith("services[0].listen: ", m);
    assertContains("65536", m);
  }

  @Test
  void missingListen() {
    JsonObject s = service("a", "[::]:1");
    s.remove("listen");
    assertEquals("services[0].listen: required", error(config(s)));
  }

  @Test
  void stringWhereNumberBelongs() {
    String m = error(config(service("a", "[::]:1").put("maxTunnels", "5")));
    assertStartsWith("services[0].maxTunnels: must be a whole number", m);
  }

  @Test
  void fractionWhereWholeNumberBelongs() {
    String m = error(config(service("a", "[::]:1").put("maxSpares", 2.5)));
    assertStartsWith("services[0].maxSpares: must be a whole number", m);
  }

  @Test
  void stringWhereSecondsBelong() {
    String m = error(config(service("a", "[::]:1").put("keepaliveInterval", "25")));
    assertStartsWith("services[0].keepaliveInterval: must be a number of seconds", m);
  }

  @Test
  void numberWhereStringBelongs() {
    assertStartsWith("services[0].listen: must be a non-empty string",
        error(config(new JsonObject().put("name", "a").put("listen", 2222).put("secret", KEY_A))));
    assertStartsWith("services[0].name: must be a non-empty string",
        error(config(service("a", "[::]:1").put("name", 7))));
  }

  @Test
  void maxTunnelsOutOfRange() {
    assertStartsWith("services[0].maxTunnels: must be between 1 and 1000000, got 0",
        error(config(service("a", "[::]:1").put("maxTunnels", 0))));
    assertStartsWith("services[0].maxTunnels: must be between 1 and 1000000, got 1000001",
        error(config(service("a", "[::]:1").put("maxTunnels", 1_000_001))));
  }

  @Test
  void maxPendingClientsOutOfRange() {
    assertStartsWith("services[0].maxPendingClients: must be between 0 and 100000",
        error(config(service("a", "[::]:1").put("maxPendingClients", -1))));
  }

  @Test
  void keepaliveIntervalOutOfRange() {
    assertStartsWith("services[0].keepaliveInterval: must be between",
        error(config(service("a", "[::]:1").put("keepaliveInterval", 0.05))));
    assertStartsWith("services[0].keepaliveInterval: must be between",
        error(config(service("a", "[::]:1").put("keepaliveInterval", 3601))));
    assertStartsWith("services[0].keepaliveInterval: must be between",
        error(config(service("a", "[::]:1").put("keepaliveInterval", -1))));
  }

  @Test
  void duplicateServiceNames() {
    String m = error(config(service("wg", "[::]:1"), service("wg", "[::]:2")));
    assertEquals("services[1].name: service 'wg' is defined twice", m);
  }

  @Test
  void twoServicesOnOnePort() {
    String m = error(config(service("a", "[::]:2222"), service("b", "127.0.0.1:2223"),
        service("c", "127.0.0.1:2222")));
    assertStartsWith("services[2].listen: port 2222", m);
    assertContains("another service", m);
  }

  @Test
  void invalidServiceNameCharacters() {
    String m = error(config(service("a b", "[::]:1")));
    assertStartsWith("services[0].name: 'a b' is not a valid service name", m);
    assertStartsWith("services[0].name: ", error(config(service("wg/1", "[::]:1"))));
    assertStartsWith("services[0].name: ", error(config(service("x".repeat(65), "[::]:1"))));
  }

  @Test
  void longestValidServiceNameIsAccepted() {
    String name = "A-z_0.9" + "x".repeat(57);
    assertEquals(name, OutsideConfig.fromJson(config(service(name, "[::]:1"))).services().get(0).name());
  }

  @Test
  void missingServiceName() {
    JsonObject s = service("a", "[::]:1");
    s.remove("name");
    assertEquals("services[0].name: required", error(config(s)));
  }

  @Test
  void hugeWholeNumbersAreOutOfRangeNotWrappedAround() {
    for (String huge : new String[] {"18446744073709551621", "9223372036854775808"}) {
      JsonObject json = new JsonObject("{\"services\":[{\"name\":\"a\",\"listen\":\"[::]:1\",\"secret\":\""
          + Secrets.KEY_A + "\",\"maxTunnels\":" + huge + "}]}");
      ConfigException e = assertThrows(ConfigException.class, () -> OutsideConfig.fromJson(json));
      assertTrue(e.getMessage().startsWith("services[0].maxTunnels: must be between") && e.getMessage().endsWith(huge),
          e.getMessage());
    }
  }

  @Test
  void aBadSecretInAListIsNamedWithItsIndex() {
    JsonObject json = new JsonObject().put("services", new io.vertx.core.json.JsonArray().add(new JsonObject()
        .put("name", "a").put("listen", "[::]:1").put("secret", new io.vertx.core.json.JsonArray().add("base64:AAAA"))));
    ConfigException e = assertThrows(ConfigException.class, () -> OutsideConfig.fromJson(json));
    assertTrue(e.getMessage().startsWith("services[0].secret[0]: "), e.getMessage());
  }

  @Test
  void admissionKeysAreReadAndChecked() {
    String wgKey = java.util.Base64.getEncoder().encodeToString(new byte[32]);
    JsonObject json = new JsonObject().put("services", new io.vertx.core.json.JsonArray().add(
        service("wg", "[::]:1").put("allow", new io.vertx.core.json.JsonArray().add("10.0.0.0/8").add("2001:db8::/32"))
            .put("deny", "10.9.0.0/16").put("maxTunnelsPerIp", 3).put("newClientsPerSecondPerIp", 0.5)
            .put("newClientsPerSecond", 50).put("challengesPerSecondPerIp", 7).put("wireguardPublicKey", wgKey)));
    OutsideServiceConfig s = OutsideConfig.fromJson(json).services().get(0);
    assertEquals(List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("2001:db8::/32")), s.allow());
    assertEquals(List.of(Cidr.parse("10.9.0.0/16")), s.deny());
    assertEquals(3, s.maxTunnelsPerIp());
    assertEquals(0.5, s.newClientsPerSecondPerIp());
    assertEquals(wgKey, s.wireguardPublicKey());
    for (Object[] bad : new Object[][] {
        {"allow", "10.0.0.0/33", "services[0].allow[0]: "}, {"deny", "example.com", "services[0].deny[0]: "},
        {"newClientsPerSecond", 0, "services[0].newClientsPerSecond: "},
        {"wireguardPublicKey", "abc", "services[0].wireguardPublicKey: must be a WireGuard public key"}}) {
      JsonObject j = new JsonObject().put("services", new io.vertx.core.json.JsonArray().add(
          service("wg", "[::]:1").put((String) bad[0], bad[1])));
      ConfigException e = assertThrows(ConfigException.class, () -> OutsideConfig.fromJson(j));
      assertTrue(e.getMessage().startsWith((String) bad[2]), e.getMessage());
    }
  }
}
