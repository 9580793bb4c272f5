package dev.p8.undertow;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Records a streamed body chunk by chunk on its own thread, so a test can wait for the next
 * piece of text with a deadline.
 */
final class StreamReader implements AutoCloseable {

  private static final String EOF = "\u0000EOF";
  private final InputStream in;
  private final java.io.Closeable closer;
  private final BlockingQueue<String> chunks = new LinkedBlockingQueue<>();
  private final StringBuilder pending = new StringBuilder();
  private final Thread thread;

  StreamReader(InputStream in) {
    this(in, in);
  }

  /** Reads an OkHttp response; closing cancels the call, the one thread-safe way to stop it. */
  StreamReader(okhttp3.Call call, okhttp3.Response response) {
    this(response.body().byteStream(), call::cancel);
  }

  private StreamReader(InputStream in, java.io.Closeable closer) {
    this.in = in;
    this.closer = closer;
    this.thread = new Thread(this::run, "stream-reader");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    byte[] buf = new byte[8192];
    try {
      int n;
      while ((n = in.read(buf)) != -1) {
        chunks.add(new String(buf, 0, n, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      // the stream ended abnormally; recorded as the end below
    }
    chunks.add(EOF);
  }

  /** Waits until the text read so far contains {@code expected}, and consumes through it. */
  void expect(String expected) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (pending.indexOf(expected) < 0) {
      String chunk = poll(deadline, "\"" + expected + "\"");
      if (chunk == EOF) {
        chunks.add(EOF);
        throw new AssertionError("stream ended before \"" + expected + "\"; got \"" + pending + "\"");
      }
      pending.append(chunk);
    }
    consumedBefore = pending.substring(0, pending.indexOf(expected));
    pending.delete(0, pending.indexOf(expected) + expected.length());
  }

  private String consumedBefore = "";

  /** Like {@link #expect}, but fails if anything else came first. */
  void expectNext(String expected) {
    expect(expected);
    if (!consumedBefore.isEmpty()) {
      throw new AssertionError("expected \"" + expected + "\" next, but first got \"" + consumedBefore + "\"");
    }
  }

  /** Waits until the stream ends, and returns what was left unread. */
  String expectEnd() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      String chunk = poll(deadline, "the end of the stream");
      if (chunk == EOF) {
        chunks.add(EOF);
        return pending.toString();
      }
      pending.append(chunk);
    }
  }

  private String poll(long deadline, String what) {
    try {
      String chunk = chunks.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (chunk == null) {
        throw new AssertionError("timed out waiting for " + what + "; got \"" + pending + "\"");
      }
      return chunk;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + what);
    }
  }

  @Override
  public void close() {
    try {
      closer.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
