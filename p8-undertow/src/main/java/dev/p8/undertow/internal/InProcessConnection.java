package dev.p8.undertow.internal;

import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.ClientExchange;
import io.undertow.client.ClientRequest;
import io.undertow.client.ClientResponse;
import io.undertow.client.ClientStatistics;
import io.undertow.client.ContinueNotification;
import io.undertow.client.PushCallback;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.Connectors;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AbstractAttachable;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.Protocols;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.channels.Configurable;
import org.xnio.Option;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;

/**
 * A backend "connection" to an in-process origin: the {@link ClientConnection} that
 * {@link BackendPool} hands out for an {@code in-process:NAME} target, so the proxy and
 * WebSocket-over-HTTP code paths treat an origin handler exactly as they treat a backend.
 *
 * <p>{@link #sendRequest} builds a real {@link HttpServerExchange} on an
 * {@link InProcessServerConnection}, carrying the method, path, query and headers the proxy
 * prepared, and runs the origin's handler on a worker thread, so a handler that blocks stalls
 * no I/O thread. The request body flows to the handler, and its response body back, through two
 * bounded {@link InMemoryPipe}s. The response headers reach the proxy when the handler commits
 * them, as they would when an HTTP/1.1 origin writes its status line.
 *
 * <p>A handler that throws before committing its response fails the exchange as a broken
 * backend connection does (the proxy answers 502); one that throws later breaks the response
 * body. One connection carries one exchange and is never pooled. Client-side calls and
 * callbacks run on the I/O thread given at creation.
 */
final class InProcessConnection implements ClientConnection {

  private static final Logger log = LoggerFactory.getLogger(InProcessConnection.class);
  private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
  private static final int MAX_QUERY_PARAMETERS = 1000;

  private final String name;
  private final HttpHandler handler;
  private final XnioIoThread thread;
  private final ByteBufferPool buffers;
  private final InMemoryPipe requestBody;
  private final InMemoryPipe responseBody;
  private final ChannelListener.SimpleSetter<InProcessConnection> closeSetter = new ChannelListener.SimpleSetter<>();
  private final List<ChannelListener<ClientConnection>> closeListeners = new ArrayList<>();
  private Exchange exchange;
  private InProcessServerConnection server;
  private final AtomicBoolean open = new AtomicBoolean(true);

  InProcessConnection(String name, HttpHandler handler, XnioIoThread thread, ByteBufferPool buffers) {
    this.name = name;
    this.handler = handler;
    this.thread = thread;
    this.buffers = buffers;
    this.requestBody = new InMemoryPipe(thread);
    this.responseBody = new InMemoryPipe(thread);
  }

  @Override
  public void sendRequest(ClientRequest request, ClientCallback<ClientExchange> callback) {
    if (exchange != null || !open.get()) {
      callback.failed(new IOException("an in-process connection carries one request"));
      return;
    }
    if (request.getRequestHeaders().contains(Headers.UPGRADE)) {
      callback.failed(new IOException("in-process origin " + name + " cannot take a WebSocket connection;"
          + " give its target the over_http option"));
      return;
    }
    server = new InProcessServerConnection(thread, buffers, requestBody, responseBody, this::responseStarted);
    server.onClose(() -> abort(new IOException("in-process origin " + name + " closed its connection")));
    HttpServerExchange target = new HttpServerExchange(server, new HeaderMap(), new HeaderMap(), -1);
    target.getRequestHeaders().putAll(request.getRequestHeaders());
    target.setRequestMethod(request.getMethod());
    target.setProtocol(request.getProtocol() == null ? Protocols.HTTP_1_1 : request.getProtocol());
    target.setRequestScheme("http");
    try {
      Connectors.setExchangeRequestPath(target, request.getPath(), StandardCharsets.UTF_8.name(), true, false,
          new StringBuilder(), MAX_QUERY_PARAMETERS);
    } catch (Exception e) {
      callback.failed(new IOException("in-process origin " + name + " cannot take the path: " + e.getMessage(), e));
      return;
    }
    Connectors.setRequestStartTime(target);
    requestBody.onEndRead(() -> Connectors.terminateRequest(target));
    responseBody.onEndWritten(() -> Connectors.terminateResponse(target));
    String length = request.getRequestHeaders().getFirst(Headers.CONTENT_LENGTH);
    if (!request.getRequestHeaders().contains(Headers.TRANSFER_ENCODING) && (length == null || length.equals("0"))) {
      Connectors.terminateRequest(target);
    }
    exchange = new Exchange(request);
    callback.completed(exchange);
    try {
      thread.getWorker().execute(() -> Connectors.executeRootHandler(this::runHandler, target));
    } catch (RejectedExecutionException e) {
      abort(new IOException("no worker thread is free to run in-process origin " + name, e));
    }
  }

  private void runHandler(HttpServerExchange target) {
    try {
      handler.handleRequest(target);
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable t) {
      // Caught here, not by Undertow, so the client gets what a broken origin earns (502), not a 500.
      log.warn("in-process origin {} failed on {} {}", name, target.getRequestMethod(), target.getRequestURI(), t);
      abort(new IOException("in-process origin " + name + " threw " + t, t));
    }
  }

