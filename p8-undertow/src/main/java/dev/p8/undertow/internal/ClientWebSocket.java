package dev.p8.undertow.internal;

import dev.p8.internal.filter.FilterChain;
import dev.p8.internal.filter.FilterContext;
import dev.p8.internal.filter.FilterException;
import dev.p8.internal.filter.Filters;
import dev.p8.internal.hub.Subscriber;
import dev.p8.internal.ws.ControlMessage;
import dev.p8.internal.ws.ControlMessageException;
import dev.p8.internal.ws.ControlMessages;
import dev.p8.publish.Item;
import dev.p8.publish.WsMessageFormat;
import dev.p8.route.Route;
import dev.p8.websocket.GripControl;
import dev.p8.websocket.WebSocketEvent;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.websockets.WebSocketConnectionCallback;
import io.undertow.websockets.WebSocketProtocolHandshakeHandler;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedBinaryMessage;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.CloseMessage;
import io.undertow.websockets.core.WebSocketCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSocketMessages;
import io.undertow.websockets.core.WebSockets;
import io.undertow.websockets.core.protocol.version13.Hybi13Handshake;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
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
 * The client side of a proxied WebSocket, whatever the backend speaks: the handshake with the
 * client, its messages and limits, GRIP control messages from the backend, subscriptions and
 * published {@code ws-message} items. Subclasses carry events to and from the backend, over
 * HTTP ({@link WebSocketOverHttp}) or over a WebSocket of its own ({@link WebSocketProxy}).
 *
 * <p>Everything runs on the client connection's I/O thread.
 */
abstract class ClientWebSocket implements Subscriber {

  private static final Logger log = LoggerFactory.getLogger(ClientWebSocket.class);
  /** Undertow reports a peer that vanished as a close with this reason. */
  private static final String VANISHED = WebSocketMessages.MESSAGES.messageCloseWebSocket();
  /** Backend handshake headers that are not passed on in the client's 101. */
  private static final Set<String> NOT_RELAYED = Set.of("content-length", "content-type", "keep-alive-interval",
      "sec-websocket-extensions", "sec-websocket-accept", "connection", "keep-alive", "transfer-encoding",
      "upgrade");

  final Engine engine;
  final HttpServerExchange handshake;
  final Route route;
  final XnioIoThread thread;
  final String id = UUID.randomUUID().toString();
  final Map<String, String> meta = new LinkedHashMap<>();
  private final Set<String> channels = new LinkedHashSet<>();
  /** Subscription filters of the channels that have any ({@code subscribe} with {@code filters}). */
  private final Map<String, FilterChain> filters = new HashMap<>();
  WebSocketChannel client;
  /** The prefix of data messages when the backend accepted the grip extension, else null. */
  String messagePrefix;
  boolean detached;
  boolean closed;
  private long outboundBytes;

  ClientWebSocket(Engine engine, HttpServerExchange handshake, Route route) {
    this.engine = engine;
    this.handshake = handshake;
    this.route = route;
    this.thread = handshake.getIoThread();
  }

  static boolean isUpgrade(HttpServerExchange exchange) {
    String upgrade = exchange.getRequestHeaders().getFirst(Headers.UPGRADE);
    return upgrade != null && upgrade.equalsIgnoreCase("websocket");
  }

  @Override
  public Executor executor() {
    return thread;
  }

  boolean debug() {
    return route.debug() || engine.config().debug();
  }

  /** Sends a client event toward the backend. */
  abstract void fromClient(WebSocketEvent event);

  /** The client is gone; {@code clean} when it sent a close frame. */
  abstract void clientGone(boolean clean);

  /** The backend asked to be detached. */
  abstract void detach();

  /** A publish asked for a request to the backend now (WebSocket-over-HTTP only). */
  abstract void refresh();

  /**
   * Items on the channel were missed: after the item with {@code lastId}, one arrived that does
   * not follow it, and the gap was not filled within {@code message_wait}.
   *
   * @param channel the channel, with the route prefix
   * @param lastId  the id of the last item the client got in order
   */
  abstract void missed(String channel, String lastId);

