package dev.p8.internal.config;

import dev.p8.route.Route;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The command line of Pushpin's runner, so that scripts that start Pushpin can start P8.
 *
 * <p>Options take their value as {@code --name value} or {@code --name=value}. {@code --port}
 * and {@code --route} may be repeated (Pushpin takes one {@code --port}; P8 listens on each);
 * the other options may be given once. {@code -m}/{@code --merge-output}, an option of older
 * Pushpin releases, is accepted and has no effect, since P8 runs as one process. Values are
 * checked here, so that a typo fails before anything starts. Immutable and thread safe.
 */
public final class CommandLine {

  private static final String USAGE = String.join("\n",
      "Usage: p8 [options]",
      "Reverse proxy for realtime web services, compatible with Pushpin.",
      "",
      "Options:",
      "  --config <file>        Config file (pushpin.conf).",
      "  --logfile <file>       File to log to.",
      "  --loglevel <x>         Log level (default: 2), or per service, as in proxy:3,handler:2.",
      "  --verbose              Verbose output. Same as --loglevel=3.",
      "  --port <[addr:]port>   Listen for HTTP here instead of the configured ports.",
      "                         May be repeated.",
      "  --id <x>               Set instance ID (needed to run multiple instances).",
      "  --route <line>         Add route (overrides routes file). May be repeated.",
      "  -m, --merge-output     Accepted for compatibility with older Pushpin; no effect.",
      "  -h, --help             Show this help and exit.",
      "  --version              Show the version and exit.",
      "");

  private final Optional<Path> config;
  private final List<String> ports;
  private final List<String> routes;
  private final boolean verbose;
  private final boolean help;
  private final boolean version;
  private final OptionalInt id;
  private final Optional<String> logFile;
  private final Optional<String> logLevel;

  private CommandLine(Parser parser) {
    this.config = Optional.ofNullable(parser.config);
    this.ports = List.copyOf(parser.ports);
    this.routes = List.copyOf(parser.routes);
    this.verbose = parser.verbose;
    this.help = parser.help;
    this.version = parser.version;
    this.id = parser.id == null ? OptionalInt.empty() : OptionalInt.of(parser.id);
    this.logFile = Optional.ofNullable(parser.logFile);
    this.logLevel = Optional.ofNullable(parser.logLevel);
  }

