package io.rut.config;

/** A configuration that cannot be used; the message names the key and the reason in one line. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message, null, false, false);
  }
}
