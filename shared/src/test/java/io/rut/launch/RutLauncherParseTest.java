package io.rut.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.config.ConfigException;
import io.rut.config.HostPort;
import io.rut.config.InsideConfig;
import io.rut.config.LogLevel;
import io.rut.config.OutsideConfig;
import io.rut.protocol.ServiceKeys;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RutLauncherParseTest {

  private static final String KEY = ServiceKeys.generate();

  @TempDir
  Path dir;

  private final RutLauncher<OutsideConfig> outside = new Captured<>(TestAgents.OUTSIDE).launcher;
  private final RutLauncher<InsideConfig> inside = new Captured<>(TestAgents.INSIDE).launcher;

  private static JsonObject outsideJson() {
    return new JsonObject()
        .put("services", new JsonArray().add(new JsonObject()
            .put("name", "wg").put("listen", "[::]:2222").put("secret", KEY).put("maxTunnels", 9)))
        .put("logLevel", "warn");
  }

  private static String error(RutLauncher<?> launcher, String... args) {
    return assertThrows(ConfigException.class, () -> launcher.parse(List.of(args))).getMessage();
  }

  private static void assertContains(String part, String message) {
    assertTrue(message.contains(part), () -> "expected to contain '" + part + "', got: " + message);
  }

  @Test
  void configFileIsReadAndItsPathKept() throws IOException {
    Path file = Files.writeString(dir.resolve("outside.json"), outsideJson().encodePrettily());

    RutLauncher.Parsed<OutsideConfig> parsed = outside.parse(List.of("-conf", file.toString()));

    assertEquals(file.toString(), parsed.path());
    assertEquals(OutsideConfig.fromJson(outsideJson()), parsed.config());
    assertEquals(9, parsed.config().services().get(0).maxTunnels());
    assertEquals(LogLevel.WARN, parsed.config().logLevel());
  }

  @Test
  void doubleDashConfWorksToo() throws IOException {
    Path file = Files.writeString(dir.resolve("outside.json"), outsideJson().encode());
    assertEquals(file.toString(), outside.parse(List.of("--conf", file.toString())).path());
  }

  @Test
  void inlineJsonHasNoPath() {
    RutLauncher.Parsed<OutsideConfig> parsed = outside.parse(List.of("-conf", "  " + outsideJson().encode()));
    assertNull(parsed.path());
    assertEquals(new HostPort("::", 2222), parsed.config().services().get(0).listen());
  }

  @Test
  void configFileIsValidatedByTheAgent() throws IOException {
    Path file = Files.writeString(dir.resolve("inside.json"), outsideJson().encode());
    String m = error(inside, "-conf", file.toString());
    assertTrue(m.startsWith("services[0].listen: unknown key"), m);
  }

  @Test
  void flagsBecomeTheDefaultService() {
    RutLauncher.Parsed<InsideConfig> parsed =
        inside.parse(List.of("-s", "localhost:51820", "-o", "vps:2222", "-k", KEY));
    assertNull(parsed.path());
    assertEquals("default", parsed.config().services().get(0).name());
    assertEquals(new HostPort("vps", 2222), parsed.config().services().get(0).outside());
  }

  @Test
  void missingConfigFile() {
    Path missing = dir.resolve("nope.json");
    assertEquals("config file '" + missing + "' not found", error(outside, "-conf", missing.toString()));
  }

  @Test
  void unreadableConfigFile() throws IOException {
    Path file = Files.writeString(dir.resolve("locked.json"), outsideJson().encode());
    Files.setPosixFilePermissions(file, java.util.Set.of());
    org.junit.jupiter.api.Assumptions.assumeFalse(Files.isReadable(file), "root reads every file");
    assertEquals("config file '" + file + "' is not readable: permission denied",
        error(outside, "-conf", file.toString()));
  }

  @Test
  void directoryAsConfigFile() {
    assertContains("cannot read config file", error(outside, "-conf", dir.toString()));
  }

  @Test
  void invalidJsonFile() throws IOException {
    Path file = Files.writeString(dir.resolve("bad.json"), "{\"services\": [");
    String m = error(outside, "-conf", file.toString());
    assertTrue(m.startsWith("'" + file + "' is not valid JSON"), m);
  }

  @Test
  void invalidInlineJson() {
    assertContains("is not valid JSON", error(outside, "-conf", "{services:}"));
  }

  @Test
  void emptyConfigFile() throws IOException {
    Path file = Files.writeString(dir.resolve("empty.json"), "");
    assertContains("empty.json' is empty", error(outside, "-conf", file.toString()));
  }

  @Test
  void confMixedWithFlags() {
    String m = error(outside, "-conf", "x.json", "-l", "2222");
    assertContains("-conf FILE stands alone", m);
    assertContains("-conf FILE stands alone", error(outside, "-l", "2222", "-conf", "x.json"));
  }

  @Test
  void confAfterAnotherArgument() {
    assertContains("-conf FILE stands alone", error(inside, "x.json", "-conf"));
  }

  @Test
  void noArguments() {
    assertContains("--help", error(outside));
  }

  @Test
  void badFlagsAreReported() {
    assertContains("-o belongs to the inside agent", error(outside, "-l", "2222", "-o", "vps:1"));
    assertTrue(error(inside, "-s", "h:1").startsWith("missing -o"));
  }

  @Test
  void brokenInlineJsonIsOneLineWithoutEchoingItsSecrets() {
    String inline = "{\n  \"services\": [\n    {\"name\": \"wg\", \"secret\": \"hunter2\",\n";
    String message = error(outside, "-conf", inline);
    assertTrue(message.startsWith("the inline -conf JSON is not valid JSON"), message);
    assertFalse(message.contains("hunter2"), message);
    assertFalse(message.contains("\n"), message);
  }

  @Test
  void aJsonArrayIsNotAConfiguration() throws IOException {
    Path file = Files.writeString(dir.resolve("array.json"), "[1, 2]");
    assertContains("must hold a JSON object", error(outside, "-conf", file.toString()));
  }

  @Test
  void aByteOrderMarkIsTolerated() throws IOException {
    Path file = Files.writeString(dir.resolve("bom.json"), "\uFEFF" + outsideJson().encode());
    assertEquals(9, outside.parse(List.of("-conf", file.toString())).config().services().get(0).maxTunnels());
  }

  @Test
  void aFileThatIsNotUtf8IsSaidSo() throws IOException {
    Path file = Files.write(dir.resolve("latin1.json"), new byte[] {'{', (byte) 0xe9, (byte) 0xff, '}'});
    assertContains("is not UTF-8 text", error(outside, "-conf", file.toString()));
  }

  @Test
  void keygenWithArgumentsIsExplained() {
    assertEquals("keygen takes no arguments", error(outside, "keygen", "now"));
  }
}
