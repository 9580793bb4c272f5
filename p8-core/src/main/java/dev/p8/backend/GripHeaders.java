package dev.p8.backend;

import dev.p8.grip.ChannelSubscription;
import dev.p8.grip.GripInstruction;
import dev.p8.grip.KeepAlive;
import dev.p8.grip.KeepAliveMode;
import dev.p8.publish.Header;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * The {@code Grip-*} headers of a backend response that asks the proxy to hold the request
 * (GRIP.md section 1.1), written so that P8 and Pushpin read them back exactly as built.
 *
 * <pre>{@code
 * GripHeaders grip = GripHeaders.builder()
 *     .holdStream()
 *     .channel("news")
 *     .keepAlive(":\n\n", Duration.ofSeconds(20))
 *     .build();
 * grip.forEach((name, value) -> exchange.getResponseHeaders().add(HttpString.tryFromString(name), value));
 * }</pre>
 *
 * <p>Values that the header syntax cannot carry literally are encoded: parameter values are
 * quoted when needed, and keep-alive data that is not plain text goes as {@code format=base64}.
 * Values that no encoding can carry (a channel name with a comma, a link with {@code >}) are
 * refused by the builder, naming the value and the character.
 *
 * <p>Instances are immutable and thread safe.
 */
public final class GripHeaders {

  private final List<Header> headers;

  private GripHeaders(List<Header> headers) {
    this.headers = List.copyOf(headers);
  }

  /**
   * Starts an empty set of instructions.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The headers in the order they were set, at most one of each name.
   *
   * @return an unmodifiable list
   */
  public List<Header> headers() {
    return headers;
  }

  /**
   * The headers as a map from name to values, in the shape
   * {@link GripInstruction#parse(Map, byte[])} and {@code java.net.http} use.
   *
   * @return an unmodifiable map, names in the order set
   */
  public Map<String, List<String>> toMap() {
    Map<String, List<String>> map = new LinkedHashMap<>();
    for (Header h : headers) {
      map.computeIfAbsent(h.name(), k -> new ArrayList<>()).add(h.value());
    }
    map.replaceAll((k, v) -> List.copyOf(v));
    return Collections.unmodifiableMap(map);
  }

  /**
   * Hands each header to {@code action}, for example to add it to a response.
   *
   * @param action receives the name and the value
   */
  public void forEach(BiConsumer<String, String> action) {
    for (Header h : headers) {
      action.accept(h.name(), h.value());
    }
  }

  @Override
  public String toString() {
    return "GripHeaders" + headers;
  }

  /**
   * Collects the instructions. Every method checks its arguments at once and throws
   * {@link IllegalArgumentException} naming the value at fault. Calling a single-valued method
   * again (hold, timeout, keep-alive, next link, status) replaces the earlier value; channels
   * and meta entries accumulate. Not thread safe.
   */
  public static final class Builder {
    private String hold;
    private final List<String> channels = new ArrayList<>();
    private String timeout;
    private String keepAlive;
    private String link;
    private final Map<String, String> meta = new LinkedHashMap<>();
    private String status;

    private Builder() {}

    /**
     * Holds the request as a long-poll ({@code Grip-Hold: response}): the client gets the
     * first item published to its channels, or this response's body at the timeout.
     *
     * @return this builder
     */
    public Builder holdResponse() {
      hold = "response";
      return this;
    }

    /**
     * Holds the request as a stream ({@code Grip-Hold: stream}): this response's body is sent
     * at once and every item published to the channels is appended.
     *
     * @return this builder
     */
    public Builder holdStream() {
      hold = "stream";
      return this;
    }

    /**
     * Subscribes the held request to a channel.
     *
     * @param name the channel name: not empty, no commas, semicolons, double quotes, control
     *             characters or surrounding spaces
     * @return this builder
     */
    public Builder channel(String name) {
      return channel(ChannelSubscription.of(Objects.requireNonNull(name, "channel name")));
    }

    /**
     * Subscribes the held request to a channel, with the id of the last item the backend
     * knows of there, so that a publish naming another {@code prev-id} is not delivered out of
     * order.
     *
     * @param name   the channel name; see {@link #channel(String)}
     * @param prevId the last known item id, not null
     * @return this builder
     */
    public Builder channel(String name, String prevId) {
      return channel(new ChannelSubscription(Objects.requireNonNull(name, "channel name"),
          Objects.requireNonNull(prevId, "prevId"), List.of()));
    }

