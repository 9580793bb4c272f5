package dev.p8.route;

import dev.p8.publish.Header;
import dev.p8.route.RouteSyntax.Option;
import dev.p8.route.RouteSyntax.Section;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One line of a Pushpin routes file: a condition (a host plus options) and the targets
 * requests that meet it are forwarded to, tried in order on connect failure.
 *
 * <p>The condition's host is {@code *} for any host, an exact host name (no port, no partial
 * wildcard, matched ignoring case), or empty when the line starts with an option, as in
 * {@code id=chat backend:80}; such a route is reachable only by its id. The options that
 * narrow the match are {@code proto=http|ws}, {@code ssl=yes|no} and {@code path_beg=}. The
 * others shape the forwarded request: {@code id=}, {@code prefix=} (channel prefix),
 * {@code as_host=}, {@code path_rem=N}, {@code replace_beg=}, {@code header=name:value}
 * (repeatable; an empty value removes the header), {@code sig_iss=}, {@code sig_key=},
 * {@code no_grip}, {@code debug} and {@code aco}. Pushpin's remaining options
 * ({@code orig_headers}, {@code jsonp_*}, {@code session}, {@code sockjs=},
 * {@code sockjs_as_path=}, {@code log_level=}) and options unknown to P8 are kept as written and
 * can be read through {@link #options()}; {@code jsonp_mode} and {@code log_level} are
 * checked.
 *
 * <p>Instances are immutable and thread safe. Two routes are equal when host, options (in
 * order) and targets are equal. {@link #toString()} renders the route as a routes-file line
 * that {@link #parse} reads back to an equal route.
 */
public final class Route {

  private final String host;
  private final List<Option> optionList;
  private final List<Target> targets;
  // The last value of each option, looked up per request: a scan of the list allocated an
  // iterator per lookup, several per request.
  private final Map<String, String> lastValues;
  private final Optional<String> prefix;
  private volatile List<Header> headers;

  private Route(String host, List<Option> optionList, List<Target> targets) {
    this.host = host;
    this.optionList = List.copyOf(optionList);
    this.targets = List.copyOf(targets);
    Map<String, String> last = new HashMap<>();
    for (Option option : this.optionList) {
      last.put(option.name(), option.value());
    }
    this.lastValues = last;
    this.prefix = Optional.ofNullable(last.get("prefix"));
  }

  /**
   * Parses one routes-file line, such as {@code * localhost:8080},
   * {@code *,path_beg=/api,prefix=foo_ backend:80,over_http},
   * {@code example.com,ssl=yes 10.0.0.1:443,ssl,insecure 10.0.0.2:443} or {@code * test}.
   * Text after an unquoted {@code #} is a comment.
   *
   * @param line the line, without its terminator
   * @return the route
   * @throws IllegalArgumentException whose message names the bad token or option and why,
   *     including for a blank line and a line with no target
   */
  public static Route parse(String line) {
    Objects.requireNonNull(line, "line");
    List<Section> sections = RouteSyntax.parseLine(line);
    if (sections.isEmpty()) {
      throw new IllegalArgumentException("route line is empty");
    }
    if (sections.size() < 2) {
      throw new IllegalArgumentException("route " + RouteSyntax.quote(line.strip())
          + " has a condition but no target; expected a condition and at least one target");
    }
    Section condition = sections.get(0);
    checkHost(condition.value());
    for (Option option : condition.options()) {
      checkOption(option.name(), option.value());
    }
    List<Target> targets = new ArrayList<>();
    for (Section section : sections.subList(1, sections.size())) {
      targets.add(Target.fromSection(section));
    }
    return new Route(condition.value(), condition.options(), targets);
  }

  /**
   * Returns a builder for a route on any host ({@code *}) with no options and no targets.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder holding this route's host, options and targets.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder builder = new Builder();
    builder.host = host;
    builder.options.addAll(optionList);
    builder.targets.addAll(targets);
    return builder;
  }

  private static void checkHost(String host) {
    if (host.equals("*") || host.isEmpty()) {
      return;
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (c <= 0x20 || c == 0x7f || c == ',' || c == '"' || c == '#' || c == '=' || c == '/') {
        throw new IllegalArgumentException("condition host " + RouteSyntax.quote(host)
            + " contains a character not allowed in a host (position " + (i + 1) + ")");
      }
    }
    if (host.indexOf('*') >= 0) {
      throw new IllegalArgumentException("condition host " + RouteSyntax.quote(host)
          + ": partial wildcards are not supported; use * alone for any host");
    }
    boolean bracketed = host.startsWith("[") && host.endsWith("]");
    int colons = (int) host.chars().filter(c -> c == ':').count();
    if (colons == 1 || (bracketed && colons == 0)
        || (!bracketed && (host.indexOf('[') >= 0 || host.indexOf(']') >= 0))) {
      throw new IllegalArgumentException("condition host " + RouteSyntax.quote(host)
          + ": expected a host name or address without a port");
    }
  }

  private static void checkOption(String name, String value) {
    switch (name) {
      case "proto" -> {
        if (!value.equals("http") && !value.equals("ws")) {
          throw optionError(name, value, "must be http or ws");
        }
      }
      case "ssl" -> {
        if (!value.equals("yes") && !value.equals("no")) {
          throw optionError(name, value, "must be yes or no");
        }
      }
      case "path_beg" -> {
        if (value.isEmpty()) {
          throw optionError(name, value, "must not be empty");
        }
      }
      case "path_rem", "log_level" -> {
        if (parseCount(value) < 0) {
          throw optionError(name, value, "must be a whole number from 0 to 2147483647");
        }
      }
      case "jsonp_mode" -> {
        if (!value.equals("basic") && !value.equals("extended")) {
          throw optionError(name, value, "must be basic or extended");
        }
      }
      case "header" -> parseHeader(value);
      default -> {
        // Other options are carried as written; unknown ones too, as Pushpin ignores them.
      }
    }
  }

  private static IllegalArgumentException optionError(String name, String value,
      String reason) {
    return new IllegalArgumentException("condition option " + name + "="
        + RouteSyntax.quote(value) + ": " + reason);
  }

  private static int parseCount(String text) {
    if (text.isEmpty() || text.length() > 10) {
      return -1;
    }
    long count = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      count = count * 10 + (c - '0');
    }
    return count <= Integer.MAX_VALUE ? (int) count : -1;
  }

  private static Header parseHeader(String spec) {
    int colon = spec.indexOf(':');
    if (colon < 1) {
      throw optionError("header", spec, "expected name:value");
    }
    String name = spec.substring(0, colon);
    String value = spec.substring(colon + 1);
    int start = 0;
    while (start < value.length() && value.charAt(start) == ' ') {
      start++;
    }
    value = value.substring(start);
    checkHeader(name, value);
    return new Header(name, value);
  }

  private static void checkHeader(String name, String value) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean token = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!token) {
        throw optionError("header", name + ":" + value,
            "header name is not an HTTP token (position " + (i + 1) + ")");
      }
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        throw optionError("header", name + ":" + value,
            "header value contains a control character (position " + (i + 1) + ")");
      }
    }
  }

  /**
   * Returns the condition's host: {@code "*"} for any host, {@code ""} when the condition has
   * no host (reachable only by id), else the exact host as written.
   *
   * @return the host
   */
  public String host() {
    return host;
  }

  /**
   * Returns the {@code path_beg=} option: the path prefix a request must start with.
   *
   * @return the prefix, never empty when present
   */
  public Optional<String> pathBeg() {
    return Optional.ofNullable(last("path_beg"));
  }

  /**
   * Returns the {@code id=} option, the route's name for the {@code Pushpin-Route} header and
   * for separate stats.
   *
   * @return the id, or empty when the option is absent or empty
   */
  public Optional<String> id() {
    String id = last("id");
    return id == null || id.isEmpty() ? Optional.empty() : Optional.of(id);
  }

  /**
   * Returns the {@code prefix=} option, prepended to channel names the backend uses.
   *
   * @return the prefix
   */
  public Optional<String> prefix() {
    return prefix;
  }

  /**
   * Returns the {@code as_host=} option: the host (and optional port) to put in the forwarded
   * request's Host header and URI.
   *
   * @return the host
   */
  public Optional<String> asHost() {
    return Optional.ofNullable(last("as_host"));
  }

  /**
   * Returns the {@code path_rem=} option: how many leading path characters to remove.
   *
   * @return the count
   */
  public OptionalInt pathRem() {
    String value = last("path_rem");
    return value == null ? OptionalInt.empty() : OptionalInt.of(parseCount(value));
  }

  /**
   * Returns the {@code replace_beg=} option: the text that replaces the {@code path_beg}
   * prefix in the forwarded path.
   *
   * @return the replacement
   */
  public Optional<String> replaceBeg() {
    return Optional.ofNullable(last("replace_beg"));
  }

  /**
   * Returns the {@code ssl=} option: true to match only TLS requests, false only plain ones.
   *
   * @return the restriction, empty to match both
   */
  public Optional<Boolean> ssl() {
    String value = last("ssl");
    return value == null ? Optional.empty() : Optional.of(value.equals("yes"));
  }

  /**
   * Returns the {@code proto=} option: {@code "http"} or {@code "ws"}.
   *
   * @return the protocol restriction, empty to match both
   */
  public Optional<String> proto() {
    return Optional.ofNullable(last("proto"));
  }

  /**
   * Tells whether the {@code no_grip} option is set: responses pass through without GRIP
   * processing.
   *
   * @return true with {@code no_grip}
   */
  public boolean noGrip() {
    return last("no_grip") != null;
  }

  /**
   * Tells whether the {@code debug} option is set: error responses for this route carry
   * details.
   *
   * @return true with {@code debug}
   */
  public boolean debug() {
    return last("debug") != null;
  }

  /**
   * Tells whether the {@code aco} option is set: automatic cross-origin (CORS) headers.
   *
   * @return true with {@code aco}
   */
  public boolean aco() {
    return last("aco") != null;
  }

  /**
   * Returns the {@code sig_iss=} option, the issuer for this route's {@code Grip-Sig}.
   *
   * @return the issuer
   */
  public Optional<String> sigIss() {
    return Optional.ofNullable(last("sig_iss"));
  }

  /**
   * Returns the {@code sig_key=} option as written: a key, {@code base64:...} or
   * {@code file:...}.
   *
   * @return the key specification
   */
  public Optional<String> sigKey() {
    return Optional.ofNullable(last("sig_key"));
  }

  /**
   * Returns the {@code header=name:value} options in line order, with leading spaces of each
   * value removed. An empty value means the header is removed from the forwarded request.
   *
   * @return the headers, possibly empty
   */
  public List<Header> headers() {
    List<Header> cached = headers;
    if (cached != null) {
      return cached;
    }
    List<Header> list = new ArrayList<>();
    for (Option option : optionList) {
      if (option.name().equals("header")) {
        list.add(parseHeader(option.value()));
      }
    }
    // Asked for on every request; racing threads compute the same immutable list.
    cached = List.copyOf(list);
    headers = cached;
    return cached;
  }

  /**
   * Returns every condition option as written, name to value ({@code ""} for a flag). For a
   * repeated option the last value is given, as Pushpin does; {@link #headers()} gives all
   * {@code header=} values.
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

  /**
   * Returns the targets in failover order.
   *
   * @return at least one target
   */
  public List<Target> targets() {
    return targets;
  }

  /**
   * Rewrites a request path for the backend as Pushpin does. With {@code replace_beg}, the
   * first {@code path_beg}-length characters are replaced by the {@code replace_beg} text;
   * else with {@code path_rem=N}, the first N characters are removed. A path rewritten to
   * nothing becomes {@code "/"}.
   *
   * @param path the request path as received, percent-encoded, without the query
   * @return the path to send, or {@code path} itself when neither option is set
   */
  public String rewritePath(String path) {
    Objects.requireNonNull(path, "path");
    Optional<String> replacement = replaceBeg();
    int remove;
    if (replacement.isPresent()) {
      remove = pathBeg().map(String::length).orElse(0);
    } else if (pathRem().isPresent()) {
      remove = pathRem().getAsInt();
    } else {
      return path;
    }
    String rest = remove >= path.length() ? "" : path.substring(remove);
    String result = replacement.orElse("") + rest;
    return result.isEmpty() ? "/" : result;
  }

  private String last(String name) {
    return lastValues.get(name);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Route that
        && host.equals(that.host)
        && optionList.equals(that.optionList)
        && targets.equals(that.targets);
  }

  @Override
  public int hashCode() {
    return Objects.hash(host, optionList, targets);
  }

  /**
   * Renders the route as a routes-file line, such as
   * {@code *,path_beg=/api,prefix=foo_ backend:80,over_http}.
   */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    if (!host.isEmpty()) {
      RouteSyntax.appendText(out, host);
    } else if (optionList.isEmpty()) {
      out.append("\"\"");
    }
    RouteSyntax.appendOptions(out, optionList);
    for (Target target : targets) {
      out.append(' ').append(target);
    }
    return out.toString();
  }

  /**
   * Collects a route's host, options and targets. Each setter checks its value at once and
   * names the option and the value when it refuses one; no value may contain a line break.
   * Setting an option again replaces its value, except {@link #header} and {@link #target},
   * which add. Not thread safe.
   */
  public static final class Builder {

    private String host = "*";
    private final List<Option> options = new ArrayList<>();
    private final List<Target> targets = new ArrayList<>();

    private Builder() {
    }

    /**
     * Sets the condition's host: {@code "*"} (the default) for any host, an exact host name
     * without port, or {@code ""} for a route reachable only by {@link #id}.
     *
     * @param host the host
     * @return this builder
     * @throws IllegalArgumentException if the host has a port, a partial wildcard or
     *     characters a host cannot have
     */
    public Builder host(String host) {
      Objects.requireNonNull(host, "host");
      checkHost(host);
      this.host = host;
      return this;
    }

    /**
     * Sets {@code path_beg}: match only paths starting with this prefix.
     *
     * @param pathBeg the prefix, not empty
     * @return this builder
     * @throws IllegalArgumentException if the prefix is empty
     */
    public Builder pathBeg(String pathBeg) {
      return set("path_beg", pathBeg);
    }

    /**
     * Sets {@code id}, the route's name for {@code Pushpin-Route} and stats.
     *
     * @param id the id
     * @return this builder
     */
    public Builder id(String id) {
      return set("id", id);
    }

    /**
     * Sets {@code prefix}, the channel prefix.
     *
     * @param prefix the prefix
     * @return this builder
     */
    public Builder prefix(String prefix) {
      return set("prefix", prefix);
    }

    /**
     * Sets {@code as_host}, the Host to send to the backend.
     *
     * @param asHost the host, optionally with port
     * @return this builder
     */
    public Builder asHost(String asHost) {
      return set("as_host", asHost);
    }

    /**
     * Sets {@code path_rem}, the number of leading path characters to remove.
     *
     * @param pathRem the count, at least 0
     * @return this builder
     * @throws IllegalArgumentException if the count is negative
     */
    public Builder pathRem(int pathRem) {
      if (pathRem < 0) {
        throw optionError("path_rem", Integer.toString(pathRem), "must not be negative");
      }
      return set("path_rem", Integer.toString(pathRem));
    }

    /**
     * Sets {@code replace_beg}, the text that replaces the {@code path_beg} prefix.
     *
     * @param replaceBeg the replacement
     * @return this builder
     */
    public Builder replaceBeg(String replaceBeg) {
      return set("replace_beg", replaceBeg);
    }

    /**
     * Sets {@code ssl}: match only TLS requests (true) or only plain ones (false). Unset, the
     * route matches both.
     *
     * @param ssl the restriction
     * @return this builder
     */
    public Builder ssl(boolean ssl) {
      return set("ssl", ssl ? "yes" : "no");
    }

    /**
     * Sets {@code proto}: match only {@code "http"} or only {@code "ws"} requests. Unset, the
     * route matches both.
     *
     * @param proto {@code "http"} or {@code "ws"}
     * @return this builder
     * @throws IllegalArgumentException for any other value
     */
    public Builder proto(String proto) {
      return set("proto", proto);
    }

    /**
     * Sets {@code no_grip}: pass responses through without GRIP processing.
     *
     * @return this builder
     */
    public Builder noGrip() {
      return set("no_grip", "");
    }

    /**
     * Sets {@code debug}: detailed error responses for this route.
     *
     * @return this builder
     */
    public Builder debug() {
      return set("debug", "");
    }

    /**
     * Sets {@code aco}: automatic cross-origin (CORS) headers for this route.
     *
     * @return this builder
     */
    public Builder aco() {
      return set("aco", "");
    }

    /**
     * Sets {@code sig_iss}, the issuer of this route's {@code Grip-Sig}.
     *
     * @param sigIss the issuer
     * @return this builder
     */
    public Builder sigIss(String sigIss) {
      return set("sig_iss", sigIss);
    }

    /**
     * Sets {@code sig_key}, the key of this route's {@code Grip-Sig}: a key, {@code base64:...}
     * or {@code file:...}.
     *
     * @param sigKey the key specification
     * @return this builder
     */
    public Builder sigKey(String sigKey) {
      return set("sig_key", sigKey);
    }

    /**
     * Adds a {@code header=name:value} option: set this header on forwarded requests, or
     * remove it when the value is empty.
     *
     * @param name  an HTTP token
     * @param value the value, without control characters and without leading spaces
     * @return this builder
     * @throws IllegalArgumentException if the name is not a token, the value has control
     *     characters or starts with a space (the routes file would drop it)
     */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      if (name.isEmpty()) {
        throw optionError("header", ":" + value, "header name is empty");
      }
      if (value.startsWith(" ")) {
        throw optionError("header", name + ":" + value,
            "header value must not start with a space");
      }
      checkHeader(name, value);
      options.add(new Option("header", name + ":" + value));
      return this;
    }

    /**
     * Adds a target; targets are tried in the order added.
     *
     * @param target the target
     * @return this builder
     */
    public Builder target(Target target) {
      targets.add(Objects.requireNonNull(target, "target"));
      return this;
    }

    /**
     * Adds a {@code host:port} target with no options.
     *
     * @param host the host
     * @param port the port, 1 to 65535
     * @return this builder
     * @throws IllegalArgumentException as {@link Target#of} does
     */
    public Builder target(String host, int port) {
      return target(Target.of(host, port));
    }

    /**
     * Returns the route.
     *
     * @return a new immutable route
     * @throws IllegalStateException if no target was added
     */
    public Route build() {
      if (targets.isEmpty()) {
        throw new IllegalStateException("a route needs at least one target; call target(...)");
      }
      return new Route(host, options, targets);
    }

    private Builder set(String name, String value) {
      Objects.requireNonNull(value, name);
      if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
        throw optionError(name, value, "must not contain a line break");
      }
      checkOption(name, value);
      Option option = new Option(name, value);
      int at = -1;
      for (int i = 0; i < options.size(); i++) {
        if (options.get(i).name().equals(name)) {
          at = i;
          break;
        }
      }
      options.removeIf(o -> o.name().equals(name));
      if (at < 0 || at > options.size()) {
        options.add(option);
      } else {
        options.add(at, option);
      }
      return this;
    }
  }
}