  private void responseStarted(HttpServerExchange target) {
    HeaderMap headers = new HeaderMap();
    for (HeaderValues values : target.getResponseHeaders()) {
      headers.putAll(values.getHeaderName(), values);
    }
    ClientResponse response = new ClientResponse(target.getStatusCode(), target.getReasonPhrase(),
        target.getProtocol(), headers);
    onIoThread(() -> exchange.respond(response));
  }

  /** Breaks the exchange; the proxy sees a backend connection that failed. Any thread. */
  private void abort(IOException cause) {
    if (!open.compareAndSet(true, false)) {
      return;
    }
    requestBody.abort(cause);
    responseBody.abort(cause);
    if (server != null) {
      server.close();
    }
    onIoThread(() -> {
      if (exchange != null) {
        exchange.fail(cause);
      }
      ChannelListeners.invokeChannelListener(this, closeSetter.get());
      for (ChannelListener<ClientConnection> l : closeListeners) {
        ChannelListeners.invokeChannelListener(this, l);
      }
    });
  }

  private void onIoThread(Runnable task) {
    try {
      thread.execute(task);
    } catch (RejectedExecutionException stopping) {
      log.debug("in-process origin {}: the I/O thread is gone", name);
    }
  }

  @Override
  public void close() {
    abort(new IOException("the proxy closed its exchange with in-process origin " + name));
  }

  @Override
  public StreamConnection performUpgrade() throws IOException {
    throw new IOException("in-process origin " + name + " cannot upgrade its connection");
  }

  @Override
  public ByteBufferPool getBufferPool() {
    return buffers;
  }

  @Override
  public SocketAddress getPeerAddress() {
    return LOOPBACK;
  }

  @Override
  public <A extends SocketAddress> A getPeerAddress(Class<A> type) {
    return type.isInstance(LOOPBACK) ? type.cast(LOOPBACK) : null;
  }

  @Override
  public ChannelListener.Setter<? extends ClientConnection> getCloseSetter() {
    return closeSetter;
  }

  @Override
  public SocketAddress getLocalAddress() {
    return LOOPBACK;
  }

  @Override
  public <A extends SocketAddress> A getLocalAddress(Class<A> type) {
    return type.isInstance(LOOPBACK) ? type.cast(LOOPBACK) : null;
  }

  @Override
  public XnioWorker getWorker() {
    return thread.getWorker();
  }

  @Override
  public XnioIoThread getIoThread() {
    return thread;
  }

  @Override
  public boolean isOpen() {
    return open.get();
  }

  @Override
  public boolean supportsOption(Option<?> option) {
    return false;
  }

  @Override
  public <T> T getOption(Option<T> option) {
    return null;
  }

  @Override
  public <T> T setOption(Option<T> option, T value) {
    return null;
  }

  @Override
  public boolean isUpgraded() {
    return false;
  }

  @Override
  public boolean isPushSupported() {
    return false;
  }

  @Override
  public boolean isMultiplexingSupported() {
    return false;
  }

  @Override
  public ClientStatistics getStatistics() {
    return new ClientStatistics() {
      @Override
      public long getRequests() {
        return exchange == null ? 0 : 1;
      }

      @Override
      public long getRead() {
        return 0;
      }

      @Override
      public long getWritten() {
        return 0;
      }

      @Override
      public void reset() {
      }
    };
  }

  @Override
  public boolean isUpgradeSupported() {
    return false;
  }

  @Override
  public void addCloseListener(ChannelListener<ClientConnection> listener) {
    closeListeners.add(listener);
  }

  /** The proxy's view of the one exchange; used on the I/O thread only. */
  private final class Exchange extends AbstractAttachable implements ClientExchange {
    private final ClientRequest request;
    private final StreamSinkChannel requestChannel =
        new ConduitStreamSinkChannel(Configurable.EMPTY, requestBody.sink());
    private final StreamSourceChannel responseChannel =
        new ConduitStreamSourceChannel(Configurable.EMPTY, responseBody.source());
    private ClientCallback<ClientExchange> listener;
    private ClientResponse response;
    private IOException failure;
    private boolean notified;

    Exchange(ClientRequest request) {
      this.request = request;
    }

    void respond(ClientResponse r) {
      if (failure == null) {
        response = r;
      }
      notifyListener();
    }

    void fail(IOException e) {
      if (response == null && failure == null) {
        failure = e;
      }
      notifyListener();
    }

    private void notifyListener() {
      if (listener == null || notified) {
        return;
      }
      if (response != null) {
        notified = true;
        listener.completed(this);
      } else if (failure != null) {
        notified = true;
        listener.failed(failure);
      }
    }

    @Override
    public void setResponseListener(ClientCallback<ClientExchange> responseListener) {
      this.listener = responseListener;
      notifyListener();
    }

    @Override
    public void setContinueHandler(ContinueNotification continueHandler) {
    }

    @Override
    public void setPushHandler(PushCallback pushCallback) {
    }

    @Override
    public StreamSinkChannel getRequestChannel() {
      return requestChannel;
    }

    @Override
    public StreamSourceChannel getResponseChannel() {
      return responseChannel;
    }

    @Override
    public ClientRequest getRequest() {
      return request;
    }

    @Override
    public ClientResponse getResponse() {
      return response;
    }

    @Override
    public ClientResponse getContinueResponse() {
      return null;
    }

    @Override
    public ClientConnection getConnection() {
      return InProcessConnection.this;
    }
  }
}
