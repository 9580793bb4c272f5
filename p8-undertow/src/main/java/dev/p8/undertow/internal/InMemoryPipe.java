package dev.p8.undertow.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.xnio.IoUtils;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;
import org.xnio.conduits.ConduitReadableByteChannel;
import org.xnio.conduits.ConduitWritableByteChannel;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.ReadReadyHandler;
import org.xnio.conduits.StreamSinkConduit;
import org.xnio.conduits.StreamSourceConduit;
import org.xnio.conduits.WriteReadyHandler;

/**
 * One direction of an in-process exchange: a bounded byte pipe with an XNIO sink conduit at
 * one end and a source conduit at the other, standing in for a socket.
 *
 * <p><b>Threads.</b> Either end may be used without blocking from the I/O thread the pipe
 * belongs to, or with blocking ({@code awaitReadable}, {@code awaitWritable}) from any other
 * thread, which is how an origin handler on a worker reads its request and writes its response.
 * State is guarded by the pipe's monitor; ready handlers are called on the I/O thread, outside
 * the monitor, and again for as long as their end stays resumed and ready, as a selector does.
 *
 * <p><b>Ends.</b> {@code terminateWrites} is the end of the body: once the reader has taken
 * every byte it reads -1. {@code truncateWrites} before that, or {@link #abort}, breaks the pipe:
 * both ends then fail with the given reason, as on a reset connection.
 */
final class InMemoryPipe {

  /** Bytes in flight before the writer has to wait: enough to keep a copy loop busy. */
  static final int CAPACITY = 64 * 1024;

  private final XnioIoThread thread;
  private final ArrayDeque<ByteBuffer> chunks = new ArrayDeque<>();
  private final Sink sink = new Sink();
  private final Source source = new Source();
  private int count;
  private boolean writeShutdown;
  private boolean readShutdown;
  private boolean endRead;
  private boolean endWritten;
  private IOException broken;
  private boolean readResumed;
  private boolean writeResumed;
  private boolean readWakeup;
  private boolean writeWakeup;
  private boolean scheduled;
  private ReadReadyHandler readHandler;
  private WriteReadyHandler writeHandler;
  private Runnable onEndRead = () -> { };
  private Runnable onEndWritten = () -> { };

  InMemoryPipe(XnioIoThread thread) {
    this.thread = thread;
  }

  StreamSinkConduit sink() {
    return sink;
  }

  StreamSourceConduit source() {
    return source;
  }

  /** Runs once, when the reader has read the end of the body. */
  void onEndRead(Runnable action) {
    this.onEndRead = action;
  }

  /** Runs once, when the writer has shut down and flushed: the whole body is in the pipe. */
  void onEndWritten(Runnable action) {
    this.onEndWritten = action;
  }

  /** Breaks the pipe: every later read or write on either end fails with {@code cause}. */
  void abort(IOException cause) {
    synchronized (this) {
      if (broken != null || (endRead && writeShutdown)) {
        return;
      }
      broken = cause;
      chunks.clear();
      count = 0;
      notifyAll();
      scheduleIfReady();
    }
  }

  synchronized boolean isBroken() {
    return broken != null;
  }

  private IOException failure() {
    return new IOException(broken.getMessage(), broken);
  }

  private boolean readable() {
    return count > 0 || writeShutdown || broken != null;
  }

  private boolean writable() {
    return count < CAPACITY || readShutdown || broken != null || writeShutdown;
  }

  private void scheduleIfReady() {
    boolean read = readResumed && (readable() || readWakeup);
    boolean write = writeResumed && (writable() || writeWakeup);
    if ((read || write) && !scheduled) {
      scheduled = true;
      try {
        thread.execute(this::pump);
      } catch (RejectedExecutionException stopping) {
        // The I/O thread is gone with its server: nobody is left to call.
        scheduled = false;
      }
    }
  }

