package dev.p8.undertow.internal;

import dev.p8.internal.ws.GripExtension;
import dev.p8.route.Route;
import dev.p8.route.Target;
import dev.p8.websocket.WebSocketEvent;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.ClientExchange;
import io.undertow.client.ClientRequest;
import io.undertow.client.ClientResponse;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.SameThreadExecutor;
import io.undertow.websockets.client.WebSocket13ClientHandshake;
import io.undertow.websockets.core.BufferedBinaryMessage;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.CloseMessage;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;

/**
 * A client WebSocket proxied to a backend WebSocket (GRIP.md §5.1). P8 opens the backend
 * connection first, offering {@code Sec-WebSocket-Extensions: grip}; only when the backend
 * answers 101 does the client get its 101, and any other answer is relayed to the client as
 * the answer to its upgrade. A backend that accepts {@code grip} controls the connection with
 * {@code c:} messages, and its data messages carry the message prefix, which P8 strips;
 * otherwise messages pass through unchanged.
 *
 * <p>The backend connection is opened on the client's I/O thread, so both sockets are served
 * by one thread and nothing here needs locking.
 */
final class WebSocketProxy extends ClientWebSocket {

  private static final Logger log = LoggerFactory.getLogger(WebSocketProxy.class);
  private static final String ACCEPT_MAGIC = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final HttpString GRIP_SIG = HttpString.tryFromString("Grip-Sig");
  private static final HttpString SEC_WEBSOCKET_EXTENSIONS = HttpString.tryFromString("Sec-WebSocket-Extensions");
  private static final HttpString SEC_WEBSOCKET_ACCEPT = HttpString.tryFromString("Sec-WebSocket-Accept");
  private static final int MAX_REJECTION_BODY_BYTES = 100_000;

  private final String path;
  private int targetIndex;
  private WebSocketChannel backend;

  private WebSocketProxy(Engine engine, HttpServerExchange handshake, Route route) {
    super(engine, handshake, route);
    String query = handshake.getQueryString();
    String uri = route.rewritePath(handshake.getRequestURI());
    this.path = query == null || query.isEmpty() ? uri : uri + "?" + query;
  }

  static void start(Engine engine, HttpServerExchange exchange, Route route) {
    WebSocketProxy session = new WebSocketProxy(engine, exchange, route);
    exchange.dispatch(SameThreadExecutor.INSTANCE, session::connect);
  }

  private Target target() {
    return route.targets().get(targetIndex);
  }

  private void connect() {
    engine.backends().connectNew(thread, handshake.getConnection().getByteBufferPool(), target(),
        new BackendPool.Callback() {
          @Override
          public void connected(ClientConnection connection, boolean reused) {
            sendHandshake(connection);
          }

          @Override
          public void failed(IOException e) {
            if (targetIndex + 1 < route.targets().size()) {
              targetIndex++;
              connect();
              return;
            }
            StringBuilder tried = new StringBuilder();
            for (Target t : route.targets()) {
              tried.append(tried.length() == 0 ? "" : ", ").append(BackendPool.key(t));
            }
            failHandshake("Unable to connect to any targets. Tried: " + tried);
          }
        });
  }

