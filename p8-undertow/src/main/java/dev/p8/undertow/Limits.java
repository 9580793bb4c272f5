package dev.p8.undertow;

/**
 * The bounds P8 puts on what peers control. Every limit has a default here, a builder method,
 * a pushpin.conf key where Pushpin has one, and a row in {@code docs/configuration.md}.
 *
 * <p>Immutable and thread safe. Start from {@link #defaults()} and change what you need:
 * <pre>{@code
 * Limits limits = Limits.builder().maxPublishBodyBytes(4_000_000).build();
 * }</pre>
 */
public final class Limits {

  /** Default for {@link #maxPublishBodyBytes()}: 1,000,000 bytes, Pushpin's {@code push_in_http_max_body_size}. */
  public static final int DEFAULT_MAX_PUBLISH_BODY_BYTES = 1_000_000;
  /** Default for {@link #maxInstructBodyBytes()}: 100,000 bytes, as Pushpin. */
  public static final int DEFAULT_MAX_INSTRUCT_BODY_BYTES = 100_000;
  /** Default for {@link #maxRequestHeaderBytes()}: 8,192 bytes, Pushpin's {@code client_buffer_size}. */
  public static final int DEFAULT_MAX_REQUEST_HEADER_BYTES = 8_192;
  /** Default for {@link #maxStreamBufferBytes()}: 1 MiB. */
  public static final int DEFAULT_MAX_STREAM_BUFFER_BYTES = 1 << 20;
  /** Default for {@link #maxChannelsPerConnection()}: 20, Pushpin's {@code connection_subscription_max}. */
  public static final int DEFAULT_MAX_CHANNELS_PER_CONNECTION = 20;

  /** Default for {@link #maxHeldRequestBodyBytes()}: 100,000 bytes, as Pushpin. */
  public static final int DEFAULT_MAX_HELD_REQUEST_BODY_BYTES = 100_000;

  /** Default for {@link #maxIdleBackendConnections()}: 512. */
  public static final int DEFAULT_MAX_IDLE_BACKEND_CONNECTIONS = 512;

  /** Default for {@link #maxWebSocketMessageBytes()}: 1,000,000 bytes. */
  public static final int DEFAULT_MAX_WEBSOCKET_MESSAGE_BYTES = 1_000_000;

  /** Default for {@link #maxWebSocketPendingBytes()}: 200,000 bytes, Pushpin's WebSocket-over-HTTP buffer. */
  public static final int DEFAULT_MAX_WEBSOCKET_PENDING_BYTES = 200_000;
  /** Default for {@link #maxRecoveryRetries()}: 5. */
  public static final int DEFAULT_MAX_RECOVERY_RETRIES = 5;

  private static final Limits DEFAULTS = new Builder().build();

  private final int maxPublishBodyBytes;
  private final int maxInstructBodyBytes;
  private final int maxRequestHeaderBytes;
  private final int maxStreamBufferBytes;
  private final int maxChannelsPerConnection;
  private final int maxWebSocketMessageBytes;
  private final int maxRecoveryRetries;
  private final int maxWebSocketPendingBytes;
  private final int maxHeldRequestBodyBytes;
  private final int maxIdleBackendConnections;

  private Limits(Builder b) {
    this.maxPublishBodyBytes = b.maxPublishBodyBytes;
    this.maxInstructBodyBytes = b.maxInstructBodyBytes;
    this.maxRequestHeaderBytes = b.maxRequestHeaderBytes;
    this.maxStreamBufferBytes = b.maxStreamBufferBytes;
    this.maxChannelsPerConnection = b.maxChannelsPerConnection;
    this.maxWebSocketMessageBytes = b.maxWebSocketMessageBytes;
    this.maxRecoveryRetries = b.maxRecoveryRetries;
    this.maxWebSocketPendingBytes = b.maxWebSocketPendingBytes;
    this.maxHeldRequestBodyBytes = b.maxHeldRequestBodyBytes;
    this.maxIdleBackendConnections = b.maxIdleBackendConnections;
  }

  /**
   * The default limits: the {@code DEFAULT_*} constants of this class.
   *
   * @return the shared default instance, the same object on every call
   */
  public static Limits defaults() {
    return DEFAULTS;
  }

