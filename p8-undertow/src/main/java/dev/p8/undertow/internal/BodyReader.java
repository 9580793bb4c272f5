package dev.p8.undertow.internal;

import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSourceChannel;

/** Reads a whole body without blocking, up to a limit. Runs on the channel's I/O thread. */
final class BodyReader implements ChannelListener<StreamSourceChannel> {

  interface Callback {
    void done(byte[] body);

    void tooLarge(int limit);

    void failed(IOException e);
  }

  private static final byte[] EMPTY = new byte[0];

  private final ByteBufferPool pool;
  private final int limit;
  private final Callback callback;
  // Grown to what arrives: most instruct bodies come in one read, and are then kept as read.
  private byte[] data = EMPTY;
  private int size;

  private BodyReader(ByteBufferPool pool, int limit, Callback callback) {
    this.pool = pool;
    this.limit = limit;
    this.callback = callback;
  }

  static void read(StreamSourceChannel channel, ByteBufferPool pool, int limit, Callback callback) {
    BodyReader reader = new BodyReader(pool, limit, callback);
    reader.handleEvent(channel);
  }

  @Override
  public void handleEvent(StreamSourceChannel channel) {
    try (PooledByteBuffer pooled = pool.allocate()) {
      ByteBuffer buf = pooled.getBuffer();
      while (true) {
        buf.clear();
        int n = channel.read(buf);
        if (n == -1) {
          channel.suspendReads();
          channel.getReadSetter().set(null);
          IoUtils.safeClose(channel);
          callback.done(size == data.length ? data : Arrays.copyOf(data, size));
          return;
        }
        if (n == 0) {
          channel.getReadSetter().set(this);
          channel.resumeReads();
          return;
        }
        if (size + n > limit) {
          channel.suspendReads();
          channel.getReadSetter().set(null);
          callback.tooLarge(limit);
          return;
        }
        if (size + n > data.length) {
          data = Arrays.copyOf(data, Math.max(size + n, Math.min(limit, data.length * 2)));
        }
        buf.flip();
        buf.get(data, size, n);
        size += n;
      }
    } catch (IOException e) {
      channel.suspendReads();
      channel.getReadSetter().set(null);
      callback.failed(e);
    }
  }
}
