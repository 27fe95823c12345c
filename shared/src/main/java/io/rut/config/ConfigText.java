package io.rut.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/** Turns the text of a configuration into a JSON object, or says in one line why it cannot. */
public final class ConfigText {

  private ConfigText() {
  }

  /**
   * @param text the file's content or inline JSON
   * @param what how to name the source in a message, e.g. {@code 'outside.json'}
   */
  public static JsonObject parse(String text, String what) {
    if (text == null || text.isBlank()) {
      throw new ConfigException(what + " is empty");
    }
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    Object json;
    try {
      json = Json.decodeValue(text);
    } catch (DecodeException e) {
      String m = String.valueOf(e.getMessage());
      int nl = m.indexOf('\n');
      throw new ConfigException(what + " is not valid JSON: " + (nl < 0 ? m : m.substring(0, nl)));
    }
    if (!(json instanceof JsonObject object)) {
      throw new ConfigException(what + " must hold a JSON object ({\"services\": [...]})");
    }
    return object;
  }
}
