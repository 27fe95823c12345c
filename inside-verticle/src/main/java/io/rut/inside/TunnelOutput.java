package io.rut.inside;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * What a {@link Tunnel} asks of its sockets and the event bus; its verticle implements it. Datagrams
 * for the service leave from the socket of the last {@link #route}.
 */
interface TunnelOutput {

  /** On the service socket, the bytes of a received datagram as they are (valid during the call only). */
  void toService(ByteBuf data, InetSocketAddress service);

  /** On the service socket, {@code header} and then the bytes of a received datagram as they are. */
  void toService(byte[] header, ByteBuf data, InetSocketAddress service);

  /** On the service socket, a datagram that was held. */
  void toService(byte[] datagram, InetSocketAddress service);

  /** On the tunnel socket, the bytes of a received datagram as they are. */
  void toOutside(ByteBuf data, InetSocketAddress outside);

  /** On the tunnel socket, an encoded control message, at once. */
  void sendControl(byte[] message, InetSocketAddress outside);

  void publish(TunnelEvent event);

  /** Opens what the service route {@code planned} needs; returns the route that holds. */
  ServiceRoute route(ServiceRoute planned);
}
