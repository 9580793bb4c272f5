package dev.p8.undertow.internal;

import dev.p8.internal.ws.GripExtension;
import dev.p8.route.Route;
import dev.p8.websocket.WebSocketEvent;
import dev.p8.websocket.WebSocketEvents;
import dev.p8.websocket.WebSocketEventsException;
import io.undertow.client.ClientResponse;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.SameThreadExecutor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.XnioExecutor;

/**
 * A client WebSocket served by a backend over plain HTTP (Pushpin's WebSocket-over-HTTP,
 * GRIP.md §5.2). Every client event becomes part of a {@code POST} of
 * {@code application/websocket-events} to the backend, and the events in each answer go to
 * the client.
 *
 * <p><b>Order.</b> At most one request is outstanding per connection: events that arrive
 * meanwhile queue and go together in the next request, so the backend sees them in order.
 *
 * <p><b>States.</b> Opening (the OPEN request; a refusal is relayed to the client as the
 * answer to its upgrade), open, closed (the backend told with CLOSE or DISCONNECT, every
 * subscription dropped). Everything runs on the client connection's I/O thread.
 */
final class WebSocketOverHttp extends ClientWebSocket {

  private static final Logger log = LoggerFactory.getLogger(WebSocketOverHttp.class);
  private static final HttpString CONNECTION_ID = HttpString.tryFromString("Connection-Id");
  private static final HttpString CONTENT_BYTES_REPLAYED = HttpString.tryFromString("Content-Bytes-Replayed");
  private static final HttpString GRIP_SIG = HttpString.tryFromString("Grip-Sig");
  private static final HttpString SEC_WEBSOCKET_EXTENSIONS = HttpString.tryFromString("Sec-WebSocket-Extensions");
  private static final int MIN_KEEP_ALIVE_SECONDS = 20;
  private static final int MAX_TRIES = 5;
  /** Request headers that describe the client's handshake or this hop, never replayed. */
  static final Set<String> NOT_REPLAYED = Set.of("connection", "upgrade", "sec-websocket-key",
      "sec-websocket-version", "sec-websocket-extensions", "accept", "content-length", "content-type",
      "connection-id", "transfer-encoding", "keep-alive", "te", "trailer", "proxy-connection",
      "accept-encoding", "expect");

  private final String path;
  private final HeaderMap replay = new HeaderMap();
  private final List<WebSocketEvent> pending = new ArrayList<>();
  /** The events of the outstanding request, until the backend says how much it accepted. */
  private List<WebSocketEvent> offered = List.of();
  /** Content bytes offered before and not accepted, sent again: Content-Bytes-Replayed. */
  private int replayBytes;
  /** How many events at the front of {@link #pending} are such replays. */
  private int replayEvents;
  private boolean inFlight;
  private boolean refreshWanted;
  /** Content bytes of the client events in {@link #pending} that are not replays. */
  private long pendingBytes;
  private boolean readsSuspended;
  /** Channels the client missed items on, with the last id it got: sent as Grip-Last. */
  private Map<String, String> gripLast = new LinkedHashMap<>();
  private long keepAliveSeconds;
  private XnioExecutor.Key keepAliveTimer;

  private WebSocketOverHttp(Engine engine, HttpServerExchange handshake, Route route) {
    super(engine, handshake, route);
    String query = handshake.getQueryString();
    String uri = route.rewritePath(handshake.getRequestURI());
    this.path = query == null || query.isEmpty() ? uri : uri + "?" + query;
    for (HeaderValues values : handshake.getRequestHeaders()) {
      String name = values.getHeaderName().toString();
      String lower = name.toLowerCase(Locale.ROOT);
      if (!NOT_REPLAYED.contains(lower) && !lower.startsWith("meta-") && !HeaderRules.isGripName(name)) {
        replay.putAll(values.getHeaderName(), values);
      }
    }
    // X-Forwarded-For, X-Forwarded-Proto (wss), CDN-Loop and route headers, once for every request.
    BackendHeaders.forWebSocket(engine, route, handshake, replay);
  }

  static void start(Engine engine, HttpServerExchange exchange, Route route) {
    WebSocketOverHttp session = new WebSocketOverHttp(engine, exchange, route);
    exchange.dispatch(SameThreadExecutor.INSTANCE, session::open);
  }

