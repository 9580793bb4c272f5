package dev.p8.undertow.internal;

import dev.p8.route.Target;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.UndertowClient;
import io.undertow.connector.ByteBufferPool;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.undertow.server.HttpHandler;
import java.io.IOException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.ssl.XnioSsl;
import org.xnio.XnioIoThread;

/**
 * Keep-alive connections to backends, pooled per I/O thread. A client exchange always uses a
 * connection of its own I/O thread, so callbacks for both sides run on one thread and the
 * per-thread pool needs no locking. An {@code in-process:NAME} target gets a fresh
 * {@link InProcessConnection} to the handler registered under that name instead: no socket.
 */
final class BackendPool {

  private static final OptionMap OPTIONS = OptionMap.create(Options.TCP_NODELAY, true);

  private volatile XnioSsl verifiedTls;
  private volatile XnioSsl insecureTls;

  private final ConcurrentHashMap<XnioIoThread, Map<String, ArrayDeque<ClientConnection>>> idle =
      new ConcurrentHashMap<>();
  private final Map<String, HttpHandler> origins;
  private final int maxIdlePerTarget;

  BackendPool(Map<String, HttpHandler> origins, int maxIdlePerTarget) {
    this.origins = Map.copyOf(origins);
    this.maxIdlePerTarget = maxIdlePerTarget;
  }

  /** A pooled or new connection. {@code reused} tells the caller a retry may be worth it. */
  interface Callback {
    void connected(ClientConnection connection, boolean reused);

    void failed(IOException e);
  }

  void acquire(XnioIoThread thread, ByteBufferPool buffers, Target target, Callback callback) {
    if (target.isInProcess()) {
      connectInProcess(thread, buffers, target, callback);
      return;
    }
    ArrayDeque<ClientConnection> q = idleFor(thread).get(poolKey(target));
    while (q != null && !q.isEmpty()) {
      ClientConnection c = q.pollLast();
      if (c.isOpen()) {
        callback.connected(c, true);
        return;
      }
    }
    connectNew(thread, buffers, target, callback);
  }

  void connectNew(XnioIoThread thread, ByteBufferPool buffers, Target target, Callback callback) {
    if (target.isInProcess()) {
      connectInProcess(thread, buffers, target, callback);
      return;
    }
    XnioSsl tls;
    try {
      tls = target.ssl() ? tls(target.insecure()) : null;
    } catch (GeneralSecurityException e) {
      callback.failed(new IOException("TLS is not available: " + e.getMessage(), e));
      return;
    }
    URI uri = URI.create((target.ssl() ? "https://" : "http://") + key(target));
    UndertowClient.getInstance().connect(new ClientCallback<ClientConnection>() {
      @Override
      public void completed(ClientConnection connection) {
        callback.connected(connection, false);
      }

      @Override
      public void failed(IOException e) {
        callback.failed(e);
      }
    }, uri, thread, tls, buffers, OPTIONS);
  }

  private void connectInProcess(XnioIoThread thread, ByteBufferPool buffers, Target target, Callback callback) {
    HttpHandler handler = origins.get(target.host());
    if (handler == null) {
      // Possible with a routes file; routes given to the builder are checked at build().
      callback.failed(new IOException("no in-process origin is named " + target.host()
          + "; register one with P8Server.Builder.origin"));
      return;
    }
    callback.connected(new InProcessConnection(target.host(), handler, thread, buffers), false);
  }

  /** The JVM's default trust store, or, for {@code insecure} targets, no certificate check at all. */
  private XnioSsl tls(boolean insecure) throws GeneralSecurityException {
    XnioSsl ssl = insecure ? insecureTls : verifiedTls;
    if (ssl != null) {
      return ssl;
    }
    SSLContext context;
    if (insecure) {
      context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {new TrustEverything()}, new SecureRandom());
    } else {
      context = SSLContext.getDefault();
    }
    ssl = new UndertowXnioSsl(Xnio.getInstance(), OptionMap.EMPTY, context);
    if (insecure) {
      insecureTls = ssl;
    } else {
      verifiedTls = ssl;
    }
    return ssl;
  }

  /** What the {@code insecure} target option asks for: accept any server certificate. */
  private static final class TrustEverything implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  /** Returns a connection whose exchange is complete; called on the connection's I/O thread. */
  void release(XnioIoThread thread, Target target, ClientConnection connection) {
    if (!connection.isOpen() || connection instanceof InProcessConnection) {
      return;
    }
    ArrayDeque<ClientConnection> q = idleFor(thread).computeIfAbsent(poolKey(target), k -> new ArrayDeque<>());
    if (q.size() >= maxIdlePerTarget) {
      IoUtils.safeClose(connection);
      return;
    }
    q.addLast(connection);
  }

  void closeAll() {
    for (Map.Entry<XnioIoThread, Map<String, ArrayDeque<ClientConnection>>> e : idle.entrySet()) {
      Map<String, ArrayDeque<ClientConnection>> perThread = e.getValue();
      Runnable close = () -> {
        List<ClientConnection> all = new ArrayList<>();
        perThread.values().forEach(all::addAll);
        perThread.clear();
        all.forEach(IoUtils::safeClose);
      };
      try {
        e.getKey().execute(close);
      } catch (RejectedExecutionException stopping) {
        // The I/O thread is gone (an embedding server stopped first): nothing else touches the pool now.
        close.run();
      }
    }
  }

  private Map<String, ArrayDeque<ClientConnection>> idleFor(XnioIoThread thread) {
    return idle.computeIfAbsent(thread, t -> new HashMap<>());
  }

  /** Plain, verified-TLS and insecure-TLS connections to one address are not interchangeable. */
  private static String poolKey(Target target) {
    return key(target) + (target.ssl() ? (target.insecure() ? " tls-insecure" : " tls") : "");
  }

  static String key(Target target) {
    if (target.isInProcess()) {
      return "in-process:" + target.host();
    }
    String host = target.host();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + target.port();
  }
}
