package io.rut.launch;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A launcher whose standard output and error are captured. */
final class Captured<C extends io.rut.config.AgentConfig> {

  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  final RutLauncher<C> launcher;

  Captured(RutLauncher.Agent<C> agent) {
    launcher = new RutLauncher<>(agent, new PrintStream(outBytes, true, StandardCharsets.UTF_8),
        new PrintStream(errBytes, true, StandardCharsets.UTF_8));
  }

  int launch(String... args) {
    return launcher.launch(args);
  }

  String out() {
    return outBytes.toString(StandardCharsets.UTF_8);
  }

  String err() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  List<String> outLines() {
    return out().lines().toList();
  }

  List<String> errLines() {
    return err().lines().toList();
  }
}
