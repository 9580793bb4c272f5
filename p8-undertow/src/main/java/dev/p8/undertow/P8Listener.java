package dev.p8.undertow;

import dev.p8.publish.Item;

/**
 * Told what a {@link P8Server} does: client requests and connections, publishes, deliveries,
 * drops and subscriptions. Register one or more with {@link P8Server.Builder#listener}; the
 * built-in Prometheus endpoint and the ZeroMQ stats socket are implementations of this
 * interface. Every method has an empty default, so an implementation overrides only what it
 * needs, and methods added later will not break it.
 *
 * <pre>{@code
 * LongAdder delivered = new LongAdder();
 * P8Server.builder().listener(new P8Listener() {
 *   @Override
 *   public void messageDelivered(Item item, Transport transport, long latencyNanos) {
 *     delivered.increment();
 *   }
 * });
 * }</pre>
 *
 * <p><b>Threads.</b> Methods are called on the thread where the event happens: client request
 * and connection events and deliveries on the connection's I/O thread, publish events on the
 * publishing thread (a control API worker, a ZeroMQ socket thread, or the caller of
 * {@link P8Server#publisher()}). An implementation must therefore be thread safe, quick and
 * must never block: an I/O thread serves thousands of connections. Count with
 * {@link java.util.concurrent.atomic.LongAdder} and hand slow work to an executor of your own.
 * An exception thrown by a listener is ignored, and the other listeners and the connection are
 * not affected; the first is logged at WARN, later ones at DEBUG.
 *
 * <p><b>Order.</b> For one connection: {@link #connectionOpened} first, then its subscriptions
 * and deliveries, then {@link #connectionClosed}, all on the connection's I/O thread. A client
 * HTTP request opens as {@link Transport#HTTP}; when the backend holds it, it is closed as
 * {@code HTTP} and opened again, with the same id, as {@link Transport#LONG_POLL} or
 * {@link Transport#HTTP_STREAM}, so that the connections open at any time are counted once.
 * A WebSocket opens once its handshake with the client is done. For one publish:
 * {@link #messageReceived} once it reaches the subscribers (after ordering and de-duplication),
 * and one {@link #messageDelivered} per subscriber, on the subscribers' threads; those run
 * concurrently with the publishing thread, so a delivery may be reported before
 * {@code messageReceived} is.
 *
 * <p><b>Cost.</b> When no listener is registered P8 makes none of these calls and reads no
 * clock for them. Arguments are values P8 has anyway: nothing is allocated to make a call.
 */
public interface P8Listener {

  /** The kind of a client connection, as Prometheus labels and stats packets name it. */
  enum Transport {
    /** A client HTTP request being proxied (not, or not yet, held). */
    HTTP("http"),
    /** A held response: a long-poll. */
    LONG_POLL("long-poll"),
    /** A held stream, such as Server-Sent Events. */
    HTTP_STREAM("http-stream"),
    /** A client WebSocket proxied to a backend WebSocket. */
    WEBSOCKET("websocket"),
    /** A client WebSocket whose backend speaks WebSocket-over-HTTP. */
    WS_OVER_HTTP("ws-over-http");

    private final String label;

    Transport(String label) {
      this.label = label;
    }

    /**
     * The lower-case name used in metrics labels, such as {@code long-poll}.
     *
     * @return the label: {@code http}, {@code long-poll}, {@code http-stream},
     *     {@code websocket} or {@code ws-over-http}; never null
     */
    public String label() {
      return label;
    }
  }

  /** Why a message was not delivered. More reasons may be added. */
  enum DropReason {
    /** Published to a channel that has no subscriber on this server. */
    NO_SUBSCRIBERS("no-subscribers"),
    /** Its {@code id} was published to the channel recently ({@code id_cache_ttl}). */
    DUPLICATE("duplicate"),
    /**
     * A client fell too far behind ({@code Limits.maxStreamBufferBytes}) and was disconnected;
     * what it had not received is lost.
     */
    SLOW_CLIENT("slow-client"),
    /**
     * The deliveries queued for the I/O threads, or waiting for {@code message_rate}, reached
     * {@code message_hwm}; the item is not delivered to the subscribers it was meant for.
     */
    QUEUE_FULL("queue-full");

    private final String label;

    DropReason(String label) {
      this.label = label;
    }

    /**
     * The lower-case name used in metrics labels, such as {@code slow-client}.
     *
     * @return the label: {@code no-subscribers}, {@code duplicate}, {@code slow-client} or
     *     {@code queue-full}; never null
     */
    public String label() {
      return label;
    }
  }

  /**
   * A client request arrived, WebSocket handshakes included, before it is proxied.
   *
   * @param route the id of the route it matched, or null when the route has no id or none
   *     matched
   */
  default void requestReceived(String route) {}

  /**
   * The response to a client request was sent: passed through, answered by a hold, or an error
   * of P8's own; an accepted WebSocket handshake completes with 101.
   *
   * @param route  the route id, or null
   * @param status the HTTP status the client got
   */
  default void requestCompleted(String route, int status) {}

  /**
   * A client connection opened.
   *
   * @param id        an id unique within this server; a WebSocket's is the one the command
   *                  socket's {@code conncheck} knows
   * @param transport its kind
   * @param route     the route id, or null
   */
  default void connectionOpened(String id, Transport transport, String route) {}

  /**
   * A client connection closed, or changed transport (see the class comment).
   *
   * @param id        the id it opened with
   * @param transport the kind it opened as
   * @param route     the route id, or null
   */
  default void connectionClosed(String id, Transport transport, String route) {}

  /**
   * A published item reached the subscribers of its channel.
   *
   * @param item      the item, from any input (control API, ZeroMQ, in-process publisher)
   * @param receivers how many subscribers it was queued for; 0 when the channel has none
   */
  default void messageReceived(Item item, int receivers) {}

  /**
   * An item was handed to one subscriber, on that subscriber's I/O thread. The subscriber may
   * still skip it when a filter says so or the item has no format for its transport.
   *
   * @param item         the item
   * @param transport    the subscriber's transport
   * @param latencyNanos from the item reaching the subscribers to this delivery
   */
  default void messageDelivered(Item item, Transport transport, long latencyNanos) {}

  /**
   * A message was dropped.
   *
   * @param reason  why
   * @param channel the channel, or null when the drop concerns a connection rather than one
   *                channel ({@link DropReason#SLOW_CLIENT})
   */
  default void messageDropped(DropReason reason, String channel) {}

  /**
   * A connection subscribed to a channel.
   *
   * @param channel   the channel, with the route's prefix
   * @param transport the connection's transport
   */
  default void subscriptionAdded(String channel, Transport transport) {}

  /**
   * A connection left a channel, or closed while subscribed.
   *
   * @param channel   the channel, with the route's prefix
   * @param transport the connection's transport
   */
  default void subscriptionRemoved(String channel, Transport transport) {}
}
