package dev.p8.undertow.internal;

import dev.p8.route.Target;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.UndertowClient;
import io.undertow.connector.ByteBufferPool;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.XnioIoThread;

/**
 * Keep-alive connections to backends, pooled per I/O thread. A client exchange always uses a
 * connection of its own I/O thread, so callbacks for both sides run on one thread and the
 * per-thread pool needs no locking.
 */
final class BackendPool {

  static final int MAX_IDLE_PER_TARGET = 64;
  private static final OptionMap OPTIONS = OptionMap.create(Options.TCP_NODELAY, true);

  private final ConcurrentHashMap<XnioIoThread, Map<String, ArrayDeque<ClientConnection>>> idle =
      new ConcurrentHashMap<>();

  /** A pooled or new connection. {@code reused} tells the caller a retry may be worth it. */
  interface Callback {
    void connected(ClientConnection connection, boolean reused);

    void failed(IOException e);
  }

  void acquire(XnioIoThread thread, ByteBufferPool buffers, Target target, Callback callback) {
    ArrayDeque<ClientConnection> q = idleFor(thread).get(key(target));
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
    URI uri = URI.create("http://" + key(target));
    UndertowClient.getInstance().connect(new ClientCallback<ClientConnection>() {
      @Override
      public void completed(ClientConnection connection) {
        callback.connected(connection, false);
      }

      @Override
      public void failed(IOException e) {
        callback.failed(e);
      }
    }, uri, thread, buffers, OPTIONS);
  }

  /** Returns a connection whose exchange is complete; called on the connection's I/O thread. */
  void release(XnioIoThread thread, Target target, ClientConnection connection) {
    if (!connection.isOpen()) {
      return;
    }
    ArrayDeque<ClientConnection> q = idleFor(thread).computeIfAbsent(key(target), k -> new ArrayDeque<>());
    if (q.size() >= MAX_IDLE_PER_TARGET) {
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

  static String key(Target target) {
    String host = target.host();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + target.port();
  }
}
