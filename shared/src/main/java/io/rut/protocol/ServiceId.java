package io.rut.protocol;

import java.nio.charset.StandardCharsets;
import org.bouncycastle.crypto.digests.SHA256Digest;

/** The 8-byte service id: the first 8 bytes of SHA-256 of the UTF-8 service name. */
public final class ServiceId {

  private ServiceId() {
  }

  public static long of(String serviceName) {
    byte[] in = serviceName.getBytes(StandardCharsets.UTF_8);
    SHA256Digest d = new SHA256Digest();
    d.update(in, 0, in.length);
    byte[] out = new byte[32];
    d.doFinal(out, 0);
    return ControlCodec.getLong(out, 0);
  }
}
