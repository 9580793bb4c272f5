package dev.p8.undertow.internal;

import dev.p8.publish.Header;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Auto cross-origin (route option {@code aco}, pushpin.conf {@code auto_cross_origin}): CORS
 * headers added to every response the client gets, each only where the backend did not set it
 * already, as Pushpin does (GRIP.md section 7). Preflight requests are not answered here: they
 * go to the backend like any other request, and its answer gets these headers too.
 */
final class Cors {

  private static final Set<String> SIMPLE = Set.of("cache-control", "content-language",
      "content-length", "content-type", "expires", "last-modified", "pragma");
  private static final String DEFAULT_METHODS = "OPTIONS, HEAD, GET, POST, PUT, DELETE";

  private Cors() {}

  /** Adds the missing CORS headers to a response being relayed. */
  static void apply(HeaderMap request, HeaderMap response) {
    List<String> names = new ArrayList<>();
    for (HeaderValues v : response) {
      names.add(v.getHeaderName().toString());
    }
    for (Header h : additions(request, names)) {
      response.add(HttpString.tryFromString(h.name()), h.value());
    }
  }

  /** The response headers with the missing CORS headers appended. */
  static List<Header> apply(HeaderMap request, List<Header> response) {
    List<String> names = new ArrayList<>(response.size());
    for (Header h : response) {
      names.add(h.name());
    }
    List<Header> out = new ArrayList<>(response);
    out.addAll(additions(request, names));
    return out;
  }

  private static List<Header> additions(HeaderMap request, List<String> responseNames) {
    Set<String> present = new java.util.HashSet<>();
    for (String n : responseNames) {
      present.add(n.toLowerCase(Locale.ROOT));
    }
    List<Header> add = new ArrayList<>(6);
    if (!present.contains("access-control-allow-methods")) {
      String method = request.getFirst("Access-Control-Request-Method");
      add.add(new Header("Access-Control-Allow-Methods",
          method == null || method.isEmpty() ? DEFAULT_METHODS : method));
    }
    if (!present.contains("access-control-allow-headers")) {
      List<String> requested = new ArrayList<>();
      HeaderValues values = request.get("Access-Control-Request-Headers");
      if (values != null) {
        for (String v : values) {
          if (!v.isEmpty()) {
            requested.add(v);
          }
        }
      }
      if (!requested.isEmpty()) {
        add.add(new Header("Access-Control-Allow-Headers", String.join(", ", requested)));
      }
    }
    if (!present.contains("access-control-expose-headers")) {
      List<String> expose = new ArrayList<>();
      Set<String> seen = new java.util.HashSet<>();
      for (String n : responseNames) {
        String lower = n.toLowerCase(Locale.ROOT);
        if (!SIMPLE.contains(lower) && !lower.startsWith("access-control-")
            && !lower.startsWith("grip-") && seen.add(lower)) {
          expose.add(n);
        }
      }
      if (!expose.isEmpty()) {
        add.add(new Header("Access-Control-Expose-Headers", String.join(", ", expose)));
      }
    }
    if (!present.contains("access-control-allow-credentials")) {
      add.add(new Header("Access-Control-Allow-Credentials", "true"));
    }
    if (!present.contains("access-control-allow-origin")) {
      String origin = request.getFirst("Origin");
      add.add(new Header("Access-Control-Allow-Origin",
          origin == null || origin.isEmpty() ? "*" : origin));
    }
    if (!present.contains("access-control-max-age")) {
      add.add(new Header("Access-Control-Max-Age", "3600"));
    }
    return add;
  }
}
