package dev.p8.undertow.internal;

import dev.p8.publish.Header;
import dev.p8.route.Route;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The headers P8 adds or changes on a request toward a backend (GRIP.md section 1.3), in the
 * order Pushpin applies them: CDN-Loop, Grip-Sig and Grip-Feature, X-Forwarded-Proto, then
 * X-Forwarded-For, then the route's {@code header=} options last so they can override any of it.
 */
final class BackendHeaders {

  static final HttpString GRIP_SIG = HttpString.tryFromString("Grip-Sig");
  static final HttpString GRIP_FEATURE = HttpString.tryFromString("Grip-Feature");
  static final HttpString PUSHPIN_ROUTE = HttpString.tryFromString("Pushpin-Route");
  static final HttpString CDN_LOOP = HttpString.tryFromString("CDN-Loop");
  static final HttpString X_FORWARDED_FOR = HttpString.tryFromString("X-Forwarded-For");
  static final HttpString X_FORWARDED_PROTO = HttpString.tryFromString("X-Forwarded-Proto");
  static final HttpString X_FORWARDED_PROTOCOL = HttpString.tryFromString("X-Forwarded-Protocol");
  static final HttpString GRIP_LAST = HttpString.tryFromString("Grip-Last");

  /**
   * The GRIP features P8 implements, told to backends as Pushpin does. Pushpin also lists
   * {@code session} and the {@code filter:*} features; P8 has neither, and a backend that
   * believed otherwise would rely on them.
   */
  static final String FEATURES = "status, link:next, link:gone";

  private BackendHeaders() {}

  /**
   * Adds one {@code Grip-Last: <channel>; last-id=<id>} per channel. The backend named each
   * channel without the route's prefix, so it gets its own name back.
   *
   * @param lastIds the last id of each channel, by prefixed (hub) name
   */
  static void gripLast(HeaderMap headers, Route route, Map<String, String> lastIds) {
    String prefix = route.prefix().orElse("");
    for (Map.Entry<String, String> e : lastIds.entrySet()) {
      String name = e.getKey().startsWith(prefix) ? e.getKey().substring(prefix.length()) : e.getKey();
      headers.add(GRIP_LAST, name + "; last-id=" + e.getValue());
    }
  }

  /** True when the request is signed by the trusted upstream GRIP proxy ({@code upstream_key}). */
  static boolean trustedClient(Forwarding forwarding, HeaderMap requestHeaders) {
    if (forwarding.upstreamKey() == null) {
      return false;
    }
    String token = requestHeaders.getFirst(GRIP_SIG);
    return token != null && !token.isEmpty()
        && forwarding.upstreamKey().verify(token, Instant.now());
  }

  /** True when the client's connection, or a trusted X-Forwarded-Proto, says TLS. */
  static boolean isTls(HttpServerExchange exchange, Forwarding forwarding) {
    if ("https".equals(exchange.getRequestScheme())) {
      return true;
    }
    if (!forwarding.acceptForwardedProto()) {
      return false;
    }
    HeaderMap h = exchange.getRequestHeaders();
    String proto = h.getFirst(X_FORWARDED_PROTO);
    if (proto == null) {
      proto = h.getFirst(X_FORWARDED_PROTOCOL);
    }
    return proto != null && (proto.strip().equalsIgnoreCase("https")
        || proto.strip().equalsIgnoreCase("wss"));
  }

  /**
   * Copies the client's headers and applies every rule. The Host header is left to the caller.
   *
   * @param gripEnabled whether the route speaks GRIP (no {@code no_grip})
   * @param trusted     whether the client is a trusted upstream proxy: its Grip-* headers pass,
   *                    nothing is signed and {@code x_forwarded_for_trusted} applies
   * @param tls         whether the request counts as TLS
   * @param webSocket   whether X-Forwarded-Proto should say {@code wss} rather than {@code https}
   * @param signature   the Grip-Sig token for this route, or null for none
   */
  static void apply(Engine engine, Route route, HttpServerExchange exchange, HeaderMap to,
      boolean gripEnabled, boolean trusted, boolean tls, boolean webSocket, String signature) {
    HeaderRules.copyRequestHeaders(exchange.getRequestHeaders(), to, trusted);
    grip(to, gripEnabled, trusted, signature);
    forwarding(engine, route, exchange, to, trusted, tls, webSocket);
  }

  /**
   * {@code Grip-Sig} and {@code Grip-Feature}, on a GRIP route for a client that is not a trusted
   * upstream proxy (whose own instructions pass through).
   */
  static void grip(HeaderMap to, boolean gripEnabled, boolean trusted, String signature) {
    if (!trusted && gripEnabled) {
      if (signature != null) {
        to.put(GRIP_SIG, signature);
      }
      to.put(GRIP_FEATURE, FEATURES);
    }
  }

  /**
   * Applies the forwarding rules to headers already copied from the client: Pushpin-Route,
   * CDN-Loop, X-Forwarded-Proto, X-Forwarded-For and the route's {@code header=} options. The
   * WebSocket paths copy the handshake's headers by their own rules, then call
   * {@link #forWebSocket}.
   */
  static void forWebSocket(Engine engine, Route route, HttpServerExchange handshake, HeaderMap to) {
    Forwarding f = engine.config().forwarding();
    forwarding(engine, route, handshake, to, trustedClient(f, handshake.getRequestHeaders()),
        isTls(handshake, f), true);
  }

  static void forwarding(Engine engine, Route route, HttpServerExchange exchange, HeaderMap to,
      boolean trusted, boolean tls, boolean webSocket) {
    Forwarding f = engine.config().forwarding();
    if (f.acceptPushpinRoute()) {
      to.remove(PUSHPIN_ROUTE);
    }
    if (!f.cdnLoop().isEmpty()) {
      List<String> values = new ArrayList<>(valuesOf(to, CDN_LOOP));
      values.add(f.cdnLoop());
      to.put(CDN_LOOP, String.join(", ", values));
    }
    if (f.acceptForwardedProto() || f.setForwardedProto() || f.setForwardedProtocol()) {
      to.remove(X_FORWARDED_PROTO);
      to.remove(X_FORWARDED_PROTOCOL);
    }
    if (tls) {
      String scheme = webSocket ? "wss" : "https";
      if (f.setForwardedProto()) {
        to.put(X_FORWARDED_PROTO, scheme);
      }
      if (f.setForwardedProtocol()) {
        to.put(X_FORWARDED_PROTOCOL, scheme);
      }
    }
    XffRule rule = trusted ? f.xffTrusted() : f.xff();
    if (rule.truncate() >= 0 || rule.append()) {
      List<String> values = new ArrayList<>();
      for (String v : valuesOf(to, X_FORWARDED_FOR)) {
        for (String item : v.split(",")) {
          if (!item.isBlank()) {
            values.add(item.strip());
          }
        }
      }
      to.remove(X_FORWARDED_FOR);
      InetSocketAddress peer = exchange.getSourceAddress();
      String address = peer == null || peer.getAddress() == null ? null
          : peer.getAddress().getHostAddress();
      List<String> out = rule.apply(values, address);
      if (!out.isEmpty()) {
        to.put(X_FORWARDED_FOR, String.join(", ", out));
      }
    }
    for (Header h : route.headers()) {
      if (h.value().isEmpty()) {
        to.remove(h.name());
      } else {
        to.put(HttpString.tryFromString(h.name()), h.value());
      }
    }
  }

  private static List<String> valuesOf(HeaderMap headers, HttpString name) {
    HeaderValues values = headers.get(name);
    return values == null ? List.of() : new ArrayList<>(values);
  }
}