  private void sendHandshake(ClientConnection connection) {
    URI uri = URI.create("ws://" + BackendPool.key(target()) + path);
    WebSocket13ClientHandshake protocol = new WebSocket13ClientHandshake(uri);
    ClientRequest request = new ClientRequest().setMethod(Methods.GET).setPath(path);
    HeaderMap headers = request.getRequestHeaders();
    for (HeaderValues values : handshake.getRequestHeaders()) {
      String name = values.getHeaderName().toString();
      String lower = name.toLowerCase(Locale.ROOT);
      boolean keep = lower.equals("sec-websocket-protocol")
          || (!WebSocketOverHttp.NOT_REPLAYED.contains(lower) && !HeaderRules.isGripName(name));
      if (keep) {
        headers.putAll(values.getHeaderName(), values);
      }
    }
    BackendHeaders.forWebSocket(engine, route, handshake, headers);
    Map<String, String> handshakeHeaders = protocol.createHeaders();
    for (Map.Entry<String, String> h : handshakeHeaders.entrySet()) {
      if (!h.getKey().equalsIgnoreCase("Origin") || !headers.contains(Headers.ORIGIN)) {
        headers.put(HttpString.tryFromString(h.getKey()), h.getValue());
      }
    }
    String key = handshakeHeaders.get(Headers.SEC_WEB_SOCKET_KEY_STRING);
    String hostOverride = target().hostHeader().orElse(route.asHost().orElse(null));
    headers.put(Headers.HOST, hostOverride != null ? hostOverride : handshake.getHostAndPort());
    if (!route.noGrip()) {
      headers.put(SEC_WEBSOCKET_EXTENSIONS, GripExtension.OFFER);
      String token = Signatures.forRoute(engine, route);
      if (token != null) {
        headers.put(GRIP_SIG, token);
      }
    }
    connection.sendRequest(request, new ClientCallback<ClientExchange>() {
      @Override
      public void completed(ClientExchange exchange) {
        exchange.setResponseListener(new ClientCallback<ClientExchange>() {
          @Override
          public void completed(ClientExchange result) {
            answered(result, protocol, uri, key);
          }

          @Override
          public void failed(IOException e) {
            IoUtils.safeClose(connection);
            failHandshake("WebSocket handshake with " + BackendPool.key(target()) + " failed: " + e.getMessage());
          }
        });
        Sinks.finish(exchange.getRequestChannel(), () -> { }, e -> {
          IoUtils.safeClose(connection);
          failHandshake("WebSocket handshake with " + BackendPool.key(target()) + " failed: " + e.getMessage());
        });
      }

      @Override
      public void failed(IOException e) {
        IoUtils.safeClose(connection);
        failHandshake("WebSocket handshake with " + BackendPool.key(target()) + " failed: " + e.getMessage());
      }
    });
  }

  private void answered(ClientExchange result, WebSocket13ClientHandshake protocol, URI uri, String key) {
    ClientResponse response = result.getResponse();
    ClientConnection connection = result.getConnection();
    if (response.getResponseCode() != 101) {
      BodyReader.read(result.getResponseChannel(), handshake.getConnection().getByteBufferPool(),
          MAX_REJECTION_BODY_BYTES, new BodyReader.Callback() {
            @Override
            public void done(byte[] body) {
              IoUtils.safeClose(connection);
              relayRejection(response.getResponseCode(), response.getResponseHeaders(), body);
            }

            @Override
            public void tooLarge(int limit) {
              IoUtils.safeClose(connection);
              failHandshake("Backend refused the WebSocket with a body over " + limit + " bytes");
            }

            @Override
            public void failed(IOException e) {
              IoUtils.safeClose(connection);
              failHandshake("Backend refused the WebSocket, and reading its answer failed: " + e.getMessage());
            }
          });
      return;
    }
    HeaderMap backendHeaders = response.getResponseHeaders();
    if (!expectedAccept(key).equals(backendHeaders.getFirst(SEC_WEBSOCKET_ACCEPT))) {
      IoUtils.safeClose(connection);
      failHandshake("Backend answered 101 with a wrong Sec-WebSocket-Accept");
      return;
    }
    StreamConnection upgraded;
    try {
      upgraded = connection.performUpgrade();
    } catch (IOException e) {
      IoUtils.safeClose(connection);
      failHandshake("Upgrading the backend connection failed: " + e.getMessage());
      return;
    }
    backend = protocol.createChannel(upgraded, uri.toString(), handshake.getConnection().getByteBufferPool(),
        OptionMap.EMPTY);
    if (!route.noGrip()) {
      messagePrefix = GripExtension.acceptedPrefix(backendHeaders.getFirst(SEC_WEBSOCKET_EXTENSIONS)).orElse(null);
    }
    backend.getReceiveSetter().set(new BackendReceiver());
    backend.addCloseTask(ch -> backendGone());
    acceptClient(backendHeaders, backend::resumeReceives);
  }

