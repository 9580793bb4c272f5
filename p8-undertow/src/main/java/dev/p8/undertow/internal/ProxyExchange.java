package dev.p8.undertow.internal;

import dev.p8.grip.GripInstruction;
import dev.p8.grip.GripInstructionException;
import dev.p8.grip.HoldMode;
import dev.p8.grip.InstructResponse;
import dev.p8.grip.ChannelSubscription;
import dev.p8.internal.filter.FilterChain;
import dev.p8.internal.filter.FilterContext;
import dev.p8.internal.filter.Filters;
import dev.p8.internal.hold.Hold;
import dev.p8.internal.hold.ResponseHold;
import dev.p8.internal.hold.StreamHold;
import dev.p8.publish.Header;
import dev.p8.route.Route;
import dev.p8.route.Target;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.ClientExchange;
import io.undertow.client.ClientRequest;
import io.undertow.client.ClientResponse;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.StatusCodes;
import io.undertow.util.Transfer;
import io.undertow.connector.ByteBufferPool;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelExceptionHandler;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;

/**
 * One client request on its way through the proxy: connect to a target (failing over in
 * order), send the request with its body streamed, then either relay the response as it
 * streams, or, when it carries GRIP instructions, read it (up to a limit) and hold the client.
 *
 * <p>Everything runs on the client exchange's I/O thread: the backend connection is opened on
 * that same thread, so its callbacks arrive there too and no state here needs locking.
 */
final class ProxyExchange {

  private static final Logger log = LoggerFactory.getLogger(ProxyExchange.class);
  private static final String ORIGIN_ERROR = "Error while proxying to origin.";

  private final Engine engine;
  private final HttpServerExchange exchange;
  private final Route route;
  private final boolean debug;
  private final boolean trusted;
  private final boolean cors;
  // Recovery: the Grip-Last ids this attempt sends, and how many retries came before it.
  private final Map<String, String> lastIds;
  private final int retries;
  private final boolean replayable;
  private int targetIndex;
  private Target target;
  private ClientConnection connection;
  private boolean reused;
  private boolean retried;
  private boolean bodyStarted;
  private boolean requestDone;
  private boolean responded;
  private XnioExecutor.Key timeout;
  private Jsonp jsonp;
  private CountingSource requestBody;

  ProxyExchange(Engine engine, HttpServerExchange exchange, Route route) {
    // A request body is streamed to the backend and not kept, so only a request without one
    // can be sent again for recovery.
    this(engine, exchange, route, Map.of(), 0, exchange.isRequestComplete());
  }

  private ProxyExchange(Engine engine, HttpServerExchange exchange, Route route,
      Map<String, String> lastIds, int retries, boolean replayable) {
    this.engine = engine;
    this.exchange = exchange;
    this.route = route;
    this.lastIds = lastIds;
    this.retries = retries;
    this.replayable = replayable;
    this.debug = route.debug() || engine.config().debug();
    this.trusted = BackendHeaders.trustedClient(engine.config().forwarding(), exchange.getRequestHeaders());
    this.cors = route.aco() || engine.config().autoCrossOrigin();
  }

  void start() {
    if (cors) {
      try {
        jsonp = Jsonp.parse(route, exchange.getRequestMethod().toString(), exchange.getQueryString());
      } catch (Jsonp.BadRequest e) {
        responded = true;
        Responses.text(exchange, 400, e.getMessage());
        return;
      }
      if (jsonp != null && !route.targets().get(0).isTest()) {
        sendJsonp();
        return;
      }
      jsonp = null;
    }
    long millis = engine.config().backendTimeout().toMillis();
    timeout = exchange.getIoThread().executeAfter(this::timedOut, millis, TimeUnit.MILLISECONDS);
    connect(true);
  }

  private void connect(boolean mayReuse) {
    target = route.targets().get(targetIndex);
    if (target.isTest()) {
      cancelTimeout();
      responded = true;
      TestTarget.handle(exchange, engine, route);
      return;
    }
    BackendPool.Callback callback = new BackendPool.Callback() {
      @Override
      public void connected(ClientConnection c, boolean wasReused) {
        if (responded) {
          IoUtils.safeClose(c);
          return;
        }
        connection = c;
        reused = wasReused;
        send();
      }

      @Override
      public void failed(IOException e) {
        connectFailed(e);
      }
    };
    if (mayReuse) {
      engine.backends().acquire(exchange.getIoThread(), exchange.getConnection().getByteBufferPool(), target, callback);
    } else {
      engine.backends().connectNew(exchange.getIoThread(), exchange.getConnection().getByteBufferPool(), target, callback);
    }
  }

