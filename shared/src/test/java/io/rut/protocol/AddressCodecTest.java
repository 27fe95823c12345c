package io.rut.protocol;

import static io.rut.protocol.Wire.addr;
import static io.rut.protocol.Wire.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The 19-byte body address of PROTOCOL.md section 2. */
class AddressCodecTest {

  private static byte[] write(InetSocketAddress a) {
    byte[] out = new byte[19];
    AddressCodec.write(a, out, 0);
    return out;
  }

  private static InetSocketAddress mappedV6(int a, int b, int c, int d, int port) throws Exception {
    byte[] raw = new byte[16];
    raw[10] = (byte) 0xff;
    raw[11] = (byte) 0xff;
    raw[12] = (byte) a;
    raw[13] = (byte) b;
    raw[14] = (byte) c;
    raw[15] = (byte) d;
    Inet6Address ip = Inet6Address.getByAddress(null, raw, -1);
    return new InetSocketAddress(ip, port);
  }

  @Test
  void ipv4() {
    assertEquals(19, AddressCodec.SIZE);
    assertArrayEquals(hex("04 01020304 000000000000000000000000 1f90"), write(addr("1.2.3.4", 8080)));
  }

  @Test
  void ipv6() {
    assertArrayEquals(hex("06 fe800000000000000a0b0c0d0e0f1011 ca6c"),
        write(addr("fe80::a0b:c0d:e0f:1011", 51820)));
  }

  @Test
  void ipv4MappedIpv6IsWrittenAsFamily4() throws Exception {
    InetSocketAddress mapped = mappedV6(1, 2, 3, 4, 53);
    assertInstanceOf(Inet6Address.class, mapped.getAddress(), "precondition: a real IPv6 object");
    byte[] out = write(mapped);
    assertArrayEquals(hex("04 01020304 000000000000000000000000 0035"), out);
    assertEquals(addr("1.2.3.4", 53), AddressCodec.read(out, 0));
  }

  @Test
  void nullIsFamily0AllZeros() {
    byte[] out = new byte[19];
    Arrays.fill(out, (byte) 0x55);
    AddressCodec.write(null, out, 0);
    assertArrayEquals(new byte[19], out);
    assertNull(AddressCodec.read(out, 0));
  }

  @Test
  void writeClearsStaleBytesAndStaysInsideItsRange() {
    byte[] out = new byte[25];
    Arrays.fill(out, (byte) 0x55);
    AddressCodec.write(addr("1.2.3.4", 1), out, 3);
    byte[] expected = new byte[25];
    Arrays.fill(expected, (byte) 0x55);
    System.arraycopy(hex("04 01020304 000000000000000000000000 0001"), 0, expected, 3, 19);
    assertArrayEquals(expected, out);
    assertEquals(addr("1.2.3.4", 1), AddressCodec.read(out, 3));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 255, 256, 32768, 65535})
  void portsRoundTripBigEndian(int port) {
    for (String ip : new String[] {"203.0.113.200", "2001:db8:ffff::fffe"}) {
      byte[] out = write(addr(ip, port));
      assertEquals(port >>> 8, out[17] & 0xff);
      assertEquals(port & 0xff, out[18] & 0xff);
      InetSocketAddress back = AddressCodec.read(out, 0);
      assertEquals(addr(ip, port), back);
      assertEquals(port, back.getPort());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0", "255.255.255.255", "127.0.0.1", "::", "::1", "ff02::1",
      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::1.2.3.4", "0:0:0:0:0:fffe:102:304"})
  void roundTrip(String ip) {
    InetSocketAddress a = addr(ip, 4242);
    InetSocketAddress back = AddressCodec.read(write(a), 0);
    assertEquals(a, back);
    assertArrayEquals(a.getAddress().getAddress(), back.getAddress().getAddress());
  }

  @Test
  void readGivesTheRightAddressClass() {
    assertInstanceOf(Inet4Address.class, AddressCodec.read(write(addr("1.2.3.4", 1)), 0).getAddress());
    assertInstanceOf(Inet6Address.class, AddressCodec.read(write(addr("2001:db8::1", 1)), 0).getAddress());
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 5, 7, 0x80, 0xff})
  void readRejectsUnknownFamily(int family) {
    byte[] in = write(addr("1.2.3.4", 1));
    in[0] = (byte) family;
    assertThrows(IllegalArgumentException.class, () -> AddressCodec.read(in, 0));
  }

  @Test
  void readRejectsIpv4WithNonZeroPadding() {
    for (int i = 5; i < 17; i++) {
      byte[] in = write(addr("1.2.3.4", 1));
      in[i] = 1;
      int at = i;
      assertThrows(IllegalArgumentException.class, () -> AddressCodec.read(in, 0), "padding byte " + at);
    }
  }

  @Test
  void readRejectsFamily0WithNonZeroBytes() {
    for (int i = 1; i < 19; i++) {
      byte[] in = new byte[19];
      in[i] = (byte) 0x80;
      int at = i;
      assertThrows(IllegalArgumentException.class, () -> AddressCodec.read(in, 0), "byte " + at);
    }
  }

  @Test
  void readRejectsMappedAddressWrittenAsFamily6() {
    byte[] in = hex("06 00000000000000000000ffff01020304 0035");
    assertThrows(IllegalArgumentException.class, () -> AddressCodec.read(in, 0));
  }

  @Test
  void readAcceptsFamily6ThatOnlyLooksMapped() {
    // ::fffe:1.2.3.4 and ::1:ffff:1.2.3.4 are not IPv4-mapped
    byte[] a = hex("06 00000000000000000000fffe01020304 0035");
    byte[] b = hex("06 00000000000000000001ffff01020304 0035");
    assertArrayEquals(Arrays.copyOfRange(a, 1, 17), AddressCodec.read(a, 0).getAddress().getAddress());
    assertArrayEquals(Arrays.copyOfRange(b, 1, 17), AddressCodec.read(b, 0).getAddress().getAddress());
  }

  @Test
  void canonicalReducesMappedToIpv4AndDropsHostName() throws Exception {
    InetSocketAddress mapped = mappedV6(10, 0, 0, 9, 7);
    InetSocketAddress c = AddressCodec.canonical(mapped);
    assertInstanceOf(Inet4Address.class, c.getAddress());
    assertEquals(addr("10.0.0.9", 7), c);

    InetSocketAddress named = new InetSocketAddress(
        InetAddress.getByAddress("example.invalid", new byte[] {10, 0, 0, 9}), 7);
    assertEquals("10.0.0.9", AddressCodec.canonical(named).getHostString(), "host name must be dropped");
    assertEquals(named, AddressCodec.canonical(named));
  }
}
