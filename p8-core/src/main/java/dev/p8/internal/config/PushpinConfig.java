package dev.p8.internal.config;

import dev.p8.internal.text.Quoting;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pushpin's main configuration file, {@code pushpin.conf}, in INI syntax.
 *
 * <p>Syntax: {@code [section]} headers, {@code key=value} lines, and comment lines starting
 * with {@code ;} or {@code #}. Keys and values are trimmed; a value wrapped in double quotes
 * loses them, and inside them {@code \\} and {@code \"} stand for {@code \} and {@code "}.
 * There are no inline comments: {@code ;} and {@code #} after a value belong to it, as with
 * Pushpin's current INI reader. Keys before the first section are kept under section
 * {@code ""}. A repeated key keeps its last value. Placeholders such as {@code {libdir}} and
 * {@code {rundir}} are left in the values for the caller to expand. {@code include=} lines are
 * accepted but not followed: they name Pushpin's internal ZeroMQ wiring, which P8 does not
 * have.
 *
 * <p>Typed getters treat an empty value like an absent key and return the default. The values
 * never change; the object only remembers which keys were asked for ({@link #unreadKeys()}).
 * Thread safe.
 */
public final class PushpinConfig {

  private static final Map<String, Set<String>> KNOWN_KEYS = Map.of(
      "global", Set.of("include", "libdir", "rundir", "ipc_prefix", "port_offset",
          "stats_connection_ttl", "stats_connection_send"),
      "runner", Set.of("services", "http_port", "https_ports", "local_ports", "logdir",
          "log_level", "client_buffer_size", "client_maxconn", "allow_compression",
          // Deprecated home of rundir, and program paths of Pushpin's separate processes.
          "rundir", "condure_bin", "mongrel2_bin", "m2sh_bin", "zurl_bin"),
      "proxy", Set.of("routesfile", "workers", "max_open_requests", "debug",
          "auto_cross_origin", "accept_x_forwarded_protocol", "set_x_forwarded_protocol",
          "x_forwarded_for", "x_forwarded_for_trusted", "orig_headers_need_mark",
          "accept_pushpin_route", "cdn_loop", "log_from", "log_user_agent", "sig_iss", "sig_key",
          "upstream_key", "sockjs_url", "updates_check", "organization_name",
          "stats_connections_max_ttl", "stats_report_interval", "prometheus_port",
          "prometheus_prefix"),
      "handler", Set.of("ipc_file_mode", "push_in_spec", "push_in_sub_specs",
          "push_in_sub_spec", "push_in_sub_connect", "push_in_http_addr", "push_in_http_port",
          "push_in_http_max_headers_size", "push_in_http_max_body_size", "stats_spec",
          "command_spec", "message_rate", "message_hwm", "message_block_size", "message_wait",
          "id_cache_ttl", "update_on_first_subscription", "connection_subscription_max",
          "subscription_linger", "stats_subscription_ttl", "stats_report_interval",
          "stats_format", "prometheus_port", "prometheus_prefix", "share_all", "state_spec"));

  private final Map<String, Map<String, String>> sections;
  private final Path baseDir;
  private final List<String> unknownKeys;
  // What the caller asked for, so that keys Pushpin knows but P8 never applied can be named.
  private final Set<String> read = ConcurrentHashMap.newKeySet();

  private PushpinConfig(Map<String, Map<String, String>> sections, Path baseDir,
      List<String> unknownKeys) {
    this.sections = sections;
    this.baseDir = baseDir;
    this.unknownKeys = unknownKeys;
  }

  /**
   * Reads and parses a configuration file, strictly as UTF-8.
   *
   * @param file the file; relative paths in it resolve against its directory
   * @return the configuration
   * @throws ConfigException if the file cannot be read, is not UTF-8 or has a syntax error
   */
  public static PushpinConfig load(Path file) throws ConfigException {
    Objects.requireNonNull(file, "file");
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read the file (" + e + ")", e);
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ConfigException(file + ": the file is not valid UTF-8", e);
    }
    Path dir = file.toAbsolutePath().getParent();
    return parse(text, dir == null ? file.toAbsolutePath() : dir, file.toString());
  }

  /**
   * Parses configuration text.
   *
   * @param text       the file's content
   * @param baseDir    the directory relative paths resolve against
   * @param sourceName the name to report in errors, such as the file's path
   * @return the configuration
   * @throws ConfigException naming the source and line of the first line that is neither a
   *     section header, a {@code key=value} line, a comment nor blank
   */
  public static PushpinConfig parse(String text, Path baseDir, String sourceName)
      throws ConfigException {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(baseDir, "baseDir");
    Objects.requireNonNull(sourceName, "sourceName");
    Map<String, Map<String, String>> sections = new LinkedHashMap<>();
    Set<String> unknown = new LinkedHashSet<>();
    String content = text.startsWith("\uFEFF") ? text.substring(1) : text;
    String[] lines = content.split("\r\n|\r|\n", -1);
    String section = "";
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith(";") || line.startsWith("#")) {
        continue;
      }
      String where = sourceName + ":" + (i + 1) + ": ";
      if (line.startsWith("[")) {
        if (!line.endsWith("]") || line.length() < 2) {
          throw new ConfigException(where + "section header " + quote(line)
              + " has no closing ]");
        }
        section = line.substring(1, line.length() - 1).strip();
        if (section.isEmpty() || section.indexOf('[') >= 0 || section.indexOf(']') >= 0) {
          throw new ConfigException(where + "section header " + quote(line)
              + " has no valid name");
        }
        continue;
      }
      int equals = line.indexOf('=');
      if (equals < 0) {
        throw new ConfigException(where + "expected key=value, [section] or a comment, got "
            + quote(line));
      }
      String key = line.substring(0, equals).strip();
      if (key.isEmpty()) {
        throw new ConfigException(where + "line " + quote(line) + " has no key before =");
      }
      String value = unquote(line.substring(equals + 1).strip());
      sections.computeIfAbsent(section, s -> new LinkedHashMap<>()).put(key, value);
      boolean known = KNOWN_KEYS.getOrDefault(section, Set.of()).contains(key);
      if (!known || (section.equals("global") && key.equals("include"))) {
        unknown.add(section.isEmpty() ? key : section + "." + key);
      }
    }
    Map<String, Map<String, String>> frozen = new LinkedHashMap<>();
    sections.forEach((name, keys) -> frozen.put(name,
        Collections.unmodifiableMap(new LinkedHashMap<>(keys))));
    return new PushpinConfig(Collections.unmodifiableMap(frozen), baseDir,
        List.copyOf(unknown));
  }

  private static String unquote(String value) {
    if (value.length() < 2 || !value.startsWith("\"") || !value.endsWith("\"")) {
      return value;
    }
    StringBuilder out = new StringBuilder();
    String inner = value.substring(1, value.length() - 1);
    for (int i = 0; i < inner.length(); i++) {
      char c = inner.charAt(i);
      if (c == '\\' && i + 1 < inner.length()
          && (inner.charAt(i + 1) == '\\' || inner.charAt(i + 1) == '"')) {
        out.append(inner.charAt(++i));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * Returns a value as written, after trimming and unquoting.
   *
   * @param section the section name, such as {@code "proxy"}
   * @param key     the key
   * @return the value, possibly empty; empty Optional when the key is absent
   */
  public Optional<String> get(String section, String key) {
    read.add(Objects.requireNonNull(section, "section") + "." + Objects.requireNonNull(key, "key"));
    Map<String, String> keys = sections.get(section);
    return keys == null ? Optional.empty()
        : Optional.ofNullable(keys.get(Objects.requireNonNull(key, "key")));
  }

  /**
   * Returns a value, or the default when the key is absent. An empty value is returned as is.
   *
   * @param section      the section name
   * @param key          the key
   * @param defaultValue returned when the key is absent
   * @return the value
   */
  public String get(String section, String key, String defaultValue) {
    return get(section, key).orElse(defaultValue);
  }

  /**
   * Returns a whole-number value.
   *
   * @param section      the section name
   * @param key          the key
   * @param defaultValue returned when the key is absent or empty
   * @return the value
   * @throws ConfigException naming {@code section.key} and the value when it is not a whole
   *     number within the range of {@code int}
   */
  public int getInt(String section, String key, int defaultValue) throws ConfigException {
    Optional<String> value = get(section, key).filter(v -> !v.isEmpty());
    if (value.isEmpty()) {
      return defaultValue;
    }
    String text = value.get();
    boolean digits = !text.isEmpty();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean sign = i == 0 && (c == '-' || c == '+') && text.length() > 1;
      digits &= sign || (c >= '0' && c <= '9');
    }
    if (digits) {
      try {
        return Integer.parseInt(text);
      } catch (NumberFormatException e) {
        throw new ConfigException(section + "." + key + ": value " + quote(text)
            + " is out of range (" + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE + ")", e);
      }
    }
    throw new ConfigException(section + "." + key + ": expected a whole number, got "
        + quote(text));
  }

  /**
   * Returns a yes/no value: {@code true}, {@code yes}, {@code on} or {@code 1} for true,
   * {@code false}, {@code no}, {@code off} or {@code 0} for false, ignoring case.
   *
   * @param section      the section name
   * @param key          the key
   * @param defaultValue returned when the key is absent or empty
   * @return the value
   * @throws ConfigException naming {@code section.key} and the value for any other text
   */
  public boolean getBoolean(String section, String key, boolean defaultValue)
      throws ConfigException {
    Optional<String> value = get(section, key).filter(v -> !v.isEmpty());
    if (value.isEmpty()) {
      return defaultValue;
    }
    switch (value.get().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on", "1" -> {
        return true;
      }
      case "false", "no", "off", "0" -> {
        return false;
      }
      default -> throw new ConfigException(section + "." + key
          + ": expected true, false, yes, no, 1 or 0, got " + quote(value.get()));
    }
  }

  /**
   * Returns a comma-separated value as a list, each item trimmed, empty items dropped.
   *
   * @param section the section name
   * @param key     the key
   * @return the items, empty when the key is absent or empty
   */
  public List<String> getList(String section, String key) {
    Optional<String> value = get(section, key);
    if (value.isEmpty()) {
      return List.of();
    }
    List<String> items = new ArrayList<>();
    for (String item : value.get().split(",")) {
      String trimmed = item.strip();
      if (!trimmed.isEmpty()) {
        items.add(trimmed);
      }
    }
    return List.copyOf(items);
  }

  /**
   * Resolves a path from the configuration against the configuration file's directory;
   * absolute paths are returned as they are. Both are normalized.
   *
   * @param relativeOrAbsolute the path as written
   * @return the resolved path
   * @throws IllegalArgumentException naming the text when it is not a valid path here
   */
  public Path resolve(String relativeOrAbsolute) {
    Objects.requireNonNull(relativeOrAbsolute, "relativeOrAbsolute");
    try {
      return baseDir.resolve(relativeOrAbsolute).normalize();
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("path " + quote(relativeOrAbsolute)
          + " is not valid: " + e.getReason(), e);
    }
  }

  /**
   * Returns the directory relative paths resolve against: the configuration file's
   * directory.
   *
   * @return the directory
   */
  public Path baseDir() {
    return baseDir;
  }

  /**
   * Returns the keys P8 does not use, as {@code section.key} (a key before any section as
   * {@code key}), in file order, each once, so the caller can log them once. Includes
   * {@code global.include} when present, since it is accepted but not followed.
   *
   * @return the keys, possibly empty
   */
  public List<String> unknownKeys() {
    return unknownKeys;
  }

  /**
   * The keys of the file that Pushpin knows but that nobody has asked this object for: once the
   * caller has read every option it applies, these are the ones it does not.
   *
   * @return {@code section.key} names in file order
   */
  public List<String> unreadKeys() {
    List<String> unread = new ArrayList<>();
    sections.forEach((section, keys) -> keys.keySet().forEach(key -> {
      String name = section + "." + key;
      if (KNOWN_KEYS.getOrDefault(section, Set.of()).contains(key) && !read.contains(name)
          && !unknownKeys.contains(name)) {
        unread.add(name);
      }
    }));
    return unread;
  }

  static String quote(String text) {
    return Quoting.quote(text, 60);
  }
}