  private void connectFailed(IOException e) {
    if (responded) {
      return;
    }
    log.debug("connecting to {} failed", BackendPool.key(target), e);
    if (targetIndex + 1 < route.targets().size()) {
      targetIndex++;
      connect(true);
      return;
    }
    StringBuilder tried = new StringBuilder();
    for (Target t : route.targets()) {
      tried.append(tried.length() == 0 ? "" : ", ").append(BackendPool.key(t));
    }
    fail("Unable to connect to any targets. Tried: " + tried);
  }

  private void send() {
    ClientRequest request = new ClientRequest()
        .setMethod(exchange.getRequestMethod())
        .setPath(backendPath());
    HeaderMap headers = request.getRequestHeaders();
    forwardedHeaders(headers);
    BackendHeaders.gripLast(headers, route, lastIds);
    hostHeader(headers);
    boolean hasBody = !exchange.isRequestComplete();
    if (hasBody && !headers.contains(Headers.CONTENT_LENGTH)) {
      headers.put(Headers.TRANSFER_ENCODING, Headers.CHUNKED.toString());
    }
    if (hasBody && requestBody == null) {
      exchange.addRequestWrapper((factory, ex) -> requestBody = new CountingSource(factory.create()));
    }
    ClientConnection c = connection;
    c.sendRequest(request, new ClientCallback<ClientExchange>() {
      @Override
      public void completed(ClientExchange result) {
        result.setResponseListener(new ClientCallback<ClientExchange>() {
          @Override
          public void completed(ClientExchange r) {
            responseReceived(r);
          }

          @Override
          public void failed(IOException e) {
            backendFailed(c, e);
          }
        });
        if (hasBody) {
          bodyStarted = true;
          ChannelExceptionHandler<StreamSourceChannel> readFailed = (ch, e) -> clientGone(c, e);
          ChannelExceptionHandler<StreamSinkChannel> writeFailed = (ch, e) -> backendFailed(c, e);
          Transfer.initiateTransfer(exchange.getRequestChannel(), result.getRequestChannel(),
              ChannelListeners.closingChannelListener(), ProxyExchange.this::finishRequest,
              readFailed, writeFailed, exchange.getConnection().getByteBufferPool());
        } else {
          finishRequest(result.getRequestChannel());
        }
      }

      @Override
      public void failed(IOException e) {
        backendFailed(c, e);
      }
    });
  }


  /**
   * A JSON-P request is small and its answer is wrapped whole, so it goes as one call with the
   * body in memory and the answer read up to {@code Limits.maxInstructBodyBytes}.
   */
  private void sendJsonp() {
    HeaderMap headers = new HeaderMap();
    forwardedHeaders(headers);
    headers.put(Headers.ACCEPT, "*/*");
    for (Header h : jsonp.headers()) {
      // The client may describe its request, but not speak GRIP nor undo the route's rules.
      boolean routeSets = route.headers().stream().anyMatch(r -> r.nameIs(h.name()));
      if (!HeaderRules.isGripName(h.name()) && !routeSets) {
        headers.put(HttpString.tryFromString(h.name()), h.value());
      }
    }
    target = route.targets().get(0);
    hostHeader(headers);
    String path = jsonp.path(route.rewritePath(pathOnly()));
    BackendCall.send(engine, exchange.getIoThread(), exchange.getConnection().getByteBufferPool(), route.targets(),
        jsonp.method(), path, headers, jsonp.body(), engine.config().limits().maxInstructBodyBytes(),
        new BackendCall.Callback() {
          @Override
          public void response(ClientResponse response, byte[] body) {
            if (responded) {
              return;
            }
            if (!route.noGrip() && !trusted && HeaderRules.isInstruct(response.getResponseHeaders())) {
              instruct(response, body);
              return;
            }
            responded = true;
            List<Header> kept = HeaderRules.heldResponseHeaders(response.getResponseHeaders(), List.of());
            int code = response.getResponseCode();
            String reason = response.getStatus() == null || response.getStatus().isEmpty()
                ? StatusCodes.getReason(code) : response.getStatus();
            HeldExchange.sendWhole(exchange, 200, "OK", Jsonp.wrappedHeaders(kept),
                ByteBuffer.wrap(jsonp.wrapRelayed(code, reason, kept, body)));
          }

          @Override
          public void failed(String reason) {
            fail(reason);
          }
        });
  }

