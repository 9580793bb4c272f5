package dev.p8.undertow.internal;

import dev.p8.grip.ChannelSubscription;
import dev.p8.grip.GripInstruction;
import dev.p8.grip.GripInstructionException;
import dev.p8.grip.HoldMode;
import dev.p8.grip.InstructResponse;
import dev.p8.internal.hold.StreamHold;
import dev.p8.route.Route;
import dev.p8.route.Target;
import io.undertow.client.ClientResponse;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.XnioIoThread;

/**
 * Follows a stream's {@code Grip-Link rel=next} (GRIP.md 2.4) and posts to its
 * {@code rel=gone} link.
 *
 * <p>A fetched page must be 2xx and either not held or a stream hold. Its body is appended to
 * the client's stream; then its own instructions decide: a further next link is fetched at
 * once, a stream hold makes the stream live on the page's channels (through
 * {@link StreamHold#resume}), and neither ends the stream. A failed fetch is tried again up to
 * {@value #MAX_RETRIES} times, waiting {@code linkRetryDelay} (Pushpin's 1 s) doubled on each
 * try, plus jitter; then the stream ends.
 *
 * <p>Routing: a link with the same scheme, host and port as the client's request goes through
 * the request's route (its targets, path rewriting, Grip-Sig and header rules); any other goes
 * straight to the URL's host, unsigned. Pages are read whole, up to
 * {@code Limits.maxInstructBodyBytes}. Everything runs on the client exchange's I/O thread.
 */
final class NextLinks implements StreamHold.Links {

  private static final Logger log = LoggerFactory.getLogger(NextLinks.class);
  static final int MAX_RETRIES = 5;

  private final Engine engine;
  private final Route route;
  private final HttpServerExchange exchange;
  private final XnioIoThread thread;
  private final ByteBufferPool buffers;
  private final URI base;
  private final boolean debug;
  private final boolean trusted;
  // Read by the update limiter's thread as the key to group updates by.
  private volatile URI next;
  private HeldExchange held;
  private StreamHold hold;
  private Map<String, String> lastIds = Map.of();
  private int retries;

  NextLinks(Engine engine, Route route, HttpServerExchange exchange, URI next, boolean debug, boolean trusted) {
    this.engine = engine;
    this.route = route;
    this.exchange = exchange;
    this.thread = exchange.getIoThread();
    this.buffers = exchange.getConnection().getByteBufferPool();
    this.base = requestUri(exchange);
    this.next = next;
    this.debug = debug;
    this.trusted = trusted;
  }

  /** The client's request as an absolute URI, against which links resolve. */
  static URI requestUri(HttpServerExchange exchange) {
    String path = exchange.getRequestURI();
    if (exchange.isHostIncludedInRequestURI()) {
      int scheme = path.indexOf("://");
      int slash = scheme < 0 ? -1 : path.indexOf('/', scheme + 3);
      path = slash < 0 ? "/" : path.substring(slash);
    }
    String query = exchange.getQueryString();
    return URI.create(exchange.getRequestScheme() + "://" + exchange.getHostAndPort() + path
        + (query == null || query.isEmpty() ? "" : "?" + query));
  }

