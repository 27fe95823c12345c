package io.rut.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigPermissionsTest {

  private static final JsonObject WITH_SECRET = new JsonObject().put("services", new JsonArray()
      .add(new JsonObject().put("name", "a").put("secret", "base64:x")));
  private static final JsonObject WITHOUT_SECRET = new JsonObject().put("services", new JsonArray()
      .add(new JsonObject().put("name", "a")));

  @TempDir
  Path dir;

  private Path file(String mode) throws IOException {
    Path f = Files.writeString(dir.resolve("conf-" + mode + ".json"), WITH_SECRET.encode());
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
    return f;
  }

  @Test
  void aWorldReadableFileWithASecretIsWarnedAbout() throws IOException {
    Path f = file("rw-r--r--");
    assertEquals(List.of("file", f, "mode", "0644", "readableBy", "others",
            "fix", "chmod 600 " + f + ", or chmod 640 with a group of the agent's own"),
        List.of(ConfigPermissions.warning(f, WITH_SECRET)));
  }

  @Test
  void aFileOnlyItsOwnerReadsIsFine() throws IOException {
    assertNull(ConfigPermissions.warning(file("rw-------"), WITH_SECRET));
    assertNull(ConfigPermissions.warning(file("r--------"), WITH_SECRET));
  }

  @Test
  void aFileWithoutSecretsIsNobodysBusiness() throws IOException {
    assertNull(ConfigPermissions.warning(file("rw-r--r--"), WITHOUT_SECRET));
    assertNull(ConfigPermissions.warning(file("rw-r--r--"), new JsonObject()));
  }

  @Test
  void groupReadableIsFineWithTheAgentsOwnGroupOnly() throws IOException {
    Path f = file("rw-r-----");
    assertNull(ConfigPermissions.warning(f, WITH_SECRET), "a new file has the creator's group");
    try {
      Files.setAttribute(f, "unix:gid", 54321);
    } catch (IOException | UnsupportedOperationException e) {
      Assumptions.abort("cannot give the file another group: " + e);
    }
    Object[] w = ConfigPermissions.warning(f, WITH_SECRET);
    assertNotNull(w);
    assertEquals("0640", w[3]);
    assertEquals("group", w[5]);
  }

  @Test
  void modesAreOctal() {
    assertEquals("0000", ConfigPermissions.mode(PosixFilePermissions.fromString("---------")));
    assertEquals("0755", ConfigPermissions.mode(PosixFilePermissions.fromString("rwxr-xr-x")));
    assertEquals("0604", ConfigPermissions.mode(PosixFilePermissions.fromString("rw----r--")));
  }
}