  /**
   * A builder starting from the defaults.
   *
   * @return a new builder holding the {@code DEFAULT_*} values; each call returns a fresh one
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder starting from these limits.
   *
   * @return a new builder holding every value of this instance; changing the builder does not
   *     change this instance, which is immutable
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxPublishBodyBytes = maxPublishBodyBytes;
    b.maxInstructBodyBytes = maxInstructBodyBytes;
    b.maxRequestHeaderBytes = maxRequestHeaderBytes;
    b.maxStreamBufferBytes = maxStreamBufferBytes;
    b.maxChannelsPerConnection = maxChannelsPerConnection;
    b.maxWebSocketMessageBytes = maxWebSocketMessageBytes;
    b.maxRecoveryRetries = maxRecoveryRetries;
    b.maxWebSocketPendingBytes = maxWebSocketPendingBytes;
    b.maxHeldRequestBodyBytes = maxHeldRequestBodyBytes;
    b.maxIdleBackendConnections = maxIdleBackendConnections;
    return b;
  }

  /**
   * The largest body accepted by {@code POST /publish} on the control API.
   *
   * @return the limit in bytes, at least 1; default {@value #DEFAULT_MAX_PUBLISH_BODY_BYTES}.
   *     A larger publish gets {@code 400 Request body too large.}; the same bound applies to
   *     one message on the ZeroMQ PULL and SUB inputs
   */
  public int maxPublishBodyBytes() {
    return maxPublishBodyBytes;
  }

  /**
   * The largest backend response body read when the response carries GRIP instructions.
   *
   * @return the limit in bytes, at least 1; default {@value #DEFAULT_MAX_INSTRUCT_BODY_BYTES}.
   *     A larger instructing body is answered to the client with a 502
   */
  public int maxInstructBodyBytes() {
    return maxInstructBodyBytes;
  }

  /**
   * The largest request head (request line and headers) a client may send.
   *
   * @return the limit in bytes, at least 1; default {@value #DEFAULT_MAX_REQUEST_HEADER_BYTES}.
   *     A client over it gets {@code 400 Request header size exceeded limit of N bytes.} and
   *     its connection is closed
   */
  public int maxRequestHeaderBytes() {
    return maxRequestHeaderBytes;
  }

  /**
   * The most bytes queued for one slow streaming client before its connection is closed.
   *
   * @return the limit in bytes of unsent data per held stream or WebSocket client, at least 1;
   *     default {@value #DEFAULT_MAX_STREAM_BUFFER_BYTES} (1 MiB). What the closed client had
   *     not received is lost ({@link P8Listener.DropReason#SLOW_CLIENT})
   */
  public int maxStreamBufferBytes() {
    return maxStreamBufferBytes;
  }

  /**
   * The most channels one held connection subscribes to; channels past it are ignored.
   *
   * @return the number of channels, at least 1; default
   *     {@value #DEFAULT_MAX_CHANNELS_PER_CONNECTION}
   */
  public int maxChannelsPerConnection() {
    return maxChannelsPerConnection;
  }

  /**
   * The largest WebSocket message a client may send, and the largest body of events a backend
   * may answer with over WebSocket-over-HTTP. A client over it is closed with code 1009.
   *
   * @return the limit in bytes, at least 1; default {@value #DEFAULT_MAX_WEBSOCKET_MESSAGE_BYTES}
   */
  public int maxWebSocketMessageBytes() {
    return maxWebSocketMessageBytes;
  }

  /**
   * The most message bytes from one WebSocket-over-HTTP client that wait for the backend (one
   * request is outstanding per connection). Past it P8 stops reading from that client until
   * the backend has taken them, so a fast client slows down instead of growing memory. One
   * message larger than this still goes through, alone.
   *
   * @return the limit in bytes per WebSocket-over-HTTP connection, at least 1; default
   *     {@value #DEFAULT_MAX_WEBSOCKET_PENDING_BYTES}
   */
  public int maxWebSocketPendingBytes() {
    return maxWebSocketPendingBytes;
  }

  /**
   * How many times one client request may be sent to its backend again for long-poll recovery
   * (a prev-id behind the last published id, a published item that does not follow the hold, a
   * {@code hint}, the first-subscription update). Past it a long-poll is held without the
   * check, and items that do not follow it are dropped for it, so a backend that keeps
   * answering with a stale prev-id cannot make P8 loop. Zero turns recovery off.
   *
   * @return the number of retries per client request, zero or more; default
   *     {@value #DEFAULT_MAX_RECOVERY_RETRIES}
   */
  public int maxRecoveryRetries() {
    return maxRecoveryRetries;
  }

  /**
   * The largest client request body that a backend may still answer with GRIP instructions.
   * Past it the request is streamed to the backend as usual, but an answer that asks for a
   * hold gets {@code 400 Request too large to accept GRIP instruct.}, as from Pushpin, which
   * keeps no more of a request than this for its retries.
   *
   * @return the limit in bytes, at least 1; default {@value #DEFAULT_MAX_HELD_REQUEST_BODY_BYTES}
   */
  public int maxHeldRequestBodyBytes() {
    return maxHeldRequestBodyBytes;
  }

