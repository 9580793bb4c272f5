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
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 *
 * <p>Next links (GRIP.md 2.4): a stream given {@link #followLinks} asks its {@link Links} to
 * fetch the link again when its channels fall quiet for the link timeout (not every channel
 * saw an item), on a {@code hint}, and on a gap: an item whose {@code prev-id} is not the last
 * ID the stream knows for a channel subscribed with a {@code prev-id} (a reliable stream). While
 * the fetch runs, items wait in a queue of at most {@value #MAX_QUEUED} (more are dropped, as
 * Pushpin does); {@link #resume} then applies the fetched instructions and drops the queued
 * items that no longer follow on.
 */
public final class StreamHold extends Hold {

  private static final Logger LOG = LoggerFactory.getLogger(StreamHold.class);

  /** Most items kept while a next link is fetched: Pushpin's per-session queue size. */
  public static final int MAX_QUEUED = 100;

  /** Fetches a stream's next link; runs on the connection's executor. */
  public interface Links {
    /**
     * Fetches the next link now. The answer comes back through {@link #resume}, or the stream
     * is ended with {@link #end()}.
     *
     * @param lastIds the last known ID of each channel subscribed with a prev-id, for
     *                {@code Grip-Last}; prefixed channel names
     */
    void fetch(Map<String, String> lastIds);

    /**
     * What the link's updates are grouped by in an {@link UpdateLimiter}: the link's URI, as
     * Pushpin groups them. May be read from any thread.
     */
    default String updateKey() {
      return "";
    }
  }

  private KeepAlive keepAlive;
  private ByteBuffer keepAliveData;
  private long lastWriteNanos;
  private Scheduler.Cancellable timer;
  // Written on the connection's executor, read as a hint by updates on other threads.
  private volatile Links links;
  private Duration linkTimeout;
  private Map<String, String> lastIds = new LinkedHashMap<>();
  private final Set<String> active = new HashSet<>();
  private Scheduler.Cancellable linkTimer;
  private boolean fetching;
  private ArrayDeque<Queued> queue;

  private record Queued(String channel, Item item) { }

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
    keepAlive(keepAlive);
  }

  private void keepAlive(KeepAlive k) {
    this.keepAlive = k;
    this.keepAliveData = k == null ? null : ByteBuffer.wrap(k.content()).asReadOnlyBuffer();
  }

  /**
   * Gives the stream a next link. Call before {@link #start()}.
   *
   * @param links   fetches the link
   * @param timeout how long the channels may stay quiet before the link is fetched again
   * @param prevIds the {@code prev-id} of each channel that has one, prefixed names
   */
  public void followLinks(Links links, Duration timeout, Map<String, String> prevIds) {
    this.links = Objects.requireNonNull(links, "links");
    this.linkTimeout = Objects.requireNonNull(timeout, "timeout");
    this.lastIds = new LinkedHashMap<>(prevIds);
  }

  @Override
  void started() {
    lastWriteNanos = connection.clock().nanoTime();
    if (keepAlive != null) {
      arm(keepAlive.timeout().toNanos());
    }
    armLinkTimer();
  }

  @Override
  void stopTimers() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
    cancelLinkTimer();
    queue = null;
  }

  private void armLinkTimer() {
    cancelLinkTimer();
    if (links != null && !fetching) {
      linkTimer = connection.scheduler().schedule(this::linkTimedOut, linkTimeout.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private void cancelLinkTimer() {
    if (linkTimer != null) {
      linkTimer.cancel();
      linkTimer = null;
    }
  }

  private void linkTimedOut() {
    linkTimer = null;
    if (!isFinished()) {
      fetchNow();
    }
  }

  /**
   * True while the stream has a next link to fetch again: an update (first subscription,
   * {@code recover}) can then ask its backend again with {@link #fetchNow}. Read from any thread
   * as a hint; {@link #fetchNow} checks again on the connection's executor.
   */
  public boolean followsLinks() {
    return links != null;
  }

  /** The key this stream's updates are grouped by ({@link Links#updateKey}); "" without a link. */
  public String updateKey() {
    Links l = links;
    return l == null ? "" : l.updateKey();
  }

  /** True while a next link is being fetched for this stream. */
  public boolean isFetching() {
    return fetching;
  }

  /**
   * Fetches the next link now, keeping later items queued until {@link #resume}. Does nothing
   * without a link, while a fetch already runs, or once finished.
   */
  public void fetchNow() {
    if (links == null || fetching || isFinished()) {
      return;
    }
    fetching = true;
    cancelLinkTimer();
    active.clear();
    links.fetch(Map.copyOf(lastIds));
  }

  /**
   * A fetched next link gave a stream hold: its instructions replace the current ones, and the
   * items queued meanwhile are sent if they still follow on.
   *
   * @param channels    the new channels, prefixed
   * @param prevIds     the prev-id of each new channel that has one
   * @param keepAlive   the new keep-alive, or null for none
   * @param linkTimeout the new next link's timeout, or null when the response had no next link
   */
  public void resume(List<String> channels, Map<String, String> prevIds, KeepAlive keepAlive, Duration linkTimeout) {
    if (isFinished()) {
      return;
    }
    resubscribe(channels);
    this.lastIds = new LinkedHashMap<>(prevIds);
    if (linkTimeout == null) {
      links = null;
    } else {
      this.linkTimeout = linkTimeout;
    }
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
    keepAlive(keepAlive);
    fetching = false;
    started();
    ArrayDeque<Queued> waiting = queue;
    queue = null;
    // As Pushpin: queued items that do not follow the fetched state are dropped from the head;
    // a later gap in the rest asks for the link again.
    while (waiting != null && !waiting.isEmpty()) {
      Queued head = waiting.peek();
      String last = lastIds.get(head.channel());
      if (!channels().contains(head.channel()) || last != null && !last.equals(head.item().prevId().orElse(null))) {
        waiting.poll();
        continue;
      }
      break;
    }
    while (waiting != null && !waiting.isEmpty() && !isFinished() && !fetching) {
      Queued q = waiting.poll();
      deliver(q.channel(), q.item());
    }
    if (fetching && waiting != null && !waiting.isEmpty()) {
      queue = waiting;
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
    if (fetching) {
      if (queue == null) {
        queue = new ArrayDeque<>();
      }
      if (queue.size() < MAX_QUEUED) {
        queue.add(new Queued(channel, item));
      } else {
        LOG.debug("stream queue full while fetching its next link; dropping an item on {}", channel);
      }
      return;
    }
    switch (format.action()) {
      case SEND -> {
        String last = lastIds.get(channel);
        if (last != null && !last.equals(item.prevId().orElse(null))) {
          LOG.debug("last ID inconsistency on {} (got {}, expected {}); fetching the next link", channel,
              item.prevId().orElse(null), last);
          fetchNow();
          return;
        }
        if (last != null) {
          // An item without an ID ends the tracking of its channel, as in Pushpin.
          item.id().ifPresentOrElse(id -> lastIds.put(channel, id), () -> lastIds.remove(channel));
        }
        send(channel, item, format);
        noteActivity(channel);
      }
      case CLOSE -> {
        if (release()) {
          connection.finish();
        }
      }
      case HINT -> fetchNow();
    }
  }

  /** Every channel saw an item within the link timeout: the link need not be fetched yet. */
  private void noteActivity(String channel) {
    if (links == null || isFinished()) {
      return;
    }
    active.add(channel);
    if (active.size() >= channels().size()) {
      active.clear();
      armLinkTimer();
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
