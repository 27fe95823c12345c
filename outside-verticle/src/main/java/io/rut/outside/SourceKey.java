package io.rut.outside;

/** A client's source for per-source limits: its IPv4 address, or its IPv6 /64. */
record SourceKey(long high, long low) {

  static SourceKey of(byte[] ip) {
    if (ip.length == 4) {
      return new SourceKey(0, 0x1_0000_0000L | ((ip[0] & 0xffL) << 24) | ((ip[1] & 0xffL) << 16)
          | ((ip[2] & 0xffL) << 8) | (ip[3] & 0xffL));
    }
    long prefix = 0;
    for (int i = 0; i < 8; i++) {
      prefix = (prefix << 8) | (ip[i] & 0xff);
    }
    return new SourceKey(prefix, -1);
  }
}