    /**
     * Subscribes the held request to a channel with a prev-id and filters, as given.
     *
     * @param subscription the channel, its prev-id (or null) and its filters
     * @return this builder
     */
    public Builder channel(ChannelSubscription subscription) {
      Objects.requireNonNull(subscription, "subscription");
      StringBuilder sb = new StringBuilder(channelName(subscription.name()));
      if (subscription.prevId() != null) {
        sb.append("; prev-id=").append(param("prev-id", subscription.prevId()));
      }
      for (String filter : subscription.filters()) {
        sb.append("; filter=").append(param("filter", filter));
      }
      channels.add(sb.toString());
      return this;
    }

    /**
     * Sets how long a long-poll is held before this response's body is sent
     * ({@code Grip-Timeout}). The proxy's default is
     * {@link GripInstruction#DEFAULT_TIMEOUT}, and it raises values under
     * {@link GripInstruction#MIN_TIMEOUT} to that.
     *
     * @param timeout whole seconds, from 0 to {@link Integer#MAX_VALUE}
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      timeout = seconds("timeout", timeout);
      this.timeout = Long.toString(timeout.getSeconds());
      return this;
    }

    /**
     * Sends {@code text} (UTF-8) on a held stream whenever it has been quiet for
     * {@code timeout} ({@code Grip-Keep-Alive}, idle mode).
     *
     * @param text    the data, not empty, such as {@code ":\n\n"} for Server-Sent Events
     * @param timeout whole seconds, at least 1
     * @return this builder
     */
    public Builder keepAlive(String text, Duration timeout) {
      Objects.requireNonNull(text, "keep-alive text");
      return keepAlive(KeepAlive.of(text.getBytes(StandardCharsets.UTF_8), seconds("keep-alive timeout", timeout),
          KeepAliveMode.IDLE));
    }

    /**
     * Sets the keep-alive of a held stream ({@code Grip-Keep-Alive}): its data, period and
     * mode. Plain text goes as {@code format=cstring}; anything else as {@code format=base64}.
     *
     * @param keepAlive the keep-alive; its timeout must be whole seconds
     * @return this builder
     */
    public Builder keepAlive(KeepAlive keepAlive) {
      Objects.requireNonNull(keepAlive, "keepAlive");
      Duration period = seconds("keep-alive timeout", keepAlive.timeout());
      byte[] data = keepAlive.content();
      String cstring = cstring(data);
      String value = cstring != null ? cstring + "; format=cstring"
          : Base64.getEncoder().encodeToString(data) + "; format=base64";
      value += "; timeout=" + period.getSeconds();
      if (keepAlive.mode() == KeepAliveMode.INTERVAL) {
        value += "; mode=interval";
      }
      this.keepAlive = value;
      return this;
    }

    /**
     * Tells the proxy to fetch {@code uri} when this stream's body is done, and to append
     * what it returns ({@code Grip-Link: <uri>; rel=next}).
     *
     * @param uri     the link, absolute or relative to the request; no {@code >} or control
     *                characters
     * @param timeout whole seconds a stream may be idle on its channels before the link is
     *                fetched again, at least 1; null for the proxy's default
     *                ({@link GripInstruction#DEFAULT_LINK_TIMEOUT})
     * @return this builder
     */
    public Builder nextLink(String uri, Duration timeout) {
      Objects.requireNonNull(uri, "next link");
      String trimmed = uri.trim();
      if (trimmed.isEmpty()) {
        throw new IllegalArgumentException("next link must not be empty");
      }
      for (int i = 0; i < uri.length(); i++) {
        char c = uri.charAt(i);
        if (c == '>' || c < 0x20 || c == 0x7f) {
          throw new IllegalArgumentException("next link has " + describe(c)
              + " at index " + i + "; a Grip-Link cannot carry it");
        }
      }
      String value = "<" + trimmed + ">; rel=next";
      if (timeout != null) {
        Duration t = seconds("next link timeout", timeout);
        if (t.getSeconds() < 1) {
          throw new IllegalArgumentException("next link timeout must be at least 1 s, was " + timeout);
        }
        value += "; timeout=" + t.getSeconds();
      }
      link = value;
      return this;
    }

    /**
     * Sets a meta value on the held connection ({@code Grip-Set-Meta}); published items can
     * be filtered on it. Setting a name again replaces its value.
     *
     * @param name  the meta name: letters, digits and {@code - _ .}
     * @param value the value, any text without control characters
     * @return this builder
     */
    public Builder setMeta(String name, String value) {
      Objects.requireNonNull(name, "meta name");
      Objects.requireNonNull(value, "meta value");
      if (name.isEmpty() || !isToken(name)) {
        throw new IllegalArgumentException("meta name '" + name
            + "' must be letters, digits and - _ . only");
      }
      meta.put(name, param("meta value", value));
      return this;
    }

