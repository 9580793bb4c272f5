package dev.p8.internal.config;

import java.util.Objects;

/**
 * An address to listen on, written {@code [addr:]port} as in the runner's {@code http_port}
 * and {@code https_ports} keys and the {@code --port} option: {@code 7999},
 * {@code 127.0.0.1:7999}, {@code localhost:7999} or {@code [::1]:7999}.
 *
 * @param host the host name or address, an IPv6 address without brackets
 * @param port the port, 0 to 65535 (0 picks a free port)
 */
public record ListenAddress(String host, int port) {

  /**
   * Checks the parts.
   *
   * @param host the host, not empty
   * @param port the port, 0 to 65535
   * @throws IllegalArgumentException naming the value when either is out of range
   */
  public ListenAddress {
    Objects.requireNonNull(host, "host");
    if (host.isEmpty()) {
      throw new IllegalArgumentException("listen host is empty");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("listen port " + port + " is out of range 0-65535");
    }
  }

  /**
   * Parses {@code [addr:]port}.
   *
   * @param spec        the text, such as {@code 127.0.0.1:7999}
   * @param defaultHost the host to use when the text is only a port, such as
   *                    {@code "0.0.0.0"}
   * @return the address
   * @throws IllegalArgumentException naming the text and what is wrong with it
   */
  public static ListenAddress parse(String spec, String defaultHost) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(defaultHost, "defaultHost");
    String host;
    String port;
    if (spec.startsWith("[")) {
      int close = spec.indexOf("]:");
      if (close < 0) {
        throw error(spec, "expected [ipv6-address]:port");
      }
      host = spec.substring(1, close);
      port = spec.substring(close + 2);
      if (host.isEmpty()) {
        throw error(spec, "the address in brackets is empty");
      }
      for (int i = 0; i < host.length(); i++) {
        char c = host.charAt(i);
        if (!(isAlphanumeric(c) || c == ':' || c == '.' || c == '%')) {
          throw error(spec, "the bracketed address has a character not allowed in an IPv6 "
              + "address (position " + (i + 2) + ")");
        }
      }
    } else {
      int colon = spec.lastIndexOf(':');
      if (colon >= 0 && spec.indexOf(':') != colon) {
        throw error(spec, "an IPv6 address must be in brackets, as in [::1]:7999");
      }
      host = colon < 0 ? defaultHost : spec.substring(0, colon);
      port = spec.substring(colon + 1);
      if (colon >= 0) {
        if (host.isEmpty()) {
          throw error(spec, "the address before ':' is empty");
        }
        for (int i = 0; i < host.length(); i++) {
          char c = host.charAt(i);
          if (!(isAlphanumeric(c) || c == '.' || c == '-' || c == '_')) {
            throw error(spec, "the address has a character not allowed in a host name or "
                + "IPv4 address (position " + (i + 1) + ")");
          }
        }
      }
    }
    if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0'
        && c <= '9')) {
      throw error(spec, "port must be a number from 0 to 65535");
    }
    int number = Integer.parseInt(port);
    if (number > 65535) {
      throw error(spec, "port must be a number from 0 to 65535");
    }
    if (host.isEmpty()) {
      throw error(spec, "the default host is empty");
    }
    return new ListenAddress(host, number);
  }

  private static boolean isAlphanumeric(char c) {
    return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
  }

  private static IllegalArgumentException error(String spec, String reason) {
    return new IllegalArgumentException("listen address " + PushpinConfig.quote(spec)
        + ": " + reason);
  }

  /**
   * Renders the address as {@code host:port}, an IPv6 host in brackets.
   */
  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 || host.indexOf('%') >= 0 ? "[" + host + "]" : host) + ":"
        + port;
  }
}
