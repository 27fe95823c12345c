package io.rut.agent;

import io.rut.tunnel.RelaySocket;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A wave of new clients arriving at once, for an agent's rehearsals at launch: each client is a
 * socket of its own on {@link #ADDRESS} that sends a datagram to {@code target} and waits for the
 * echo, a given number of times. A datagram still unanswered is sent again every 200 ms; the wave
 * ends when every client is served, or at the deadline. Create and run it on a verticle's context; its
 * sockets stay open until {@link #close()}, so each client keeps its address (and its tunnel).
 */
public final class ClientWave {

  /**
   * The clients' address: a loopback address of their own, so that no client ever has the address
   * of a tunnel (on 127.0.0.1), even when the kernel hands a freed port to the other side.
   */
  public static final String ADDRESS = "127.0.0.2";

  private static final long RESEND_MS = 200;

  private final Vertx vertx;
  private final InetSocketAddress target;
  private final int roundTrips;
  private final List<RelaySocket> clients = new ArrayList<>();
  private final int[] echoes;
  private final byte[] payload = new byte[1400];
  private int served;

  public ClientWave(Vertx vertx, InetSocketAddress target, int clients, int roundTrips) {
    this.vertx = vertx;
    this.target = target;
    this.roundTrips = roundTrips;
    this.echoes = new int[clients];
    ThreadLocalRandom.current().nextBytes(payload);
  }

  /** Completes with the number of clients served in full; fails only if the clients cannot bind. */
  public Future<Integer> run(long deadlineMs) {
    Promise<Integer> done = Promise.promise();
    List<Future<RelaySocket>> bound = new ArrayList<>();
    for (int c = 0; c < echoes.length; c++) {
      int client = c;
      RelaySocket s = RelaySocket.create(vertx, false);
      clients.add(s);
      s.handler((data, from) -> {
        if (echoes[client] == roundTrips) {
          return;
        }
        if (++echoes[client] < roundTrips) {
          send(client);
        } else if (++served == echoes.length) {
          done.tryComplete(served);
        }
      });
      bound.add(s.listen(0, ADDRESS));
    }
    Future.all(bound).onFailure(done::tryFail).onSuccess(r -> {
      for (int c = 0; c < echoes.length; c++) {
        send(c);
      }
    });
    long resend = vertx.setPeriodic(RESEND_MS, t -> {
      for (int c = 0; c < echoes.length; c++) {
        if (echoes[c] < roundTrips) {
          send(c);
        }
      }
    });
    long deadline = vertx.setTimer(deadlineMs, t -> done.tryComplete(served));
    return done.future().onComplete(r -> {
      vertx.cancelTimer(resend);
      vertx.cancelTimer(deadline);
    });
  }

  /** Closes the clients' sockets. */
  public Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    for (RelaySocket s : clients) {
      closing.add(s.close());
    }
    clients.clear();
    return Future.join(closing).mapEmpty();
  }

  private void send(int client) {
    // Small and large datagrams, as real traffic brings both.
    int size = client % 2 == 0 ? 64 : payload.length;
    clients.get(client).send(Buffer.buffer(payload).slice(0, size), target);
  }
}