  static void refuseDirectEvents(HttpServerExchange exchange) {
    Responses.text(exchange, 403, "Client not allowed to send WebSocket events directly.");
  }

  private void open() {
    send(List.of(WebSocketEvent.open()), this::opened);
  }

  private void opened(ClientResponse response, byte[] body) {
    if (response.getResponseCode() != 200) {
      relayRejection(response.getResponseCode(), response.getResponseHeaders(), body);
      return;
    }
    List<WebSocketEvent> events;
    try {
      events = WebSocketEvents.parse(body, engine.config().limits().maxWebSocketMessageBytes());
    } catch (WebSocketEventsException e) {
      failHandshake("Backend answered the WebSocket OPEN with malformed events: " + e.getMessage());
      return;
    }
    if (!events.isEmpty() && events.get(0).type() != WebSocketEvent.Type.OPEN) {
      failHandshake("Backend answered the WebSocket OPEN with " + events.get(0).type() + " instead of OPEN");
      return;
    }
    HeaderMap backendHeaders = response.getResponseHeaders();
    if (!route.noGrip()) {
      messagePrefix = GripExtension.acceptedPrefix(backendHeaders.getFirst(SEC_WEBSOCKET_EXTENSIONS)).orElse(null);
    }
    applyResponseHeaders(backendHeaders);
    List<WebSocketEvent> rest = events.isEmpty() ? List.of() : events.subList(1, events.size());
    acceptClient(backendHeaders, () -> {
      apply(rest);
      flush();
      scheduleKeepAlive();
    });
  }

  @Override
  void fromClient(WebSocketEvent event) {
    pending.add(event);
    pendingBytes += event.content().length;
    int limit = engine.config().limits().maxWebSocketPendingBytes();
    if (pendingBytes > limit && !readsSuspended && client != null) {
      // One request is outstanding at a time; a client that outruns the backend waits, by TCP
      // flow control, instead of growing this queue.
      log.debug("WebSocket {}: {} bytes wait for the backend, over Limits.maxWebSocketPendingBytes"
          + " ({}); pausing reads from the client", id, pendingBytes, limit);
      readsSuspended = true;
      client.suspendReceives();
    }
    flush();
  }

  /** Recounts what waits beyond replays, and reads from the client again once it is under the bound. */
  private void relieve() {
    long bytes = 0;
    for (int i = replayEvents; i < pending.size(); i++) {
      bytes += pending.get(i).content().length;
    }
    pendingBytes = bytes;
    if (readsSuspended && !closed && bytes <= engine.config().limits().maxWebSocketPendingBytes()) {
      readsSuspended = false;
      client.resumeReceives();
    }
  }

  @Override
  void clientGone(boolean clean) {
    if (!clean) {
      // Gone without a close frame: tell the backend, best effort, as Pushpin does.
      pending.clear();
      replayEvents = 0;
      replayBytes = 0;
      pending.add(WebSocketEvent.disconnect());
      flushEvenIfClosed();
    }
  }

  @Override
  void detach() {
    pending.clear();
    replayEvents = 0;
    cancelKeepAlive();
  }

  @Override
  void refresh() {
    refreshWanted = true;
    flush();
  }

  /** Asks the backend, with Grip-Last, for what the client missed; the answer is delivered as usual. */
  @Override
  void missed(String channel, String lastId) {
    // An earlier gap on the channel that is still unsent covers more; keep it.
    gripLast.putIfAbsent(channel, lastId);
    refresh();
  }

  @Override
  void released() {
    cancelKeepAlive();
  }

  private void flush() {
    if (closed) {
      return;
    }
    flushEvenIfClosed();
  }

  private void flushEvenIfClosed() {
    // Content the backend declined is offered again only with something new, or on a refresh:
    // it declined it to wait for more.
    if (!inFlight) {
      relieve();
    }
    if (inFlight || detached || (pending.size() <= replayEvents && !refreshWanted)) {
      return;
    }
    replayEvents = 0;
    List<WebSocketEvent> events;
    if (route.targets().get(0).oneEvent() && !pending.isEmpty()) {
      events = List.of(pending.remove(0));
    } else {
      events = new ArrayList<>(pending);
      pending.clear();
    }
    refreshWanted = false;
    offered = events;
    relieve();
    Map<String, String> last = gripLast;
    gripLast = new LinkedHashMap<>();
    send(events, this::answered, last, 1);
  }

