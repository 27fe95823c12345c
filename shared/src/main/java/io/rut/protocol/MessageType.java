package io.rut.protocol;

/** The control message types of PROTOCOL.md section 2, with their wire codes. */
public enum MessageType {
  HELLO(1), CHALLENGE(2), AUTH(3), KEEPALIVE(4), ACK(5), BIND(6), CLOSE(7), REJECT(8);

  private static final MessageType[] BY_CODE = new MessageType[9];

  static {
    for (MessageType t : values()) {
      BY_CODE[t.code] = t;
    }
  }

  public final int code;

  MessageType(int code) {
    this.code = code;
  }

  /** The type with this wire code, or null for a code the protocol does not define. */
  public static MessageType of(int code) {
    return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }
}