  // The handshake.

  /** Answers the client's upgrade with 101 and the backend's headers, then starts the session. */
  void acceptClient(HeaderMap backendHeaders, Runnable whenOpen) {
    HeaderMap out = handshake.getResponseHeaders();
    for (HeaderValues values : backendHeaders) {
      String lower = values.getHeaderName().toString().toLowerCase(Locale.ROOT);
      if (!NOT_RELAYED.contains(lower) && !lower.startsWith("set-meta-") && !HeaderRules.isGripName(lower)
          && !lower.equals("sec-websocket-protocol")) {
        out.putAll(values.getHeaderName(), values);
      }
    }
    String protocol = backendHeaders.getFirst(Headers.SEC_WEB_SOCKET_PROTOCOL);
    Set<String> protocols = protocol == null ? Set.of() : Set.of(protocol);
    WebSocketConnectionCallback callback = (exchange, channel) -> {
      client = channel;
      engine.registerWebSocket(this);
      channel.getReceiveSetter().set(new Receiver());
      channel.addCloseTask(ch -> clientClosed());
      channel.resumeReceives();
      whenOpen.run();
    };
    try {
      new WebSocketProtocolHandshakeHandler(List.of(new Hybi13Handshake(protocols, false)), callback)
          .handleRequest(handshake);
    } catch (Exception e) {
      log.warn("WebSocket handshake with the client failed", e);
      IoUtils.safeClose(handshake.getConnection());
    }
  }

  /** The backend refused the connection: its answer becomes the answer to the client's upgrade. */
  void relayRejection(int status, HeaderMap headers, byte[] body) {
    handshake.setStatusCode(status);
    HeaderRules.copyResponseHeaders(headers, handshake.getResponseHeaders());
    handshake.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
    handshake.getResponseSender().send(ByteBuffer.wrap(body));
  }

  void failHandshake(String detail) {
    log.warn("{} {} via route {}: {}", handshake.getRequestMethod(), handshake.getRequestURI(), route, detail);
    Responses.text(handshake, 502, debug() ? detail : "Error while proxying to origin.");
  }

  // From the client.

  /** Receives with Undertow's per-frame bound set to the message limit. */
  abstract class BoundedReceiver extends AbstractReceiveListener {
    @Override
    protected long getMaxTextBufferSize() {
      return engine.config().limits().maxWebSocketMessageBytes();
    }

    @Override
    protected long getMaxBinaryBufferSize() {
      return engine.config().limits().maxWebSocketMessageBytes();
    }
  }

  private final class Receiver extends BoundedReceiver {

    @Override
    protected void onFullTextMessage(WebSocketChannel channel, BufferedTextMessage message) {
      WebSocketEvent event = WebSocketEvent.text(message.getData());
      if (!tooBig(event.content().length) && !detached) {
        fromClient(event);
      }
    }

    @Override
    protected void onFullBinaryMessage(WebSocketChannel channel, BufferedBinaryMessage message) {
      byte[] bytes = bytes(message);
      if (!tooBig(bytes.length) && !detached) {
        fromClient(WebSocketEvent.binary(bytes));
      }
    }

    @Override
    protected void onFullPongMessage(WebSocketChannel channel, BufferedBinaryMessage message) {
      byte[] bytes = bytes(message);
      if (!detached) {
        fromClient(WebSocketEvent.pong(bytes));
      }
    }

    @Override
    protected void onCloseMessage(CloseMessage message, WebSocketChannel channel) {
      // Undertow also reports a peer that vanished as a close, with its own reason; that one
      // is a disconnect, not a close the client asked for.
      if (!closed && !VANISHED.equals(message.getReason())) {
        cleanClose = true;
        if (!detached) {
          fromClient(WebSocketEvent.close(message.getCode(), message.getReason()));
        }
      }
      super.onCloseMessage(message, channel);
    }

    @Override
    protected void onError(WebSocketChannel channel, Throwable error) {
      log.debug("client WebSocket {} failed; closing it", id, error);
      super.onError(channel, error);
    }

