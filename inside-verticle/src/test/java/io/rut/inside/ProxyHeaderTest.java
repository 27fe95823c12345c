package io.rut.inside;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.net.InetSocketAddress;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The PROXY protocol v2 header, byte for byte as HAProxy's specification (section 2.2) lays it out. */
class ProxyHeaderTest {

  private static final String SIGNATURE = "0d0a0d0a000d0a515549540a";

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  @Test
  void udpOverIpv4() {
    byte[] h = ProxyHeader.of(new InetSocketAddress("203.0.113.10", 51820), new InetSocketAddress("198.51.100.1", 2222));
    assertArrayEquals(hex(SIGNATURE
        + "21"            // version 2, command PROXY
        + "12"            // AF_INET, SOCK_DGRAM
        + "000c"          // 12 bytes of addresses follow
        + "cb00710a"      // source 203.0.113.10
        + "c6336401"      // destination 198.51.100.1
        + "ca6c"          // source port 51820
        + "08ae"),        // destination port 2222
        h);
  }

  @Test
  void udpOverIpv6() {
    byte[] h = ProxyHeader.of(new InetSocketAddress("2001:db8::10", 51820), new InetSocketAddress("2001:db8::1", 2222));
    assertArrayEquals(hex(SIGNATURE + "21" + "22" + "0024"
        + "20010db8000000000000000000000010"
        + "20010db8000000000000000000000001"
        + "ca6c" + "08ae"), h);
  }

  @Test
  void anIpv4ClientOfAnIpv6ServiceAddressIsWrittenIpv4Mapped() {
    byte[] h = ProxyHeader.of(new InetSocketAddress("203.0.113.10", 51820), new InetSocketAddress("2001:db8::1", 2222));
    assertArrayEquals(hex(SIGNATURE + "21" + "22" + "0024"
        + "00000000000000000000ffffcb00710a"
        + "20010db8000000000000000000000001"
        + "ca6c" + "08ae"), h);
  }

  @Test
  void withoutAKnownClientTheHeaderSaysLocal() {
    assertArrayEquals(hex(SIGNATURE + "20" + "00" + "0000"), ProxyHeader.of(null, new InetSocketAddress("198.51.100.1", 1)));
  }

  @Test
  void aHeldDatagramGetsTheHeaderInFront() {
    assertArrayEquals(new byte[] {1, 2, 3, 4}, ProxyHeader.prepend(new byte[] {1, 2}, new byte[] {3, 4}));
  }
}
