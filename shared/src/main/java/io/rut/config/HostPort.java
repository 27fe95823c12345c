package io.rut.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * A {@code host:port} as written in configuration: a host name, an IPv4 literal or a bracketed
 * IPv6 literal ({@code [::1]:2222}). Resolution is explicit, so that it happens when the agent
 * chooses (at start, and again when a peer stops answering).
 */
public record HostPort(String host, int port) {

  public HostPort {
    if (host == null || host.isEmpty()) {
      throw new ConfigException("empty host");
    }
    if (port < 0 || port > 65535) {
      throw new ConfigException("port " + port + " is outside 0-65535");
    }
  }

  /** Parses {@code host:port} or {@code [v6]:port}; the message of a failure says what is wrong. */
  public static HostPort parse(String text) {
    if (text == null || text.isBlank()) {
      throw new ConfigException("expected host:port, got an empty value");
    }
    String host;
    String port;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
        throw new ConfigException("expected [ipv6]:port, got '" + text + "'");
      }
      host = text.substring(1, close);
      port = text.substring(close + 2);
      if (!host.contains(":")) {
        throw new ConfigException("brackets are for IPv6 literals, got '" + text + "'");
      }
    } else {
      int colon = text.lastIndexOf(':');
      if (colon <= 0 || text.indexOf(':') != colon) {
        throw new ConfigException("expected host:port (write IPv6 as [addr]:port), got '" + text + "'");
      }
      host = text.substring(0, colon);
      port = text.substring(colon + 1);
    }
    try {
      return new HostPort(host, Integer.parseInt(port));
    } catch (NumberFormatException e) {
      throw new ConfigException("port '" + port + "' in '" + text + "' is not a number");
    }
  }

  public boolean isLiteral() {
    return host.contains(":") || host.matches("[0-9.]+");
  }

  /** Resolves the host now (blocking); the result carries no host name, only the address. */
  public InetSocketAddress resolve() {
    try {
      InetAddress a = InetAddress.getByName(host);
      return new InetSocketAddress(InetAddress.getByAddress(a.getAddress()), port);
    } catch (UnknownHostException e) {
      throw new ConfigException("cannot resolve host '" + host + "'");
    }
  }

  @Override
  public String toString() {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }
}