  private String pathOnly() {
    String uri = exchange.getRequestURI();
    if (exchange.isHostIncludedInRequestURI()) {
      int scheme = uri.indexOf("://");
      int slash = scheme < 0 ? -1 : uri.indexOf('/', scheme + 3);
      uri = slash < 0 ? "/" : uri.substring(slash);
    }
    return uri;
  }

  /** What every request to the backend carries: forwarding headers, Grip-Sig, route headers. */
  private void forwardedHeaders(HeaderMap headers) {
    boolean gripEnabled = !route.noGrip();
    String token = gripEnabled && !trusted ? Signatures.forRoute(engine, route) : null;
    boolean tls = BackendHeaders.isTls(exchange, engine.config().forwarding());
    BackendHeaders.apply(engine, route, exchange, headers, gripEnabled, trusted, tls, false, token);
  }

  /** The target's or route's host unless a route header sets Host, else the client's. */
  private void hostHeader(HeaderMap headers) {
    String hostOverride = target.hostHeader().orElse(route.asHost().orElse(null));
    if (hostOverride != null && route.headers().stream().noneMatch(h -> h.nameIs("Host"))) {
      headers.put(Headers.HOST, hostOverride);
    } else if (!headers.contains(Headers.HOST)) {
      headers.put(Headers.HOST, exchange.getHostAndPort());
    }
  }

  private String backendPath() {
    String uri = route.rewritePath(pathOnly());
    String query = exchange.getQueryString();
    return query == null || query.isEmpty() ? uri : uri + "?" + query;
  }

  private void finishRequest(StreamSinkChannel channel) {
    Sinks.finish(channel, () -> requestDone = true, e -> backendFailed(connection, e));
  }

  private void backendFailed(ClientConnection c, IOException e) {
    IoUtils.safeClose(c);
    if (responded) {
      return;
    }
    if (reused && !retried && !bodyStarted) {
      // A pooled connection the backend had already closed: one fresh try is safe, since
      // nothing of the request body was consumed.
      retried = true;
      log.debug("pooled connection to {} failed, retrying on a new one", BackendPool.key(target), e);
      connect(false);
      return;
    }
    fail("Error communicating with " + BackendPool.key(target) + ": " + e.getMessage());
  }

  private void clientGone(ClientConnection c, IOException e) {
    log.debug("client went away while sending its request body", e);
    responded = true;
    cancelTimeout();
    IoUtils.safeClose(c);
    IoUtils.safeClose(exchange.getConnection());
  }

  private void timedOut() {
    timeout = null;
    if (responded) {
      return;
    }
    IoUtils.safeClose(connection);
    fail("Timed out waiting for " + BackendPool.key(target) + " after "
        + engine.config().backendTimeout().toMillis() + " ms");
  }

  private void cancelTimeout() {
    if (timeout != null) {
      timeout.remove();
      timeout = null;
    }
  }

  private void fail(String detail) {
    if (responded) {
      return;
    }
    responded = true;
    cancelTimeout();
    log.warn("{} {} via route {}: {}", exchange.getRequestMethod(), exchange.getRequestURI(), route, detail);
    Responses.text(exchange, 502, debug ? detail : ORIGIN_ERROR);
  }

  private void responseReceived(ClientExchange result) {
    if (responded) {
      IoUtils.safeClose(result.getConnection());
      return;
    }
    cancelTimeout();
    ClientResponse response = result.getResponse();
    // A trusted upstream proxy acts on the instructions itself; P8 passes them through.
    if (!route.noGrip() && !trusted && HeaderRules.isInstruct(response.getResponseHeaders())) {
      ClientConnection c = result.getConnection();
      if (tooLargeToHold()) {
        IoUtils.safeClose(c);
        responded = true;
        Responses.text(exchange, 400, "Request too large to accept GRIP instruct.");
        return;
      }
      BodyReader.read(result.getResponseChannel(), exchange.getConnection().getByteBufferPool(),
          engine.config().limits().maxInstructBodyBytes(), new BodyReader.Callback() {
            @Override
            public void done(byte[] body) {
              releaseConnection(c);
              instruct(response, body);
            }

            @Override
            public void tooLarge(int limit) {
              IoUtils.safeClose(c);
              fail("GRIP instruct response too large from " + BackendPool.key(target)
                  + " (over " + limit + " bytes; see Limits.maxInstructBodyBytes)");
            }

            @Override
            public void failed(IOException e) {
              backendFailed(c, e);
            }
          });
      return;
    }
    relay(result, response);
  }

