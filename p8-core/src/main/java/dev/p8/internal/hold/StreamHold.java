package dev.p8.internal.hold;

import dev.p8.grip.KeepAlive;
import dev.p8.grip.KeepAliveMode;
import dev.p8.internal.filter.FilterChain;
import dev.p8.internal.filter.FilterContext;
import dev.p8.internal.filter.FilterException;
import dev.p8.internal.hub.ChannelHub;
import dev.p8.internal.time.Scheduler;
import dev.p8.publish.HttpStreamFormat;
import dev.p8.publish.Item;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP stream (including Server-Sent Events): the initial response has already gone out,
 * and each {@code http-stream} item published to one of the channels is appended verbatim.
 *
 * <p>States: streaming, then finished by a {@code close} action, a write refused for a full
 * outbound buffer, or the client going away. Keep-alives: in {@code idle} mode the data is sent
 * when nothing was written for the keep-alive timeout; in {@code interval} mode it is sent every
 * timeout regardless. Idle mode does not reschedule a timer on every write: the timer fires at
 * the earliest possible deadline and, if something was written since, re-arms for the rest,
 * so a busy stream costs one timer per timeout period, not one per message.
 */
public final class StreamHold extends Hold {

  private static final Logger LOG = LoggerFactory.getLogger(StreamHold.class);

  private final KeepAlive keepAlive;
  private final ByteBuffer keepAliveData;
  private long lastWriteNanos;
  private Scheduler.Cancellable timer;

  /**
   * @param hub        the hub to subscribe in
   * @param connection the streaming client connection
   * @param channels   the channels, with route prefixes already applied
   * @param keepAlive  the keep-alive, or null for none
   * @param listener   told when the hold ends, or null
   */
  public StreamHold(ChannelHub hub, HeldConnection connection, List<String> channels,
      KeepAlive keepAlive, Listener listener) {
    super(hub, connection, channels, listener);
    this.keepAlive = keepAlive;
    this.keepAliveData = keepAlive == null ? null : ByteBuffer.wrap(keepAlive.content()).asReadOnlyBuffer();
  }

  @Override
  void started() {
    lastWriteNanos = connection.clock().nanoTime();
    if (keepAlive != null) {
      arm(keepAlive.timeout().toNanos());
    }
  }

  @Override
  void stopTimers() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }

  private void arm(long delayNanos) {
    timer = connection.scheduler().schedule(this::keepAliveDue, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void keepAliveDue() {
    timer = null;
    if (isFinished()) {
      return;
    }
    long period = keepAlive.timeout().toNanos();
    if (keepAlive.mode() == KeepAliveMode.IDLE) {
      long idle = connection.clock().nanoTime() - lastWriteNanos;
      if (idle < period) {
        arm(period - idle);
        return;
      }
    }
    if (write(keepAliveData.duplicate())) {
      arm(period);
    }
  }

  @Override
  public void end() {
    if (release()) {
      connection.finish();
    }
  }

  @Override
  public void deliver(String channel, Item item) {
    if (isFinished()) {
      return;
    }
    HttpStreamFormat format = item.httpStream().orElse(null);
    if (format == null) {
      return;
    }
    switch (format.action()) {
      case SEND -> send(channel, item, format);
      case CLOSE -> {
        if (release()) {
          connection.finish();
        }
      }
      case HINT -> { }
    }
  }

  private void send(String channel, Item item, HttpStreamFormat format) {
    if (!contentFiltersMatch(channel, format.contentFilters())) {
      return;
    }
    FilterChain filters = filtersOf(channel);
    if (filters == null) {
      write(format.contentBuffer());
      return;
    }
    FilterContext context = context(item);
    if (!filters.sendAllowed(context)) {
      return;
    }
    byte[] content;
    try {
      content = filters.transform(context, format.content());
    } catch (FilterException e) {
      // Pushpin closes a stream whose content a filter cannot render.
      LOG.warn("closing stream on channel {}: {}", channel, e.getMessage());
      if (release()) {
        connection.finish();
      }
      return;
    }
    write(ByteBuffer.wrap(content));
  }

  private boolean write(ByteBuffer data) {
    lastWriteNanos = connection.clock().nanoTime();
    if (connection.write(data)) {
      return true;
    }
    release();
    return false;
  }
}
