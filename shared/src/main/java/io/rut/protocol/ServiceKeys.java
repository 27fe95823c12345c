package io.rut.protocol;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * The keys of one service (PROTOCOL.md section 3): the first signs, every one verifies. A secret is
 * {@code base64:} and 32 bytes, used as it is, or a passphrase stretched with Argon2id.
 */
public final class ServiceKeys {

  public static final String BASE64_PREFIX = "base64:";
  public static final int KEY_SIZE = 32;

  private final List<byte[]> keys;

  private ServiceKeys(List<byte[]> keys) {
    this.keys = keys;
  }

  /** Derives the keys of {@code serviceName} from its configured secrets, in order. */
  public static ServiceKeys derive(String serviceName, List<String> secrets) {
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("no secret: every service needs one; make one with 'keygen'");
    }
    List<byte[]> keys = new ArrayList<>();
    for (String s : secrets) {
      keys.add(keyOf(serviceName, s));
    }
    return new ServiceKeys(List.copyOf(keys));
  }

  /** Checks a secret's form without the cost of Argon2id; the message says what is wrong. */
  public static void checkSecret(String secret) {
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException("empty secret; make one with 'keygen'");
    }
    if (secret.startsWith(BASE64_PREFIX)) {
      byte[] raw;
      try {
        raw = Base64.getDecoder().decode(secret.substring(BASE64_PREFIX.length()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("secret after 'base64:' is not valid base64");
      }
      if (raw.length != KEY_SIZE) {
        throw new IllegalArgumentException("a base64: secret must hold exactly 32 bytes, this one holds " + raw.length);
      }
    }
  }

  static byte[] keyOf(String serviceName, String secret) {
    checkSecret(secret);
    if (secret.startsWith(BASE64_PREFIX)) {
      return Base64.getDecoder().decode(secret.substring(BASE64_PREFIX.length()));
    }
    return argon2id(secret, "rut/v1/" + serviceName);
  }

  /** Argon2id(passphrase, salt, t=3, m=65536 KiB, p=1, 32 bytes). */
  public static byte[] argon2id(String passphrase, String salt) {
    Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withIterations(3)
        .withMemoryAsKB(65536)
        .withParallelism(1)
        .withSalt(salt.getBytes(StandardCharsets.UTF_8))
        .build();
    Argon2BytesGenerator gen = new Argon2BytesGenerator();
    gen.init(params);
    byte[] out = new byte[KEY_SIZE];
    gen.generateBytes(passphrase.getBytes(StandardCharsets.UTF_8), out);
    return out;
  }

  /** A fresh random key in the {@code base64:} form. */
  public static String generate() {
    byte[] raw = new byte[KEY_SIZE];
    new SecureRandom().nextBytes(raw);
    return BASE64_PREFIX + Base64.getEncoder().encodeToString(raw);
  }

  public int count() {
    return keys.size();
  }

  public byte[] key(int i) {
    return keys.get(i).clone();
  }
}