  /** As Pushpin, which keeps no more of a request than its limit for retries of a hold. */
  private boolean tooLargeToHold() {
    long limit = engine.config().limits().maxHeldRequestBodyBytes();
    return exchange.getRequestContentLength() > limit || requestBody != null && requestBody.count() > limit;
  }

  private void releaseConnection(ClientConnection c) {
    if (requestDone) {
      engine.backends().release(exchange.getIoThread(), target, c);
    } else {
      IoUtils.safeClose(c);
    }
  }

  private void relay(ClientExchange result, ClientResponse response) {
    responded = true;
    ClientConnection c = result.getConnection();
    exchange.setStatusCode(response.getResponseCode());
    if (response.getStatus() != null && !response.getStatus().isEmpty()) {
      exchange.setReasonPhrase(response.getStatus());
    }
    HeaderRules.copyResponseHeaders(response.getResponseHeaders(), exchange.getResponseHeaders());
    if (cors) {
      Cors.apply(exchange.getRequestHeaders(), exchange.getResponseHeaders());
    }
    // Transfer calls its sink listener once the backend's body reached its end, and only then,
    // so that is where the connection goes back to the pool. Its source listener is no use for
    // this: it waits for a read wake-up that Undertow's client never delivers once the response
    // is complete, and a connection released there leaked, one per request.
    ChannelListener<StreamSinkChannel> bodyDone = sink -> {
      releaseConnection(c);
      finishResponse(sink);
    };
    ChannelExceptionHandler<StreamSourceChannel> readFailed = (ch, e) -> {
      log.debug("backend {} failed mid-response", BackendPool.key(target), e);
      IoUtils.safeClose(c);
      IoUtils.safeClose(exchange.getConnection());
    };
    ChannelExceptionHandler<StreamSinkChannel> writeFailed = (ch, e) -> {
      IoUtils.safeClose(c);
      IoUtils.safeClose(exchange.getConnection());
    };
    Transfer.initiateTransfer(result.getResponseChannel(), exchange.getResponseChannel(), null,
        bodyDone, readFailed, writeFailed, exchange.getConnection().getByteBufferPool());
  }

  private static void finishResponse(StreamSinkChannel channel) {
    Sinks.finish(channel, () -> { }, e -> IoUtils.safeClose(channel));
  }