    /**
     * Undertow checks single frames against the limit, but a message fragmented into several
     * frames passes its check; this bounds the whole message.
     */
    private boolean tooBig(int bytes) {
      int limit = engine.config().limits().maxWebSocketMessageBytes();
      if (bytes <= limit) {
        return false;
      }
      log.info("closing WebSocket {}: a {} byte message is over Limits.maxWebSocketMessageBytes ({})",
          id, bytes, limit);
      closeClient(1009, "message too big");
      return true;
    }
  }

  private boolean cleanClose;

  static byte[] bytes(BufferedBinaryMessage message) {
    ByteBuffer[] buffers = message.getData().getResource();
    try {
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
      return bytes;
    } finally {
      message.getData().free();
    }
  }

  private void clientClosed() {
    boolean wasClosed = closed;
    closed = true;
    if (!wasClosed && !detached) {
      clientGone(cleanClose);
    }
    release();
  }

  // From the backend.

  /** A data message from the backend: a control message, a prefixed message, or plain data. */
  void dataFromBackend(String text, byte[] binary) {
    if (closed || client == null) {
      return;
    }
    if (messagePrefix == null) {
      if (text != null) {
        sendText(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
      } else {
        sendBinary(ByteBuffer.wrap(binary));
      }
      return;
    }
    if (text != null && text.startsWith(GripControl.PREFIX)) {
      control(text.substring(GripControl.PREFIX.length()));
      return;
    }
    byte[] data = text != null ? text.getBytes(StandardCharsets.UTF_8) : binary;
    byte[] prefix = messagePrefix.getBytes(StandardCharsets.UTF_8);
    if (!startsWith(data, prefix)) {
      log.debug("WebSocket {}: dropping a backend message without the prefix '{}'", id, messagePrefix);
      return;
    }
    ByteBuffer payload = ByteBuffer.wrap(Arrays.copyOfRange(data, prefix.length, data.length));
    if (text != null) {
      sendText(payload);
    } else {
      sendBinary(payload);
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
      if (e.closesConnection()) {
        backendError("control message refused: " + e.getMessage());
      } else {
        // Pushpin ignores a control message it cannot read and keeps the session: so do we.
        log.warn("WebSocket {} on {}: ignoring malformed control message: {}", id, route, e.getMessage());
      }
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
            id, channel, channels.size());
        return;
      }
      channels.add(channel);
      if (!s.filters().isEmpty()) {
        // Pushpin 1.x ignores filter names it does not know; so do we, with a log line.
        filters.put(channel, Filters.compile(s.filters(), unknown ->
            log.warn("WebSocket {}: ignoring unknown filter {} on channel {}", id, unknown, channel)));
      }
      engine.hub().subscribe(channel, this);
    } else if (message instanceof ControlMessage.Unsubscribe u) {
      String channel = prefix + u.channel();
      if (channels.remove(channel)) {
        filters.remove(channel);
        forgetSequence(channel);
        engine.hub().unsubscribe(channel, this);
      }
    } else if (message instanceof ControlMessage.Detach) {
      detached = true;
      detach();
    } else if (message instanceof ControlMessage.SetMeta m) {
      if (m.value() == null) {
        meta.remove(m.name());
      } else {
        meta.put(m.name(), m.value());
      }
    } else if (message instanceof ControlMessage.KeepAlive k) {
      keepAlive(k);
    } else if (message instanceof ControlMessage.SendDelayed d) {
      cancelDelayed();
      delayed = d;
      delayedTimer = thread.executeAfter(this::flushDelayed, d.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } else if (message instanceof ControlMessage.FlushDelayed) {
      flushDelayed();
    } else if (message instanceof ControlMessage.Unknown u) {
      log.info("WebSocket {}: ignoring control message of unknown type '{}'", id, u.type());
    }
  }

  // Keep-alives and delayed messages, both on the client's I/O thread.

  private ControlMessage.KeepAlive keepAlive;
  private XnioExecutor.Key keepAliveTimer;
  private long lastSentNanos = System.nanoTime();
  private ControlMessage.SendDelayed delayed;
  private XnioExecutor.Key delayedTimer;