  private void send(List<WebSocketEvent> events, BiConsumer<ClientResponse, byte[]> onResponse) {
    send(events, onResponse, Map.of(), 1);
  }

  private void send(List<WebSocketEvent> events, BiConsumer<ClientResponse, byte[]> onResponse,
      Map<String, String> last, int attempt) {
    inFlight = true;
    cancelKeepAlive();
    HeaderMap headers = new HeaderMap();
    headers.putAll(replay);
    headers.put(Headers.CONTENT_TYPE, WebSocketEvents.CONTENT_TYPE);
    headers.put(Headers.ACCEPT, WebSocketEvents.CONTENT_TYPE);
    headers.put(CONNECTION_ID, id);
    if (!route.noGrip()) {
      headers.put(SEC_WEBSOCKET_EXTENSIONS, GripExtension.OFFER);
      String token = Signatures.forRoute(engine, route);
      if (token != null) {
        headers.put(GRIP_SIG, token);
      }
    }
    for (Map.Entry<String, String> m : meta.entrySet()) {
      headers.put(HttpString.tryFromString("Meta-" + m.getKey()), m.getValue());
    }
    if (replayBytes > 0) {
      headers.put(CONTENT_BYTES_REPLAYED, replayBytes);
    }
    BackendHeaders.gripLast(headers, route, last);
    if (!headers.contains(Headers.HOST)) {
      headers.put(Headers.HOST, handshake.getHostAndPort());
    }
    byte[] body = WebSocketEvents.encode(events);
    BackendCall.send(engine, thread, handshake.getConnection().getByteBufferPool(), route.targets(), "POST", path,
        headers, body, engine.config().limits().maxWebSocketMessageBytes(), new BackendCall.Callback() {
          @Override
          public void response(ClientResponse response, byte[] responseBody) {
            inFlight = false;
            onResponse.accept(response, responseBody);
          }

          @Override
          public void failed(String reason) {
            if (client == null) {
              inFlight = false;
              failHandshake("WebSocket OPEN to the backend failed: " + reason);
            } else if (!closed && attempt < MAX_TRIES) {
              // Once connected, a failed request is sent again after 1, 2, 4, 8 s (plus jitter),
              // staying in flight meanwhile so later events keep their order behind it.
              long delay = (1000L << (attempt - 1)) + ThreadLocalRandom.current().nextLong(1000);
              log.info("WebSocket {}: request to the backend failed ({}); try {} of {} in {} ms", id, reason,
                  attempt + 1, MAX_TRIES, delay);
              thread.executeAfter(() -> {
                if (!closed) {
                  send(events, onResponse, last, attempt + 1);
                } else {
                  inFlight = false;
                }
              }, delay, TimeUnit.MILLISECONDS);
            } else {
              inFlight = false;
              if (!closed) {
                backendError("request to the backend failed " + attempt + " times, last: " + reason);
              }
            }
          }
        });
  }

  private void answered(ClientResponse response, byte[] body) {
    if (closed) {
      return;
    }
    if (response.getResponseCode() != 200) {
      backendError("backend answered " + response.getResponseCode());
      return;
    }
    List<WebSocketEvent> events;
    try {
      events = WebSocketEvents.parse(body, engine.config().limits().maxWebSocketMessageBytes());
    } catch (WebSocketEventsException e) {
      backendError("backend sent malformed events: " + e.getMessage());
      return;
    }
    if (!accept(response.getResponseHeaders().getFirst("Content-Bytes-Accepted"))) {
      return;
    }
    applyResponseHeaders(response.getResponseHeaders());
    apply(events);
    flush();
    scheduleKeepAlive();
  }

