package io.rut.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Two network namespaces made for one test class, joined by a veth pair: a "public" side
 * ({@code 10.77.0.1-2}, {@code fd77::1-2}) and a "home" side ({@code 10.77.0.3}, {@code fd77::3}).
 * Runs Java programs of this class path in either, keeps their output lines, and removes both
 * namespaces (and so everything in them) when closed. Needs root and iproute2.
 */
final class Namespaces implements AutoCloseable {

  final String pub;
  final String home;
  private final List<Proc> procs = new ArrayList<>();

  /** A program started in a namespace; its output lines (both streams) are kept as they come. */
  static final class Proc {
    final Process process;
    final List<String> lines = new CopyOnWriteArrayList<>();

    Proc(Process process) {
      this.process = process;
      Thread t = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8))) {
          for (String l; (l = r.readLine()) != null; ) {
            lines.add(l);
          }
        } catch (IOException e) {
          lines.add("(output lost: " + e + ")");
        }
      });
      t.setDaemon(true);
      t.start();
    }

    /** The first line matching {@code p}, waiting at most {@code seconds}; null if none came. */
    String await(Predicate<String> p, int seconds) throws InterruptedException {
      long deadline = System.nanoTime() + seconds * 1_000_000_000L;
      while (System.nanoTime() < deadline) {
        for (String l : lines) {
          if (p.test(l)) {
            return l;
          }
        }
        Thread.sleep(50);
      }
      return null;
    }

    int exit(int seconds) throws InterruptedException {
      if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
        throw new AssertionError("still running after " + seconds + " s:\n" + String.join("\n", lines));
      }
      return process.exitValue();
    }

    String output() {
      return String.join("\n", lines);
    }
  }

  Namespaces(String prefix) throws Exception {
    String tag = prefix + ProcessHandle.current().pid();
    pub = tag + "p";
    home = tag + "h";
    close();
    sh("ip netns add " + pub, "ip netns add " + home,
        "ip link add " + pub + "0 netns " + pub + " type veth peer name " + home + "0 netns " + home,
        "ip -n " + pub + " addr add 10.77.0.1/24 dev " + pub + "0",
        "ip -n " + pub + " addr add 10.77.0.2/24 dev " + pub + "0",
        "ip -n " + pub + " addr add fd77::1/64 dev " + pub + "0 nodad",
        "ip -n " + pub + " addr add fd77::2/64 dev " + pub + "0 nodad",
        "ip -n " + home + " addr add 10.77.0.3/24 dev " + home + "0",
        "ip -n " + home + " addr add fd77::3/64 dev " + home + "0 nodad",
        "ip -n " + pub + " link set lo up", "ip -n " + home + " link set lo up",
        "ip -n " + pub + " link set " + pub + "0 up", "ip -n " + home + " link set " + home + "0 up");
  }

  /**
   * The two namespaces, or the test skipped where they cannot be made: without root, without
   * iproute2, or where `ip netns add` itself fails. Any later step that fails fails the test.
   */
  static Namespaces orSkip(String prefix) throws Exception {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "network namespaces need root");
    Assumptions.assumeTrue(Stream.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip").anyMatch(p -> Files.isExecutable(Path.of(p))),
        "iproute2 is not installed");
    try {
      return new Namespaces(prefix);
    } catch (IllegalStateException e) {
      if (!e.getMessage().startsWith("'ip netns add")) {
        throw e;
      }
      Assumptions.abort("network namespaces do not work here: " + e.getMessage());
      return null;
    }
  }

  /** Runs commands (each must succeed). */
  static void sh(String... commands) throws Exception {
    for (String c : commands) {
      Process p = new ProcessBuilder("sh", "-c", c).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("'" + c + "' failed: " + out);
      }
    }
  }

  /** Starts {@code main} of this class path in namespace {@code ns}, behind {@code prefix} (e.g. setpriv ...). */
  Proc java(String ns, List<String> prefix, Class<?> main, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    cmd.addAll(prefix);
    cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), main.getName()));
    cmd.addAll(List.of(args));
    Proc p = new Proc(new ProcessBuilder(cmd).redirectErrorStream(true).start());
    procs.add(p);
    return p;
  }

  Proc java(String ns, Class<?> main, String... args) throws IOException {
    return java(ns, List.of(), main, args);
  }

  @Override
  public void close() throws Exception {
    for (Proc p : procs) {
      p.process.destroy();
    }
    for (Proc p : procs) {
      if (!p.process.waitFor(10, TimeUnit.SECONDS)) {
        p.process.destroyForcibly();
      }
    }
    procs.clear();
    for (String ns : List.of(pub, home)) {
      new ProcessBuilder("ip", "netns", "del", ns).redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
