package dev.p8.undertow.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.p8.publish.Header;
import dev.p8.route.Route;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * JSON-P (GRIP.md section 7), as Pushpin's proxy does it for routes with auto cross-origin: a
 * {@code GET} with a callback parameter is turned into the request its {@code _method},
 * {@code _headers} and {@code _body} parameters describe, and the answer is wrapped in a call
 * of the callback, always {@code 200} and {@code application/javascript}.
 *
 * <p>Route options: {@code jsonp_mode=basic|extended} (extended unless given: the call gets
 * {@code {code, reason, headers, body}}; basic gets the raw body), {@code jsonp_cb} (the
 * callback parameter, {@code callback} unless given), {@code jsonp_body} (a parameter whose
 * value is a JSON body, sent with {@code Content-Type: application/json}, in place of
 * {@code _body}) and {@code jsonp_defcb} (the callback when the request has the body
 * parameter but no callback). Without {@code _method} the backend gets {@code POST} in basic
 * mode and {@code GET} in extended mode, as in Pushpin.
 *
 * @param callback the function to call
 * @param extended whether the call wraps the whole response rather than its body
 * @param method   the method toward the backend
 * @param query    the query left once the JSON-P parameters are taken out, without {@code ?}
 * @param headers  headers from {@code _headers} (and the JSON body's content type)
 * @param body     the request body for the backend, possibly empty
 */
record Jsonp(String callback, boolean extended, String method, String query, List<Header> headers, byte[] body) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A request whose JSON-P parameters are unusable; the message is Pushpin's 400 text. */
  static final class BadRequest extends Exception {
    private static final long serialVersionUID = 1L;

    BadRequest(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Reads the JSON-P parameters of a request.
   *
   * @param method   the client's method; only {@code GET} can be JSON-P
   * @param rawQuery the query string as received, without {@code ?}; may be null
   * @return the JSON-P request, or null when the request is not JSON-P
   * @throws BadRequest naming the parameter that is unusable
   */
  static Jsonp parse(Route route, String method, String rawQuery) throws BadRequest {
    if (!"GET".equals(method) || rawQuery == null || rawQuery.isEmpty()) {
      return null;
    }
    Map<String, String> options = route.options();
    boolean extended = !"basic".equals(options.get("jsonp_mode"));
    String callbackParam = nonEmpty(options.get("jsonp_cb"), "callback");
    String bodyParam = options.get("jsonp_body");
    bodyParam = bodyParam == null || bodyParam.isEmpty() ? null : bodyParam;
    String defaultCallback = options.get("jsonp_defcb");
    List<String[]> items = new ArrayList<>();
    for (String item : rawQuery.split("&", -1)) {
      int eq = item.indexOf('=');
      items.add(eq < 0 ? new String[] {item, ""} : new String[] {item.substring(0, eq), item.substring(eq + 1)});
    }
    String rawCallback = take(items, callbackParam);
    boolean hasBodyParam = bodyParam != null && find(items, bodyParam) != null;
    if (rawCallback == null && (defaultCallback == null || defaultCallback.isEmpty() || !hasBodyParam)) {
      return null;
    }
    String callback;
    if (rawCallback != null) {
      byte[] decoded = decode(rawCallback);
      if (decoded == null || decoded.length == 0) {
        throw new BadRequest("Invalid callback parameter.");
      }
      callback = new String(decoded, StandardCharsets.UTF_8);
    } else {
      callback = defaultCallback;
    }
    String backendMethod = extended ? "GET" : "POST";
    String rawMethod = take(items, "_method");
    if (rawMethod != null) {
      byte[] decoded = decode(rawMethod);
      if (decoded == null || !isToken(new String(decoded, StandardCharsets.ISO_8859_1))) {
        throw new BadRequest("Invalid _method parameter.");
      }
      backendMethod = new String(decoded, StandardCharsets.ISO_8859_1);
    }
    List<Header> headers = new ArrayList<>();
    String rawHeaders = take(items, "_headers");
    if (rawHeaders != null) {
      headers.addAll(headers(decode(rawHeaders)));
    }
    byte[] body = new byte[0];
    String rawBody = take(items, bodyParam != null ? bodyParam : "_body");
    if (rawBody != null) {
      body = decode(rawBody);
      if (body == null) {
        throw new BadRequest(bodyParam != null ? "Invalid body parameter." : "Invalid _body parameter.");
      }
      if (bodyParam != null) {
        headers.removeIf(h -> h.nameIs("Content-Type"));
        headers.add(new Header("Content-Type", "application/json"));
      }
    }
    StringBuilder rest = new StringBuilder();
    for (String[] item : items) {
      rest.append(rest.length() == 0 ? "" : "&").append(item[0]).append(item[1].isEmpty() ? "" : "=" + item[1]);
    }
    return new Jsonp(callback, extended, backendMethod, rest.toString(), List.copyOf(headers), body);
  }

  private static List<Header> headers(byte[] json) throws BadRequest {
    JsonNode doc;
    try {
      doc = json == null ? null : JSON.readTree(json);
    } catch (java.io.IOException e) {
      doc = null;
    }
    if (doc == null || !doc.isObject()) {
      throw new BadRequest("Invalid _headers parameter.");
    }
    List<Header> out = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = doc.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw new BadRequest("Invalid _headers parameter.");
      }
      // Host and Accept are P8's to set, as in Pushpin.
      if (e.getKey().equalsIgnoreCase("Host") || e.getKey().equalsIgnoreCase("Accept")) {
        continue;
      }
      String value = e.getValue().textValue();
      if (!isToken(e.getKey()) || value.chars().anyMatch(c -> c < 32 && c != '\t' || c == 127)) {
        throw new BadRequest("Invalid _headers parameter.");
      }
      out.add(new Header(e.getKey(), value));
    }
    return out;
  }

  private static String nonEmpty(String value, String otherwise) {
    return value == null || value.isEmpty() ? otherwise : value;
  }

  private static String find(List<String[]> items, String name) {
    for (String[] item : items) {
      if (item[0].equals(name)) {
        return item[1];
      }
    }
    return null;
  }

  /** The first value of a parameter, removing every item of that name. */
  private static String take(List<String[]> items, String name) {
    String value = find(items, name);
    items.removeIf(item -> item[0].equals(name));
    return value;
  }

  /** Percent-decoding only ({@code +} stays), as Pushpin's; null for a broken escape. */
  static byte[] decode(String raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        int hi = i + 1 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
        int lo = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 2), 16) : -1;
        if (hi < 0 || lo < 0) {
          return null;
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
    }
    return out.toByteArray();
  }

  private static boolean isToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** The backend path with the JSON-P parameters taken out of its query. */
  String path(String path) {
    return query.isEmpty() ? path : path + "?" + query;
  }

  /**
   * Wraps a response relayed from the backend, as Pushpin's proxy does: extended mode gives
   * {@code {"code": C, "reason": R, "headers": {...}, "body": B}} (first value of each header),
   * basic mode the body without its trailing newline.
   */
  byte[] wrapRelayed(int code, String reason, List<Header> headers, byte[] body) {
    StringBuilder out = new StringBuilder("/**/").append(callback).append('(');
    if (extended) {
      Map<String, String> first = new TreeMap<>();
      for (Header h : headers) {
        first.putIfAbsent(h.name(), h.value());
      }
      out.append("{\"code\": ").append(code).append(", \"reason\": ").append(string(reason))
          .append(", \"headers\": ").append(json(first))
          .append(", \"body\": ").append(string(new String(body, StandardCharsets.UTF_8))).append('}');
    } else {
      out.append(new String(trimNewline(body), StandardCharsets.UTF_8));
    }
    return out.append(");\n").toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Wraps a held response (timeout or published), as Pushpin's handler does: extended mode
   * gives compact JSON with sorted keys, values of repeated headers joined with {@code ", "}.
   */
  byte[] wrapHeld(int code, String reason, List<Header> headers, byte[] body) {
    if (!extended) {
      return ("/**/" + callback + "(" + new String(trimNewline(body), StandardCharsets.UTF_8) + ");\n")
          .getBytes(StandardCharsets.UTF_8);
    }
    Map<String, String> merged = new TreeMap<>();
    Map<String, String> names = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (Header h : headers) {
      String name = names.computeIfAbsent(h.name(), n -> n);
      merged.merge(name, h.value(), (a, b) -> a + ", " + b);
    }
    Map<String, Object> result = new TreeMap<>();
    result.put("body", new String(body, StandardCharsets.UTF_8));
    result.put("code", code);
    result.put("headers", merged);
    result.put("reason", reason);
    return ("/**/" + callback + "(" + json(result) + ");\n").getBytes(StandardCharsets.UTF_8);
  }

  /** The headers of a wrapped answer: the script's type, and the cache headers Pushpin keeps. */
  static List<Header> wrappedHeaders(List<Header> original) {
    List<Header> out = new ArrayList<>();
    out.add(new Header("Content-Type", "application/javascript"));
    for (Header h : original) {
      if (h.nameIs("Cache-Control")) {
        out.add(h);
      }
    }
    return out;
  }

  private static byte[] trimNewline(byte[] body) {
    int n = body.length;
    if (n >= 2 && body[n - 2] == '\r' && body[n - 1] == '\n') {
      n -= 2;
    } else if (n >= 1 && body[n - 1] == '\n') {
      n -= 1;
    }
    return n == body.length ? body : java.util.Arrays.copyOf(body, n);
  }

  private static String string(String s) {
    return json(s == null ? "" : s);
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("strings and maps of strings always serialize", e);
    }
  }
}
