package io.rut.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ConfigTextTest {

  @Test
  void nothingIsNotAConfiguration() {
    assertEquals("'x' is empty", assertThrows(ConfigException.class, () -> ConfigText.parse(null, "'x'")).getMessage());
    assertEquals("'x' is empty", assertThrows(ConfigException.class, () -> ConfigText.parse("  \n", "'x'")).getMessage());
  }

  @Test
  void anObjectWithAByteOrderMarkIsRead() {
    assertEquals(1, ConfigText.parse("\uFEFF{\"a\": 1}", "'x'").getInteger("a"));
  }
}