  private void pump() {
    ReadReadyHandler r = null;
    WriteReadyHandler w = null;
    synchronized (this) {
      scheduled = false;
      if (readResumed && (readable() || readWakeup)) {
        readWakeup = false;
        r = readHandler;
      }
      if (writeResumed && (writable() || writeWakeup)) {
        writeWakeup = false;
        w = writeHandler;
      }
    }
    if (r != null) {
      r.readReady();
    }
    if (w != null) {
      w.writeReady();
    }
    synchronized (this) {
      scheduleIfReady();
    }
  }

  private int read(ByteBuffer dst) throws IOException {
    boolean end = false;
    int n = 0;
    synchronized (this) {
      if (broken != null) {
        throw failure();
      }
      if (readShutdown) {
        throw new ClosedChannelException();
      }
      if (count == 0) {
        if (!writeShutdown) {
          return 0;
        }
        end = !endRead;
        endRead = true;
        n = -1;
      } else {
        while (dst.hasRemaining() && !chunks.isEmpty()) {
          ByteBuffer head = chunks.peekFirst();
          int take = Math.min(head.remaining(), dst.remaining());
          ByteBuffer slice = head.duplicate();
          slice.limit(slice.position() + take);
          dst.put(slice);
          head.position(head.position() + take);
          if (!head.hasRemaining()) {
            chunks.pollFirst();
          }
          n += take;
        }
        count -= n;
        notifyAll();
        scheduleIfReady();
      }
    }
    if (end) {
      onEndRead.run();
    }
    return n;
  }

  private int write(ByteBuffer src) throws IOException {
    synchronized (this) {
      if (broken != null) {
        throw failure();
      }
      if (writeShutdown) {
        throw new ClosedChannelException();
      }
      if (readShutdown) {
        throw new IOException("the reading side of the in-process exchange was closed");
      }
      int n = Math.min(src.remaining(), CAPACITY - count);
      if (n == 0) {
        return 0;
      }
      byte[] copy = new byte[n];
      src.get(copy);
      chunks.addLast(ByteBuffer.wrap(copy));
      count += n;
      notifyAll();
      scheduleIfReady();
      return n;
    }
  }