    /**
     * Sets the status the client gets when the hold ends with this response
     * ({@code Grip-Status}), in place of this response's own.
     *
     * @param code   100-999
     * @param reason the reason phrase, or null for none; no control characters
     * @return this builder
     */
    public Builder status(int code, String reason) {
      if (code < 100 || code > 999) {
        throw new IllegalArgumentException("status code must be 100-999, was " + code);
      }
      String value = Integer.toString(code);
      if (reason != null && !reason.isBlank()) {
        int bad = controlIndex(reason);
        if (bad >= 0) {
          throw new IllegalArgumentException("status reason has " + describe(reason.charAt(bad))
              + " at index " + bad);
        }
        value += " " + reason.trim();
      }
      status = value;
      return this;
    }

    /**
     * Returns the headers. The builder may be used again afterwards.
     *
     * @return the headers, in the order: hold, channels, timeout, keep-alive, meta, status,
     *     link
     */
    public GripHeaders build() {
      List<Header> out = new ArrayList<>();
      add(out, "Grip-Hold", hold);
      if (!channels.isEmpty()) {
        out.add(new Header("Grip-Channel", String.join(", ", channels)));
      }
      add(out, "Grip-Timeout", timeout);
      add(out, "Grip-Keep-Alive", keepAlive);
      if (!meta.isEmpty()) {
        List<String> pairs = new ArrayList<>();
        meta.forEach((k, v) -> pairs.add(k + "=" + v));
        out.add(new Header("Grip-Set-Meta", String.join(", ", pairs)));
      }
      add(out, "Grip-Status", status);
      add(out, "Grip-Link", link);
      return new GripHeaders(out);
    }

    private static void add(List<Header> out, String name, String value) {
      if (value != null) {
        out.add(new Header(name, value));
      }
    }

    private static Duration seconds(String what, Duration d) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.getNano() != 0 || d.getSeconds() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(what + " must be whole seconds from 0 to "
            + Integer.MAX_VALUE + ", was " + d);
      }
      return d;
    }

    private static String channelName(String name) {
      if (!name.equals(name.trim())) {
        throw new IllegalArgumentException("channel name '" + name
            + "' has spaces around it; a Grip-Channel cannot carry them");
      }
      for (int i = 0; i < name.length(); i++) {
        char c = name.charAt(i);
        if (c == ',' || c == ';' || c == '"' || c < 0x20 || c == 0x7f) {
          throw new IllegalArgumentException("channel name has " + describe(c) + " at index " + i
              + "; a Grip-Channel cannot carry it");
        }
      }
      return name;
    }

    /** A parameter value, quoted unless it is a plain token. */
    private static String param(String what, String value) {
      int bad = controlIndex(value);
      if (bad >= 0) {
        throw new IllegalArgumentException(what + " has " + describe(value.charAt(bad))
            + " at index " + bad);
      }
      if (!value.isEmpty() && isToken(value)) {
        return value;
      }
      StringBuilder sb = new StringBuilder("\"");
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (c == '"' || c == '\\') {
          sb.append('\\');
        }
        sb.append(c);
      }
      return sb.append('"').toString();
    }

    /** The data in cstring form when it is printable ASCII and safe unquoted, else null. */
    private static String cstring(byte[] data) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < data.length; i++) {
        byte b = data[i];
        if (b == '\r') {
          sb.append("\\r");
        } else if (b == '\n') {
          sb.append("\\n");
        } else if (b == '\\') {
          sb.append("\\\\");
        } else if (b < 0x20 || b >= 0x7f || b == ';' || b == ',' || b == '"'
            || (b == ' ' && (i == 0 || i == data.length - 1))) {
          return null;
        } else {
          sb.append((char) b);
        }
      }
      return sb.toString();
    }

    private static boolean isToken(String s) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || c == '-' || c == '_' || c == '.';
        if (!ok) {
          return false;
        }
      }
      return true;
    }

    private static int controlIndex(String s) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c < 0x20 || c == 0x7f) {
          return i;
        }
      }
      return -1;
    }

    private static String describe(char c) {
      return c >= 0x20 && c != 0x7f ? "'" + c + "'" : String.format("control character 0x%02x", (int) c);
    }
  }
}
