package dev.p8.internal.hold;

import dev.p8.internal.time.Clock;
import dev.p8.internal.time.Scheduler;
import dev.p8.publish.Header;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * The client connection under a hold, as the transport adapter exposes it. Every method is
 * called on {@link #executor()}, the thread that owns the connection, and none may block.
 */
public interface HeldConnection {

  /** The thread that owns the connection; deliveries and timers run there. */
  Executor executor();

  /** Runs timers on {@link #executor()}. */
  Scheduler scheduler();

  /** The clock the timers are measured with. */
  Clock clock();

  /**
   * Sends a whole response and ends the exchange (response holds).
   *
   * @param code    the status code
   * @param reason  the reason phrase, or null for the standard one
   * @param headers the response headers, already cleaned of GRIP headers
   * @param body    the body; read-only and possibly shared with other connections
   */
  void respond(int code, String reason, List<Header> headers, ByteBuffer body);

  /**
   * Appends bytes to a streamed response (stream holds). The buffer is read-only and shared
   * with every other subscriber, so the implementation must not change its position.
   *
   * @return false if the connection's outbound buffer is over its bound; the connection is then
   *     being closed, and the hold ends
   */
  boolean write(ByteBuffer data);

  /** Ends a streamed response cleanly (the last chunk), then the exchange. */
  void finish();
}