  private void await(boolean forRead, long nanos) throws IOException {
    long deadline = System.nanoTime() + nanos;
    synchronized (this) {
      while (!(forRead ? readable() : writable())) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting on an in-process exchange");
        }
      }
    }
  }

  /** The writing end. */
  private final class Sink implements StreamSinkConduit {

    @Override
    public int write(ByteBuffer src) throws IOException {
      return InMemoryPipe.this.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      long total = 0;
      for (int i = offset; i < offset + length; i++) {
        int want = srcs[i].remaining();
        int n = write(srcs[i]);
        total += n;
        if (n < want) {
          break;
        }
      }
      return total;
    }

    @Override
    public int writeFinal(ByteBuffer src) throws IOException {
      return Conduits.writeFinalBasic(this, src);
    }

    @Override
    public long writeFinal(ByteBuffer[] srcs, int offset, int length) throws IOException {
      return Conduits.writeFinalBasic(this, srcs, offset, length);
    }

    @Override
    public long transferFrom(FileChannel src, long position, long count) throws IOException {
      return src.transferTo(position, count, new ConduitWritableByteChannel(this));
    }

    @Override
    public long transferFrom(StreamSourceChannel source, long count, ByteBuffer throughBuffer) throws IOException {
      return IoUtils.transfer(source, count, throughBuffer, new ConduitWritableByteChannel(this));
    }

    @Override
    public void terminateWrites() {
      synchronized (InMemoryPipe.this) {
        writeShutdown = true;
        InMemoryPipe.this.notifyAll();
        scheduleIfReady();
      }
    }

    @Override
    public boolean flush() throws IOException {
      boolean end;
      synchronized (InMemoryPipe.this) {
        if (broken != null) {
          throw failure();
        }
        end = writeShutdown && !endWritten;
        endWritten |= writeShutdown;
      }
      if (end) {
        onEndWritten.run();
      }
      return true;
    }

    @Override
    public void truncateWrites() {
      synchronized (InMemoryPipe.this) {
        if (writeShutdown) {
          return;
        }
      }
      abort(new IOException("the in-process exchange was closed before the end of its body"));
    }

    @Override
    public boolean isWriteShutdown() {
      synchronized (InMemoryPipe.this) {
        return writeShutdown;
      }
    }

    @Override
    public void resumeWrites() {
      synchronized (InMemoryPipe.this) {
        writeResumed = true;
        scheduleIfReady();
      }
    }

    @Override
    public void suspendWrites() {
      synchronized (InMemoryPipe.this) {
        writeResumed = false;
      }
    }

    @Override
    public void wakeupWrites() {
      synchronized (InMemoryPipe.this) {
        writeResumed = true;
        writeWakeup = true;
        scheduleIfReady();
      }
    }

    @Override
    public boolean isWriteResumed() {
      synchronized (InMemoryPipe.this) {
        return writeResumed;
      }
    }

    @Override
    public void awaitWritable() throws IOException {
      await(false, Long.MAX_VALUE);
    }

    @Override
    public void awaitWritable(long time, TimeUnit timeUnit) throws IOException {
      await(false, timeUnit.toNanos(time));
    }

    @Override
    public XnioIoThread getWriteThread() {
      return thread;
    }

    @Override
    public void setWriteReadyHandler(WriteReadyHandler handler) {
      synchronized (InMemoryPipe.this) {
        writeHandler = handler;
      }
    }

    @Override
    public XnioWorker getWorker() {
      return thread.getWorker();
    }
  }

  /** The reading end. */
  private final class Source implements StreamSourceConduit {

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return InMemoryPipe.this.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      long total = 0;
      for (int i = offset; i < offset + length; i++) {
        if (!dsts[i].hasRemaining()) {
          continue;
        }
        int n = read(dsts[i]);
        if (n < 0) {
          return total == 0 ? -1 : total;
        }
        total += n;
        if (dsts[i].hasRemaining()) {
          break;
        }
      }
      return total;
    }

    @Override
    public long transferTo(long position, long count, FileChannel target) throws IOException {
      return target.transferFrom(new ConduitReadableByteChannel(this), position, count);
    }

    @Override
    public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target) throws IOException {
      return IoUtils.transfer(new ConduitReadableByteChannel(this), count, throughBuffer, target);
    }

    @Override
    public void terminateReads() {
      synchronized (InMemoryPipe.this) {
        if (readShutdown) {
          return;
        }
        readShutdown = true;
        chunks.clear();
        count = 0;
        InMemoryPipe.this.notifyAll();
        scheduleIfReady();
      }
    }

    @Override
    public boolean isReadShutdown() {
      synchronized (InMemoryPipe.this) {
        return readShutdown;
      }
    }

    @Override
    public void resumeReads() {
      synchronized (InMemoryPipe.this) {
        readResumed = true;
        scheduleIfReady();
      }
    }

    @Override
    public void suspendReads() {
      synchronized (InMemoryPipe.this) {
        readResumed = false;
      }
    }

    @Override
    public void wakeupReads() {
      synchronized (InMemoryPipe.this) {
        readResumed = true;
        readWakeup = true;
        scheduleIfReady();
      }
    }

    @Override
    public boolean isReadResumed() {
      synchronized (InMemoryPipe.this) {
        return readResumed;
      }
    }

    @Override
    public void awaitReadable() throws IOException {
      await(true, Long.MAX_VALUE);
    }

    @Override
    public void awaitReadable(long time, TimeUnit timeUnit) throws IOException {
      await(true, timeUnit.toNanos(time));
    }

    @Override
    public XnioIoThread getReadThread() {
      return thread;
    }

    @Override
    public void setReadReadyHandler(ReadReadyHandler handler) {
      synchronized (InMemoryPipe.this) {
        readHandler = handler;
      }
    }

    @Override
    public XnioWorker getWorker() {
      return thread.getWorker();
    }
  }
}
