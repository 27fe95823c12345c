package io.rut.launch;

import io.rut.config.ConfigException;
import io.rut.config.ConfigText;
import io.rut.config.AgentConfig;
import io.rut.metrics.EventLog;
import io.rut.metrics.Registries;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rut.config.SeedFlags;
import io.rut.protocol.ServiceKeys;
import io.rut.net.DatagramTransport;
import io.vertx.core.Deployable;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Starts an agent from its command line: {@code -conf FILE}, the C tools' flags, {@code keygen},
 * {@code health HOST:PORT} or {@code --help}. Everything is validated before anything binds; a bad command line costs one line
 * on standard error and exit code 2, a failure to start one line and exit code 1. The running
 * agent is a {@link VertxApplication}; SIGTERM and SIGINT close it, which undeploys the verticles
 * so that they can say goodbye to their peers, and then end the process with exit code 0.
 */
public final class RutLauncher<C extends AgentConfig> {

  /** Exit code for a failure to start: a port in use, a host that does not resolve, any deploy failure. */
  public static final int FAILURE = 1;

  /** Exit code for a command line or configuration that cannot be used. */
  public static final int USAGE = 2;


  /** What sets one agent apart: its flags, its configuration type and its verticle. */
  public interface Agent<C extends AgentConfig> {
    /** "outside" or "inside". */
    String name();

    SeedFlags.Side side();

    C fromJson(JsonObject json);

    /**
     * The agent's verticle.
     *
     * @param configPath the file to watch, or null
     * @param registry   where the agent's meters go
     */
    Deployable verticle(C config, String configPath, PrometheusMeterRegistry registry);
  }

  /** An agent that can read its configuration file again on demand (SIGHUP). */
  public interface Reloadable {
    void reloadNow();
  }

  private final Agent<C> agent;
  private final PrintStream out;
  private final PrintStream err;
  private boolean running;

  public RutLauncher(Agent<C> agent, PrintStream out, PrintStream err) {
    this.agent = agent;
    this.out = out;
    this.err = err;
  }

  /** Parses, validates and runs; ends the process unless an agent runs. */
  public static <C extends AgentConfig> void main(Agent<C> agent, String[] args) {
    // Netty's buffer-allocation events for Java Flight Recorder load JFR's machinery on the first
    // datagram (about 130 ms of an agent's start here); -Dio.netty.jfr.enabled=true restores them.
    if (System.getProperty("io.netty.jfr.enabled") == null) {
      System.setProperty("io.netty.jfr.enabled", "false");
    }
    RutLauncher<C> launcher = new RutLauncher<>(agent, System.out, System.err);
    int code = launcher.launch(args);
    // A running agent lives on in Vert.x's threads; anything else ends here.
    if (!launcher.running) {
      System.exit(code);
    }
  }

  /** The configuration a command line describes, validated; or a {@link ConfigException}. */
  public Parsed<C> parse(List<String> args) {
    if (args.isEmpty()) {
      throw new ConfigException("no options; try --help");
    }
    int conf = args.indexOf("-conf") >= 0 ? args.indexOf("-conf") : args.indexOf("--conf");
    if (conf >= 0) {
      if (args.size() == 1) {
        throw new ConfigException("-conf needs a FILE (or inline JSON)");
      }
      if (args.size() != 2 || conf != 0) {
        throw new ConfigException("-conf FILE stands alone; put the other settings in the file");
      }
      String source = args.get(1);
      boolean inline = source.trim().startsWith("{");
      String text = inline ? source : readFile(source);
      String what = inline ? "the inline -conf JSON" : "'" + source + "'";
      JsonObject object = ConfigText.parse(text, what);
      return new Parsed<>(agent.fromJson(object), inline ? null : source);
    }
    if (args.get(0).equals("keygen")) {
      throw new ConfigException("keygen takes no arguments");
    }
    return new Parsed<>(SeedFlags.read(agent.side(), args, agent::fromJson), null);
  }

  /** A validated configuration and the file it came from (null for flags). */
  public record Parsed<C extends AgentConfig>(C config, String path) {
  }

