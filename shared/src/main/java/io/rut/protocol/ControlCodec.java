package io.rut.protocol;

/**
 * Encodes, recognises and verifies the 88-byte control messages of one service (PROTOCOL.md
 * section 2). Holds MAC state, so an instance belongs to one thread; make one per event loop user.
 */
public final class ControlCodec {

  public static final int SIZE = 88;
  public static final int TAG_OFFSET = 72;
  public static final int TAG_SIZE = 16;
  private static final int BODY = 32;

  private final ServiceKeys keys;
  private final HmacSha256[] macs;
  private final byte[] scratch = new byte[HmacSha256.SIZE];

  public ControlCodec(ServiceKeys keys) {
    this.keys = keys;
    this.macs = new HmacSha256[keys.count()];
    for (int i = 0; i < macs.length; i++) {
      macs[i] = new HmacSha256(keys.key(i));
    }
  }

  public ServiceKeys keys() {
    return keys;
  }

  /** Cheap pre-check: could these bytes be a control message (size, magic and version)? */
  public static boolean looksLikeControl(byte[] d) {
    return d.length == SIZE && d[0] == 0x52 && d[1] == 0x55 && d[2] == 0x54 && d[3] == 0x01;
  }

  /** Encodes {@code m} and signs it with the first key. */
  public byte[] encode(ControlMessage m) {
    byte[] out = new byte[SIZE];
    out[0] = 0x52;
    out[1] = 0x55;
    out[2] = 0x54;
    out[3] = 0x01;
    out[4] = (byte) m.type().code;
    out[5] = (byte) (m.spare() ? 1 : 0);
    putLong(out, 8, m.serviceId());
    putLong(out, 16, m.tunnelId());
    putLong(out, 24, m.counter());
    switch (m.type()) {
      case HELLO -> { }
      case CHALLENGE, AUTH -> {
        System.arraycopy(m.cookie(), 0, out, BODY, CookieJar.COOKIE_SIZE);
        AddressCodec.write(m.address(), out, BODY + CookieJar.COOKIE_SIZE);
      }
      case KEEPALIVE, BIND -> AddressCodec.write(m.address(), out, BODY);
      case ACK -> {
        putLong(out, BODY, m.ackedCounter());
        AddressCodec.write(m.address(), out, BODY + 8);
      }
      case CLOSE -> out[BODY] = (byte) m.reason();
      case REJECT -> {
        out[BODY] = (byte) m.reason();
        out[BODY + 1] = (byte) (m.retryAfter() >>> 8);
        out[BODY + 2] = (byte) m.retryAfter();
      }
      default -> throw new IllegalStateException();
    }
    macs[0].mac(out, 0, TAG_OFFSET, scratch);
    System.arraycopy(scratch, 0, out, TAG_OFFSET, TAG_SIZE);
    return out;
  }

  /** True if the tag verifies under one of the service's keys (constant-time compare). */
  public boolean verify(byte[] d) {
    if (!looksLikeControl(d)) {
      return false;
    }
    boolean ok = false;
    for (HmacSha256 mac : macs) {
      mac.mac(d, 0, TAG_OFFSET, scratch);
      int diff = 0;
      for (int i = 0; i < TAG_SIZE; i++) {
        diff |= scratch[i] ^ d[TAG_OFFSET + i];
      }
      ok |= diff == 0;
    }
    return ok;
  }

  /**
   * Verifies and decodes {@code d}.
   *
   * @return the message, or null if {@code d} is not a control message of this service's keys
   * @throws MalformedControlException when the tag verifies but the content is not valid
   */
  public ControlMessage decode(byte[] d) {
    if (!verify(d)) {
      return null;
    }
    MessageType type = MessageType.of(d[4]);
    if (type == null) {
      throw new MalformedControlException("unknown message type " + (d[4] & 0xff));
    }
    if ((d[5] & 0xfe) != 0 || d[6] != 0 || d[7] != 0) {
      throw new MalformedControlException("reserved bits set");
    }
    long tunnelId = getLong(d, 16);
    if (tunnelId == 0) {
      throw new MalformedControlException("tunnel id 0");
    }
    boolean spare = (d[5] & 1) != 0;
    long serviceId = getLong(d, 8);
    long counter = getLong(d, 24);
    try {
      return switch (type) {
        case HELLO -> ControlMessage.hello(serviceId, tunnelId, counter, spare);
        case CHALLENGE, AUTH -> new ControlMessage(type, spare, serviceId, tunnelId, counter,
            java.util.Arrays.copyOfRange(d, BODY, BODY + CookieJar.COOKIE_SIZE),
            AddressCodec.read(d, BODY + CookieJar.COOKIE_SIZE), 0, 0, 0);
        case KEEPALIVE, BIND -> new ControlMessage(type, spare, serviceId, tunnelId, counter, null,
            AddressCodec.read(d, BODY), 0, 0, 0);
        case ACK -> new ControlMessage(type, spare, serviceId, tunnelId, counter, null,
            AddressCodec.read(d, BODY + 8), getLong(d, BODY), 0, 0);
        case CLOSE -> new ControlMessage(type, spare, serviceId, tunnelId, counter, null, null, 0, d[BODY] & 0xff, 0);
        case REJECT -> new ControlMessage(type, spare, serviceId, tunnelId, counter, null, null, 0, d[BODY] & 0xff,
            ((d[BODY + 1] & 0xff) << 8) | (d[BODY + 2] & 0xff));
      };
    } catch (IllegalArgumentException e) {
      throw new MalformedControlException(e.getMessage());
    }
  }

  static void putLong(byte[] b, int off, long v) {
    for (int i = 7; i >= 0; i--) {
      b[off + i] = (byte) v;
      v >>>= 8;
    }
  }

  static long getLong(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[off + i] & 0xff);
    }
    return v;
  }
}