  private void instruct(ClientResponse response, byte[] body) {
    HeaderMap backendHeaders = response.getResponseHeaders();
    GripInstruction grip;
    try {
      grip = GripInstruction.parse(HeaderRules.toMap(backendHeaders), body);
    } catch (GripInstructionException e) {
      fail("Failed to parse accept instructions: " + e.getMessage());
      return;
    }
    String type = backendHeaders.getFirst(Headers.CONTENT_TYPE);
    boolean jsonForm = type != null && type.regionMatches(true, 0, GripInstruction.CONTENT_TYPE, 0,
        GripInstruction.CONTENT_TYPE.length());
    if (jsonForm && response.getResponseCode() != 200) {
      fail("Backend answered " + response.getResponseCode() + " with " + GripInstruction.CONTENT_TYPE
          + "; instructions must come with status 200");
      return;
    }
    int code;
    String reason;
    List<Header> headers;
    ByteBuffer content;
    if (grip.response().isPresent()) {
      InstructResponse r = grip.response().get();
      code = r.code();
      reason = r.reason();
      headers = HeaderRules.clean(r.headers());
      content = ByteBuffer.wrap(r.body());
    } else if (jsonForm) {
      code = 200;
      reason = null;
      headers = List.of();
      content = ByteBuffer.allocate(0);
    } else {
      code = response.getResponseCode();
      reason = response.getStatus();
      headers = HeaderRules.heldResponseHeaders(backendHeaders, grip.exposeHeaders());
      content = ByteBuffer.wrap(body);
    }
    // The JSON form has already folded Grip-Status into its response.
    if (grip.response().isEmpty() && grip.status().isPresent()) {
      code = grip.status().getAsInt();
      reason = grip.reason().orElse(null);
    }
    if (cors && jsonp == null) {
      // Held responses keep these too: a published response inherits the kept one's headers.
      headers = Cors.apply(exchange.getRequestHeaders(), headers);
    }
    URI nextLink;
    URI goneLink;
    try {
      URI base = grip.nextLink().isEmpty() && grip.goneLink().isEmpty() ? null : NextLinks.requestUri(exchange);
      nextLink = grip.nextLink().isEmpty() ? null : NextLinks.resolve(base, grip.nextLink().get().uri());
      goneLink = grip.goneLink().isEmpty() ? null : NextLinks.resolve(base, grip.goneLink().get().uri());
    } catch (IllegalArgumentException e) {
      fail("Invalid Grip-Link: " + e.getMessage());
      return;
    }
    if (grip.hold().isEmpty() && nextLink == null) {
      responded = true;
      if (jsonp != null) {
        byte[] raw = new byte[content.remaining()];
        content.duplicate().get(raw);
        HeldExchange.sendWhole(exchange, 200, "OK", Jsonp.wrappedHeaders(headers), ByteBuffer.wrap(
            jsonp.wrapRelayed(code, reason == null ? StatusCodes.getReason(code) : reason, headers, raw)));
        return;
      }
      HeldExchange.sendWhole(exchange, code, reason, headers, content);
      return;
    }
    List<String> channels = channels(engine, route, exchange, grip.channels());
    if (grip.hold().isPresent() && channels.isEmpty()) {
      fail("Grip-Hold given without any channel");
      return;
    }
    boolean responseHold = grip.hold().isPresent() && grip.hold().get() == HoldMode.RESPONSE;
    Map<String, String> prevIds = responseHold ? prevIds(route, grip) : Map.of();
    // A long-poll checks and retries only the channels it subscribed (maxChannelsPerConnection).
    prevIds.keySet().retainAll(channels);
    if (responseHold) {
      Set<String> conflicting = replayable ? engine.channelsBehind(prevIds) : Set.of();
      if (!conflicting.isEmpty() && mayRetry()) {
        log.debug("{} {}: prev-id of channel(s) {} is behind the last published id; asking the"
            + " backend again", exchange.getRequestMethod(), exchange.getRequestURI(), conflicting);
        responded = true;
        conflicting.forEach(engine::forgetLastId);
        retry(prevIds);
        return;
      }
    }
    responded = true;
    HeldExchange held = new HeldExchange(engine, exchange);
    held.jsonp(jsonp);
    if (goneLink != null) {
      held.onEnd(goneHandler(goneLink));
    }
    if (responseHold) {
      ResponseHold hold = new ResponseHold(engine.hub(), held, channels,
          new ResponseHold.KeptResponse(code, reason, headers, content), grip.timeout(), held);
      filter(hold, grip, route, exchange);
      if (replayable) {
        hold.recovery(prevIds, new ResponseHold.Recovery() {
          @Override
          public boolean canRetry() {
            return mayRetry();
          }

          @Override
          public void retry(Map<String, String> ids, Set<String> conflicts) {
            held.retrying();
            conflicts.forEach(engine::forgetLastId);
            ProxyExchange.this.retry(ids);
          }
        });
      }
      held.start(hold);
      return;
    }
    held.beginStream(code, reason, headers, content);
    if (grip.hold().isEmpty()) {
      // No hold, but more to come: the stream has no channels until a page asks for a hold.
      StreamHold hold = new StreamHold(engine.hub(), held, List.of(), null, held);
      NextLinks links = new NextLinks(engine, route, exchange, nextLink, debug, trusted);
      links.attach(held, hold);
      hold.followLinks(links, grip.nextLink().get().timeout(), Map.of());
      held.start(hold);
      hold.fetchNow();
      return;
    }
    StreamHold hold = new StreamHold(engine.hub(), held, channels, grip.keepAlive().orElse(null), held);
    filter(hold, grip, route, exchange);
    String unlinked = nextLink == null ? NextLinks.prevIdChannel(grip) : null;
    NextLinks links = null;
    if (nextLink != null) {
      links = new NextLinks(engine, route, exchange, nextLink, debug, trusted);
      links.attach(held, hold);
      hold.followLinks(links, grip.nextLink().get().timeout(), prevIds(route, grip));
    }
    // A reliable stream whose backend is out of step with what was published recovers at once
    // (Grip-Last carries its prev-ids), not at the first item out of order. Checked before the
    // hold subscribes: after, an item published in between would already have moved the
    // channel's last id and look like a gap. An item that slips in between is a gap at the
    // next item, and recovered then.
    Set<String> behind = links == null ? Set.of() : engine.channelsBehind(prevIds(route, grip));
    behind.forEach(engine::forgetLastId);
    held.start(hold);
    if (!behind.isEmpty() && !hold.isFinished()) {
      hold.fetchNow();
    }
    if (unlinked != null) {
      String message = "channel '" + unlinked + "' specifies prev-id, but no next link found";
      log.warn("{} {} via route {}: {}", exchange.getRequestMethod(), exchange.getRequestURI(), route, message);
      if (debug) {
        held.write(ByteBuffer.wrap(("\n\n" + message + "\n").getBytes(StandardCharsets.UTF_8)));
      }
      hold.end();
    }
  }

