package io.rut.launch;

import io.rut.config.ConfigException;
import io.rut.config.HostPort;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code health HOST:PORT}: asks a running agent's status endpoint for {@code /health}, so that a
 * container's healthcheck needs no curl. Prints the answer's body; exit code 0 on HTTP 200, 1 on
 * anything else (another status, no connection, no answer within the timeout), 2 for a bad
 * command line.
 */
final class HealthCheck {

  /** Names the variable whose value, if set, goes out as the bearer token. */
  static final String TOKEN_VARIABLE = "RUT_STATUS_TOKEN";
  static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final String prefix;
  private final PrintStream out;
  private final PrintStream err;

  /** @param agent "outside" or "inside", for the error lines */
  HealthCheck(String agent, PrintStream out, PrintStream err) {
    this.prefix = "rut-" + agent + ": ";
    this.out = out;
    this.err = err;
  }

  /**
   * @param args  what follows {@code health} on the command line
   * @param token the bearer token, or null or empty for none
   */
  int run(List<String> args, String token, Duration timeout) {
    if (args.size() != 1) {
      err.println(prefix + "error: health needs one HOST:PORT, the agent's metrics.listen, e.g. health 127.0.0.1:9100");
      return RutLauncher.USAGE;
    }
    HostPort target;
    try {
      target = HostPort.parse(args.get(0));
      if (target.port() == 0) {
        throw new ConfigException("port 0 is not a destination");
      }
    } catch (ConfigException e) {
      err.println(prefix + "error: health " + args.get(0) + ": " + e.getMessage());
      return RutLauncher.USAGE;
    }
    URI uri = URI.create("http://" + target + "/health");
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET();
    if (token != null && !token.isEmpty()) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
    CompletableFuture<HttpResponse<String>> answer =
        client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> response;
    try {
      response = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      answer.cancel(true);
      return unhealthy(uri, "no answer within " + seconds(timeout));
    } catch (ExecutionException e) {
      return unhealthy(uri, why(e.getCause(), timeout));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return unhealthy(uri, "interrupted");
    }
    String body = response.body();
    if (!body.isEmpty()) {
      out.print(body.endsWith("\n") ? body : body + System.lineSeparator());
    }
    if (response.statusCode() == 200) {
      return 0;
    }
    String hint = response.statusCode() == 401
        ? (token == null || token.isEmpty() ? "; set " + TOKEN_VARIABLE + " to the endpoint's token"
            : "; " + TOKEN_VARIABLE + " is not the endpoint's token")
        : "";
    return unhealthy(uri, "HTTP " + response.statusCode() + hint);
  }

  private int unhealthy(URI uri, String reason) {
    err.println(prefix + "health: " + uri + ": " + reason);
    return RutLauncher.FAILURE;
  }

  private static String why(Throwable t, Duration timeout) {
    if (t instanceof HttpConnectTimeoutException) {
      return "no connection within " + seconds(timeout);
    }
    if (t instanceof java.net.http.HttpTimeoutException) { // the request's own timeout won the race
      return "no answer within " + seconds(timeout);
    }
    if (t instanceof ConnectException) {
      return "connection refused";
    }
    if (t instanceof IOException && t.getMessage() != null) {
      return t.getMessage();
    }
    return RutLauncher.describe(t);
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() / 1000.0 + " s";
  }
}
