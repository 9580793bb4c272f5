package dev.p8.undertow.internal;

import dev.p8.route.Target;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.ClientExchange;
import io.undertow.client.ClientRequest;
import io.undertow.client.ClientResponse;
import io.undertow.connector.ByteBufferPool;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;
import org.xnio.channels.StreamSinkChannel;

/**
 * One whole request to a backend with a body in memory, and its whole response read up to a
 * limit: what WebSocket-over-HTTP exchanges need. Uses the same per-I/O-thread pool as the
 * proxy, fails over across targets on connect errors, and retries once on a fresh
 * connection when a pooled one turns out to be closed.
 */
final class BackendCall {

  interface Callback {
    void response(ClientResponse response, byte[] body);

    void failed(String reason);
  }

  private final Engine engine;
  private final XnioIoThread thread;
  private final ByteBufferPool buffers;
  private final List<Target> targets;
  private final ClientRequest request;
  private final byte[] body;
  private final int maxResponseBytes;
  private final Callback callback;
  private int targetIndex;
  private boolean retried;
  private boolean finished;
  private XnioExecutor.Key timeout;

  private BackendCall(Engine engine, XnioIoThread thread, ByteBufferPool buffers, List<Target> targets,
      ClientRequest request, byte[] body, int maxResponseBytes, Callback callback) {
    this.engine = engine;
    this.thread = thread;
    this.buffers = buffers;
    this.targets = targets;
    this.request = request;
    this.body = body;
    this.maxResponseBytes = maxResponseBytes;
    this.callback = callback;
  }

  static void send(Engine engine, XnioIoThread thread, ByteBufferPool buffers, List<Target> targets,
      String method, String path, HeaderMap headers, byte[] body, int maxResponseBytes, Callback callback) {
    ClientRequest request = new ClientRequest().setMethod(HttpString.tryFromString(method)).setPath(path);
    request.getRequestHeaders().putAll(headers);
    request.getRequestHeaders().put(Headers.CONTENT_LENGTH, body.length);
    request.getRequestHeaders().remove(Headers.TRANSFER_ENCODING);
    new BackendCall(engine, thread, buffers, targets, request, body, maxResponseBytes, callback).start();
  }

  private void start() {
    if (engine.isStopped()) {
      // The I/O threads are going away with the server; a DISCONNECT or a last message to the
      // backend could not be timed or answered, so it is not sent.
      finish(null, null, "the server is stopping");
      return;
    }
    timeout = thread.executeAfter(() -> finish(null, null, "timed out after "
        + engine.config().backendTimeout().toMillis() + " ms"), engine.config().backendTimeout().toMillis(),
        TimeUnit.MILLISECONDS);
    connect(true);
  }

  private Target target() {
    return targets.get(targetIndex);
  }

  private void connect(boolean mayReuse) {
    BackendPool.Callback cb = new BackendPool.Callback() {
      @Override
      public void connected(ClientConnection connection, boolean reused) {
        if (finished) {
          IoUtils.safeClose(connection);
          return;
        }
        exchange(connection, reused);
      }

      @Override
      public void failed(IOException e) {
        if (targetIndex + 1 < targets.size()) {
          targetIndex++;
          connect(true);
        } else {
          finish(null, null, "unable to connect to " + BackendPool.key(target()) + ": " + e.getMessage());
        }
      }
    };
    if (mayReuse) {
      engine.backends().acquire(thread, buffers, target(), cb);
    } else {
      engine.backends().connectNew(thread, buffers, target(), cb);
    }
  }

  private void exchange(ClientConnection connection, boolean reused) {
    boolean[] sent = new boolean[1];
    connection.sendRequest(request, new ClientCallback<ClientExchange>() {
      @Override
      public void completed(ClientExchange exchange) {
        exchange.setResponseListener(new ClientCallback<ClientExchange>() {
          @Override
          public void completed(ClientExchange result) {
            BodyReader.read(result.getResponseChannel(), buffers, maxResponseBytes, new BodyReader.Callback() {
              @Override
              public void done(byte[] responseBody) {
                if (sent[0]) {
                  engine.backends().release(thread, target(), connection);
                } else {
                  IoUtils.safeClose(connection);
                }
                finish(result.getResponse(), responseBody, null);
              }

              @Override
              public void tooLarge(int limit) {
                IoUtils.safeClose(connection);
                finish(null, null, "response body over " + limit + " bytes");
              }

              @Override
              public void failed(IOException e) {
                IoUtils.safeClose(connection);
                finish(null, null, "reading the response failed: " + e.getMessage());
              }
            });
          }

          @Override
          public void failed(IOException e) {
            failedOn(connection, reused, e);
          }
        });
        StreamSinkChannel channel = exchange.getRequestChannel();
        writeBody(channel, ByteBuffer.wrap(body), connection, reused, sent);
      }

      @Override
      public void failed(IOException e) {
        failedOn(connection, reused, e);
      }
    });
  }

  private void writeBody(StreamSinkChannel channel, ByteBuffer data, ClientConnection connection, boolean reused,
      boolean[] sent) {
    try {
      while (data.hasRemaining() && channel.write(data) > 0) {
        // keep writing while the socket accepts
      }
      if (data.hasRemaining()) {
        channel.getWriteSetter().set(ch -> writeBody(ch, data, connection, reused, sent));
        channel.resumeWrites();
        return;
      }
      Sinks.finish(channel, () -> sent[0] = true, e -> failedOn(connection, reused, e));
    } catch (IOException e) {
      failedOn(connection, reused, e);
    }
  }

  private void failedOn(ClientConnection connection, boolean reused, IOException e) {
    IoUtils.safeClose(connection);
    if (finished) {
      return;
    }
    if (reused && !retried) {
      // The body is in memory, so a request on a pooled connection the backend had closed can
      // simply be sent again.
      retried = true;
      connect(false);
      return;
    }
    finish(null, null, "error communicating with " + BackendPool.key(target()) + ": " + e.getMessage());
  }

  private void finish(ClientResponse response, byte[] responseBody, String failure) {
    if (finished) {
      return;
    }
    finished = true;
    if (timeout != null) {
      timeout.remove();
      timeout = null;
    }
    if (failure != null) {
      callback.failed(failure);
    } else {
      callback.response(response, responseBody);
    }
  }
}
