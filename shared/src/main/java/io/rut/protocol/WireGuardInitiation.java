package io.rut.protocol;

import java.nio.charset.StandardCharsets;
import org.bouncycastle.crypto.digests.Blake2sDigest;

/**
 * Recognises a WireGuard handshake initiation meant for one server (PROTOCOL.md section 6):
 * message type 1, exactly 148 bytes, and {@code mac1} = BLAKE2s-128 keyed with
 * BLAKE2s-256("mac1----" || server public key) over bytes 0..115. Only a sender that knows the
 * server's public key can make one. One instance per thread.
 */
public final class WireGuardInitiation {

  public static final int SIZE = 148;
  private static final int MAC1_OFFSET = 116;
  private static final int MAC_SIZE = 16;

  private final byte[] mac1Key;
  private final byte[] mac = new byte[MAC_SIZE];
  /** Reused: BouncyCastle's doFinal resets it to the keyed initial state. */
  private final Blake2sDigest verifier;

  public WireGuardInitiation(byte[] serverPublicKey) {
    if (serverPublicKey.length != 32) {
      throw new IllegalArgumentException("a WireGuard public key has 32 bytes, this one " + serverPublicKey.length);
    }
    byte[] label = "mac1----".getBytes(StandardCharsets.US_ASCII);
    Blake2sDigest h = new Blake2sDigest(256);
    h.update(label, 0, label.length);
    h.update(serverPublicKey, 0, serverPublicKey.length);
    mac1Key = new byte[32];
    h.doFinal(mac1Key, 0);
    verifier = new Blake2sDigest(mac1Key, MAC_SIZE, null, null);
  }

  /** The mac1 a valid initiation carries for these first 116 bytes. */
  public byte[] mac1(byte[] message) {
    Blake2sDigest d = new Blake2sDigest(mac1Key, MAC_SIZE, null, null);
    d.update(message, 0, MAC1_OFFSET);
    byte[] out = new byte[MAC_SIZE];
    d.doFinal(out, 0);
    return out;
  }

  /** True if {@code message} is a handshake initiation whose mac1 verifies for this server. */
  public boolean verify(byte[] message) {
    if (message.length != SIZE || message[0] != 1 || message[1] != 0 || message[2] != 0 || message[3] != 0) {
      return false;
    }
    verifier.update(message, 0, MAC1_OFFSET);
    verifier.doFinal(mac, 0);
    int diff = 0;
    for (int i = 0; i < MAC_SIZE; i++) {
      diff |= mac[i] ^ message[MAC1_OFFSET + i];
    }
    return diff == 0;
  }
}