  /** Posts to the gone link once, when the held session ends. */
  private Runnable goneHandler(URI link) {
    URI base = NextLinks.requestUri(exchange);
    XnioIoThread thread = exchange.getIoThread();
    ByteBufferPool buffers = exchange.getConnection().getByteBufferPool();
    return () -> NextLinks.gone(engine, route, exchange, thread, buffers, base, link, trusted);
  }

  /** The prev-id of each channel of the instruction that has one, by hub (prefixed) name. */
  static Map<String, String> prevIds(Route route, GripInstruction grip) {
    String prefix = route.prefix().orElse("");
    Map<String, String> ids = new LinkedHashMap<>();
    for (ChannelSubscription s : grip.channels()) {
      if (s.prevId() != null) {
        ids.put(prefix + s.name(), s.prevId());
      }
    }
    return ids;
  }

  private boolean mayRetry() {
    if (engine.isStopped() || engine.isDraining()) {
      return false;
    }
    if (retries >= engine.config().limits().maxRecoveryRetries()) {
      log.warn("{} {}: not asking the backend again after {} recovery retries"
          + " (Limits.maxRecoveryRetries); the backend keeps answering with a stale prev-id",
          exchange.getRequestMethod(), exchange.getRequestURI(), retries);
      return false;
    }
    return true;
  }

  /**
   * Sends the client's request to the backend again with {@code Grip-Last}, on this I/O thread,
   * and relays the new answer, which may hold again.
   */
  private void retry(Map<String, String> ids) {
    // Neither held nor answered while the backend is asked again: a graceful stop waits for it.
    engine.answering();
    exchange.addExchangeCompleteListener((ex, next) -> {
      engine.answered();
      next.proceed();
    });
    engine.recoveryRetried();
    new ProxyExchange(engine, exchange, route, ids, retries + 1, replayable).start();
  }

  /** Gives the hold the filters of its channels ({@code Grip-Channel: c; filter=skip-self}). */
  static void filter(Hold hold, GripInstruction grip, Route route, HttpServerExchange exchange) {
    if (!hasFilters(grip)) {
      return;
    }
    String prefix = route.prefix().orElse("");
    Map<String, FilterChain> byChannel = new HashMap<>();
    Map<String, String> prevIds = new LinkedHashMap<>();
    for (ChannelSubscription s : grip.channels()) {
      prevIds.put(prefix + s.name(), s.prevId());
      if (!s.filters().isEmpty()) {
        // Pushpin 1.x ignores filter names it does not know; so do we, with a log line.
        byChannel.put(prefix + s.name(), Filters.compile(s.filters(), unknown ->
            log.warn("{} {}: ignoring unknown filter {} on channel {}", exchange.getRequestMethod(),
                exchange.getRequestURI(), unknown, s.name())));
      }
    }
    if (!byChannel.isEmpty()) {
      hold.filters(byChannel, FilterContext.subscriber(grip.meta(), prevIds));
    }
  }

  // A loop, not a stream: asked once per held request, and a stream is garbage each time.
  private static boolean hasFilters(GripInstruction grip) {
    for (ChannelSubscription s : grip.channels()) {
      if (!s.filters().isEmpty()) {
        return true;
      }
    }
    return false;
  }

  static List<String> channels(Engine engine, Route route, HttpServerExchange exchange,
      List<ChannelSubscription> subscriptions) {
    String prefix = route.prefix().orElse("");
    int max = engine.config().limits().maxChannelsPerConnection();
    Set<String> names = new LinkedHashSet<>();
    for (ChannelSubscription s : subscriptions) {
      if (names.size() == max) {
        log.warn("{} {}: backend asked for {} channels, subscribing to the first {} (Limits.maxChannelsPerConnection)",
            exchange.getRequestMethod(), exchange.getRequestURI(), subscriptions.size(), max);
        break;
      }
      names.add(prefix + s.name());
    }
    return new ArrayList<>(names);
  }
}
