package dev.p8.undertow.internal;

import dev.p8.internal.hub.Subscriber;
import dev.p8.internal.ws.ControlMessage;
import dev.p8.internal.ws.ControlMessageException;
import dev.p8.internal.ws.ControlMessages;
import dev.p8.internal.ws.GripExtension;
import dev.p8.publish.Item;
import dev.p8.publish.WsMessageFormat;
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
import io.undertow.websockets.WebSocketConnectionCallback;
import io.undertow.websockets.WebSocketProtocolHandshakeHandler;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedBinaryMessage;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.CloseMessage;
import io.undertow.websockets.core.WebSocketCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import io.undertow.websockets.core.protocol.version13.Hybi13Handshake;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;

/**
 * A client WebSocket served by a backend over plain HTTP (Pushpin's WebSocket-over-HTTP,
 * GRIP.md §5.2). Every client event becomes part of a {@code POST} of
 * {@code application/websocket-events} to the backend; the events in each response go back to
 * the client, and with the GRIP extension, {@code c:} messages control subscriptions.
 *
 * <p><b>Order.</b> At most one request is outstanding per connection: events that arrive
 * meanwhile queue and go together in the next request, so the backend sees them in order.
 *
 * <p><b>States.</b> Opening (the OPEN request; a refusal is relayed to the client as an HTTP
 * response), open (client and backend exchange events), closed (client gone, backend told
 * with CLOSE or DISCONNECT, every subscription dropped). Everything runs on the client
 * connection's I/O thread.
 */
final class WebSocketOverHttp implements Subscriber {

  private static final Logger log = LoggerFactory.getLogger(WebSocketOverHttp.class);
  private static final HttpString CONNECTION_ID = HttpString.tryFromString("Connection-Id");
  private static final HttpString GRIP_SIG = HttpString.tryFromString("Grip-Sig");
  private static final HttpString SEC_WEBSOCKET_EXTENSIONS = HttpString.tryFromString("Sec-WebSocket-Extensions");
  private static final int MIN_KEEP_ALIVE_SECONDS = 20;
  private static final String VANISHED = io.undertow.websockets.core.WebSocketMessages.MESSAGES.messageCloseWebSocket();
  /** Request headers that describe the client's handshake or this hop, never replayed. */
  private static final Set<String> NOT_REPLAYED = Set.of("connection", "upgrade", "sec-websocket-key",
      "sec-websocket-version", "sec-websocket-extensions", "accept", "content-length", "content-type",
      "connection-id", "transfer-encoding", "keep-alive", "te", "trailer", "proxy-connection",
      "accept-encoding", "expect");
  /** Backend response headers that are not passed on in the client's 101. */
  private static final Set<String> NOT_RELAYED = Set.of("content-length", "content-type", "keep-alive-interval",
      "sec-websocket-extensions", "connection", "keep-alive", "transfer-encoding", "upgrade");

  private final Engine engine;
  private final HttpServerExchange handshake;
  private final Route route;
  private final XnioIoThread thread;
  private final String connectionId = UUID.randomUUID().toString();
  private final String path;
  private final HeaderMap replay = new HeaderMap();
  private final Map<String, String> meta = new LinkedHashMap<>();
  private final Set<String> channels = new LinkedHashSet<>();
  private final List<WebSocketEvent> pending = new ArrayList<>();
  private WebSocketChannel client;
  private String messagePrefix;
  private boolean inFlight;
  private boolean refreshWanted;
  private boolean detached;
  private boolean closed;
  private boolean cleanClose;
  private long keepAliveSeconds;
  private XnioExecutor.Key keepAliveTimer;
  private long outboundBytes;

  private WebSocketOverHttp(Engine engine, HttpServerExchange handshake, Route route) {
    this.engine = engine;
    this.handshake = handshake;
    this.route = route;
    this.thread = handshake.getIoThread();
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
  }

  static boolean isUpgrade(HttpServerExchange exchange) {
    String upgrade = exchange.getRequestHeaders().getFirst(Headers.UPGRADE);
    return upgrade != null && upgrade.equalsIgnoreCase("websocket");
  }

  static void start(Engine engine, HttpServerExchange exchange, Route route) {
    WebSocketOverHttp session = new WebSocketOverHttp(engine, exchange, route);
    exchange.dispatch(SameThreadExecutor.INSTANCE, session::open);
  }

  @Override
  public Executor executor() {
    return thread;
  }

  // Opening.

  private void open() {
    send(List.of(WebSocketEvent.open()), this::opened);
  }