  private void keepAlive(ControlMessage.KeepAlive k) {
    cancelKeepAliveTimer();
    keepAlive = k.content() == null ? null : k;
    if (keepAlive != null) {
      armKeepAlive(k.timeout().toNanos());
    }
  }

  private void armKeepAlive(long delayNanos) {
    keepAliveTimer = thread.executeAfter(this::keepAliveDue, Math.max(1, delayNanos), TimeUnit.NANOSECONDS);
  }

  /** In idle mode only an idle period sends; the timer re-arms for the rest instead of resetting per message. */
  private void keepAliveDue() {
    keepAliveTimer = null;
    if (closed || keepAlive == null) {
      return;
    }
    long period = keepAlive.timeout().toNanos();
    long idle = System.nanoTime() - lastSentNanos;
    if (!keepAlive.interval() && idle < period) {
      armKeepAlive(period - idle);
      return;
    }
    send(keepAlive.messageType(), keepAlive.content());
    armKeepAlive(period);
  }

  private void cancelKeepAliveTimer() {
    if (keepAliveTimer != null) {
      keepAliveTimer.remove();
      keepAliveTimer = null;
    }
  }

  private void flushDelayed() {
    ControlMessage.SendDelayed d = delayed;
    cancelDelayed();
    if (d != null && !closed) {
      send(d.messageType(), d.content());
    }
  }

  private void cancelDelayed() {
    delayed = null;
    if (delayedTimer != null) {
      delayedTimer.remove();
      delayedTimer = null;
    }
  }

  private void send(ControlMessage.MessageType type, byte[] content) {
    ByteBuffer data = ByteBuffer.wrap(content);
    switch (type) {
      case TEXT -> sendText(data);
      case BINARY -> sendBinary(data);
      case PING -> sendPing(data);
      case PONG -> sendPong(data);
    }
  }

  // Reliable delivery: per channel, the id of the last item this client got, and an open gap.

  /** Items missing between {@code from} and {@code missing} (the prev-id of the item that came). */
  private record Gap(String from, String missing, XnioExecutor.Key timer) { }

  private Map<String, String> lastIds;
  private Map<String, Gap> gaps;

  /**
   * Tracks the channel's ids. An item whose prev-id is not the last id opens a gap (one per
   * channel at a time); if the item that ends the gap does not come within message_wait, the
   * backend is told ({@link #missed}). Items are delivered as they come either way: a late
   * predecessor still reaches the client, after its successor.
   */
  private void sequence(String channel, Item item) {
    String id = item.id().orElse(null);
    Gap gap = gaps == null ? null : gaps.get(channel);
    if (gap != null && id != null && id.equals(gap.missing())) {
      gap.timer().remove();
      gaps.remove(channel);
      return;
    }
    if (lastIds == null) {
      lastIds = new HashMap<>();
    }
    String last = lastIds.get(channel);
    String prev = item.prevId().orElse(null);
    if (gap == null && last != null && prev != null && !prev.equals(last)) {
      if (gaps == null) {
        gaps = new HashMap<>();
      }
      XnioExecutor.Key timer = thread.executeAfter(() -> gapTimedOut(channel),
          engine.config().messageWait().toMillis(), TimeUnit.MILLISECONDS);
      gaps.put(channel, new Gap(last, prev, timer));
    }
    if (id != null) {
      lastIds.put(channel, id);
    } else {
      lastIds.remove(channel);
    }
  }

  private void gapTimedOut(String channel) {
    Gap gap = gaps == null ? null : gaps.remove(channel);
    if (gap == null || closed) {
      return;
    }
    log.debug("WebSocket {}: items after id {} on channel {} did not arrive within message_wait",
        id, gap.from(), channel);
    engine.webSocketGap();
    missed(channel, gap.from());
  }

