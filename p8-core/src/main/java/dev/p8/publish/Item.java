package dev.p8.publish;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One published item: a channel, optional sequencing IDs and meta, and the payload in one or
 * more formats, one per kind of subscriber.
 *
 * <p>A subscriber receives only the format of its kind: long-polls take
 * {@link #httpResponse()}, HTTP streams {@link #httpStream()}, WebSockets
 * {@link #wsMessage()}. Items with an {@link #id()} and {@link #prevId()} are delivered in
 * order per channel unless {@link #noSeq()} is set.
 *
 * <pre>{@code
 * Item item = Item.builder("news")
 *     .id("42").prevId("41")
 *     .httpStream(HttpStreamFormat.send("data: hello\n\n"))
 *     .wsMessage(WsMessageFormat.text("hello"))
 *     .build();
 * }</pre>
 *
 * <p>Instances are immutable and thread safe; {@link #toBuilder()} derives a changed copy.
 */
public final class Item {

  private final String channel;
  private final String id;
  private final String prevId;
  private final Map<String, String> meta;
  private final boolean noSeq;
  private final HttpResponseFormat httpResponse;
  private final HttpStreamFormat httpStream;
  private final WsMessageFormat wsMessage;

  private Item(Builder b) {
    this.channel = b.channel;
    this.id = b.id;
    this.prevId = b.prevId;
    this.meta = Collections.unmodifiableMap(new LinkedHashMap<>(b.meta));
    this.noSeq = b.noSeq;
    this.httpResponse = b.httpResponse;
    this.httpStream = b.httpStream;
    this.wsMessage = b.wsMessage;
  }

  /**
   * Starts an item for {@code channel}, with no IDs, no meta and no formats.
   *
   * @param channel the channel name, not null; {@link Builder#build()} refuses an empty one
   * @return a new builder
   * @throws NullPointerException if the channel is null
   */
  public static Builder builder(String channel) {
    return new Builder(channel);
  }

  /**
   * An item that appends {@code content}, encoded as UTF-8, to the HTTP streams on the channel.
   *
   * @param channel the channel name, not empty
   * @param content the content, for example an SSE event ending in a blank line
   * @return the item
   * @throws IllegalArgumentException if the channel is empty
   */
  public static Item stream(String channel, String content) {
    return builder(channel).httpStream(HttpStreamFormat.send(content)).build();
  }

  /**
   * An item that answers the long-polls on the channel with a 200 response carrying
   * {@code body}, encoded as UTF-8.
   *
   * @param channel the channel name, not empty
   * @param body    the response body
   * @return the item
   * @throws IllegalArgumentException if the channel is empty
   */
  public static Item response(String channel, String body) {
    return builder(channel).httpResponse(HttpResponseFormat.of(200, body)).build();
  }

  /**
   * An item that sends a WebSocket text message to the connections on the channel.
   *
   * @param channel the channel name, not empty
   * @param text    the message text
   * @return the item
   * @throws IllegalArgumentException if the channel is empty
   */
  public static Item message(String channel, String text) {
    return builder(channel).wsMessage(WsMessageFormat.text(text)).build();
  }

  /**
   * Starts a builder holding this item's values.
   *
   * @return a new builder; changing it does not change this item
   */
  public Builder toBuilder() {
    Builder b = new Builder(channel);
    b.id = id;
    b.prevId = prevId;
    b.meta.putAll(meta);
    b.noSeq = noSeq;
    b.httpResponse = httpResponse;
    b.httpStream = httpStream;
    b.wsMessage = wsMessage;
    return b;
  }

  /**
   * The channel the item is published to.
   *
   * @return the channel name, never empty
   */
  public String channel() {
    return channel;
  }

  /**
   * The item's ID, used for ordering, de-duplication and recovery.
   *
   * @return the ID, possibly the empty string, or empty when none was set
   */
  public Optional<String> id() {
    return Optional.ofNullable(id);
  }

  /**
   * The ID of the item published on the channel before this one.
   *
   * @return the previous ID, or empty when none was set
   */
  public Optional<String> prevId() {
    return Optional.ofNullable(prevId);
  }

  /**
   * Publish meta, read by subscription filters ({@code sender}, {@code skip_users},
   * {@code require_sub}, ...).
   *
   * @return an unmodifiable map in the order the entries were set, empty unless set
   */
  public Map<String, String> meta() {
    return meta;
  }

  /**
   * Whether the item bypasses per-channel ordering by ID.
   *
   * @return true to deliver at once even if its predecessor has not arrived; false unless set
   */
  public boolean noSeq() {
    return noSeq;
  }

  /**
   * The response for long-polls.
   *
   * @return the format, or empty when the item has none
   */
  public Optional<HttpResponseFormat> httpResponse() {
    return Optional.ofNullable(httpResponse);
  }

  /**
   * The content for HTTP streams.
   *
   * @return the format, or empty when the item has none
   */
  public Optional<HttpStreamFormat> httpStream() {
    return Optional.ofNullable(httpStream);
  }

  /**
   * The message for WebSocket connections.
   *
   * @return the format, or empty when the item has none
   */
  public Optional<WsMessageFormat> wsMessage() {
    return Optional.ofNullable(wsMessage);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Item)) {
      return false;
    }
    Item other = (Item) o;
    return noSeq == other.noSeq
        && channel.equals(other.channel)
        && Objects.equals(id, other.id)
        && Objects.equals(prevId, other.prevId)
        && meta.equals(other.meta)
        && Objects.equals(httpResponse, other.httpResponse)
        && Objects.equals(httpStream, other.httpStream)
        && Objects.equals(wsMessage, other.wsMessage);
  }

  @Override
  public int hashCode() {
    return Objects.hash(channel, id, prevId, meta, noSeq, httpResponse, httpStream, wsMessage);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Item{channel=").append(channel);
    if (id != null) {
      sb.append(", id=").append(id);
    }
    if (prevId != null) {
      sb.append(", prevId=").append(prevId);
    }
    if (!meta.isEmpty()) {
      sb.append(", meta=").append(meta);
    }
    if (noSeq) {
      sb.append(", noSeq");
    }
    if (httpResponse != null) {
      sb.append(", ").append(httpResponse);
    }
    if (httpStream != null) {
      sb.append(", ").append(httpStream);
    }
    if (wsMessage != null) {
      sb.append(", ").append(wsMessage);
    }
    return sb.append('}').toString();
  }

  /**
   * Builds an {@link Item}. Setters check their arguments at once; {@link #build()} checks
   * that the item is complete. Not thread safe.
   */
  public static final class Builder {

    private final String channel;
    private String id;
    private String prevId;
    private final Map<String, String> meta = new LinkedHashMap<>();
    private boolean noSeq;
    private HttpResponseFormat httpResponse;
    private HttpStreamFormat httpStream;
    private WsMessageFormat wsMessage;

    private Builder(String channel) {
      this.channel = Objects.requireNonNull(channel, "channel");
    }

    /**
     * Sets the item ID. None by default.
     *
     * @param id the ID, or null to remove it
     * @return this builder
     */
    public Builder id(String id) {
      this.id = id;
      return this;
    }

    /**
     * Sets the ID of the previous item on the channel. None by default.
     *
     * @param prevId the previous ID, or null to remove it
     * @return this builder
     */
    public Builder prevId(String prevId) {
      this.prevId = prevId;
      return this;
    }

    /**
     * Sets one meta entry, replacing an entry of the same name.
     *
     * @param name  the name, not null
     * @param value the value, or null to remove the entry
     * @return this builder
     */
    public Builder meta(String name, String value) {
      Objects.requireNonNull(name, "meta name");
      if (value == null) {
        meta.remove(name);
      } else {
        meta.put(name, value);
      }
      return this;
    }

    /**
     * Sets whether the item bypasses ordering by ID. The default is false.
     *
     * @param noSeq true to deliver without waiting for the previous item
     * @return this builder
     */
    public Builder noSeq(boolean noSeq) {
      this.noSeq = noSeq;
      return this;
    }

    /**
     * Sets the response for long-polls.
     *
     * @param format the format, or null to remove it
     * @return this builder
     */
    public Builder httpResponse(HttpResponseFormat format) {
      this.httpResponse = format;
      return this;
    }

    /**
     * Sets the content for HTTP streams.
     *
     * @param format the format, or null to remove it
     * @return this builder
     */
    public Builder httpStream(HttpStreamFormat format) {
      this.httpStream = format;
      return this;
    }

    /**
     * Sets the message for WebSocket connections.
     *
     * @param format the format, or null to remove it
     * @return this builder
     */
    public Builder wsMessage(WsMessageFormat format) {
      this.wsMessage = format;
      return this;
    }

    /**
     * Builds the item.
     *
     * @return the immutable item
     * @throws IllegalArgumentException if the channel is empty or no format is set
     */
    public Item build() {
      if (channel.isEmpty()) {
        throw new IllegalArgumentException("channel must not be empty");
      }
      if (httpResponse == null && httpStream == null && wsMessage == null) {
        throw new IllegalArgumentException("item for channel " + channel + " has no format:"
            + " set at least one of httpResponse, httpStream or wsMessage");
      }
      return new Item(this);
    }
  }
}
