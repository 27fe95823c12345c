package io.rut.agent;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Whether a configuration file that holds a secret can be read by others than the agent, as
 * OpenSSH asks of a private key. Group-readable is fine when the file's group is the agent's own
 * (its primary group), which is what {@code chmod 640} with such a group is for.
 */
public final class ConfigPermissions {

  private ConfigPermissions() {
  }

  /** What to log about {@code file} with content {@code json}: key-value pairs, or null when all is well. */
  public static Object[] warning(Path file, JsonObject json) {
    if (!holdsSecret(json)) {
      return null;
    }
    Set<PosixFilePermission> perms;
    try {
      perms = Files.getPosixFilePermissions(file);
    } catch (IOException | UnsupportedOperationException e) {
      // no POSIX permissions to judge (or the file went away): nothing to say
      return null;
    }
    boolean others = perms.contains(PosixFilePermission.OTHERS_READ);
    boolean group = perms.contains(PosixFilePermission.GROUP_READ) && !ownGroup(file);
    if (!others && !group) {
      return null;
    }
    return new Object[] {"file", file, "mode", mode(perms), "readableBy", others ? "others" : "group",
        "fix", "chmod 600 " + file + ", or chmod 640 with a group of the agent's own"};
  }

  static boolean holdsSecret(JsonObject json) {
    if (json == null || !(json.getValue("services") instanceof JsonArray services)) {
      return false;
    }
    for (Object s : services) {
      if (s instanceof JsonObject o && o.containsKey("secret")) {
        return true;
      }
    }
    return false;
  }

  /** Octal, as ls and chmod speak: {@code 0644}. */
  static String mode(Set<PosixFilePermission> perms) {
    int bits = 0;
    for (PosixFilePermission p : perms) {
      bits |= 1 << (8 - p.ordinal());
    }
    return String.format("0%03o", bits);
  }

  /** Whether the file's group is this process's own group (Linux; elsewhere: no). */
  private static boolean ownGroup(Path file) {
    try {
      Object gid = Files.getAttribute(file, "unix:gid");
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Gid:")) {
          String[] ids = line.substring(4).trim().split("\\s+");
          return ids.length > 1 && ids[1].equals(String.valueOf(gid));
        }
      }
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      // not Linux, or no unix view: count the group as others
    }
    return false;
  }
}