  private void opened(ClientResponse response, byte[] body) {
    int status = response.getResponseCode();
    if (status != 200) {
      relayRejection(response, body);
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
    HeaderMap out = handshake.getResponseHeaders();
    for (HeaderValues values : backendHeaders) {
      String lower = values.getHeaderName().toString().toLowerCase(Locale.ROOT);
      if (!NOT_RELAYED.contains(lower) && !lower.startsWith("set-meta-") && !HeaderRules.isGripName(lower)) {
        out.putAll(values.getHeaderName(), values);
      }
    }
    String protocol = backendHeaders.getFirst(Headers.SEC_WEB_SOCKET_PROTOCOL);
    Set<String> protocols = protocol == null ? Set.of() : Set.of(protocol);
    List<WebSocketEvent> rest = events.isEmpty() ? List.of() : events.subList(1, events.size());
    WebSocketConnectionCallback callback = (exchange, channel) -> connected(channel, rest);
    WebSocketProtocolHandshakeHandler handler = new WebSocketProtocolHandshakeHandler(
        List.of(new Hybi13Handshake(protocols, false)), callback);
    try {
      handler.handleRequest(handshake);
    } catch (Exception e) {
      log.warn("WebSocket handshake with the client failed", e);
      IoUtils.safeClose(handshake.getConnection());
    }
  }

  private void relayRejection(ClientResponse response, byte[] body) {
    handshake.setStatusCode(response.getResponseCode());
    HeaderRules.copyResponseHeaders(response.getResponseHeaders(), handshake.getResponseHeaders());
    handshake.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
    handshake.getResponseSender().send(ByteBuffer.wrap(body));
  }

  private void failHandshake(String detail) {
    log.warn("{} {} via route {}: {}", handshake.getRequestMethod(), handshake.getRequestURI(), route, detail);
    Responses.text(handshake, 502, route.debug() || engine.config().debug() ? detail : "Error while proxying to origin.");
  }

  private void connected(WebSocketChannel channel, List<WebSocketEvent> firstEvents) {
    client = channel;
    engine.registerWebSocket(this);
    channel.getReceiveSetter().set(new Receiver());
    channel.addCloseTask(ch -> clientClosed());
    channel.resumeReceives();
    apply(firstEvents);
    scheduleKeepAlive();
  }

  // Client to backend.

  private final class Receiver extends AbstractReceiveListener {
    @Override
    protected long getMaxTextBufferSize() {
      return engine.config().limits().maxWebSocketMessageBytes();
    }

    @Override
    protected long getMaxBinaryBufferSize() {
      return engine.config().limits().maxWebSocketMessageBytes();
    }

    @Override
    protected void onFullTextMessage(WebSocketChannel channel, BufferedTextMessage message) {
      WebSocketEvent event = WebSocketEvent.text(message.getData());
      if (!tooBig(event.content().length)) {
        fromClient(event);
      }
    }

    @Override
    protected void onFullBinaryMessage(WebSocketChannel channel, BufferedBinaryMessage message) {
      ByteBuffer[] buffers = message.getData().getResource();
      int size = 0;
      for (ByteBuffer b : buffers) {
        size += b.remaining();
      }
      byte[] bytes = new byte[size];
      int at = 0;
      for (ByteBuffer b : buffers) {
        int n = b.remaining();
        b.get(bytes, at, n);
        at += n;
      }
      message.getData().free();
      if (!tooBig(bytes.length)) {
        fromClient(WebSocketEvent.binary(bytes));
      }
    }

    /**
     * Undertow checks the size of a single frame, but a message fragmented into several frames
     * passes its check; this bounds the whole message.
     */
    private boolean tooBig(int bytes) {
      int limit = engine.config().limits().maxWebSocketMessageBytes();
      if (bytes <= limit) {
        return false;
      }
      log.info("closing WebSocket {}: a {} byte message is over Limits.maxWebSocketMessageBytes ({})",
          connectionId, bytes, limit);
      closeClient(1009, "message too big");
      return true;
    }

    @Override
    protected void onCloseMessage(CloseMessage message, WebSocketChannel channel) {
      // Undertow also reports a peer that vanished as a close, with its own "peer went away"
      // reason; that one is a DISCONNECT, sent by clientClosed(), not a CLOSE.
      if (!closed && !VANISHED.equals(message.getReason())) {
        cleanClose = true;
        fromClient(WebSocketEvent.close(message.getCode(), message.getReason()));
      }
      super.onCloseMessage(message, channel);
    }

    @Override
    protected void onError(WebSocketChannel channel, Throwable error) {
      log.debug("client WebSocket error; closing", error);
      super.onError(channel, error);
    }
  }

  private void fromClient(WebSocketEvent event) {
    if (detached) {
      return;
    }
    pending.add(event);
    flush();
  }

  private void flush() {
    if (inFlight || detached || (pending.isEmpty() && !refreshWanted)) {
      return;
    }
    List<WebSocketEvent> events = new ArrayList<>(pending);
    pending.clear();
    refreshWanted = false;
    send(events, this::answered);
  }

  private void send(List<WebSocketEvent> events, java.util.function.BiConsumer<ClientResponse, byte[]> onResponse) {
    inFlight = true;
    cancelKeepAlive();
    HeaderMap headers = new HeaderMap();
    headers.putAll(replay);
    headers.put(Headers.CONTENT_TYPE, WebSocketEvents.CONTENT_TYPE);
    headers.put(Headers.ACCEPT, WebSocketEvents.CONTENT_TYPE);
    headers.put(CONNECTION_ID, connectionId);
    if (!route.noGrip()) {
      headers.put(SEC_WEBSOCKET_EXTENSIONS, GripExtension.OFFER);
      String token = route.sigKey().isPresent()
          ? SignatureCache.sign(route.sigIss().orElse(engine.config().sigIssuer()), Keys.decode(route.sigKey().get()))
          : engine.signatures().token();
      if (token != null) {
        headers.put(GRIP_SIG, token);
      }
    }
    for (Map.Entry<String, String> m : meta.entrySet()) {
      headers.put(HttpString.tryFromString("Meta-" + m.getKey()), m.getValue());
    }
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
            inFlight = false;
            if (client == null) {
              failHandshake("WebSocket OPEN to the backend failed: " + reason);
            } else {
              backendError("request to the backend failed: " + reason);
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
    applyResponseHeaders(response.getResponseHeaders());
    apply(events);
    flush();
    scheduleKeepAlive();
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
        log.debug("ignoring Keep-Alive-Interval '{}'", interval);
      }
    }
  }

