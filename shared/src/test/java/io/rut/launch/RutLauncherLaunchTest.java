package io.rut.launch;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rut.config.InsideConfig;
import io.rut.config.OutsideConfig;
import io.rut.config.SeedFlags;
import io.rut.protocol.ServiceKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The exits that start nothing: keygen, --help and every kind of unusable command line. */
class RutLauncherLaunchTest {

  @TempDir
  static Path dir;

  @Test
  void keygenPrintsOneUsableSecret() {
    Captured<OutsideConfig> c = new Captured<>(TestAgents.OUTSIDE);

    assertEquals(0, c.launch("keygen"));

    List<String> lines = c.outLines();
    assertEquals(1, lines.size(), c.out());
    String secret = lines.get(0);
    assertTrue(secret.matches("base64:[A-Za-z0-9+/]{43}="), secret);
    assertEquals("base64:".length() + 44, secret.length());
    assertDoesNotThrow(() -> ServiceKeys.checkSecret(secret));
    assertEquals("", c.err());
  }

  @Test
  void keygenGivesAFreshSecretEachTime() {
    Captured<InsideConfig> a = new Captured<>(TestAgents.INSIDE);
    Captured<InsideConfig> b = new Captured<>(TestAgents.INSIDE);
    assertEquals(0, a.launch("keygen"));
    assertEquals(0, b.launch("keygen"));
    assertNotEquals(a.out(), b.out());
  }

  @ParameterizedTest
  @ValueSource(strings = {"--help", "-h", "-help"})
  void helpMentionsEveryOutsideOption(String help) {
    Captured<OutsideConfig> c = new Captured<>(TestAgents.OUTSIDE);
    assertEquals(0, c.launch(help));
    assertHelp(c.out(), SeedFlags.Side.OUTSIDE, "outside.jar");
    assertEquals("", c.err());
  }

  @Test
  void helpMentionsEveryInsideOption() {
    Captured<InsideConfig> c = new Captured<>(TestAgents.INSIDE);
    assertEquals(0, c.launch("--help"));
    assertHelp(c.out(), SeedFlags.Side.INSIDE, "inside.jar");
    assertFalse(c.out().contains("  -l "), c.out());
  }

  @Test
  void helpWinsOverOtherArguments() {
    Captured<OutsideConfig> c = new Captured<>(TestAgents.OUTSIDE);
    assertEquals(0, c.launch("-l", "2222", "--help"));
    assertTrue(c.out().contains("keygen"), c.out());
  }

  @ParameterizedTest
  @ValueSource(strings = {"outside", "inside"})
  void helpDescriptionsStartAtOneColumnAndFitTheWidth(String name) {
    Captured<?> c = name.equals("outside") ? new Captured<OutsideConfig>(TestAgents.OUTSIDE)
        : new Captured<InsideConfig>(TestAgents.INSIDE);
    assertEquals(0, c.launch("--help"));
    List<String> rows = c.outLines().stream().filter(l -> l.startsWith("  ")).toList();
    assertTrue(rows.size() > 10, c.out());
    // Where the first description starts: after the name and at least two spaces.
    String first = rows.get(0);
    int column = first.indexOf("  ", 2) + 2;
    while (first.charAt(column) == ' ') {
      column++;
    }
    for (String row : rows) {
      assertTrue(row.length() <= Help.WIDTH, "too wide: " + row);
      assertTrue(row.length() > column && row.charAt(column) != ' ' && row.charAt(column - 1) == ' '
          && row.charAt(column - 2) == ' ', "description not at column " + column + ": '" + row + "'");
    }
    String longest = name.equals("outside") ? "  --keepaliveInterval SECONDS  " : "  --connectionTimeout SECONDS  ";
    assertTrue(rows.stream().anyMatch(r -> r.startsWith(longest)), c.out());
    assertTrue(c.out().contains("  health HOST:PORT  "), c.out());
  }

