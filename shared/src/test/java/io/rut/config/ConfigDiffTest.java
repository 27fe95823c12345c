package io.rut.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigDiffTest {

  private static OutsideServiceConfig service(String name, int port, JsonObject more) {
    JsonObject json = new JsonObject().put("name", name).put("listen", "127.0.0.1:" + port)
        .put("secret", Secrets.KEY_A).mergeIn(more);
    return OutsideConfig.fromJson(new JsonObject().put("services", new JsonArray().add(json))).services().get(0);
  }

  private static OutsideServiceConfig service(String name, int port) {
    return service(name, port, new JsonObject());
  }

  private static ConfigDiff<OutsideServiceConfig> diff(List<OutsideServiceConfig> running,
                                                       List<OutsideServiceConfig> next) {
    return ConfigDiff.of(running, next, OutsideServiceConfig::listen);
  }

  private static List<String> names(List<OutsideServiceConfig> list) {
    return list.stream().map(OutsideServiceConfig::name).toList();
  }

  @Test
  void theSameConfigurationChangesNothing() {
    List<OutsideServiceConfig> running = List.of(service("a", 1000), service("b", 1001));
    assertTrue(diff(running, List.of(service("a", 1000), service("b", 1001))).isEmpty());
  }

  @Test
  void aNewServiceIsAddedAndAnAbsentOneRemoved() {
    ConfigDiff<OutsideServiceConfig> d = diff(List.of(service("a", 1000), service("b", 1001)),
        List.of(service("a", 1000), service("c", 1002)));
    assertEquals(List.of("c"), names(d.added()));
    assertEquals(List.of(), d.changed());
    assertEquals(List.of("b"), names(d.removed()));
    assertFalse(d.moves("b"));
  }

  @Test
  void otherSettingsOnTheSameSocketAreAChangeInPlace() {
    OutsideServiceConfig tighter = service("a", 1000, new JsonObject().put("maxTunnels", 5).put("keepaliveInterval", 5));
    ConfigDiff<OutsideServiceConfig> d = diff(List.of(service("a", 1000)), List.of(tighter));
    assertEquals(List.of(tighter), d.changed(), "the change carries the new settings");
    assertEquals(List.of(), d.added());
    assertEquals(List.of(), d.removed());
  }

  @Test
  void aNewSecretIsAChangeInPlace() {
    OutsideServiceConfig rotated = service("a", 1000, new JsonObject().put("secret",
        new JsonArray().add(Secrets.KEY_B).add(Secrets.KEY_A)));
    assertEquals(List.of(rotated), diff(List.of(service("a", 1000)), List.of(rotated)).changed());
  }

  @Test
  void aServiceOnOtherSocketsIsRemovedAndAddedAgain() {
    ConfigDiff<OutsideServiceConfig> d = diff(List.of(service("a", 1000)), List.of(service("a", 2000)));
    assertEquals(List.of(2000), d.added().stream().map(s -> s.listen().port()).toList());
    assertEquals(List.of(1000), d.removed().stream().map(s -> s.listen().port()).toList());
    assertEquals(List.of(), d.changed());
    assertTrue(d.moves("a"));
  }

  @Test
  void addedServicesKeepTheNewOrder() {
    ConfigDiff<OutsideServiceConfig> d = diff(List.of(), List.of(service("z", 1), service("a", 2), service("m", 3)));
    assertEquals(List.of("z", "a", "m"), names(d.added()));
  }
}