  private void scheduleKeepAlive() {
    cancelKeepAlive();
    if (keepAliveSeconds > 0 && !closed && !detached) {
      keepAliveTimer = thread.executeAfter(() -> {
        keepAliveTimer = null;
        refreshWanted = true;
        flush();
      }, keepAliveSeconds, TimeUnit.SECONDS);
    }
  }

  private void cancelKeepAlive() {
    if (keepAliveTimer != null) {
      keepAliveTimer.remove();
      keepAliveTimer = null;
    }
  }

  private void backendError(String detail) {
    log.warn("WebSocket {} on {}: {}; closing the client", connectionId, route, detail);
    closeClient(1011, "backend error");
  }

  // Backend to client.

  private void apply(List<WebSocketEvent> events) {
    for (WebSocketEvent event : events) {
      if (closed) {
        return;
      }
      switch (event.type()) {
        case TEXT -> dataFromBackend(event.text(), null);
        case BINARY -> dataFromBackend(null, event.content());
        case PING -> WebSockets.sendPing(ByteBuffer.wrap(event.content()), client, null);
        case PONG -> WebSockets.sendPong(ByteBuffer.wrap(event.content()), client, null);
        case CLOSE -> closeClient(event.closeCode() < 0 ? 1000 : event.closeCode(), event.closeReason());
        case DISCONNECT, OPEN -> {
          closed = true;
          IoUtils.safeClose(client);
        }
      }
    }
  }

  private void dataFromBackend(String text, byte[] binary) {
    if (messagePrefix == null) {
      if (text != null) {
        sendText(text);
      } else {
        sendBinary(binary);
      }
      return;
    }
    if (text != null && text.startsWith(dev.p8.websocket.GripControl.PREFIX)) {
      control(text.substring(dev.p8.websocket.GripControl.PREFIX.length()));
      return;
    }
    if (text != null) {
      if (text.startsWith(messagePrefix)) {
        sendText(text.substring(messagePrefix.length()));
      } else {
        log.debug("dropping a backend message without the prefix '{}'", messagePrefix);
      }
      return;
    }
    byte[] prefix = messagePrefix.getBytes(StandardCharsets.UTF_8);
    if (startsWith(binary, prefix)) {
      sendBinary(java.util.Arrays.copyOfRange(binary, prefix.length, binary.length));
    } else {
      log.debug("dropping a backend binary message without the prefix '{}'", messagePrefix);
    }
  }

