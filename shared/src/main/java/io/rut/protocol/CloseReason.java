package io.rut.protocol;

/** Why a tunnel is closed (body of a CLOSE message). */
public enum CloseReason {
  IDLE(1), SHUTDOWN(2), LIMIT(3), UNKNOWN_TUNNEL(4);

  public final int code;

  CloseReason(int code) {
    this.code = code;
  }

  public static CloseReason of(int code) {
    for (CloseReason r : values()) {
      if (r.code == code) {
        return r;
      }
    }
    return null;
  }
}
