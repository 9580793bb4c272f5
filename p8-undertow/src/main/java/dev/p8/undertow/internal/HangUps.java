package dev.p8.undertow.internal;

import java.io.Closeable;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.xnio.IoUtils;
import org.xnio.XnioIoThread;

/**
 * Closes the sockets of clients that hung up, a moment later and together, on their I/O thread.
 *
 * <p>XNIO closes a connection on its I/O thread with {@code Selector.selectNow()}, and that
 * call hands back every key that is still ready, up to 1,024. When thousands of held clients
 * hang up at once, as when a load balancer restarts, thousands of sockets are readable at end
 * of stream: each close then paid for a thousand ready keys in the kernel and in the selector.
 * 10,000 clients leaving at once cost each I/O thread 8 seconds of CPU, and every other
 * connection on it waited.
 *
 * <p>So a hang-up only stops reading (the socket leaves the selector at its next select) and
 * queues the close. The queue is closed once hang-ups stop pouring in, when few keys are left
 * ready and each close is cheap again: checked every millisecond, closed when fewer than
 * {@value #QUIET} arrived in the last one, or after {@value #MAX_WAITS} ms in any case, so a
 * steady stream of hang-ups cannot hold sockets open; then {@value #BATCH} per millisecond, so
 * that the selector runs between them. The held session itself ends at once; only the
 * socket's close waits.
 *
 * <p>I/O thread only: each I/O thread has its own queue.
 */
final class HangUps {

  static final int QUIET = 64;
  static final int MAX_WAITS = 50;
  static final int BATCH = 64;

  private static final ThreadLocal<HangUps> PER_THREAD = new ThreadLocal<>();

  private final XnioIoThread thread;
  private final ArrayDeque<Closeable> pending = new ArrayDeque<>();
  private int arrived;
  private int waits;
  private boolean scheduled;

  private HangUps(XnioIoThread thread) {
    this.thread = thread;
  }

  /**
   * Closes the connection soon; call on its I/O thread, after suspending its reads.
   *
   * @param thread     the connection's I/O thread, the current thread
   * @param connection what to close
   */
  static void closeSoon(XnioIoThread thread, Closeable connection) {
    HangUps h = PER_THREAD.get();
    if (h == null || h.thread != thread) {
      h = new HangUps(thread);
      PER_THREAD.set(h);
    }
    h.add(connection);
  }

  private void add(Closeable connection) {
    pending.add(connection);
    arrived++;
    if (!scheduled) {
      scheduled = true;
      later();
    }
  }

  private void later() {
    try {
      thread.executeAfter(this::check, 1, TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      // The thread is stopping: close now, nothing else runs on it any more.
      waits = MAX_WAITS;
      check();
    }
  }

  private void check() {
    if (arrived >= QUIET && waits < MAX_WAITS) {
      arrived = 0;
      waits++;
      later();
      return;
    }
    arrived = 0;
    // A few at a time, then back to the selector: hang-ups that arrive meanwhile are taken out
    // of it there, instead of being handed back by every close of the batch.
    Closeable c;
    for (int i = 0; i < BATCH && (c = pending.poll()) != null; i++) {
      IoUtils.safeClose(c);
    }
    if (pending.isEmpty()) {
      scheduled = false;
      waits = 0;
    } else {
      later();
    }
  }
}