  @Test
  void aLongDescriptionWrapsUnderItself() {
    Captured<OutsideConfig> c = new Captured<>(TestAgents.OUTSIDE);
    assertEquals(0, c.launch("--help"));
    List<String> lines = c.outLines();
    int health = lines.stream().filter(l -> l.startsWith("  health ")).findFirst().map(lines::indexOf).orElseThrow();
    String next = lines.get(health + 1);
    assertTrue(next.startsWith("    ") && !next.isBlank(), "the health entry wraps: " + c.out());
  }

  private static void assertHelp(String text, SeedFlags.Side side, String jar) {
    for (String flag : SeedFlags.flags(side).keySet()) {
      assertTrue(text.contains(flag + " "), () -> "help lacks " + flag + ":\n" + text);
    }
    assertTrue(text.contains("-conf"), text);
    assertTrue(text.contains("keygen"), text);
    assertTrue(text.contains(jar), text);
  }

  static Stream<Arguments> badOutsideCommandLines() throws IOException {
    Path invalid = Files.writeString(dir.resolve("invalid.json"), "{\"services\": [\n  {\"name\": \"wg\",\n");
    Path noServices = Files.writeString(dir.resolve("empty-services.json"), "{\"services\": []}");
    return Stream.of(
        Arguments.of(List.of(), "no options"),
        Arguments.of(List.of("-l"), "-l: missing value"),
        Arguments.of(List.of("-l", "2222", "-x", "1"), "unknown option '-x'"),
        Arguments.of(List.of("-l", "2222", "-o", "vps:1"), "belongs to the inside agent"),
        Arguments.of(List.of("-l", "2222", "-n", "many"), "-n: 'many' is not a number"),
        Arguments.of(List.of("-l", "2222"), "missing -k: every service needs a secret"),
        Arguments.of(List.of("-l", "2222", "-k", "S", "-n", "0"), "-n 0: must be between 1 and 1000000"),
        Arguments.of(List.of("-l", "host", "-k", "S"), "-l: expected PORT or HOST:PORT"),
        Arguments.of(List.of("-conf"), "-conf needs a FILE"),
        Arguments.of(List.of("-conf", dir.resolve("missing.json").toString()), "missing.json' not found"),
        Arguments.of(List.of("-conf", invalid.toString()), "is not valid JSON at line 3, column 1"),
        Arguments.of(List.of("-conf", noServices.toString()), "services: at least one service"),
        Arguments.of(List.of("keygen", "now"), "keygen"));
  }

  @ParameterizedTest
  @MethodSource("badOutsideCommandLines")
  void badCommandLineCostsOneLineAndExitCode2(List<String> args, String expected) {
    Captured<OutsideConfig> c = new Captured<>(TestAgents.OUTSIDE);

    assertEquals(RutLauncher.USAGE, c.launch(args.toArray(String[]::new)));

    assertEquals(1, c.errLines().size(), c.err());
    String line = c.errLines().get(0);
    assertTrue(line.startsWith("rut-outside: error: "), line);
    assertTrue(line.contains(expected), () -> "expected '" + expected + "' in: " + line);
    assertEquals("", c.out());
  }

  @Test
  void insideErrorsNameTheInsideAgent() {
    Captured<InsideConfig> c = new Captured<>(TestAgents.INSIDE);
    assertEquals(2, c.launch("-s", "localhost:51820", "-l", "2222"));
    assertEquals(List.of("rut-inside: error: option -l belongs to the outside agent (outside.jar); "
        + "-l and -o contradict each other: -l runs the outside agent, -o the inside one"), c.errLines());
  }

  @Test
  void insideMissingOutside() {
    Captured<InsideConfig> c = new Captured<>(TestAgents.INSIDE);
    assertEquals(2, c.launch("-s", "localhost:51820", "-k", "S"));
    assertEquals(1, c.errLines().size(), c.err());
    assertTrue(c.errLines().get(0).startsWith("rut-inside: error: missing -o"), c.err());
  }
}