  /**
   * How many idle keep-alive connections to one backend target each I/O thread keeps for
   * reuse. A connection that comes back to a full pool is closed. Long-poll clients answered
   * by one publish all ask again at once, so the pool should hold such a burst: with too few,
   * every burst opens and closes connections to the backend again, which costs more CPU than
   * the requests themselves.
   *
   * @return connections per target and I/O thread, at least 1; default
   *     {@value #DEFAULT_MAX_IDLE_BACKEND_CONNECTIONS}
   */
  public int maxIdleBackendConnections() {
    return maxIdleBackendConnections;
  }

  @Override
  public String toString() {
    return "Limits{maxPublishBodyBytes=" + maxPublishBodyBytes
        + ", maxInstructBodyBytes=" + maxInstructBodyBytes
        + ", maxRequestHeaderBytes=" + maxRequestHeaderBytes
        + ", maxStreamBufferBytes=" + maxStreamBufferBytes
        + ", maxChannelsPerConnection=" + maxChannelsPerConnection
        + ", maxWebSocketMessageBytes=" + maxWebSocketMessageBytes
        + ", maxRecoveryRetries=" + maxRecoveryRetries
        + ", maxWebSocketPendingBytes=" + maxWebSocketPendingBytes
        + ", maxHeldRequestBodyBytes=" + maxHeldRequestBodyBytes
        + ", maxIdleBackendConnections=" + maxIdleBackendConnections + "}";
  }

  /** Builds {@link Limits}. Not thread safe. */
  public static final class Builder {
    private int maxPublishBodyBytes = DEFAULT_MAX_PUBLISH_BODY_BYTES;
    private int maxInstructBodyBytes = DEFAULT_MAX_INSTRUCT_BODY_BYTES;
    private int maxRequestHeaderBytes = DEFAULT_MAX_REQUEST_HEADER_BYTES;
    private int maxStreamBufferBytes = DEFAULT_MAX_STREAM_BUFFER_BYTES;
    private int maxChannelsPerConnection = DEFAULT_MAX_CHANNELS_PER_CONNECTION;
    private int maxWebSocketMessageBytes = DEFAULT_MAX_WEBSOCKET_MESSAGE_BYTES;
    private int maxRecoveryRetries = DEFAULT_MAX_RECOVERY_RETRIES;
    private int maxWebSocketPendingBytes = DEFAULT_MAX_WEBSOCKET_PENDING_BYTES;
    private int maxHeldRequestBodyBytes = DEFAULT_MAX_HELD_REQUEST_BODY_BYTES;
    private int maxIdleBackendConnections = DEFAULT_MAX_IDLE_BACKEND_CONNECTIONS;

    private Builder() {}

    /**
     * Sets {@link Limits#maxPublishBodyBytes()}; pushpin.conf {@code [handler] push_in_http_max_body_size}.
     *
     * @param bytes the largest publish body in bytes, at least 1; default
     *     {@value Limits#DEFAULT_MAX_PUBLISH_BODY_BYTES}
     * @return this builder
     * @throws IllegalArgumentException if {@code bytes} is zero or negative;
     *     the builder keeps its previous value
     */
    public Builder maxPublishBodyBytes(int bytes) {
      this.maxPublishBodyBytes = positive("maxPublishBodyBytes", bytes);
      return this;
    }

    /**
     * Sets {@link Limits#maxInstructBodyBytes()}.
     *
     * @param bytes the largest instructing backend body in bytes, at least 1; default
     *     {@value Limits#DEFAULT_MAX_INSTRUCT_BODY_BYTES}
     * @return this builder
     * @throws IllegalArgumentException if {@code bytes} is zero or negative;
     *     the builder keeps its previous value
     */
    public Builder maxInstructBodyBytes(int bytes) {
      this.maxInstructBodyBytes = positive("maxInstructBodyBytes", bytes);
      return this;
    }

    /**
     * Sets {@link Limits#maxRequestHeaderBytes()}; pushpin.conf {@code [runner] client_buffer_size}.
     *
     * @param bytes the largest client request head in bytes, at least 1; default
     *     {@value Limits#DEFAULT_MAX_REQUEST_HEADER_BYTES}
     * @return this builder
     * @throws IllegalArgumentException if {@code bytes} is zero or negative;
     *     the builder keeps its previous value
     */
    public Builder maxRequestHeaderBytes(int bytes) {
      this.maxRequestHeaderBytes = positive("maxRequestHeaderBytes", bytes);
      return this;
    }

