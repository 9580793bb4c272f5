package dev.p8.undertow.internal;

import io.undertow.connector.ByteBufferPool;
import io.undertow.server.Connectors;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.HttpUpgradeListener;
import io.undertow.server.SSLSessionInfo;
import io.undertow.server.ServerConnection;
import io.undertow.server.XnioBufferPoolAdaptor;
import io.undertow.util.Headers;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.channels.Configurable;
import org.xnio.Option;
import org.xnio.OptionMap;
import org.xnio.Pool;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;
import org.xnio.conduits.StreamSinkConduit;

/**
 * The server side of one in-process exchange: what an origin handler's
 * {@link HttpServerExchange} sees as its connection. The request body comes from one
 * {@link InMemoryPipe} and the response goes into another; both belong to the I/O thread of the
 * client exchange being proxied, so non-blocking callbacks on either side run on that thread.
 *
 * <p>Its peer and local addresses are loopback with port 0: no socket exists. There is no TLS,
 * no upgrade, no CONNECT and no 100-continue. One connection carries exactly one exchange.
 */
final class InProcessServerConnection extends ServerConnection {

  private static final Logger log = LoggerFactory.getLogger(InProcessServerConnection.class);
  private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

  private final XnioIoThread thread;
  private final ByteBufferPool buffers;
  private final ConduitStreamSourceChannel source;
  private final ConduitStreamSinkChannel sink;
  private final Consumer<HttpServerExchange> responseStarted;
  private final ChannelListener.SimpleSetter<InProcessServerConnection> closeSetter =
      new ChannelListener.SimpleSetter<>();
  private final List<CloseListener> closeListeners = new ArrayList<>();
  private XnioBufferPoolAdaptor poolAdaptor;
  private SSLSessionInfo sslSessionInfo;
  private volatile boolean open = true;
  private Runnable onClose = () -> { };

  /**
   * @param responseStarted runs when the handler commits its status and headers, on whatever
   *     thread the handler runs
   */
  InProcessServerConnection(XnioIoThread thread, ByteBufferPool buffers, InMemoryPipe request,
      InMemoryPipe response, Consumer<HttpServerExchange> responseStarted) {
    this.thread = thread;
    this.buffers = buffers;
    this.source = new ConduitStreamSourceChannel(Configurable.EMPTY, request.source());
    this.sink = new ConduitStreamSinkChannel(Configurable.EMPTY, response.sink());
    this.responseStarted = responseStarted;
  }

  /** What closing this connection does to the exchange: the caller breaks both pipes. */
  void onClose(Runnable action) {
    this.onClose = action;
  }

  @Override
  public Pool<ByteBuffer> getBufferPool() {
    if (poolAdaptor == null) {
      poolAdaptor = new XnioBufferPoolAdaptor(buffers);
    }
    return poolAdaptor;
  }

  @Override
  public ByteBufferPool getByteBufferPool() {
    return buffers;
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
  public HttpServerExchange sendOutOfBandResponse(HttpServerExchange exchange) {
    throw new UnsupportedOperationException("an in-process origin sends no 100-continue");
  }

  @Override
  public boolean isContinueResponseSupported() {
    return false;
  }

  @Override
  public void terminateRequestChannel(HttpServerExchange exchange) {
  }

  @Override
  public boolean isOpen() {
    return open;
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
  public void close() {
    List<CloseListener> listeners;
    synchronized (this) {
      if (!open) {
        return;
      }
      open = false;
      listeners = new ArrayList<>(closeListeners);
    }
    onClose.run();
    for (CloseListener l : listeners) {
      try {
        l.closed(this);
      } catch (RuntimeException e) {
        log.warn("a close listener of an in-process connection failed", e);
      }
    }
    ChannelListeners.invokeChannelListener(this, closeSetter.get());
  }

  @Override
  public ChannelListener.Setter<? extends ServerConnection> getCloseSetter() {
    return closeSetter;
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
  public SocketAddress getLocalAddress() {
    return LOOPBACK;
  }

  @Override
  public <A extends SocketAddress> A getLocalAddress(Class<A> type) {
    return type.isInstance(LOOPBACK) ? type.cast(LOOPBACK) : null;
  }

  @Override
  public OptionMap getUndertowOptions() {
    return OptionMap.EMPTY;
  }

  @Override
  public int getBufferSize() {
    return buffers.getBufferSize();
  }

  @Override
  public SSLSessionInfo getSslSessionInfo() {
    return sslSessionInfo;
  }

  @Override
  public void setSslSessionInfo(SSLSessionInfo sessionInfo) {
    this.sslSessionInfo = sessionInfo;
  }

  @Override
  public synchronized void addCloseListener(CloseListener listener) {
    closeListeners.add(listener);
  }

  @Override
  protected StreamConnection upgradeChannel() {
    throw new UnsupportedOperationException("an in-process origin cannot upgrade its connection");
  }

  @Override
  protected ConduitStreamSinkChannel getSinkChannel() {
    return sink;
  }

  @Override
  protected ConduitStreamSourceChannel getSourceChannel() {
    return source;
  }

  @Override
  protected StreamSinkConduit getSinkConduit(HttpServerExchange exchange, StreamSinkConduit conduit) {
    // The moment an HTTP/1.1 connection would write the status line: the headers are final.
    Connectors.flattenCookies(exchange);
    if (!Connectors.isEntityBodyAllowed(exchange)) {
      exchange.getResponseHeaders().remove(Headers.CONTENT_LENGTH);
      exchange.getResponseHeaders().remove(Headers.TRANSFER_ENCODING);
    }
    responseStarted.accept(exchange);
    return conduit;
  }

  @Override
  protected boolean isUpgradeSupported() {
    return false;
  }

  @Override
  protected boolean isConnectSupported() {
    return false;
  }

  @Override
  protected void exchangeComplete(HttpServerExchange exchange) {
  }

  @Override
  protected void setUpgradeListener(HttpUpgradeListener upgradeListener) {
    throw new UnsupportedOperationException("an in-process origin cannot upgrade its connection");
  }

  @Override
  protected void setConnectListener(HttpUpgradeListener connectListener) {
    throw new UnsupportedOperationException("an in-process origin takes no CONNECT");
  }

  @Override
  protected void maxEntitySizeUpdated(HttpServerExchange exchange) {
  }

  @Override
  public String getTransportProtocol() {
    return "in-process";
  }

  @Override
  public boolean isRequestTrailerFieldsSupported() {
    return false;
  }
}
