package io.rut.config;

import java.util.Arrays;
import java.util.Base64;

/** Fixed, well-formed secrets for configuration tests. */
final class Secrets {

  /** A base64 key of 32 bytes, all 1. */
  static final String KEY_A = base64Key(32, (byte) 1);
  /** A base64 key of 32 bytes, all 2. */
  static final String KEY_B = base64Key(32, (byte) 2);

  private Secrets() {
  }

  static String base64Key(int length, byte fill) {
    byte[] raw = new byte[length];
    Arrays.fill(raw, fill);
    return "base64:" + Base64.getEncoder().encodeToString(raw);
  }
}