  /**
   * Applies {@code Content-Bytes-Accepted}: the backend consumed only the first N bytes of the
   * message content it was offered (all of it when the header is absent). What it did not take
   * goes back to the front of the queue, to be offered again with Content-Bytes-Replayed. A
   * close is only passed on once all content before it was taken, and then must be taken whole.
   *
   * @return false if the answer was invalid and the client was closed
   */
  private boolean accept(String header) {
    List<WebSocketEvent> sent = offered;
    offered = List.of();
    long content = 0;
    long closeContent = 0;
    boolean hadClose = false;
    for (WebSocketEvent e : sent) {
      if (e.type() == WebSocketEvent.Type.CLOSE) {
        hadClose = true;
        closeContent += e.content().length;
      } else {
        content += e.content().length;
      }
    }
    long accepted = content + closeContent;
    if (header != null) {
      try {
        long n = Long.parseLong(header.trim());
        if (n >= 0) {
          accepted = n;
        }
      } catch (NumberFormatException e) {
        log.debug("WebSocket {}: ignoring Content-Bytes-Accepted '{}'", id, header);
      }
    }
    if (accepted > content + closeContent) {
      backendError("Content-Bytes-Accepted " + accepted + " is more than the " + (content + closeContent)
          + " bytes offered");
      return false;
    }
    long dataAccepted = Math.min(accepted, content);
    if (hadClose && dataAccepted == content && accepted < content + closeContent) {
      backendError("the backend took all content but not the close that followed it");
      return false;
    }
    List<WebSocketEvent> rest = new ArrayList<>();
    long toRemove = dataAccepted;
    WebSocketEvent close = null;
    for (WebSocketEvent e : sent) {
      if (e.type() == WebSocketEvent.Type.CLOSE) {
        close = e;
        continue;
      }
      int length = e.content().length;
      if (rest.isEmpty() && length <= toRemove) {
        toRemove -= length;
      } else if (rest.isEmpty() && toRemove > 0) {
        byte[] c = e.content();
        rest.add(WebSocketEvent.of(e.type(), java.util.Arrays.copyOfRange(c, (int) toRemove, c.length)));
        toRemove = 0;
      } else {
        rest.add(e);
      }
    }
    replayBytes = 0;
    for (WebSocketEvent e : rest) {
      replayBytes += e.content().length;
    }
    if (close != null && !rest.isEmpty()) {
      rest.add(close);
    }
    replayEvents = rest.size();
    pending.addAll(0, rest);
    return true;
  }

  private void applyResponseHeaders(HeaderMap headers) {
    for (HeaderValues values : headers) {
      String name = values.getHeaderName().toString();
      if (name.regionMatches(true, 0, "Set-Meta-", 0, 9) && name.length() > 9) {
        String key = name.substring(9);
        String value = values.getFirst();
        if (value == null || value.isEmpty()) {
          meta.remove(key);
        } else {
          meta.put(key, value);
        }
      }
    }
    String interval = headers.getFirst("Keep-Alive-Interval");
    if (interval != null) {
      try {
        long seconds = Long.parseLong(interval.trim());
        keepAliveSeconds = seconds <= 0 ? 0 : Math.max(MIN_KEEP_ALIVE_SECONDS, seconds);
      } catch (NumberFormatException e) {
        log.debug("WebSocket {}: ignoring Keep-Alive-Interval '{}'", id, interval);
      }
    }
  }

  private void apply(List<WebSocketEvent> events) {
    for (WebSocketEvent event : events) {
      if (closed) {
        return;
      }
      switch (event.type()) {
        case TEXT -> dataFromBackend(event.text(), null);
        case BINARY -> dataFromBackend(null, event.content());
        case PING -> sendPing(ByteBuffer.wrap(event.content()));
        case PONG -> sendPong(ByteBuffer.wrap(event.content()));
        case CLOSE -> closeClient(event.closeCode() < 0 ? 1000 : event.closeCode(), event.closeReason());
        case DISCONNECT, OPEN -> dropClient();
      }
    }
  }

  private void scheduleKeepAlive() {
    cancelKeepAlive();
    if (keepAliveSeconds > 0 && !closed && !detached) {
      keepAliveTimer = thread.executeAfter(() -> {
        keepAliveTimer = null;
        refresh();
      }, keepAliveSeconds, TimeUnit.SECONDS);
    }
  }

  private void cancelKeepAlive() {
    if (keepAliveTimer != null) {
      keepAliveTimer.remove();
      keepAliveTimer = null;
    }
  }
}
