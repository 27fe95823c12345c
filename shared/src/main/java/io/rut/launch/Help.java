package io.rut.launch;

import io.rut.config.SeedFlags;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** {@code --help}: the commands and the options, each description starting at one column. */
final class Help {

  private Help() {
  }

  static void print(PrintStream out, String agentName, SeedFlags.Side side) {
    String jar = agentName + ".jar";
    List<String[]> commands = List.of(
        new String[] {"-conf FILE", "run with a JSON configuration (conf/README.md)"},
        new String[] {"[options]", "run one service 'default' from the options below"},
        new String[] {"keygen", "print a fresh secret (base64:...)"},
        new String[] {"health HOST:PORT", "ask a running agent's status endpoint for /health: exit 0 if healthy, "
            + "1 if not; sends " + HealthCheck.TOKEN_VARIABLE + " as the bearer token if set"},
        new String[] {"--help", "this text"});
    List<String[]> options = new java.util.ArrayList<>();
    for (Map.Entry<String, SeedFlags.Option> e : SeedFlags.flags(side).entrySet()) {
      options.add(new String[] {e.getKey() + " " + e.getValue().value(), e.getValue().help()});
    }
    List<String[]> all = new java.util.ArrayList<>(commands);
    all.addAll(options);
    int column = INDENT + all.stream().mapToInt(r -> r[0].length()).max().orElse(0) + 2;
    out.println("RUT " + agentName + " agent: reverse UDP tunnel.");
    out.println();
    out.println("Usage: java -jar " + jar + " COMMAND");
    out.println();
    out.println("Commands:");
    commands.forEach(r -> row(out, r, column));
    out.println();
    out.println("Options (those of the C tools, and a few more):");
    options.forEach(r -> row(out, r, column));
  }

  static final int INDENT = 2;
  static final int WIDTH = 80;

  /** One entry of --help: its description starts at {@code column} and wraps within the width. */
  private static void row(PrintStream out, String[] row, int column) {
    StringBuilder line = new StringBuilder(" ".repeat(INDENT)).append(row[0]);
    for (String word : row[1].split(" ")) {
      if (line.length() > column && line.length() + 1 + word.length() > WIDTH) {
        out.println(line);
        line = new StringBuilder();
      }
      if (line.length() < column) {
        line.append(" ".repeat(column - line.length()));
      } else {
        line.append(' ');
      }
      line.append(word);
    }
    out.println(line);
  }
}
