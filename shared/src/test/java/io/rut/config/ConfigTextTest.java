package io.rut.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

  @Test
  void aSyntaxErrorSaysWhereItIs() {
    String m = assertThrows(ConfigException.class,
        () -> ConfigText.parse("{\n  \"services\": [\n    {\"name\": \"wg\",,\n", "'x.json'")).getMessage();
    assertEquals("'x.json' is not valid JSON at line 3, column 19: unexpected character (',' (code 44)): "
        + "was expecting double-quote to start field name", m);
  }

  @Test
  void aTruncatedFileSaysWhereItEnds() {
    String m = assertThrows(ConfigException.class,
        () -> ConfigText.parse("{\"services\": [\n  {\"name\": \"wg\",\n", "'x.json'")).getMessage();
    assertTrue(m.startsWith("'x.json' is not valid JSON at line 3, column 1: unexpected end-of-input"), m);
  }

  @Test
  void anUnquotedWordIsNotEchoed() {
    String m = assertThrows(ConfigException.class,
        () -> ConfigText.parse("{\"secret\": hunter2}", "'x.json'")).getMessage();
    assertEquals("'x.json' is not valid JSON at line 1, column 19: a word that is not JSON (strings need double quotes)", m);
    assertFalse(m.contains("hunter2"), m);
  }
}
