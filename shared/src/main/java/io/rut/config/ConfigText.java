package io.rut.config;

import com.fasterxml.jackson.core.JsonProcessingException;
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
      throw new ConfigException(what + " is not valid JSON" + where(e) + ": " + reason(e));
    }
    if (!(json instanceof JsonObject object)) {
      throw new ConfigException(what + " must hold a JSON object ({\"services\": [...]})");
    }
    return object;
  }

  private static String where(DecodeException e) {
    if (e.getCause() instanceof JsonProcessingException j && j.getLocation() != null
        && j.getLocation().getLineNr() > 0) {
      return " at line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr();
    }
    return "";
  }

  private static String reason(DecodeException e) {
    String m = e.getCause() instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    m = String.valueOf(m);
    int nl = m.indexOf('\n');
    m = nl < 0 ? m : m.substring(0, nl);
    // The parser quotes the word it choked on, which may be an unquoted secret.
    if (m.startsWith("Unrecognized token")) {
      return "a word that is not JSON (strings need double quotes)";
    }
    return m.isEmpty() ? m : Character.toLowerCase(m.charAt(0)) + m.substring(1);
  }
}