  /**
   * Parses the arguments.
   *
   * @param args the arguments, without the program name
   * @return the parsed command line
   * @throws IllegalArgumentException naming the option and the value, such as
   *     {@code unknown option --x (see --help)} or {@code option --port needs a value}
   */
  public static CommandLine parse(String... args) {
    Objects.requireNonNull(args, "args");
    Parser parser = new Parser();
    for (int i = 0; i < args.length; i++) {
      String arg = Objects.requireNonNull(args[i], "argument");
      String name;
      String value = null;
      if (arg.startsWith("--")) {
        int equals = arg.indexOf('=');
        name = equals < 0 ? arg : arg.substring(0, equals);
        if (equals >= 0) {
          value = arg.substring(equals + 1);
        }
      } else if (arg.equals("-h") || arg.equals("-m")) {
        name = arg;
      } else {
        throw new IllegalArgumentException((arg.startsWith("-") ? "unknown option " + arg
            : "unexpected argument " + PushpinConfig.quote(arg)) + " (see --help)");
      }
      if (!takesValue(name) && !isFlag(name)) {
        throw new IllegalArgumentException("unknown option " + name + " (see --help)");
      }
      if (takesValue(name)) {
        if (value == null) {
          if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
            throw new IllegalArgumentException("option " + name + " needs a value");
          }
          value = args[++i];
        }
        if (value.isEmpty()) {
          throw new IllegalArgumentException("option " + name + " needs a value");
        }
        parser.value(name, value);
      } else {
        if (value != null) {
          throw new IllegalArgumentException("option " + name + " takes no value, got "
              + PushpinConfig.quote(value));
        }
        parser.flag(name);
      }
    }
    return new CommandLine(parser);
  }

  private static boolean takesValue(String name) {
    return switch (name) {
      case "--config", "--logfile", "--loglevel", "--port", "--id", "--route" -> true;
      default -> false;
    };
  }

  private static boolean isFlag(String name) {
    return switch (name) {
      case "--verbose", "-h", "--help", "--version", "-m", "--merge-output" -> true;
      default -> false;
    };
  }

  /**
   * Returns the {@code --help} text.
   *
   * @return the usage text, ending with a newline
   */
  public static String usage() {
    return USAGE;
  }

  /**
   * Returns {@code --config}, the path of {@code pushpin.conf}.
   *
   * @return the path as given
   */
  public Optional<Path> config() {
    return config;
  }

  /**
   * Returns the {@code --port} values, each {@code [addr:]port}, checked with
   * {@link ListenAddress#parse}.
   *
   * @return the values in order, possibly empty
   */
  public List<String> ports() {
    return ports;
  }

  /**
   * Returns the {@code --route} values, each a routes-file line checked with
   * {@link Route#parse}.
   *
   * @return the lines in order, possibly empty
   */
  public List<String> routes() {
    return routes;
  }

  /**
   * Tells whether {@code --verbose} was given, which means log level 3.
   *
   * @return true with {@code --verbose}
   */
  public boolean verbose() {
    return verbose;
  }

  /**
   * Tells whether {@code -h} or {@code --help} was given.
   *
   * @return true when help was asked for
   */
  public boolean help() {
    return help;
  }

  /**
   * Tells whether {@code --version} was given.
   *
   * @return true when the version was asked for
   */
  public boolean version() {
    return version;
  }

  /**
   * Returns {@code --id}, the instance number: Pushpin uses it for the IPC prefix
   * {@code <id>-} and a port offset of id × 10.
   *
   * @return the id, at least 0
   */
  public OptionalInt id() {
    return id;
  }

  /**
   * Returns {@code --logfile}.
   *
   * @return the file name as given
   */
  public Optional<String> logFile() {
    return logFile;
  }

  /**
   * Returns {@code --loglevel} as given: a level such as {@code 2}, or comma-separated
   * {@code service:level} entries with an optional bare default level.
   *
   * @return the text, checked for that form
   */
  public Optional<String> logLevel() {
    return logLevel;
  }

  /** Collects values while parsing; the finished command line copies them. */
  private static final class Parser {
    Path config;
    final List<String> ports = new ArrayList<>();
    final List<String> routes = new ArrayList<>();
    boolean verbose;
    boolean help;
    boolean version;
    Integer id;
    String logFile;
    String logLevel;

    void value(String name, String value) {
      switch (name) {
        case "--config" -> {
          once(name, config);
          try {
            config = Path.of(value);
          } catch (InvalidPathException e) {
            throw new IllegalArgumentException("option --config: " + PushpinConfig.quote(value)
                + " is not a valid path: " + e.getReason(), e);
          }
        }
        case "--logfile" -> {
          once(name, logFile);
          logFile = value;
        }
        case "--loglevel" -> {
          once(name, logLevel);
          checkLogLevel(value);
          logLevel = value;
        }
        case "--port" -> {
          try {
            ListenAddress.parse(value, "0.0.0.0");
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("option --port: " + e.getMessage(), e);
          }
          ports.add(value);
        }
        case "--id" -> {
          once(name, id);
          id = parseLevel(value, 1_000_000);
          if (id < 0) {
            throw new IllegalArgumentException("option --id: " + PushpinConfig.quote(value)
                + " is not a whole number from 0 to 1000000");
          }
        }
        case "--route" -> {
          try {
            Route.parse(value);
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("option --route: " + e.getMessage(), e);
          }
          routes.add(value);
        }
        default -> throw new IllegalStateException("no handling for " + name);
      }
    }

    void flag(String name) {
      switch (name) {
        case "--verbose" -> {
          once(name, verbose ? Boolean.TRUE : null);
          verbose = true;
        }
        case "-h", "--help" -> help = true;
        case "--version" -> version = true;
        case "-m", "--merge-output" -> {
          // P8 runs as one process, so there is no subprocess output to merge.
        }
        default -> throw new IllegalStateException("no handling for " + name);
      }
    }

    private static void once(String name, Object previous) {
      if (previous != null) {
        throw new IllegalArgumentException("option " + name + " may be given only once");
      }
    }

    private static void checkLogLevel(String value) {
      for (String part : value.split(",", -1)) {
        if (part.isEmpty()) {
          throw new IllegalArgumentException("option --loglevel: " + PushpinConfig.quote(value)
              + " has an empty entry");
        }
        int colon = part.indexOf(':');
        if (colon == 0) {
          throw new IllegalArgumentException("option --loglevel: entry "
              + PushpinConfig.quote(part) + " has an empty service name");
        }
        String level = colon < 0 ? part : part.substring(colon + 1);
        if (parseLevel(level.strip(), 255) < 0) {
          throw new IllegalArgumentException("option --loglevel: entry "
              + PushpinConfig.quote(part) + " needs a level from 0 to 255");
        }
      }
    }

    /** Returns the number, or -1 unless the text is ASCII digits for 0 to {@code max}. */
    private static int parseLevel(String text, int max) {
      if (text.isEmpty() || text.length() > 7) {
        return -1;
      }
      int number = 0;
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (c < '0' || c > '9') {
          return -1;
        }
        number = number * 10 + (c - '0');
      }
      return number <= max ? number : -1;
    }
  }
}
