package io.rut.config;

import java.util.Arrays;

/** What the inside tells its service of each client's public address. */
public enum ClientAddress {
  /** Nothing: the service sees each client as a local peer of its own (the tunnel's service socket). */
  NONE("none"),
  /** Each datagram to the service starts with a PROXY protocol v2 header naming the client. */
  PROXY_V2("proxy-v2"),
  /**
   * The tunnel sends to the service from the client's own address and port (IP_TRANSPARENT, with
   * policy routing that brings the service's replies back): the service sees the client itself.
   */
  TRANSPARENT("transparent");

  private final String label;

  ClientAddress(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  static ClientAddress parse(String value) {
    return Arrays.stream(values()).filter(v -> v.label.equals(value)).findFirst().orElse(null);
  }
}