  /**
   * Resolves a link against the client's request URI.
   *
   * @throws IllegalArgumentException if the link is not a usable http(s) URI
   */
  static URI resolve(URI base, String link) {
    URI uri = base.resolve(URI.create(link.strip()));
    if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
      throw new IllegalArgumentException("link " + link + " is not an http or https URL");
    }
    return uri;
  }

  void attach(HeldExchange heldExchange, StreamHold streamHold) {
    this.held = heldExchange;
    this.hold = streamHold;
  }

  @Override
  public String updateKey() {
    URI uri = next;
    return uri == null ? "" : uri.toString();
  }

  @Override
  public void fetch(Map<String, String> ids) {
    this.lastIds = ids;
    this.retries = 0;
    request();
  }

  private void request() {
    if (hold.isFinished()) {
      return;
    }
    HeaderMap headers = new HeaderMap();
    BackendHeaders.gripLast(headers, route, lastIds);
    send(engine, route, exchange, thread, buffers, base, next, "GET", headers, trusted, new BackendCall.Callback() {
      @Override
      public void response(ClientResponse response, byte[] body) {
        page(response, body);
      }

      @Override
      public void failed(String reason) {
        fetchFailed(reason);
      }
    });
  }

  private void page(ClientResponse response, byte[] body) {
    if (hold.isFinished()) {
      return;
    }
    int code = response.getResponseCode();
    if (code < 200 || code >= 300) {
      fetchFailed("next link " + next + " answered " + code);
      return;
    }
    GripInstruction grip;
    try {
      grip = GripInstruction.parse(HeaderRules.toMap(response.getResponseHeaders()), body);
    } catch (GripInstructionException e) {
      error("Failed to parse accept instructions: " + e.getMessage());
      return;
    }
    if (grip.hold().isPresent() && grip.hold().get() != HoldMode.STREAM) {
      error("Next link returned non-stream hold.");
      return;
    }
    retries = 0;
    byte[] content = grip.response().map(InstructResponse::body).orElse(body);
    if (content.length > 0 && !held.write(ByteBuffer.wrap(content))) {
      return;
    }
    URI link = null;
    if (grip.nextLink().isPresent()) {
      try {
        link = resolve(next, grip.nextLink().get().uri());
      } catch (IllegalArgumentException e) {
        error("Invalid next link: " + e.getMessage());
        return;
      }
    }
    next = link;
    if (grip.hold().isEmpty()) {
      if (link != null) {
        request();
      } else {
        hold.end();
      }
      return;
    }
    List<String> channels = ProxyExchange.channels(engine, route, exchange, grip.channels());
    if (channels.isEmpty()) {
      error("Grip-Hold given without any channel");
      return;
    }
    String unlinked = link == null ? prevIdChannel(grip) : null;
    if (unlinked != null) {
      error("channel '" + unlinked + "' specifies prev-id, but no next link found");
      return;
    }
    ProxyExchange.filter(hold, grip, route, exchange);
    hold.resume(channels, ProxyExchange.prevIds(route, grip), grip.keepAlive().orElse(null),
        link == null ? null : grip.nextLink().get().timeout());
  }

  /** The first channel given a prev-id, or null: a reliable stream needs a next link. */
  static String prevIdChannel(GripInstruction grip) {
    for (ChannelSubscription s : grip.channels()) {
      if (s.prevId() != null) {
        return s.name();
      }
    }
    return null;
  }

  private void fetchFailed(String reason) {
    if (hold.isFinished()) {
      return;
    }
    log.debug("fetching next link {} failed: {}", next, reason);
    if (retries < MAX_RETRIES) {
      long base = engine.config().linkRetryDelay().toMillis();
      long delay = (base << retries) + ThreadLocalRandom.current().nextLong(Math.max(1, base));
      retries++;
      thread.executeAfter(this::request, delay, TimeUnit.MILLISECONDS);
      return;
    }
    log.warn("giving up on next link {} after {} tries: {}", next, retries + 1, reason);
    error("Failed to retrieve next link.");
  }

  /** Ends the stream; in debug mode the reason is appended first, as Pushpin does. */
  private void error(String message) {
    if (hold.isFinished()) {
      return;
    }
    log.warn("{} {} via route {}: {}", exchange.getRequestMethod(), exchange.getRequestURI(), route, message);
    if (debug) {
      held.write(ByteBuffer.wrap(("\n\n" + message + "\n").getBytes(StandardCharsets.UTF_8)));
    }
    hold.end();
  }

  /**
   * Posts to a gone link (the held session ended), without a body and without retries; a failure is
   * only logged.
   */
  static void gone(Engine engine, Route route, HttpServerExchange exchange, XnioIoThread thread,
      ByteBufferPool buffers, URI base, URI link, boolean trusted) {
    send(engine, route, exchange, thread, buffers, base, link, "POST", new HeaderMap(), trusted,
        new BackendCall.Callback() {
          @Override
          public void response(ClientResponse response, byte[] body) {
            int code = response.getResponseCode();
            if (code < 200 || code >= 300) {
              log.warn("gone link {} answered {}", link, code);
            }
          }

          @Override
          public void failed(String reason) {
            log.warn("posting to gone link {} failed: {}", link, reason);
          }
        });
  }

  private static void send(Engine engine, Route route, HttpServerExchange exchange, XnioIoThread thread,
      ByteBufferPool buffers, URI base, URI link, String method, HeaderMap headers, boolean trusted,
      BackendCall.Callback callback) {
    String path = (link.getRawPath() == null || link.getRawPath().isEmpty() ? "/" : link.getRawPath());
    String query = link.getRawQuery() == null ? "" : "?" + link.getRawQuery();
    List<Target> targets;
    if (sameService(base, link)) {
      targets = route.targets();
      path = route.rewritePath(path);
      boolean gripEnabled = !route.noGrip();
      BackendHeaders.grip(headers, gripEnabled, trusted,
          gripEnabled && !trusted ? Signatures.forRoute(engine, route) : null);
      BackendHeaders.forwarding(engine, route, exchange, headers, trusted,
          BackendHeaders.isTls(exchange, engine.config().forwarding()), false);
      Target first = targets.get(0);
      headers.put(Headers.HOST, first.hostHeader().orElse(route.asHost().orElse(link.getRawAuthority())));
    } else {
      boolean tls = "https".equals(link.getScheme());
      int port = link.getPort() >= 0 ? link.getPort() : tls ? 443 : 80;
      targets = List.of(Target.parse(link.getHost() + ":" + port + (tls ? ",ssl" : "")));
      headers.put(Headers.HOST, link.getRawAuthority());
    }
    BackendCall.send(engine, thread, buffers, targets, method, path + query, headers, new byte[0],
        engine.config().limits().maxInstructBodyBytes(), callback);
  }

  private static boolean sameService(URI base, URI link) {
    return base.getScheme().equalsIgnoreCase(link.getScheme())
        && base.getHost().equalsIgnoreCase(link.getHost())
        && port(base) == port(link);
  }

  private static int port(URI uri) {
    return uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }
}
