package dev.p8.route;

import dev.p8.route.RouteSyntax.Option;
import dev.p8.route.RouteSyntax.Section;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One backend a {@link Route} forwards to, as written after the condition in a routes-file
 * line: {@code host:port}, {@code [ipv6]:port} or the built-in {@code test} backend, followed
 * by comma-separated options. A fourth kind, {@code in-process:NAME}, names an origin handler
 * living in the same JVM as the proxy (P8 only; an embedding application registers the handler
 * under that name, see {@code P8Server.Builder.origin}).
 *
 * <p>Options with a typed accessor: {@code ssl} (connect with TLS), {@code insecure} (skip
 * certificate checks), {@code over_http} (WebSocket-over-HTTP), {@code one_event},
 * {@code host=} (Host header to send) and {@code sub=} (implicit subscription, repeatable).
 * Pushpin's other target options ({@code untrusted}, {@code trust_connect_host},
 * {@code client_cert=}, {@code client_key=}, {@code ipc_file_mode=}) and options unknown to P8
 * are kept and can be read through {@link #options()}. ZeroMQ targets ({@code zhttp/...},
 * {@code zhttpreq/...}) are refused.
 *
 * <p>Instances are immutable and thread safe. {@link #toString()} renders the target as it
 * would be written in a routes file, and {@link #parse} reads that text back to an equal
 * target.
 */
public final class Target {

  private static final String TEST = "test";
  private static final String IN_PROCESS = "in-process:";

  private final String host;
  private final int port;
  private final boolean test;
  private final boolean inProcess;
  private final List<Option> optionList;

  private Target(String host, int port, boolean test, List<Option> optionList) {
    this(host, port, test, false, optionList);
  }

  private Target(String host, int port, boolean test, boolean inProcess, List<Option> optionList) {
    this.host = host;
    this.port = port;
    this.test = test;
    this.inProcess = inProcess;
    this.optionList = List.copyOf(optionList);
  }

  /**
   * Returns a target with no options.
   *
   * @param host a host name, IPv4 address or IPv6 address (without brackets)
   * @param port a port from 1 to 65535
   * @return the target
   * @throws IllegalArgumentException naming the value when the host is empty or holds
   *     characters a routes file cannot carry, or the port is out of range
   */
  public static Target of(String host, int port) {
    Objects.requireNonNull(host, "host");
    checkHost(host);
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("target port " + port + " is out of range 1-65535");
    }
    return new Target(host, port, false, List.of());
  }

  /**
   * Returns the built-in {@code test} target, which answers from inside the proxy without a
   * backend. Its {@link #host()} is {@code "test"} and its {@link #port()} is 0.
   *
   * @return the test target, without options
   */
  public static Target test() {
    return new Target(TEST, 0, true, List.of());
  }

  /**
   * Returns a target naming an in-process origin: a handler in the proxy's own JVM that takes
   * requests without a socket. Its routes-file token is {@code in-process:NAME}; its
   * {@link #host()} is the name and its {@link #port()} is 0.
   *
   * @param name the origin's name: letters, digits, {@code -}, {@code _} and {@code .}
   * @return the target, without options
   * @throws IllegalArgumentException naming the value when the name is empty or holds another
   *     character
   */
  public static Target inProcess(String name) {
    Objects.requireNonNull(name, "name");
    checkOriginName(name);
    return new Target(name, 0, false, true, List.of());
  }

  /**
   * Parses one target token of a routes-file line, such as {@code backend:8080,over_http},
   * {@code [::1]:8080,ssl} or {@code test}.
   *
   * @param token the token; it must not contain unquoted spaces
   * @return the target
   * @throws IllegalArgumentException whose message names the token and what is wrong with it
   */
  public static Target parse(String token) {
    Objects.requireNonNull(token, "token");
    List<Section> sections = RouteSyntax.parseLine(token);
    if (sections.isEmpty()) {
      throw new IllegalArgumentException("target " + RouteSyntax.quote(token) + " is empty");
    }
    if (sections.size() > 1) {
      throw new IllegalArgumentException("target " + RouteSyntax.quote(token)
          + " contains a space; a target is a single token");
    }
    return fromSection(sections.get(0));
  }

  static Target fromSection(Section section) {
    String value = section.value();
    List<Option> options = section.options();
    if (value.equals(TEST)) {
      return new Target(TEST, 0, true, options);
    }
    if (value.startsWith(IN_PROCESS)) {
      String name = value.substring(IN_PROCESS.length());
      try {
        checkOriginName(name);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("target " + RouteSyntax.quote(value) + ": "
            + e.getMessage(), e);
      }
      return new Target(name, 0, false, true, options);
    }
    if (value.startsWith("zhttp/") || value.startsWith("zhttpreq/")) {
      throw new IllegalArgumentException("target " + RouteSyntax.quote(value)
          + ": ZeroMQ (zhttp) targets are not supported by P8");
    }
    if (value.isEmpty()) {
      throw new IllegalArgumentException("target "
          + RouteSyntax.quote(render(value, 0, false, options))
          + " has no host:port before its options");
    }
    String hostPart;
    String portPart;
    if (value.startsWith("[")) {
      int close = value.indexOf("]:");
      if (close < 0) {
        throw new IllegalArgumentException("target " + RouteSyntax.quote(value)
            + ": expected [ipv6-address]:port");
      }
      hostPart = value.substring(1, close);
      portPart = value.substring(close + 2);
    } else {
      int colon = value.indexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("target " + RouteSyntax.quote(value)
            + ": expected host:port, [ipv6-address]:port or test");
      }
      if (value.indexOf(':', colon + 1) >= 0) {
        throw new IllegalArgumentException("target " + RouteSyntax.quote(value)
            + ": an IPv6 address must be in brackets, as in [::1]:8080");
      }
      hostPart = value.substring(0, colon);
      portPart = value.substring(colon + 1);
    }
    int port = parsePort(portPart);
    if (port < 1) {
      throw new IllegalArgumentException("target " + RouteSyntax.quote(value) + ": port "
          + RouteSyntax.quote(portPart) + " is not a number from 1 to 65535");
    }
    try {
      checkHost(hostPart);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("target " + RouteSyntax.quote(value) + ": "
          + e.getMessage(), e);
    }
    return new Target(hostPart, port, false, options);
  }

  /** Returns the port, or -1 unless the text is 1 to 5 ASCII digits in 1-65535. */
  static int parsePort(String text) {
    if (text.isEmpty() || text.length() > 5) {
      return -1;
    }
    int port = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      port = port * 10 + (c - '0');
    }
    return port >= 1 && port <= 65535 ? port : -1;
  }

  private static void checkOriginName(String name) {
    if (name.isEmpty()) {
      throw new IllegalArgumentException("in-process origin name is empty");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.';
      if (!ok) {
        throw new IllegalArgumentException("in-process origin name " + RouteSyntax.quote(name)
            + " may hold only letters, digits, '-', '_' and '.' (position " + (i + 1) + ")");
      }
    }
  }

  private static void checkHost(String host) {
    if (host.isEmpty()) {
      throw new IllegalArgumentException("target host is empty");
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (c <= 0x20 || c == 0x7f || c == ',' || c == '"' || c == '#' || c == '=' || c == '['
          || c == ']' || c == '/') {
        throw new IllegalArgumentException("target host " + RouteSyntax.quote(host)
            + " contains a character not allowed in a host (position " + (i + 1) + ")");
      }
    }
  }

  /**
   * Returns the host to connect to: a name, an IPv4 address or an IPv6 address without
   * brackets; {@code "test"} for the test target; the origin's name for an in-process one.
   *
   * @return the host
   */
  public String host() {
    return host;
  }

  /**
   * Returns the port to connect to, from 1 to 65535; 0 for the test and in-process targets.
   *
   * @return the port
   */
  public int port() {
    return port;
  }

  /**
   * Tells whether the {@code ssl} option is set: connect to the backend with TLS.
   *
   * @return true with {@code ssl}
   */
  public boolean ssl() {
    return has("ssl");
  }

  /**
   * Tells whether the {@code insecure} option is set: accept any backend certificate.
   *
   * @return true with {@code insecure}
   */
  public boolean insecure() {
    return has("insecure");
  }

  /**
   * Tells whether the {@code over_http} option is set: speak WebSocket-over-HTTP to the
   * backend instead of forwarding WebSocket connections.
   *
   * @return true with {@code over_http}
   */
  public boolean overHttp() {
    return has("over_http");
  }

  /**
   * Tells whether the {@code one_event} option is set: send at most one event per
   * WebSocket-over-HTTP request.
   *
   * @return true with {@code one_event}
   */
  public boolean oneEvent() {
    return has("one_event");
  }

  /**
   * Tells whether this is the built-in {@code test} target.
   *
   * @return true for {@code test}
   */
  public boolean isTest() {
    return test;
  }

  /**
   * Tells whether this target names an in-process origin ({@code in-process:NAME}); its
   * {@link #host()} is then the origin's name.
   *
   * @return true for an in-process origin
   */
  public boolean isInProcess() {
    return inProcess;
  }

  /**
   * Returns the {@code host=} option, the Host header to send instead of the client's.
   *
   * @return the Host override, or empty when the option is absent or empty
   */
  public Optional<String> hostHeader() {
    String value = options().get("host");
    return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  /**
   * Returns the channels of the {@code sub=} options, in line order, empty values skipped.
   * Each connection through this target is subscribed to them and cannot unsubscribe.
   *
   * @return the channels, possibly empty
   */
  public List<String> subscriptions() {
    List<String> channels = new ArrayList<>();
    for (Option option : optionList) {
      if (option.name().equals("sub") && !option.value().isEmpty()) {
        channels.add(option.value());
      }
    }
    return List.copyOf(channels);
  }

  /**
   * Returns every option as written, name to value ({@code ""} for a flag). For a repeated
   * option the last value is given, as Pushpin does; {@link #subscriptions()} gives all
   * {@code sub=} values.
   *
   * @return an unmodifiable map in first-appearance order
   */
  public Map<String, String> options() {
    Map<String, String> map = new LinkedHashMap<>();
    for (Option option : optionList) {
      map.put(option.name(), option.value());
    }
    return Collections.unmodifiableMap(map);
  }

  private boolean has(String name) {
    for (Option option : optionList) {
      if (option.name().equals(name)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Two targets are equal when host, port, kind and the option list (in order) are equal.
   */
  @Override
  public boolean equals(Object other) {
    return other instanceof Target that
        && host.equals(that.host)
        && port == that.port
        && test == that.test
        && inProcess == that.inProcess
        && optionList.equals(that.optionList);
  }

  @Override
  public int hashCode() {
    return Objects.hash(host, port, test, inProcess, optionList);
  }

  /**
   * Renders the target as a routes-file token, such as {@code [::1]:8080,ssl}.
   */
  @Override
  public String toString() {
    if (inProcess) {
      StringBuilder out = new StringBuilder(IN_PROCESS).append(host);
      RouteSyntax.appendOptions(out, optionList);
      return out.toString();
    }
    return render(host, port, test, optionList);
  }

  private static String render(String host, int port, boolean test, List<Option> options) {
    StringBuilder out = new StringBuilder();
    if (test) {
      out.append(TEST);
    } else if (!host.isEmpty()) {
      out.append(host.indexOf(':') >= 0 ? "[" + host + "]" : host).append(':').append(port);
    }
    RouteSyntax.appendOptions(out, options);
    return out.toString();
  }
}
