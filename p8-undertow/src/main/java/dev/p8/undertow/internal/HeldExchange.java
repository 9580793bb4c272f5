package dev.p8.undertow.internal;

import dev.p8.internal.hold.HeldConnection;
import dev.p8.internal.hold.Hold;
import dev.p8.internal.time.Clock;
import dev.p8.internal.time.Scheduler;
import dev.p8.publish.Header;
import io.undertow.server.HttpServerExchange;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.ServerConnection;
import io.undertow.server.protocol.http.HttpServerConnection;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;

/**
 * A held Undertow exchange: the transport side of a response or stream hold.
 *
 * <p>Streams write without blocking. While the socket takes everything, nothing is queued
 * and no buffer is kept; what the socket refuses is queued as views of the shared, read-only
 * published buffers (never copies), and the queue is bounded by
 * {@code Limits.maxStreamBufferBytes}: past it the client is too slow, its connection is
 * closed and the hold ends. Everything runs on the exchange's I/O thread.
 */
final class HeldExchange implements HeldConnection, Scheduler, Hold.Listener, ChannelListener<StreamSinkChannel> {

  private static final Logger log = LoggerFactory.getLogger(HeldExchange.class);
  private static final AttachmentKey<ConnectionWatch> WATCH = AttachmentKey.create(ConnectionWatch.class);

  private final Engine engine;
  private final HttpServerExchange exchange;
  private Hold hold;
  private StreamSinkChannel channel;
  private ArrayDeque<ByteBuffer> queue;
  private long queuedBytes;
  private boolean finishing;
  private boolean done;
  private Runnable onEnd;
  private Jsonp jsonp;

  HeldExchange(Engine engine, HttpServerExchange exchange) {
    this.engine = engine;
    this.exchange = exchange;
  }

  /**
   * One close listener per connection, not per exchange: a keep-alive connection can carry
   * thousands of long-polls, and Undertow keeps close listeners for the connection's life.
   */
  private static final class ConnectionWatch implements ServerConnection.CloseListener {
    HeldExchange current;

    @Override
    public void closed(ServerConnection connection) {
      HeldExchange h = current;
      current = null;
      if (h != null) {
        h.connectionClosed();
      }
    }
  }

  /** Wraps the long-poll's answer for a JSON-P request; null for none. */
  void jsonp(Jsonp request) {
    this.jsonp = request;
  }

  /**
   * Runs once when the held session ends, however it ends: answered, timed out, closed by a
   * publish or an error, or left by the client. That is when Pushpin posts to the gone link.
   */
  void onEnd(Runnable task) {
    this.onEnd = task;
  }