  private void forgetSequence(String channel) {
    if (lastIds != null) {
      lastIds.remove(channel);
    }
    Gap gap = gaps == null ? null : gaps.remove(channel);
    if (gap != null) {
      gap.timer().remove();
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
    if (item.id().isPresent() || item.prevId().isPresent()) {
      sequence(channel, item);
    }
    switch (format.action()) {
      case SEND -> {
        ByteBuffer content = format.contentBuffer();
        FilterChain chain = filters.isEmpty() ? null : filters.get(channel);
        if (!FilterChain.contentFiltersMatch(chain, format.contentFilters())) {
          return;
        }
        if (chain != null) {
          Map<String, String> subscribed = new HashMap<>();
          channels.forEach(c -> subscribed.put(c, null));
          FilterContext context = new FilterContext(meta, item.meta(), subscribed);
          if (!chain.sendAllowed(context)) {
            return;
          }
          try {
            content = ByteBuffer.wrap(chain.transform(context, format.content()));
          } catch (FilterException e) {
            log.warn("WebSocket {}: closing: a filter on {} failed: {}", id, channel, e.getMessage());
            closeClient(1011, "filter error");
            return;
          }
        }
        switch (format.type()) {
          case TEXT -> sendText(content);
          case BINARY -> sendBinary(content);
          case PING -> WebSockets.sendPing(format.contentBuffer(), client, null);
          case PONG -> WebSockets.sendPong(format.contentBuffer(), client, null);
        }
      }
      case CLOSE -> closeClient(format.closeCode().orElse(1000), format.closeReason().orElse(""));
      case REFRESH -> refresh();
      case HINT -> { }
    }
  }

  void sendText(ByteBuffer data) {
    lastSentNanos = System.nanoTime();
    if (account(data.remaining())) {
      WebSockets.sendText(data, client, new Sent(data.remaining()));
    }
  }

  void sendBinary(ByteBuffer data) {
    lastSentNanos = System.nanoTime();
    if (account(data.remaining())) {
      WebSockets.sendBinary(data, client, new Sent(data.remaining()));
    }
  }

  void sendPing(ByteBuffer data) {
    WebSockets.sendPing(data, client, null);
  }

  void sendPong(ByteBuffer data) {
    WebSockets.sendPong(data, client, null);
  }

  /** Counts bytes handed to the socket but not yet written; a client past the bound is closed. */
  private boolean account(int bytes) {
    outboundBytes += bytes;
    if (outboundBytes > engine.config().limits().maxStreamBufferBytes()) {
      log.warn("closing slow WebSocket client {}: {} bytes unsent, over Limits.maxStreamBufferBytes ({})",
          id, outboundBytes, engine.config().limits().maxStreamBufferBytes());
      engine.slowClientClosed();
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

  void backendError(String detail) {
    log.warn("WebSocket {} on {}: {}; closing the client", id, route, detail);
    closeClient(1011, debug() ? truncate(detail) : "backend error");
  }

  /** Close reasons must fit a control frame: 123 bytes. */
  private static String truncate(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return b.length <= 123 ? s : new String(b, 0, 120, StandardCharsets.UTF_8) + "...";
  }

  void closeClient(int code, String reason) {
    if (closed) {
      return;
    }
    closed = true;
    if (client == null) {
      release();
      return;
    }
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
    backendClosedByUs();
    release();
  }

  /** The session ends from our side or the backend's; subclasses drop their backend connection. */
  void backendClosedByUs() {
  }

  /** Drops the client at once, without a close frame. */
  void dropClient() {
    closed = true;
    IoUtils.safeClose(client);
    backendClosedByUs();
    release();
  }

  void release() {
    cancelKeepAliveTimer();
    cancelDelayed();
    keepAlive = null;
    for (String channel : channels) {
      engine.hub().unsubscribe(channel, this);
      forgetSequence(channel);
    }
    channels.clear();
    engine.unregisterWebSocket(this);
    released();
  }

  /** Hook for subclasses to stop timers; runs once the session is released. */
  void released() {
  }

  /** Closes the client (server stopping). */
  void abort() {
    if (thread != Thread.currentThread()) {
      thread.execute(this::abort);
      return;
    }
    if (client != null) {
      closeClient(1001, "server stopping");
    }
  }
}
