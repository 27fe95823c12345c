package io.rut.launch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Puts every thread of the agent's process under Linux's {@code SCHED_BATCH} policy, by running
 * util-linux's {@code chrt -a -b -p 0 PID} once at launch (Java has no call for it; no privilege
 * is needed to choose it). Threads started later inherit it from the threads that start them.
 *
 * <p>Why: a relayed datagram wakes one process after another. Under the normal policy a woken
 * thread preempts the thread that woke it, so on a machine whose few cores the agents share with
 * the service and its clients, every hop costs a context switch and the sender finishes its
 * round later. A batch thread that wakes waits until the running one blocks, which an agent does
 * as soon as its datagrams are out. On 2 cores ({@code bench/ab.sh}) this gave 4-13 % more round
 * trips at 6-11 % less CPU each, and cut the median round trip through the tunnel at 2,000
 * datagrams/s from about 152 to 35 us (direct: 7 us). The cost: on cores kept busy by other
 * programs, a woken agent waits for the running program's time slice to end.
 *
 * <p>{@code -Drut.scheduling=normal} leaves the policy as it was started (e.g. by
 * {@code chrt} or systemd's {@code CPUSchedulingPolicy=}).
 */
final class BatchScheduling {

  /** The system property that turns it off: {@code normal}; the default is {@code batch}. */
  static final String PROPERTY = "rut.scheduling";

  private BatchScheduling() {
  }

  /** The outcome, as key/value pairs for the log line. */
  record Outcome(String policy, String reason) {
    Object[] fields() {
      return reason == null ? new Object[] {"policy", policy} : new Object[] {"policy", policy, "reason", reason};
    }
  }

  static Outcome apply() {
    String wanted = System.getProperty(PROPERTY, "batch");
    if (wanted.equals("normal")) {
      return new Outcome("unchanged", "-D" + PROPERTY + "=normal");
    }
    if (!wanted.equals("batch")) {
      return new Outcome("unchanged", "-D" + PROPERTY + " must be batch or normal, not '" + wanted + "'");
    }
    List<String> command = List.of("chrt", "-a", "-b", "-p", "0", Long.toString(ProcessHandle.current().pid()));
    try {
      Process chrt = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (!chrt.waitFor(5, TimeUnit.SECONDS)) {
        chrt.destroyForcibly();
        return new Outcome("unchanged", "chrt did not finish within 5 s");
      }
      String said = new String(chrt.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (chrt.exitValue() != 0) {
        return new Outcome("unchanged", said.isEmpty() ? "chrt exited with " + chrt.exitValue() : said.lines().findFirst().get());
      }
      return new Outcome("batch", null);
    } catch (IOException e) {
      return new Outcome("unchanged", "cannot run chrt (util-linux): " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome("unchanged", "interrupted");
    }
  }
}
