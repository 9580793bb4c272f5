package dev.p8.grip;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The GRIP instructions of one backend response (GRIP.md sections 1.1 and 1.2): whether and how
 * to hold the client, on which channels, for how long, with which keep-alive, status and links.
 *
 * <pre>{@code
 * if (GripInstruction.isInstruct(headers)) {
 *   GripInstruction grip = GripInstruction.parse(headers, body);
 *   grip.hold().ifPresent(mode -> subscribe(grip.channels(), grip.timeout()));
 * }
 * }</pre>
 *
 * <p>Two forms are read. The header form is a set of {@code Grip-*} response headers. The JSON
 * form is a body of type {@value #CONTENT_TYPE}; its {@code Grip-*} headers are read too, and the
 * JSON adds to them as Pushpin does: the JSON hold mode, timeout and keep-alive replace the
 * headers', its channels follow theirs and its meta entries win over theirs.
 *
 * <p>What is checked here and what is left to the caller: a hold without channels, channels
 * without a hold, and a JSON form whose HTTP status is not 200 all parse; the proxy decides
 * what they mean (Pushpin answers the last with an error). The route's channel prefix is not
 * applied.
 *
 * <p>Instances are immutable and thread safe. {@link #parse} either returns a complete
 * instruction or throws {@link GripInstructionException} naming the header or JSON field, the
 * value and why; it throws nothing else, whatever the input.
 */
public final class GripInstruction {

  /** Long-poll timeout when none is given: 55 seconds. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(55);
  /** Smallest long-poll timeout: 5 seconds; smaller values, 0 included, are raised to it. */
  public static final Duration MIN_TIMEOUT = Duration.ofSeconds(5);
  /** Keep-alive period when none is given: 55 seconds. Smaller periods are raised to 1 second. */
  public static final Duration DEFAULT_KEEP_ALIVE_TIMEOUT = Duration.ofSeconds(55);
  /** Next-link timeout when none is given: 120 seconds. Smaller ones are raised to 1 second. */
  public static final Duration DEFAULT_LINK_TIMEOUT = Duration.ofSeconds(120);
  /** Most filters one channel may name: 5, Pushpin's filter stack size. */
  public static final int MAX_FILTERS_PER_CHANNEL = 5;
  /** The content type of the JSON form: {@value}. */
  public static final String CONTENT_TYPE = "application/grip-instruct";

  private static final Duration ONE_SECOND = Duration.ofSeconds(1);

  private final HoldMode hold;
  private final List<ChannelSubscription> channels;
  private final Duration timeout;
  private final KeepAlive keepAlive;
  private final int status;
  private final String reason;
  private final GripLink nextLink;
  private final GripLink goneLink;
  private final Map<String, String> meta;
  private final List<String> exposeHeaders;
  private final InstructResponse response;

  private GripInstruction(Draft d) {
    this.hold = d.hold;
    this.channels = List.copyOf(d.channels);
    this.timeout = d.timeout;
    this.keepAlive = d.keepAlive();
    this.status = d.status;
    this.reason = d.reason;
    this.nextLink = d.nextLink;
    this.goneLink = d.goneLink;
    this.meta = Collections.unmodifiableMap(new LinkedHashMap<>(d.meta));
    this.exposeHeaders = List.copyOf(d.exposeHeaders);
    this.response = d.response;
  }

  /**
   * Tells whether a backend response carries GRIP instructions: some header name starts with
   * {@code Grip-} (any case), or the first {@code Content-Type} is {@value #CONTENT_TYPE}
   * (any case, parameters ignored).
   *
   * @param headers the response headers; names in any case, null names and values skipped
   * @return true if the proxy must treat the response as instructions
   */
  public static boolean isInstruct(Map<String, List<String>> headers) {
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      String name = e.getKey();
      if (name == null) {
        continue;
      }
      if (name.regionMatches(true, 0, "Grip-", 0, 5)) {
        return true;
      }
      if (name.equalsIgnoreCase("Content-Type") && isInstructType(e.getValue())) {
        return true;
      }
    }
    return false;
  }

  private static boolean isInstructType(List<String> values) {
    if (values == null || values.isEmpty() || values.get(0) == null) {
      return false;
    }
    String v = values.get(0);
    int semi = v.indexOf(';');
    return (semi < 0 ? v : v.substring(0, semi)).trim().equalsIgnoreCase(CONTENT_TYPE);
  }

  /**
   * Parses the instructions of a backend response.
   *
   * <p>Header values are read as the HTTP server decoded them. Where bytes matter (raw and
   * {@code cstring} keep-alive data) a value whose characters are all at most U+00FF is taken
   * one byte per character, as servers decode header bytes in ISO-8859-1; other values are
   * encoded in UTF-8.
   *
   * @param headers the response headers; names in any case, several values under one name (or
   *                under names differing in case) for repeated headers; null names and values
   *                are skipped
   * @param body    the response body, read only for the JSON form; null counts as empty
   * @return the instructions
   * @throws GripInstructionException naming the header, or {@code body} and the JSON field path,
   *                                  that is at fault
   */
  public static GripInstruction parse(Map<String, List<String>> headers, byte[] body)
      throws GripInstructionException {
    Map<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (e.getKey() == null || e.getValue() == null) {
        continue;
      }
      List<String> values = h.computeIfAbsent(e.getKey(), k -> new ArrayList<>());
      for (String v : e.getValue()) {
        if (v != null) {
          values.add(v);
        }
      }
    }
    Draft d = new Draft();
    HeaderForm.read(h, d);
    if (isInstructType(h.get("Content-Type"))) {
      JsonForm.read(body, d);
    }
    return new GripInstruction(d);
  }

  static Duration clampTimeout(long seconds) {
    Duration d = Duration.ofSeconds(seconds);
    return d.compareTo(MIN_TIMEOUT) < 0 ? MIN_TIMEOUT : d;
  }

  static Duration clampKeepAlive(long seconds) {
    return seconds < 1 ? ONE_SECOND : Duration.ofSeconds(seconds);
  }

  static Duration clampLink(long seconds) {
    return seconds < 1 ? ONE_SECOND : Duration.ofSeconds(seconds);
  }

  /**
   * The hold: {@code Grip-Hold}, or the JSON {@code hold.mode} ({@code response} when a JSON
   * {@code hold} omits it).
   *
   * @return the hold mode, or empty when the backend did not ask for a hold
   */
  public Optional<HoldMode> hold() {
    return hold == null ? Optional.empty() : HOLDS.get(hold.ordinal());
  }

  // Asked for several times per held request; an Optional each time was garbage each time.
  private static final List<Optional<HoldMode>> HOLDS =
      java.util.Arrays.stream(HoldMode.values()).map(Optional::of).toList();

  /**
   * The channels to subscribe to: those of the {@code Grip-Channel} headers, then those of the
   * JSON {@code hold.channels}, in order. Duplicates are kept.
   *
   * @return the channels, possibly empty; unmodifiable
   */
  public List<ChannelSubscription> channels() {
    return channels;
  }

  /**
   * The response-hold timeout: {@code Grip-Timeout} or the JSON {@code hold.timeout}.
   *
   * @return the timeout, {@link #DEFAULT_TIMEOUT} unless given, never under
   *     {@link #MIN_TIMEOUT}
   */
  public Duration timeout() {
    return timeout;
  }

  /**
   * The stream keep-alive: {@code Grip-Keep-Alive}, or the JSON {@code hold.keep-alive}. A JSON
   * keep-alive uses {@link KeepAliveMode#INTERVAL} unless a {@code Grip-Keep-Alive} header set
   * the mode; one with empty content is no keep-alive, since it would send nothing.
   *
   * @return the keep-alive, or empty for none
   */
  public Optional<KeepAlive> keepAlive() {
    return Optional.ofNullable(keepAlive);
  }

  /**
   * The status code of {@code Grip-Status}, which replaces the backend's status on what the
   * client receives. For the JSON form it is already folded into {@link #response()}.
   *
   * @return the code from 0 to 999, or empty when not given
   */
  public OptionalInt status() {
    return status < 0 ? OptionalInt.empty() : OptionalInt.of(status);
  }

  /**
   * The reason phrase of {@code Grip-Status}.
   *
   * @return the reason, or empty when not given (the standard phrase of the code applies)
   */
  public Optional<String> reason() {
    return Optional.ofNullable(reason);
  }

  /**
   * The {@code Grip-Link} with {@code rel=next}; when several are given, the last.
   *
   * @return the link, or empty
   */
  public Optional<GripLink> nextLink() {
    return Optional.ofNullable(nextLink);
  }

  /**
   * The {@code Grip-Link} with {@code rel=gone}; when several are given, the last.
   *
   * @return the link, or empty
   */
  public Optional<GripLink> goneLink() {
    return Optional.ofNullable(goneLink);
  }

  /**
   * Subscription meta from {@code Grip-Set-Meta} ({@code name=value}; a bare name sets an
   * empty value) and the JSON {@code hold.meta}; a later entry wins over an earlier one with
   * the same name.
   *
   * @return the meta in the order first set; unmodifiable
   */
  public Map<String, String> meta() {
    return meta;
  }

  /**
   * The header names of {@code Grip-Expose-Headers}: when not empty, only these backend
   * headers (any case) are kept on the response the client receives.
   *
   * @return the names as given, possibly empty; unmodifiable
   */
  public List<String> exposeHeaders() {
    return exposeHeaders;
  }

  /**
   * The response the client receives, for the JSON form only: the JSON {@code "response"}
   * object, defaulting to status 200 (or the {@code Grip-Status} code), no headers and an empty
   * body. A JSON {@code code} wins over {@code Grip-Status}, and then the reason is the JSON
   * {@code reason} or the standard one. The instruct body itself is never sent.
   *
   * @return the response whenever the body is of type {@value #CONTENT_TYPE}; empty for the
   *     header form, where the backend's own response (with {@link #status()} applied) is used
   */
  public Optional<InstructResponse> response() {
    return Optional.ofNullable(response);
  }

  /** Shows the hold, channels and timeouts, for logs. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("GripInstruction{hold=").append(hold)
        .append(", channels=").append(channels).append(", timeout=").append(timeout);
    if (keepAlive != null) {
      sb.append(", keepAlive=").append(keepAlive);
    }
    if (status >= 0) {
      sb.append(", status=").append(status);
    }
    if (nextLink != null) {
      sb.append(", nextLink=").append(nextLink);
    }
    if (goneLink != null) {
      sb.append(", goneLink=").append(goneLink);
    }
    if (response != null) {
      sb.append(", response=").append(response);
    }
    return sb.append('}').toString();
  }
}
