package io.rut.inside;

import io.rut.net.BatchingRefused;
import io.rut.net.RelaySocket;
import io.rut.net.Udp;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A tunnel's sockets towards its service: its own socket, bound with the tunnel so that a client's
 * first datagram finds it ready, and in transparent mode a second one bound to the client's
 * address. {@link #use} makes a {@link ServiceRoute} real; {@link #current} is the socket it chose.
 */
final class ServiceSockets {

  private final Vertx vertx;
  private final InetSocketAddress target;
  private final RelaySocket.Receiver receiver;
  private final Handler<Throwable> onError;
  private final Handler<Throwable> onSendFailed;
  private final Handler<BatchingRefused> onRefused;
  private final RelaySocket own;
  private RelaySocket transparent;
  private InetSocketAddress boundTo;
  private RelaySocket current;
  private String lastError;

  ServiceSockets(Vertx vertx, InetSocketAddress target, RelaySocket.Receiver receiver, Handler<Throwable> onError,
                 Handler<Throwable> onSendFailed, Handler<BatchingRefused> onRefused) {
    this.vertx = vertx;
    this.target = target;
    this.receiver = receiver;
    this.onError = onError;
    this.onSendFailed = onSendFailed;
    this.onRefused = onRefused;
    this.own = configure(RelaySocket.create(vertx, target));
    this.current = own;
  }

  Future<RelaySocket> listen() {
    return own.listen(0, Udp.wildcardFor(target));
  }

  /** Opens what {@code planned} needs; the route that holds (the tunnel's own socket if that failed). */
  ServiceRoute use(ServiceRoute planned) {
    if (!planned.transparent()) {
      closeTransparent();
      current = own;
      return planned;
    }
    if (transparent == null || !planned.source().equals(boundTo)) {
      closeTransparent();
      try {
        transparent = configure(RelaySocket.transparent(vertx, planned.source()));
        boundTo = planned.source();
      } catch (IOException e) {
        lastError = e.getMessage();
        current = own;
        return ServiceRoute.bindFailed(target);
      }
    }
    current = transparent;
    return planned;
  }

  /** Why the last transparent socket could not be opened. */
  String lastError() {
    return lastError;
  }

  RelaySocket current() {
    return current;
  }

  /** The local port of the socket in use, as {@code /tunnels} shows it. */
  int localPort() {
    return current.localAddress() == null ? 0 : current.localAddress().getPort();
  }

  Future<Void> close() {
    RelaySocket t = transparent;
    transparent = null;
    return Future.all(own.close(), t == null ? Future.succeededFuture() : t.close()).mapEmpty();
  }

  private void closeTransparent() {
    if (transparent != null) {
      transparent.close();
      transparent = null;
      boundTo = null;
    }
  }

  private RelaySocket configure(RelaySocket socket) {
    return socket.exceptionHandler(onError).sendFailureHandler(onSendFailed).batchingRefusedHandler(onRefused)
        .handler(receiver);
  }
}