    /**
     * Sets {@link Limits#maxStreamBufferBytes()}.
     *
     * @param bytes the most unsent bytes per streaming client, at least 1; default
     *     {@value Limits#DEFAULT_MAX_STREAM_BUFFER_BYTES} (1 MiB)
     * @return this builder
     * @throws IllegalArgumentException if {@code bytes} is zero or negative;
     *     the builder keeps its previous value
     */
    public Builder maxStreamBufferBytes(int bytes) {
      this.maxStreamBufferBytes = positive("maxStreamBufferBytes", bytes);
      return this;
    }

    /**
     * Sets {@link Limits#maxChannelsPerConnection()}; pushpin.conf {@code [handler] connection_subscription_max}.
     *
     * @param channels the most channels per held connection, at least 1; default
     *     {@value Limits#DEFAULT_MAX_CHANNELS_PER_CONNECTION}
     * @return this builder
     * @throws IllegalArgumentException if {@code channels} is zero or negative;
     *     the builder keeps its previous value
     */
    public Builder maxChannelsPerConnection(int channels) {
      this.maxChannelsPerConnection = positive("maxChannelsPerConnection", channels);
      return this;
    }

    /**
     * Sets {@link Limits#maxWebSocketMessageBytes()}.
     *
     * @param bytes the largest WebSocket message in bytes, at least 1; default
     *     {@value Limits#DEFAULT_MAX_WEBSOCKET_MESSAGE_BYTES}
     * @return this builder
     * @throws IllegalArgumentException if {@code bytes} is zero or negative;
     *     the builder keeps its previous value
     */
    public Builder maxWebSocketMessageBytes(int bytes) {
      this.maxWebSocketMessageBytes = positive("maxWebSocketMessageBytes", bytes);
      return this;
    }

    /**
     * Sets {@link Limits#maxWebSocketPendingBytes()}.
     *
     * @param bytes the most message bytes waiting for the backend per WebSocket-over-HTTP
     *     connection, at least 1; default {@value Limits#DEFAULT_MAX_WEBSOCKET_PENDING_BYTES}
     * @return this builder
     * @throws IllegalArgumentException if {@code bytes} is zero or negative;
     *     the builder keeps its previous value
     */
    public Builder maxWebSocketPendingBytes(int bytes) {
      this.maxWebSocketPendingBytes = positive("maxWebSocketPendingBytes", bytes);
      return this;
    }

    /**
     * Sets {@link Limits#maxRecoveryRetries()}; zero or more.
     *
     * @param retries how many times one client request may be sent again for recovery; 0 turns
     *     recovery off; default {@value Limits#DEFAULT_MAX_RECOVERY_RETRIES}
     * @return this builder
     * @throws IllegalArgumentException if {@code retries} is negative;
     *     the builder keeps its previous value
     */
    public Builder maxRecoveryRetries(int retries) {
      if (retries < 0) {
        throw new IllegalArgumentException("maxRecoveryRetries must be zero or more, was " + retries);
      }
      this.maxRecoveryRetries = retries;
      return this;
    }

    /**
     * Sets {@link Limits#maxHeldRequestBodyBytes()}.
     *
     * @param bytes the largest client request body a backend may still hold, in bytes, at
     *     least 1; default {@value Limits#DEFAULT_MAX_HELD_REQUEST_BODY_BYTES}
     * @return this builder
     * @throws IllegalArgumentException if {@code bytes} is zero or negative;
     *     the builder keeps its previous value
     */
    public Builder maxHeldRequestBodyBytes(int bytes) {
      this.maxHeldRequestBodyBytes = positive("maxHeldRequestBodyBytes", bytes);
      return this;
    }

    /**
     * Sets {@link Limits#maxIdleBackendConnections()}.
     *
     * @param connections idle keep-alive connections kept per backend target and I/O thread, at
     *     least 1; default {@value Limits#DEFAULT_MAX_IDLE_BACKEND_CONNECTIONS}
     * @return this builder
     * @throws IllegalArgumentException if {@code connections} is zero or negative;
     *     the builder keeps its previous value
     */
    public Builder maxIdleBackendConnections(int connections) {
      this.maxIdleBackendConnections = positive("maxIdleBackendConnections", connections);
      return this;
    }

    /**
     * Returns the limits. Every value was checked when it was set, so this does not fail; the
     * builder may be changed and built again without affecting limits already built.
     *
     * @return a new immutable {@link Limits} holding the builder's current values
     */
    public Limits build() {
      return new Limits(this);
    }

    private static int positive(String option, int value) {
      if (value <= 0) {
        throw new IllegalArgumentException(option + " must be positive, was " + value);
      }
      return value;
    }
  }
}