  int launch(String[] argv) {
    List<String> args = Arrays.asList(argv);
    if (args.size() == 1 && args.get(0).equals("keygen")) {
      out.println(ServiceKeys.generate());
      return 0;
    }
    if (args.contains("--help") || args.contains("-h") || args.contains("-help")) {
      Help.print(out, agent.name(), agent.side());
      return 0;
    }
    if (!args.isEmpty() && args.get(0).equals("health")) {
      return new HealthCheck(agent.name(), out, err).run(args.subList(1, args.size()),
          System.getenv(HealthCheck.TOKEN_VARIABLE), HealthCheck.TIMEOUT);
    }
    Parsed<C> parsed;
    try {
      parsed = parse(args);
    } catch (ConfigException e) {
      err.println("rut-" + agent.name() + ": error: " + e.getMessage());
      return USAGE;
    }
    LogSetup.apply(parsed.config().logLevel());
    PrometheusMeterRegistry registry = Registries.prometheus();
    Deployable verticle = agent.verticle(parsed.config(), parsed.path(), registry);
    Hooks hooks = new Hooks(() -> verticle, parsed.config().metrics().listen() != null, registry,
        parsed.config().dataPath());
    // The launcher's own codes (11, 15) read as signals to operators and systemd: a failed start is 1.
    if (new Application(hooks).launch() != 0) {
      return FAILURE;
    }
    running = true;
    Signals.onStop(hooks.vertx, agent.name());
    if (verticle instanceof Reloadable reloadable) {
      Signals.onHup(reloadable);
    }
    return 0;
  }

  private static String readFile(String source) {
    try {
      return java.nio.charset.StandardCharsets.UTF_8.newDecoder()
          .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(Path.of(source)))).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new ConfigException("config file '" + source + "' is not UTF-8 text");
    } catch (java.nio.file.NoSuchFileException e) {
      throw new ConfigException("config file '" + source + "' not found");
    } catch (java.nio.file.AccessDeniedException e) {
      throw new ConfigException("config file '" + source + "' is not readable: permission denied");
    } catch (IOException e) {
      throw new ConfigException("cannot read config file '" + source + "': " + e.getMessage());
    } catch (java.nio.file.InvalidPathException e) {
      throw new ConfigException("cannot read config file '" + source + "': " + e.getReason());
    }
  }

  private static String firstLine(String s) {
    int nl = s == null ? -1 : s.indexOf('\n');
    return nl < 0 ? String.valueOf(s) : s.substring(0, nl);
  }

  private static final class Application extends VertxApplication {
    Application(VertxApplicationHooks hooks) {
      super(new String[0], hooks, false, false);
    }
  }


  private final class Hooks implements VertxApplicationHooks {
    private final Supplier<Deployable> verticle;
    private final boolean vertxMetrics;
    private final PrometheusMeterRegistry registry;
    private final io.rut.config.DataPathConfig dataPath;
    private volatile Vertx vertx;

    Hooks(Supplier<Deployable> verticle, boolean vertxMetrics, PrometheusMeterRegistry registry,
          io.rut.config.DataPathConfig dataPath) {
      this.verticle = verticle;
      this.vertxMetrics = vertxMetrics;
      this.registry = registry;
      this.dataPath = dataPath;
    }

    @Override
    public VertxBuilder createVertxBuilder(VertxOptions options) {
      oneEventLoopPerCore(options);
      // Vert.x's own meters can only be switched on at start: with the endpoint configured then.
      VertxBuilder builder = vertxMetrics ? Registries.withVertxMetrics(options, registry)
          : Vertx.builder().with(options);
      return builder.withTransport(DatagramTransport.best(dataPath));
    }

    @Override
    public Supplier<? extends Deployable> verticleSupplier() {
      return verticle;
    }

    @Override
    public void afterVertxStarted(HookContext context) {
      vertx = context.vertx();
    }

    @Override
    public void afterFailureToStartVertx(HookContext context, Throwable t) {
      err.println("rut-" + agent.name() + ": error: cannot start Vert.x: " + describe(t));
    }

    @Override
    public void afterFailureToDeployVerticle(HookContext context, Throwable t) {
      err.println("rut-" + agent.name() + ": error: " + describe(t));
      context.vertx().close();
    }
  }

  /**
   * Sets one event loop per core instead of Vert.x's two, unless the user chose a number
   * ({@code -Dvertx.options.eventLoopPoolSize} or {@code -options}). An agent's loops never block,
   * and fewer loops wake up less often for more datagrams each: with one loop per core the inside
   * agent spent 11-14 % less CPU per round trip on 2 cores (bench/ab.sh).
   */
  static void oneEventLoopPerCore(VertxOptions options) {
    if (System.getProperty("vertx.options.eventLoopPoolSize") == null
        && options.getEventLoopPoolSize() == VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE) {
      options.setEventLoopPoolSize(Runtime.getRuntime().availableProcessors());
    }
  }

  /** One line for a start failure: the bind error says which address, the rest their message. */
  public static String describe(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getMessage() == null) {
      c = c.getCause();
    }
    String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    return firstLine(m);
  }
}
