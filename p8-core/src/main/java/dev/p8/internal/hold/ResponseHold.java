package dev.p8.internal.hold;

import dev.p8.internal.filter.FilterChain;
import dev.p8.internal.filter.FilterContext;
import dev.p8.internal.filter.FilterException;
import dev.p8.internal.hub.ChannelHub;
import dev.p8.internal.patch.JsonPatch;
import dev.p8.internal.patch.JsonPatchException;
import dev.p8.internal.time.Scheduler;
import dev.p8.publish.Header;
import dev.p8.publish.HttpResponseFormat;
import dev.p8.publish.Item;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A long-poll: the backend's response is kept as the timeout response, and the first
 * {@code http-response} published to one of the channels answers the client instead.
 *
 * <p>States: held, then finished by exactly one of: a published response, the timeout, or the
 * client going away. Published headers override same-named kept headers, the others are
 * inherited; {@code Grip-*} headers in a published response are dropped. Only the
 * {@code http-response} format is delivered here; other formats are ignored.
 *
 * <p><b>Recovery.</b> With {@link #recovery} set, the hold knows the {@code prev-id} its backend
 * gave for each channel. An item whose {@code prev-id} differs from it (the client missed
 * something in between) is not delivered: the hold ends and the request is retried to the
 * backend with {@code Grip-Last}, as Pushpin does. A matching item moves the channel's prev-id on
 * to its own id. A {@code hint} item and {@link #update()} retry the same way. When the recovery
 * refuses further retries (its bound is reached), a mismatching item is dropped and the hold
 * waits on: the client then gets the kept response at the timeout and asks again, rather than
 * silently skipping what it missed.
 */
public final class ResponseHold extends Hold {

  private static final Logger LOG = LoggerFactory.getLogger(ResponseHold.class);

  /** The response the backend gave, sent if nothing is published before the timeout. */
  public record KeptResponse(int code, String reason, List<Header> headers, ByteBuffer body) {
    /** Copies the header list and makes the body read-only. */
    public KeptResponse {
      headers = List.copyOf(headers);
      body = body.asReadOnlyBuffer();
    }
  }

  /** Re-sends the held request to the backend; implemented by the transport adapter. */
  public interface Recovery {
    /** False once the request was retried as often as allowed. */
    boolean canRetry();

    /**
     * Retries the request. The hold has already ended and left its channels.
     *
     * @param lastIds     the prev-id of each channel that has one, by hub channel name: what the
     *                    client has seen, for {@code Grip-Last}
     * @param conflicting the channels whose published history disagreed with the hold; the
     *                    sequencer should forget their last ID
     */
    void retry(Map<String, String> lastIds, Set<String> conflicting);
  }

  private final KeptResponse kept;
  private final Duration timeout;
  private Scheduler.Cancellable timer;
  private Recovery recovery;
  private Map<String, String> prevIds = Map.of();

  /**
   * @param hub        the hub to subscribe in
   * @param connection the held client connection
   * @param channels   the channels, with route prefixes already applied
   * @param kept       the timeout response
   * @param timeout    how long to hold
   * @param listener   told when the hold ends, or null
   */
  public ResponseHold(ChannelHub hub, HeldConnection connection, List<String> channels,
      KeptResponse kept, Duration timeout, Listener listener) {
    super(hub, connection, channels, listener);
    this.kept = kept;
    this.timeout = timeout;
  }

  /**
   * Turns recovery on. Call before {@link #start()}.
   *
   * @param prevIds  the prev-id of each channel that has one, by hub channel name
   * @param recovery retries the request
   */
  public void recovery(Map<String, String> prevIds, Recovery recovery) {
    this.prevIds = new HashMap<>(prevIds);
    this.recovery = Objects.requireNonNull(recovery, "recovery");
  }

  /**
   * Asks the backend again now, if recovery is on and allowed (first-subscription update, the
   * recover command). Runs on the connection's executor.
   *
   * @return true if the request is being retried
   */
  public boolean update() {
    return retry(Set.of());
  }

  private boolean retry(Set<String> conflicting) {
    if (isFinished() || recovery == null || !recovery.canRetry()) {
      return false;
    }
    Map<String, String> lastIds = Map.copyOf(prevIds);
    release();
    recovery.retry(lastIds, conflicting);
    return true;
  }

  @Override
  void started() {
    timer = connection.scheduler().schedule(this::timedOut, timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  void stopTimers() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }

  @Override
  public void end() {
    timedOut();
  }

  private void timedOut() {
    timer = null;
    if (release()) {
      connection.respond(kept.code(), kept.reason(), kept.headers(), kept.body().duplicate());
    }
  }

  @Override
  public void deliver(String channel, Item item) {
    if (isFinished()) {
      return;
    }
    HttpResponseFormat format = item.httpResponse().orElse(null);
    if (format == null) {
      return;
    }
    String prevId = prevIds.get(channel);
    if (prevId != null) {
      if (!prevId.equals(item.prevId().orElse(null))) {
        if (!retry(Set.of(channel))) {
          LOG.debug("dropping item on channel {} for a long-poll: its prev-id {} is not the"
              + " hold's {} and the request may not be retried again", channel,
              item.prevId().orElse("(none)"), prevId);
        }
        return;
      }
      if (item.id().isPresent()) {
        prevIds.put(channel, item.id().get());
      } else {
        prevIds.remove(channel);
      }
    }
    if (format.action() == HttpResponseFormat.Action.HINT) {
      update();
      return;
    }
    if (!contentFiltersMatch(channel, format.contentFilters())) {
      return;
    }
    ByteBuffer body = format.bodyPatch().isPresent() ? patched(format.bodyPatch().get(), channel)
        : format.bodyBuffer();
    FilterChain filters = filtersOf(channel);
    if (filters != null) {
      FilterContext context = context(item);
      if (!filters.sendAllowed(context)) {
        return;
      }
      try {
        body = ByteBuffer.wrap(filters.transform(context, bytes(body)));
      } catch (FilterException e) {
        // Pushpin answers a held response whose body a filter cannot render with 502.
        LOG.warn("answering held response on channel {} with 502: {}", channel, e.getMessage());
        if (release()) {
          connection.respond(502, null, List.of(),
              ByteBuffer.wrap("Error while rendering the published response.\n".getBytes(StandardCharsets.UTF_8)));
        }
        return;
      }
    }
    if (release()) {
      connection.respond(format.code(), format.reason().orElse(null),
          mergeHeaders(kept.headers(), format.headers()), body);
    }
  }

  /**
   * The kept body with the published patch applied. Where it cannot apply (the kept body is not
   * JSON, an operation fails), the response goes out with an empty body, as Pushpin's does.
   */
  private ByteBuffer patched(String patch, String channel) {
    try {
      return ByteBuffer.wrap(JsonPatch.patchBody(bytes(kept.body()), JsonPatch.parse(patch)));
    } catch (JsonPatchException e) {
      LOG.debug("answering held response on channel {} with an empty body: {}", channel, e.getMessage());
      return ByteBuffer.allocate(0);
    }
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer b = buffer.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  static List<Header> mergeHeaders(List<Header> kept, List<Header> published) {
    List<Header> merged = new ArrayList<>(kept.size() + published.size());
    for (Header h : kept) {
      if (!containsName(published, h.name())) {
        merged.add(h);
      }
    }
    for (Header h : published) {
      if (!h.name().regionMatches(true, 0, "Grip-", 0, 5)) {
        merged.add(h);
      }
    }
    return merged;
  }

  private static boolean containsName(List<Header> headers, String name) {
    for (Header h : headers) {
      if (h.nameIs(name)) {
        return true;
      }
    }
    return false;
  }
}
