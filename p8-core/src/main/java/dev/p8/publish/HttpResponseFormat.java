package dev.p8.publish;

import dev.p8.internal.patch.JsonPatch;
import dev.p8.internal.patch.JsonPatchException;
import dev.p8.internal.publish.FieldSyntax;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code http-response} format of a published item: a complete HTTP response that answers
 * the long-polls (response holds) waiting on the channel.
 *
 * <p>With {@link Action#SEND} the held request is answered with this code, reason, headers and
 * body; published headers replace same-named headers of the hold's timeout response and the
 * others are inherited. With {@link Action#HINT} nothing is sent: the held request is retried
 * against the backend instead, so a hint carries no code, reason, headers or body.
 *
 * <p>Instances are immutable and thread safe; the body is copied on the way in and out.
 */
public final class HttpResponseFormat {

  /** What a published {@code http-response} asks of the held requests. */
  public enum Action {
    /** Answer the held request with this response. The default. */
    SEND,
    /** Retry the held request against the backend and relay the new answer. */
    HINT
  }

  /** The status code used when none is set. */
  public static final int DEFAULT_CODE = 200;

  private static final byte[] EMPTY = new byte[0];

  private final Action action;
  private final int code;
  private final String reason;
  private final List<Header> headers;
  private final byte[] body;
  private final String bodyPatch;
  private final List<String> contentFilters;

  private HttpResponseFormat(Builder builder) {
    this.action = builder.action;
    this.code = builder.code;
    this.reason = builder.reason;
    this.headers = List.copyOf(builder.headers);
    this.body = builder.body;
    this.bodyPatch = builder.bodyPatch;
    this.contentFilters = builder.contentFilters;
  }

  /**
   * Starts a response: action {@link Action#SEND}, code 200, no reason, no headers, empty body.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A response with a code and a UTF-8 body, no headers and the standard reason phrase.
   *
   * @param code the status code, 0 to 999
   * @param body the body, encoded as UTF-8
   * @return the format
   * @throws IllegalArgumentException if the code is out of range
   */
  public static HttpResponseFormat of(int code, String body) {
    return builder().code(code).body(body).build();
  }

  /**
   * Starts a builder holding this response's values.
   *
   * @return a new builder; changing it does not change this instance
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.action = action;
    b.code = code;
    b.reason = reason;
    b.headers.addAll(headers);
    b.body = body;
    b.bodyPatch = bodyPatch;
    b.contentFilters = contentFilters;
    return b;
  }

  /**
   * The action.
   *
   * @return {@link Action#SEND} unless set otherwise
   */
  public Action action() {
    return action;
  }

  /**
   * The status code.
   *
   * @return the code, 0 to 999; 200 unless set
   */
  public int code() {
    return code;
  }

  /**
   * The reason phrase.
   *
   * @return the reason, or empty when the standard phrase for the code should be used
   */
  public Optional<String> reason() {
    return Optional.ofNullable(reason);
  }

  /**
   * The headers, in order, duplicates kept.
   *
   * @return an unmodifiable list, empty unless set
   */
  public List<Header> headers() {
    return headers;
  }

  /**
   * The body bytes.
   *
   * @return a fresh copy of the body, empty unless set
   */
  public byte[] body() {
    return body.clone();
  }

  /**
   * The body without copying it, for writing to many connections.
   *
   * @return a new read-only buffer over the body, positioned at 0; each call returns an
   *     independent buffer
   */
  public ByteBuffer bodyBuffer() {
    return ByteBuffer.wrap(body).asReadOnlyBuffer();
  }

  /**
   * The {@code content-filters} of this format: when present, the item reaches only
   * subscribers whose content-changing filters ({@code build-id}, {@code var-subst}) are exactly
   * these, in this order (an empty list: only subscribers without such filters).
   *
   * @return the filter names, or empty when the format reaches every subscriber
   */
  public Optional<List<String>> contentFilters() {
    return Optional.ofNullable(contentFilters);
  }

  /**
   * The JSON Patch (RFC 6902) to apply to the held response's own body instead of sending
   * {@link #body()}, as JSON text of an array of operations; empty when the body is sent.
   *
   * @return the patch, or empty
   */
  public Optional<String> bodyPatch() {
    return Optional.ofNullable(bodyPatch);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof HttpResponseFormat)) {
      return false;
    }
    HttpResponseFormat other = (HttpResponseFormat) o;
    return action == other.action
        && code == other.code
        && Objects.equals(reason, other.reason)
        && headers.equals(other.headers)
        && Arrays.equals(body, other.body)
        && Objects.equals(bodyPatch, other.bodyPatch)
        && Objects.equals(contentFilters, other.contentFilters);
  }

  @Override
  public int hashCode() {
    return Objects.hash(action, code, reason, headers, Arrays.hashCode(body), bodyPatch,
        contentFilters);
  }

  @Override
  public String toString() {
    if (action == Action.HINT) {
      return "HttpResponseFormat{hint}";
    }
    return "HttpResponseFormat{code=" + code
        + (reason != null ? ", reason=" + reason : "")
        + ", headers=" + headers
        + (bodyPatch != null ? ", bodyPatch=" + bodyPatch : ", body=" + body.length + " bytes")
        + (contentFilters != null ? ", contentFilters=" + contentFilters : "") + "}";
  }

  /**
   * Builds an {@link HttpResponseFormat}. Every setter checks its argument at once and throws
   * {@link IllegalArgumentException} naming the option and the value. Not thread safe.
   */
  public static final class Builder {

    private Action action = Action.SEND;
    private int code = DEFAULT_CODE;
    private String reason;
    private final List<Header> headers = new ArrayList<>();
    private byte[] body = EMPTY;
    private String bodyPatch;
    private List<String> contentFilters;

    private Builder() {
    }

    /**
     * Sets the action. The default is {@link Action#SEND}.
     *
     * @param action the action
     * @return this builder
     */
    public Builder action(Action action) {
      this.action = Objects.requireNonNull(action, "action");
      return this;
    }

    /**
     * Sets the status code. The default is 200.
     *
     * @param code the code, 0 to 999 as in Pushpin
     * @return this builder
     * @throws IllegalArgumentException if the code is out of range
     */
    public Builder code(int code) {
      if (code < 0 || code > 999) {
        throw new IllegalArgumentException("code must be between 0 and 999, was " + code);
      }
      this.code = code;
      return this;
    }

    /**
     * Sets the reason phrase. The default, also chosen by null or an empty string, is the
     * standard phrase for the code.
     *
     * @param reason the reason phrase, or null
     * @return this builder
     * @throws IllegalArgumentException if the reason contains a control character
     */
    public Builder reason(String reason) {
      if (reason != null && !FieldSyntax.isFieldText(reason)) {
        throw new IllegalArgumentException("reason must not contain control characters such as"
            + " CR or LF");
      }
      this.reason = reason == null || reason.isEmpty() ? null : reason;
      return this;
    }

    /**
     * Adds a header after those already set. Repeating a name adds another field.
     *
     * @param name  the header name, an HTTP token
     * @param value the header value, without control characters
     * @return this builder
     * @throws IllegalArgumentException if the name is not a token or the value contains a
     *     control character
     */
    public Builder header(String name, String value) {
      headers.add(checkHeader(new Header(name, value)));
      return this;
    }

    /**
     * Replaces all headers set so far with {@code headers}.
     *
     * @param headers the headers, in order
     * @return this builder
     * @throws IllegalArgumentException if a name is not a token or a value contains a control
     *     character
     */
    public Builder headers(List<Header> headers) {
      List<Header> checked = new ArrayList<>(headers.size());
      for (Header h : headers) {
        checked.add(checkHeader(Objects.requireNonNull(h, "headers element")));
      }
      this.headers.clear();
      this.headers.addAll(checked);
      return this;
    }

    /**
     * Sets the body to the UTF-8 encoding of {@code body}. The default is an empty body.
     *
     * @param body the body text
     * @return this builder
     */
    public Builder body(String body) {
      this.body = Objects.requireNonNull(body, "body").getBytes(StandardCharsets.UTF_8);
      return this;
    }

    /**
     * Sets the body bytes. The array is copied.
     *
     * @param body the body bytes
     * @return this builder
     */
    public Builder body(byte[] body) {
      this.body = Objects.requireNonNull(body, "body").clone();
      return this;
    }

    /**
     * Sets a JSON Patch (RFC 6902) to apply to the held response's own body (which must be a
     * JSON object or array) instead of sending a body ({@code body-patch}). Where the patch
     * cannot apply, the response is sent with an empty body, as Pushpin does. The default is
     * none.
     *
     * @param jsonPatch the patch as JSON text: an array of operation objects
     * @return this builder
     * @throws IllegalArgumentException if the text is not a JSON array
     */
    public Builder bodyPatch(String jsonPatch) {
      Objects.requireNonNull(jsonPatch, "bodyPatch");
      try {
        JsonPatch.parse(jsonPatch);
      } catch (JsonPatchException e) {
        throw new IllegalArgumentException("bodyPatch: " + e.getMessage(), e);
      }
      this.bodyPatch = jsonPatch;
      return this;
    }

    /**
     * Sets {@code content-filters}: the item then reaches only long-polls whose content-changing
     * filters are exactly these, in order. The default is none (every long-poll).
     *
     * @param names the filter names; none empty
     * @return this builder
     */
    public Builder contentFilters(List<String> names) {
      this.contentFilters = ContentFilters.check(names);
      return this;
    }

    /**
     * Builds the format.
     *
     * @return the immutable format
     * @throws IllegalArgumentException if the action is {@link Action#HINT} and a code,
     *     reason, header, body or body patch was set, since a hint sends none of them; or if
     *     both a body and a body patch were set
     */
    public HttpResponseFormat build() {
      if (action == Action.HINT && (code != DEFAULT_CODE || reason != null || !headers.isEmpty()
          || body.length != 0 || bodyPatch != null)) {
        throw new IllegalArgumentException("action HINT sends no response: code, reason, headers,"
            + " body and bodyPatch must be left unset");
      }
      if (bodyPatch != null && body.length != 0) {
        throw new IllegalArgumentException("body and bodyPatch were both set; a response has one"
            + " or the other");
      }
      return new HttpResponseFormat(this);
    }

    private static Header checkHeader(Header header) {
      if (!FieldSyntax.isToken(header.name())) {
        throw new IllegalArgumentException("header name must be an HTTP token, was \""
            + header.name() + "\"");
      }
      if (!FieldSyntax.isFieldText(header.value())) {
        throw new IllegalArgumentException("value of header " + header.name()
            + " must not contain control characters such as CR or LF");
      }
      return header;
    }
  }
}
