package dev.p8.internal.hold;

import dev.p8.internal.filter.FilterChain;
import dev.p8.internal.filter.FilterContext;
import dev.p8.internal.filter.FilterException;
import dev.p8.internal.hub.ChannelHub;
import dev.p8.internal.time.Scheduler;
import dev.p8.publish.Header;
import dev.p8.publish.HttpResponseFormat;
import dev.p8.publish.Item;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

  private final KeptResponse kept;
  private final Duration timeout;
  private Scheduler.Cancellable timer;

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
    if (format == null || format.action() != HttpResponseFormat.Action.SEND) {
      return;
    }
    ByteBuffer body = format.bodyBuffer();
    FilterChain filters = filtersOf(channel);
    if (filters != null) {
      FilterContext context = context(item);
      if (!filters.sendAllowed(context)) {
        return;
      }
      try {
        body = ByteBuffer.wrap(filters.transform(context, format.body()));
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