  private void ended() {
    Runnable task = onEnd;
    onEnd = null;
    // A server that stops cuts its clients off itself; that is no news for the backend.
    if (task != null && !engine.isStopped()) {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.warn("gone link handling failed", e);
      }
    }
  }

  void start(Hold hold) {
    this.hold = hold;
    engine.register(this);
    ServerConnection connection = exchange.getConnection();
    ConnectionWatch watch = connection.getAttachment(WATCH);
    if (watch == null) {
      watch = new ConnectionWatch();
      connection.putAttachment(WATCH, watch);
      connection.addCloseListener(watch);
    }
    watch.current = this;
    if (!connection.isOpen()) {
      connectionClosed();
      return;
    }
    hold.start();
    watchForHangUp();
  }

  /**
   * Notices a client that hangs up while held. Undertow does not read from a connection whose
   * request is complete until the response is done, so without this a silent client is only
   * found at the next write, or never for an idle long-poll. Reading here is safe: a client
   * may pipeline its next request behind the held one, and those bytes are handed back to
   * Undertow untouched.
   */
  private void watchForHangUp() {
    if (!exchange.isRequestComplete() || !(exchange.getConnection() instanceof HttpServerConnection http)) {
      return;
    }
    ConduitStreamSourceChannel source = http.getChannel().getSourceChannel();
    if (http.getExtraBytes() == null) {
      // A Content-Length body read to its end leaves its finished conduit in place, and that
      // conduit ignores resumeReads: watch the socket beneath it. Undertow puts the original
      // conduit back itself when the exchange completes.
      source.setConduit(http.getOriginalSourceConduit());
    }
    source.setReadListener(ch -> {
      if (done) {
        ch.suspendReads();
        return;
      }
      PooledByteBuffer pooled = http.getByteBufferPool().allocate();
      boolean keep = false;
      try {
        int n = ch.read(pooled.getBuffer());
        if (n == -1) {
          ch.suspendReads();
          hungUp();
        } else if (n > 0) {
          pooled.getBuffer().flip();
          http.ungetRequestBytes(pooled);
          keep = true;
          ch.suspendReads();
        }
      } catch (IOException e) {
        ch.suspendReads();
        hungUp();
      } finally {
        if (!keep) {
          pooled.close();
        }
      }
    });
    source.resumeReads();
  }

  static void sendWhole(HttpServerExchange exchange, int code, String reason, List<Header> headers, ByteBuffer body) {
    exchange.setStatusCode(code);
    if (reason != null && !reason.isEmpty()) {
      exchange.setReasonPhrase(reason);
    }
    HeaderMap out = exchange.getResponseHeaders();
    HeaderRules.put(out, headers);
    out.put(Headers.CONTENT_LENGTH, body.remaining());
    exchange.getResponseSender().send(body.duplicate());
  }

  void beginStream(int code, String reason, List<Header> headers, ByteBuffer initial) {
    exchange.setStatusCode(code);
    if (reason != null && !reason.isEmpty()) {
      exchange.setReasonPhrase(reason);
    }
    HeaderMap out = exchange.getResponseHeaders();
    HeaderRules.put(out, headers);
    out.remove(Headers.CONTENT_LENGTH);
    channel = exchange.getResponseChannel();
    channel.getWriteSetter().set(this);
    if (initial.hasRemaining()) {
      write(initial);
    } else {
      flush();
    }
  }

  @Override
  public Executor executor() {
    return exchange.getIoThread();
  }

  @Override
  public Scheduler scheduler() {
    return this;
  }

  @Override
  public Clock clock() {
    return Clock.system();
  }

  @Override
  public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
    XnioExecutor.Key key = exchange.getIoThread().executeAfter(task, delay, unit);
    return key::remove;
  }

  @Override
  public void respond(int code, String reason, List<Header> headers, ByteBuffer body) {
    done = true;
    // The hold is released before its answer is written; a graceful stop waits for the bytes.
    engine.answering();
    exchange.addExchangeCompleteListener((ex, next) -> {
      engine.answered();
      ended();
      next.proceed();
    });
    if (jsonp != null) {
      byte[] raw = new byte[body.remaining()];
      body.duplicate().get(raw);
      byte[] wrapped = jsonp.wrapHeld(code, reason == null ? StatusCodes.getReason(code) : reason, headers, raw);
      List<Header> out = new ArrayList<>(headers);
      out.removeIf(h -> h.nameIs("Content-Type") || h.nameIs("Content-Length"));
      out.add(new Header("Content-Type", "application/javascript"));
      sendWhole(exchange, 200, "OK", out, ByteBuffer.wrap(wrapped));
      return;
    }
    sendWhole(exchange, code, reason, headers, body);
  }

  @Override
  public boolean write(ByteBuffer data) {
    if (done || finishing) {
      return false;
    }
    ByteBuffer view = data.duplicate();
    if (queue == null || queue.isEmpty()) {
      try {
        while (view.hasRemaining() && channel.write(view) > 0) {
          // keep writing while the socket accepts
        }
      } catch (IOException e) {
        log.debug("stream write failed; client gone", e);
        abort();
        return false;
      }
      if (!view.hasRemaining()) {
        return flush();
      }
    }
    if (queue == null) {
      queue = new ArrayDeque<>();
    }
    queue.add(view);
    queuedBytes += view.remaining();
    if (queuedBytes > engine.config().limits().maxStreamBufferBytes()) {
      log.warn("closing slow stream client {}: {} bytes queued, over Limits.maxStreamBufferBytes ({})",
          exchange.getSourceAddress(), queuedBytes, engine.config().limits().maxStreamBufferBytes());
      engine.slowClientClosed();
      abort();
      return false;
    }
    channel.resumeWrites();
    return true;
  }

  private boolean flush() {
    try {
      if (!channel.flush()) {
        channel.resumeWrites();
      }
      return true;
    } catch (IOException e) {
      log.debug("stream flush failed; client gone", e);
      abort();
      return false;
    }
  }

  @Override
  public void finish() {
    if (done || finishing) {
      return;
    }
    finishing = true;
    if (queue == null || queue.isEmpty()) {
      try {
        channel.shutdownWrites();
        if (channel.flush()) {
          completed();
        } else {
          channel.resumeWrites();
        }
      } catch (IOException e) {
        abort();
      }
    }
  }

  /** The socket can take more: drain the queue, then finish or rest. */
  @Override
  public void handleEvent(StreamSinkChannel ch) {
    try {
      while (queue != null && !queue.isEmpty()) {
        ByteBuffer head = queue.peek();
        int before = head.remaining();
        while (head.hasRemaining() && ch.write(head) > 0) {
          // keep writing while the socket accepts
        }
        queuedBytes -= before - head.remaining();
        if (head.hasRemaining()) {
          return;
        }
        queue.poll();
      }
      if (finishing) {
        ch.shutdownWrites();
      }
      if (ch.flush()) {
        ch.suspendWrites();
        if (finishing) {
          completed();
        }
      }
    } catch (IOException e) {
      log.debug("stream write failed; client gone", e);
      abort();
    }
  }

  private void completed() {
    done = true;
    queue = null;
    ended();
    detach();
  }

  /**
   * The hold ended so the backend is asked again (recovery): the client exchange goes on under
   * a new attempt, and this object lets go of it without closing or answering it.
   */
  void retrying() {
    done = true;
    if (exchange.getConnection() instanceof HttpServerConnection http) {
      http.getChannel().getSourceChannel().suspendReads();
    }
  }

  /** Ends the hold as it would end normally (server shutting down), on the I/O thread. */
  void end() {
    if (!exchange.getIoThread().equals(Thread.currentThread())) {
      exchange.getIoThread().execute(this::end);
      return;
    }
    if (hold != null && !hold.isFinished()) {
      // A response hold leaves the held set before it answers; count it as answering across
      // both steps so a graceful stop never sees a gap and closes the connection early.
      engine.answering();
      try {
        hold.end();
      } finally {
        engine.answered();
      }
    } else if (!done) {
      abort();
    }
  }

  /** Closes the client connection at once; the hold ends without sending anything more. */
  void abort() {
    if (!exchange.getIoThread().equals(Thread.currentThread())) {
      exchange.getIoThread().execute(this::abort);
      return;
    }
    endForClientGone(() -> IoUtils.safeClose(exchange.getConnection()));
  }

  /**
   * The client hung up: the session ends now, the socket is closed a moment later with the
   * other hang-ups of its I/O thread ({@link HangUps}).
   */
  private void hungUp() {
    endForClientGone(() -> HangUps.closeSoon(exchange.getIoThread(), exchange.getConnection()));
  }

  /** Ends the session of a client that is cut off or gone; {@code close} sees to its socket. */
  private void endForClientGone(Runnable close) {
    boolean wasDone = done;
    done = true;
    queue = null;
    close.run();
    if (!wasDone && hold != null && !hold.isFinished()) {
      hold.clientClosed();
      ended();
    }
    detach();
  }

  private void connectionClosed() {
    if (!done) {
      done = true;
      queue = null;
      if (hold != null && !hold.isFinished()) {
        hold.clientClosed();
        ended();
      }
    }
    detach();
  }

  @Override
  public void released(Hold h) {
    if (channel == null || done) {
      detach();
    }
  }

  HttpServerExchange exchange() {
    return exchange;
  }

  /** True for a stream hold: its response has begun. */
  boolean streaming() {
    return channel != null;
  }

  private void detach() {
    engine.unregister(this);
    ConnectionWatch watch = exchange.getConnection().getAttachment(WATCH);
    if (watch != null && watch.current == this) {
      watch.current = null;
    }
  }
}