  private static String expectedAccept(String key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1")
          .digest((key + ACCEPT_MAGIC).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is not available in this JVM", e);
    }
  }

  /** Messages from the backend, after the client was accepted. */
  private final class BackendReceiver extends BoundedReceiver {

    @Override
    protected void onFullTextMessage(WebSocketChannel channel, BufferedTextMessage message) {
      dataFromBackend(message.getData(), null);
    }

    @Override
    protected void onFullBinaryMessage(WebSocketChannel channel, BufferedBinaryMessage message) {
      dataFromBackend(null, bytes(message));
    }

    @Override
    protected void onFullPingMessage(WebSocketChannel channel, BufferedBinaryMessage message) {
      if (!closed) {
        sendPing(ByteBuffer.wrap(bytes(message)));
      }
    }

    @Override
    protected void onFullPongMessage(WebSocketChannel channel, BufferedBinaryMessage message) {
      if (!closed) {
        sendPong(ByteBuffer.wrap(bytes(message)));
      }
    }

    @Override
    protected void onCloseMessage(CloseMessage message, WebSocketChannel channel) {
      if (!closed) {
        closeClient(message.getCode(), message.getReason());
      }
      IoUtils.safeClose(channel);
    }

    @Override
    protected void onError(WebSocketChannel channel, Throwable error) {
      IoUtils.safeClose(channel);
      if (!closed && !detached) {
        backendError("backend WebSocket failed: " + error.getMessage());
      }
    }
  }

  private void backendGone() {
    if (!closed && !detached) {
      log.debug("WebSocket {}: backend connection closed; closing the client", id);
      closeClient(1011, "backend went away");
    }
  }

  @Override
  void fromClient(WebSocketEvent event) {
    if (backend == null || !backend.isOpen()) {
      return;
    }
    switch (event.type()) {
      case TEXT -> WebSockets.sendText(event.text(), backend, null);
      case BINARY -> WebSockets.sendBinary(ByteBuffer.wrap(event.content()), backend, null);
      case PING -> WebSockets.sendPing(ByteBuffer.wrap(event.content()), backend, null);
      case PONG -> WebSockets.sendPong(ByteBuffer.wrap(event.content()), backend, null);
      case CLOSE -> WebSockets.sendClose(event.closeCode() < 0 ? 1000 : event.closeCode(), event.closeReason(),
          backend, null);
      case OPEN, DISCONNECT -> { }
    }
  }

  @Override
  void clientGone(boolean clean) {
    if (!clean && backend != null) {
      IoUtils.safeClose(backend);
    }
  }

  @Override
  void detach() {
    if (backend != null && backend.isOpen()) {
      WebSockets.sendClose(1000, "", backend, null);
    }
  }

  @Override
  void refresh() {
    log.debug("WebSocket {}: refresh applies to WebSocket-over-HTTP backends only; ignored", id);
  }

  /**
   * A backend WebSocket has no channel on which P8 could say "resend after this id": anything
   * P8 sent on it would reach the backend as a message from the client, which the backend
   * cannot tell from one the client forged. So the client is closed with 1013 (try again
   * later) instead of being left with a silent hole: it reconnects, and the backend brings it
   * up to date as part of the new session.
   */
  @Override
  void missed(String channel, String lastId) {
    log.info("WebSocket {}: closing: items after id {} on channel {} were missed, and a backend"
        + " WebSocket cannot be asked for them", id, lastId, channel);
    closeClient(1013, "missed messages; reconnect");
  }

  @Override
  void backendClosedByUs() {
    if (backend != null && backend.isOpen()) {
      WebSockets.sendClose(1000, "", backend, null);
    }
  }
}