  private static boolean startsWith(byte[] data, byte[] prefix) {
    if (data.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (data[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private void control(String json) {
    ControlMessage message;
    try {
      message = ControlMessages.parse(json);
    } catch (ControlMessageException e) {
      backendError("malformed control message: " + e.getMessage());
      return;
    }
    String prefix = route.prefix().orElse("");
    if (message instanceof ControlMessage.Subscribe s) {
      String channel = prefix + s.channel();
      if (channels.contains(channel)) {
        return;
      }
      if (channels.size() >= engine.config().limits().maxChannelsPerConnection()) {
        log.warn("WebSocket {}: ignoring subscribe to {}: already on {} channels (Limits.maxChannelsPerConnection)",
            connectionId, channel, channels.size());
        return;
      }
      channels.add(channel);
      engine.hub().subscribe(channel, this);
    } else if (message instanceof ControlMessage.Unsubscribe u) {
      String channel = prefix + u.channel();
      if (channels.remove(channel)) {
        engine.hub().unsubscribe(channel, this);
      }
    } else if (message instanceof ControlMessage.Detach) {
      detached = true;
      pending.clear();
      cancelKeepAlive();
    } else if (message instanceof ControlMessage.SetMeta m) {
      if (m.value() == null) {
        meta.remove(m.name());
      } else {
        meta.put(m.name(), m.value());
      }
    } else if (message instanceof ControlMessage.Unknown u) {
      log.info("WebSocket {}: ignoring control message of unknown type '{}'", connectionId, u.type());
    } else {
      log.info("WebSocket {}: control message {} is not supported yet; ignored", connectionId,
          message.getClass().getSimpleName());
    }
  }

  @Override
  public void deliver(String channel, Item item) {
    if (closed || client == null) {
      return;
    }
    WsMessageFormat format = item.wsMessage().orElse(null);
    if (format == null) {
      return;
    }
    switch (format.action()) {
      case SEND -> {
        switch (format.type()) {
          case TEXT -> sendText(format.contentBuffer());
          case BINARY -> sendBinary(format.contentBuffer());
          case PING -> WebSockets.sendPing(format.contentBuffer(), client, null);
          case PONG -> WebSockets.sendPong(format.contentBuffer(), client, null);
        }
      }
      case CLOSE -> closeClient(format.closeCode().orElse(1000), format.closeReason().orElse(""));
      case REFRESH -> {
        refreshWanted = true;
        flush();
      }
      case HINT -> { }
    }
  }

  private void sendText(String text) {
    sendText(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
  }

  private void sendText(ByteBuffer data) {
    if (account(data.remaining())) {
      WebSockets.sendText(data, client, new Sent(data.remaining()));
    }
  }

  private void sendBinary(byte[] data) {
    sendBinary(ByteBuffer.wrap(data));
  }

  private void sendBinary(ByteBuffer data) {
    if (account(data.remaining())) {
      WebSockets.sendBinary(data, client, new Sent(data.remaining()));
    }
  }

  /** Counts bytes handed to the socket but not yet written; a client past the bound is closed. */
  private boolean account(int bytes) {
    outboundBytes += bytes;
    if (outboundBytes > engine.config().limits().maxStreamBufferBytes()) {
      log.warn("closing slow WebSocket client {}: {} bytes unsent, over Limits.maxStreamBufferBytes ({})",
          connectionId, outboundBytes, engine.config().limits().maxStreamBufferBytes());
      closeClient(1008, "too slow");
      return false;
    }
    return true;
  }

  private final class Sent implements WebSocketCallback<Void> {
    private final int bytes;

    Sent(int bytes) {
      this.bytes = bytes;
    }

    @Override
    public void complete(WebSocketChannel channel, Void context) {
      outboundBytes -= bytes;
    }

    @Override
    public void onError(WebSocketChannel channel, Void context, Throwable throwable) {
      outboundBytes -= bytes;
      IoUtils.safeClose(channel);
    }
  }

  private void closeClient(int code, String reason) {
    if (closed) {
      return;
    }
    closed = true;
    WebSockets.sendClose(code, reason, client, new WebSocketCallback<Void>() {
      @Override
      public void complete(WebSocketChannel channel, Void context) {
        IoUtils.safeClose(channel);
      }

      @Override
      public void onError(WebSocketChannel channel, Void context, Throwable throwable) {
        IoUtils.safeClose(channel);
      }
    });
    release();
  }

  /** The client connection closed, cleanly or not. */
  private void clientClosed() {
    if (!closed) {
      closed = true;
      if (!detached && client != null && !cleanClose) {
        // Gone without a close frame: tell the backend, best effort, as Pushpin does.
        sendDisconnect();
      }
    }
    release();
  }

  private void sendDisconnect() {
    pending.clear();
    if (!inFlight) {
      send(List.of(WebSocketEvent.disconnect()), (r, b) -> { });
    }
  }

  private void release() {
    cancelKeepAlive();
    for (String channel : channels) {
      engine.hub().unsubscribe(channel, this);
    }
    channels.clear();
    engine.unregisterWebSocket(this);
  }

  /** Closes the client at once (server stopping). */
  void abort() {
    if (thread != Thread.currentThread()) {
      thread.execute(this::abort);
      return;
    }
    if (client != null) {
      closeClient(1001, "server stopping");
    }
  }

  static void refuseDirectEvents(HttpServerExchange exchange) {
    Responses.text(exchange, 403, "Client not allowed to send WebSocket events directly.");
  }
}
