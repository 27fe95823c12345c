package io.rut.protocol;

/** Why the outside agent refuses a tunnel (body of a REJECT message). */
public enum RejectReason {
  TUNNEL_LIMIT(1), UNKNOWN_SERVICE(2), RATE_LIMITED(3);

  public final int code;

  RejectReason(int code) {
    this.code = code;
  }

  public static RejectReason of(int code) {
    for (RejectReason r : values()) {
      if (r.code == code) {
        return r;
      }
    }
    return null;
  }
}
