package io.rut.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {

  @ParameterizedTest
  @CsvSource({
      "host:1, host, 1",
      "1.2.3.4:5, 1.2.3.4, 5",
      "'[::1]:2222', ::1, 2222",
      "'[2001:db8::1]:51820', 2001:db8::1, 51820",
      "host:0, host, 0",
      "host:65535, host, 65535"
  })
  void parsesHostAndPort(String text, String host, int port) {
    assertEquals(new HostPort(host, port), HostPort.parse(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"host:1", "1.2.3.4:5", "[::1]:2222", "[2001:db8::1]:51820"})
  void toStringRoundTrips(String text) {
    HostPort parsed = HostPort.parse(text);
    assertEquals(text, parsed.toString());
    assertEquals(parsed, HostPort.parse(parsed.toString()));
  }

  @Test
  void emptyValueIsRejected() {
    assertMessage("", "empty");
    assertMessage("   ", "empty");
    assertMessage(null, "empty");
  }

  @Test
  void missingPortIsRejected() {
    assertMessage("host", "expected host:port");
  }

  @Test
  void emptyPortIsRejected() {
    assertMessage("host:", "port '' in 'host:' is not a number");
  }

  @Test
  void missingHostIsRejected() {
    assertMessage(":5", "expected host:port");
  }

  @Test
  void nonNumericPortIsRejected() {
    assertMessage("host:abc", "port 'abc' in 'host:abc' is not a number");
  }

  @Test
  void portAboveRangeIsRejected() {
    assertMessage("host:70000", "port 70000 is outside 0-65535");
  }

  @Test
  void negativePortIsRejected() {
    assertMessage("host:-1", "outside 0-65535");
  }

  @Test
  void unbracketedIpv6IsRejectedWithAHint() {
    assertMessage("::1:5", "write IPv6 as [addr]:port");
  }

  @Test
  void bracketWithoutColonIsRejected() {
    assertMessage("[::1]2222", "expected [ipv6]:port");
  }

  @Test
  void unclosedBracketIsRejected() {
    assertMessage("[::1:2222", "expected [ipv6]:port");
  }

  @Test
  void bracketsAroundANameAreRejected() {
    assertMessage("[host]:5", "brackets are for IPv6 literals");
  }

  @Test
  void messagesQuoteTheInput() {
    ConfigException e = assertThrows(ConfigException.class, () -> HostPort.parse("::1:5"));
    assertTrue(e.getMessage().contains("'::1:5'"), e.getMessage());
  }

  @Test
  void isLiteralTellsAddressesFromNames() {
    assertTrue(HostPort.parse("1.2.3.4:5").isLiteral());
    assertTrue(HostPort.parse("[::1]:5").isLiteral());
    assertFalse(HostPort.parse("localhost:5").isLiteral());
  }

  @Test
  void resolvesIpv4LiteralToAnAddressWithoutName() {
    InetSocketAddress a = HostPort.parse("127.0.0.1:1").resolve();
    assertFalse(a.isUnresolved());
    assertEquals("127.0.0.1", a.getHostString());
    assertEquals(1, a.getPort());
  }

  @Test
  void resolvesIpv6Literal() {
    InetSocketAddress a = HostPort.parse("[::1]:7").resolve();
    assertTrue(a.getAddress().isLoopbackAddress());
    assertEquals(a.getAddress().getHostAddress(), a.getHostString());
    assertEquals(7, a.getPort());
  }

  @Test
  void resolvesLocalhostToTheIpLiteral() {
    InetSocketAddress a = HostPort.parse("localhost:1").resolve();
    assertFalse(a.isUnresolved());
    assertTrue(a.getAddress().isLoopbackAddress());
    // The name is dropped: the host string is the address itself, not "localhost".
    assertEquals(a.getAddress().getHostAddress(), a.getHostString());
    assertEquals(1, a.getPort());
  }

  @Test
  void unresolvableHostNamesTheHost() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> HostPort.parse("no-such-host.invalid:1").resolve());
    assertTrue(e.getMessage().contains("no-such-host.invalid"), e.getMessage());
    assertTrue(e.getMessage().contains("cannot resolve"), e.getMessage());
  }

  @Test
  void constructorChecksItsParts() {
    assertThrows(ConfigException.class, () -> new HostPort("", 1));
    assertThrows(ConfigException.class, () -> new HostPort("h", 65536));
  }

  private static void assertMessage(String text, String expected) {
    ConfigException e = assertThrows(ConfigException.class, () -> HostPort.parse(text));
    assertTrue(e.getMessage().contains(expected),
        () -> "message for '" + text + "' should contain '" + expected + "': " + e.getMessage());
  }
}
