package dev.p8.undertow.internal;

import dev.p8.publish.Header;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Which headers cross the proxy in each direction. */
final class HeaderRules {

  private HeaderRules() {}

  /** Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection, never the message. */
  private static final Set<String> HOP_BY_HOP = caseless("connection", "keep-alive", "proxy-connection",
      "te", "trailer", "transfer-encoding", "upgrade");

  /** Dropped from client requests besides hop-by-hop ones, as Pushpin does. */
  private static final Set<String> REQUEST_DROPPED = caseless("accept-encoding", "expect");

  /** Dropped from responses that carried GRIP instructions: the proxy re-frames them. */
  private static final Set<String> HELD_RESPONSE_DROPPED = caseless("content-length", "content-encoding");

  /**
   * Header names are compared without case through these sets: lower-casing each name first
   * allocated a string per header of every request and response.
   */
  private static Set<String> caseless(String... names) {
    TreeSet<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    Collections.addAll(set, names);
    return Collections.unmodifiableSet(set);
  }

  static boolean isGripName(String name) {
    return name.length() >= 5 && name.regionMatches(true, 0, "Grip-", 0, 5);
  }

  private static Set<String> connectionTokens(HeaderMap headers) {
    HeaderValues connection = headers.get("Connection");
    if (connection == null) {
      return Set.of();
    }
    if (connection.size() == 1) {
      String only = connection.getFirst().trim();
      // The common values name no header besides the hop-by-hop ones, which go anyway.
      if (only.equalsIgnoreCase("keep-alive") || only.equalsIgnoreCase("close")) {
        return Set.of();
      }
    }
    TreeSet<String> tokens = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    for (String v : connection) {
      for (String t : v.split(",")) {
        String token = t.trim();
        if (!token.isEmpty()) {
          tokens.add(token);
        }
      }
    }
    return tokens;
  }

  /** Copies a client request's headers toward the backend: no hop-by-hop, no Grip-*. */
  static void copyRequestHeaders(HeaderMap from, HeaderMap to) {
    copyRequestHeaders(from, to, false);
  }

  /**
   * Copies a client request's headers toward the backend: no hop-by-hop, and no Grip-* unless
   * the client is a trusted upstream GRIP proxy.
   */
  static void copyRequestHeaders(HeaderMap from, HeaderMap to, boolean keepGrip) {
    Set<String> listed = connectionTokens(from);
    for (HeaderValues values : from) {
      String name = values.getHeaderName().toString();
      if (HOP_BY_HOP.contains(name) || REQUEST_DROPPED.contains(name) || listed.contains(name)
          || (!keepGrip && isGripName(name))) {
        continue;
      }
      to.putAll(values.getHeaderName(), values);
    }
  }

  /** Copies a backend response's headers to the client as they are, less hop-by-hop ones. */
  static void copyResponseHeaders(HeaderMap from, HeaderMap to) {
    Set<String> listed = connectionTokens(from);
    for (HeaderValues values : from) {
      String name = values.getHeaderName().toString();
      if (HOP_BY_HOP.contains(name) || listed.contains(name)) {
        continue;
      }
      to.putAll(values.getHeaderName(), values);
    }
  }

  /** A backend response's GRIP headers and Content-Type, as a map for the GRIP parser. */
  static Map<String, List<String>> toMap(HeaderMap headers) {
    Map<String, List<String>> map = new LinkedHashMap<>();
    for (HeaderValues values : headers) {
      String name = values.getHeaderName().toString();
      // GRIP reads only its own headers and Content-Type; copying the rest cost every held
      // request a list per backend header.
      if (isGripName(name) || name.equalsIgnoreCase("Content-Type")) {
        map.put(name, new ArrayList<>(values));
      }
    }
    return map;
  }

  /** True when a backend response carries GRIP instructions (GRIP.md §1.1). */
  static boolean isInstruct(HeaderMap headers) {
    for (HeaderValues values : headers) {
      if (isGripName(values.getHeaderName().toString())) {
        return true;
      }
    }
    String type = headers.getFirst("Content-Type");
    return type != null && type.regionMatches(true, 0, "application/grip-instruct", 0, 25);
  }

  /**
   * The headers a held response keeps: no GRIP, no hop-by-hop, no framing; with an expose list,
   * only the listed ones.
   */
  static List<Header> heldResponseHeaders(HeaderMap from, List<String> expose) {
    Set<String> listed = connectionTokens(from);
    List<Header> out = new ArrayList<>();
    for (HeaderValues values : from) {
      String name = values.getHeaderName().toString();
      if (HOP_BY_HOP.contains(name) || HELD_RESPONSE_DROPPED.contains(name) || listed.contains(name)
          || isGripName(name) || (!expose.isEmpty() && !containsIgnoreCase(expose, name))) {
        continue;
      }
      for (String v : values) {
        out.add(new Header(name, v));
      }
    }
    return out;
  }

  /** Cleans headers given in a JSON instruct's response or a publish: no GRIP, no framing. */
  static List<Header> clean(List<Header> headers) {
    List<Header> out = new ArrayList<>(headers.size());
    for (Header h : headers) {
      if (!HOP_BY_HOP.contains(h.name()) && !HELD_RESPONSE_DROPPED.contains(h.name()) && !isGripName(h.name())) {
        out.add(h);
      }
    }
    return out;
  }

  static void put(HeaderMap to, List<Header> headers) {
    for (Header h : headers) {
      to.add(HttpString.tryFromString(h.name()), h.value());
    }
  }

  private static boolean containsIgnoreCase(List<String> names, String name) {
    for (String n : names) {
      if (n.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }
}
