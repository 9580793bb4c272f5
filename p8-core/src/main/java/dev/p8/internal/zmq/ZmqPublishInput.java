package dev.p8.internal.zmq;

import dev.p8.internal.publish.InvalidPublishException;
import dev.p8.internal.publish.ZmqItems;
import dev.p8.internal.tnet.Tnetstring;
import dev.p8.publish.Item;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * Pushpin's ZeroMQ publish inputs: a PULL socket that binds {@code push_in_spec} and a SUB
 * socket that binds, or with {@code push_in_sub_connect} connects to, {@code push_in_sub_specs}.
 * Items are decoded with {@link ZmqItems} and handed to the consumer on the socket thread, in
 * the order they arrived on each socket.
 *
 * <h2>Subscription forwarding</h2>
 * The SUB socket subscribes to nothing at first. {@link #listen(String)} subscribes it to a
 * channel and {@link #unlisten(String, boolean)} unsubscribes it, so a publisher with an XPUB
 * socket sends this instance only the channels it has subscribers for. The hub calls
 * {@code listen} when a channel gets its first local subscriber and {@code unlisten} when it
 * loses its last; calls are idempotent per channel (not counted). An unlisten with linger, as
 * Pushpin does for response-mode subscriptions, takes effect after
 * {@link Builder#subscriptionLinger(Duration)} unless the channel is listened to again first.
 * ZeroMQ subscriptions match by prefix; items whose channel is not exactly a listened channel
 * are dropped here.
 *
 * <h2>Bad input</h2>
 * A message with the wrong number of frames or an invalid item is dropped and counted
 * ({@link #droppedCount()}); the first and then every {@value #LOG_EVERY}th drop is logged at
 * WARN with the reason. Messages larger than {@link Builder#maxMessageBytes(int)} are refused by
 * ZeroMQ itself, which drops the sender's connection.
 *
 * <p>Thread safe: {@code listen}, {@code unlisten} and {@code close} may be called from any
 * thread; only the socket thread touches the sockets.
 */
public final class ZmqPublishInput implements AutoCloseable {

  /** Drops are logged once, then once per this many. */
  public static final int LOG_EVERY = 1000;

  /** The default delay of a lingering unsubscribe, Pushpin's {@code subscription_linger}. */
  public static final Duration DEFAULT_SUBSCRIPTION_LINGER = Duration.ofSeconds(60);

  private static final Logger LOG = LoggerFactory.getLogger(ZmqPublishInput.class);
  private static final AtomicLong MONITORS = new AtomicLong();

  private static final long CHANGE_WINDOW_NANOS = 2_000_000;
  private static final long NO_WINDOW = Long.MIN_VALUE;

  private final String pullSpec;
  private final List<String> subSpecs;
  private final boolean subConnect;
  private final Consumer<Item> consumer;
  private final int maxMessageBytes;
  private final long lingerNanos;
  private final SocketThread thread = new SocketThread("p8-zmq-publish-input");
  private final AtomicLong dropped = new AtomicLong();

  // Socket thread only.
  private ZMQ.Socket sub;
  // Concurrent so that subscriptions() can copy it from any thread; only the socket thread
  // changes it. A copy per change would make 10,000 subscriptions cost O(n^2): it did, 0.6 ms each.
  private final Set<String> subscribed = ConcurrentHashMap.newKeySet();
  private final Map<String, Long> lingering = new HashMap<>();
  private long changeWindowEnd = NO_WINDOW;

  private final Queue<Change> changes = new ConcurrentLinkedQueue<>();
  // Set while a change task is queued or a change window is open: changes then only queue.
  private final AtomicBoolean changeArmed = new AtomicBoolean();

  private volatile String pullEndpoint;
  private volatile List<String> subEndpoints = List.of();
  private volatile boolean started;

  private ZmqPublishInput(Builder b) {
    this.pullSpec = b.pullSpec;
    this.subSpecs = List.copyOf(b.subSpecs);
    this.subConnect = b.subConnect;
    this.consumer = b.consumer;
    this.maxMessageBytes = b.maxMessageBytes;
    this.lingerNanos = b.subscriptionLinger.toNanos();
  }

  /**
   * Starts a description: no sockets, {@link Tnetstring#DEFAULT_MAX_BYTES} per message and a
   * {@linkplain #DEFAULT_SUBSCRIPTION_LINGER 60 second} subscription linger.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Creates, binds and connects the sockets and starts the socket thread.
   *
   * @return this input
   * @throws IllegalStateException if already started, or a socket could not be set up; the
   *     message names the spec, and everything set up so far is released
   */
  public synchronized ZmqPublishInput start() {
    if (started) {
      throw new IllegalStateException("ZmqPublishInput was already started");
    }
    started = true;
    thread.start(t -> {
      if (pullSpec != null) {
        ZMQ.Socket pull = t.socket(SocketType.PULL);
        pull.setMaxMsgSize(maxMessageBytes);
        SocketThread.bind(pull, pullSpec, "push_in_spec");
        pullEndpoint = pull.getLastEndpoint();
        t.onReadable(pull, this::readPull);
      }
      if (!subSpecs.isEmpty()) {
        sub = t.socket(SocketType.SUB);
        sub.setMaxMsgSize(maxMessageBytes);
        if (subConnect) {
          watchDisconnects(t);
        }
        List<String> endpoints = new ArrayList<>();
        for (String spec : subSpecs) {
          if (subConnect) {
            // No TCP keep-alive as Pushpin sets: with JeroMQ 0.6 the option stops the
            // connection from ever being made.
            SocketThread.connect(sub, spec, "push_in_sub_specs");
            endpoints.add(spec);
          } else {
            SocketThread.bind(sub, spec, "push_in_sub_specs");
            endpoints.add(sub.getLastEndpoint());
          }
        }
        subEndpoints = List.copyOf(endpoints);
        t.onReadable(sub, this::readSub);
      }
      t.deadline(this::nextDeadline, this::deadlinePassed);
    });
    return this;
  }

  /**
   * Subscribes the SUB socket to a channel, cancelling a lingering unsubscribe of it. Does
   * nothing without a SUB socket or when already subscribed.
   *
   * @param channel the channel name
   */
  public void listen(String channel) {
    Objects.requireNonNull(channel, "channel");
    change(new Change(channel, Change.Kind.LISTEN));
  }

  private void applyListen(String channel) {
    lingering.remove(channel);
    if (sub != null && subscribed.add(channel)) {
      // The view first, so whoever sees the subscription arrive also sees it here.
      sub.subscribe(channel.getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * Queues a subscription change for the socket thread. Waking that thread costs more than the
   * change itself (a JeroMQ poll cycle, about 40 µs here), and streams open one by one, so
   * changes are applied in windows: the first change after a quiet spell wakes the thread at
   * once, and changes arriving in the {@value #CHANGE_WINDOW_NANOS} ns after it wait for the
   * thread's own timer instead of waking it each.
   */
  private void change(Change c) {
    changes.add(c);
    if (changeArmed.compareAndSet(false, true)) {
      thread.execute(this::applyChanges);
    }
  }

  // Socket thread only.
  private void applyChanges() {
    while (true) {
      boolean any = false;
      Change c;
      while ((c = changes.poll()) != null) {
        any = true;
        switch (c.kind) {
          case LISTEN -> applyListen(c.channel);
          case UNLISTEN -> applyUnlisten(c.channel, false);
          case UNLISTEN_LINGER -> applyUnlisten(c.channel, true);
        }
      }
      if (any) {
        // Stay armed: what comes in the window waits for the deadline below.
        changeWindowEnd = System.nanoTime() + CHANGE_WINDOW_NANOS;
        return;
      }
      changeWindowEnd = NO_WINDOW;
      changeArmed.set(false);
      // A change queued between the drain and the disarm saw the flag still set.
      if (changes.isEmpty() || !changeArmed.compareAndSet(false, true)) {
        return;
      }
    }
  }

  /**
   * Unsubscribes the SUB socket from a channel at once.
   *
   * @param channel the channel name
   */
  public void unlisten(String channel) {
    unlisten(channel, false);
  }

  /**
   * Unsubscribes the SUB socket from a channel.
   *
   * @param channel the channel name
   * @param linger  whether to wait the subscription linger first, as Pushpin does for
   *     response-mode subscriptions so that repeated long-polls do not flap the subscription
   */
  public void unlisten(String channel, boolean linger) {
    Objects.requireNonNull(channel, "channel");
    change(new Change(channel, linger ? Change.Kind.UNLISTEN_LINGER : Change.Kind.UNLISTEN));
  }

  private void applyUnlisten(String channel, boolean linger) {
    if (!subscribed.contains(channel)) {
      return;
    }
    if (linger && lingerNanos > 0) {
      lingering.putIfAbsent(channel, System.nanoTime() + lingerNanos);
    } else {
      unsubscribe(channel);
    }
  }

  private record Change(String channel, Kind kind) {
    enum Kind { LISTEN, UNLISTEN, UNLISTEN_LINGER }
  }

  private void unsubscribe(String channel) {
    lingering.remove(channel);
    if (subscribed.remove(channel)) {
      sub.unsubscribe(channel.getBytes(StandardCharsets.UTF_8));
    }
  }

  private long nextDeadline() {
    long linger = nextLingerDeadline();
    long window = changeWindowEnd;
    if (window == NO_WINDOW) {
      return linger;
    }
    return linger == Long.MAX_VALUE || window - linger < 0 ? window : linger;
  }

  private void deadlinePassed() {
    long window = changeWindowEnd;
    if (window != NO_WINDOW && System.nanoTime() - window >= 0) {
      applyChanges();
    }
    expireLingers();
  }

  private long nextLingerDeadline() {
    long next = Long.MAX_VALUE;
    for (long deadline : lingering.values()) {
      if (next == Long.MAX_VALUE || deadline - next < 0) {
        next = deadline;
      }
    }
    return next;
  }

  private void expireLingers() {
    long now = System.nanoTime();
    List<String> due = new ArrayList<>();
    for (Map.Entry<String, Long> e : lingering.entrySet()) {
      if (now - e.getValue() >= 0) {
        due.add(e.getKey());
      }
    }
    for (String channel : due) {
      unsubscribe(channel);
    }
  }

  /**
   * With JeroMQ 0.6, a SUB connection that is dropped and made again by JeroMQ itself can come
   * back without its pipe: connected, handshaken, and never sending its subscriptions, so the
   * publisher's XPUB sends this instance nothing, for good. It happened to about one connection
   * in ten here, the first connection dropping at once. Connecting again ourselves, on the
   * disconnect, makes a new pipe that carries the subscriptions; in the same trial every such
   * connection recovered.
   */
  private void watchDisconnects(SocketThread t) {
    String endpoint = "inproc://p8-sub-monitor-" + MONITORS.incrementAndGet();
    sub.monitor(endpoint, ZMQ.EVENT_DISCONNECTED);
    ZMQ.Socket events = t.socket(SocketType.PAIR);
    events.connect(endpoint);
    t.onReadable(events, this::readSubEvents);
  }

  private void readSubEvents(ZMQ.Socket events) {
    ZMQ.Event e;
    while ((e = ZMQ.Event.recv(events, ZMQ.DONTWAIT)) != null) {
      if (e.getEvent() == ZMQ.EVENT_DISCONNECTED && sub != null) {
        reconnect(e.getAddress());
      }
    }
  }

  private void reconnect(String address) {
    List<String> specs = subSpecs.contains(address) ? List.of(address)
        // A host name in the spec comes back resolved: with several specs, redo them all.
        : subSpecs;
    for (String spec : specs) {
      LOG.info("ZeroMQ SUB connection to {} was closed; connecting again", spec);
      sub.disconnect(spec);
      sub.connect(spec);
    }
  }

  private void readPull(ZMQ.Socket socket) {
    List<byte[]> frames;
    while ((frames = receive(socket)) != null) {
      if (frames.size() != 1) {
        drop("IN pull", "received message with parts != 1");
        continue;
      }
      try {
        deliver(ZmqItems.decodePull(frames.get(0)));
      } catch (InvalidPublishException e) {
        drop("IN pull", e.getMessage());
      }
    }
  }

  private void readSub(ZMQ.Socket socket) {
    List<byte[]> frames;
    while ((frames = receive(socket)) != null) {
      if (frames.size() != 2) {
        drop("IN sub", "received message with parts != 2");
        continue;
      }
      Item item;
      try {
        item = ZmqItems.decodeSub(frames.get(0), frames.get(1));
      } catch (InvalidPublishException e) {
        drop("IN sub", e.getMessage());
        continue;
      }
      // A ZeroMQ subscription is a prefix: "news" also lets "newsroom" through.
      if (subscribed.contains(item.channel())) {
        deliver(item);
      }
    }
  }

  /** Reads one whole message without waiting, or returns null when none is queued. */
  private static List<byte[]> receive(ZMQ.Socket socket) {
    byte[] first = socket.recv(ZMQ.DONTWAIT);
    if (first == null) {
      return null;
    }
    List<byte[]> frames = new ArrayList<>(2);
    frames.add(first);
    while (socket.hasReceiveMore()) {
      frames.add(socket.recv(0));
    }
    return frames;
  }

  private void deliver(Item item) {
    try {
      consumer.accept(item);
    } catch (RuntimeException e) {
      LOG.warn("publish consumer failed for an item on channel {}", item.channel(), e);
    }
  }

  private void drop(String socket, String reason) {
    long n = dropped.incrementAndGet();
    if (n == 1 || n % LOG_EVERY == 0) {
      LOG.warn("{}: {}, skipping ({} dropped so far)", socket, reason, n);
    }
  }

  /**
   * How many messages were dropped as invalid since start.
   *
   * @return the count
   */
  public long droppedCount() {
    return dropped.get();
  }

  /**
   * The channels the SUB socket is subscribed to now, including lingering ones.
   *
   * @return an immutable snapshot
   */
  public Set<String> subscriptions() {
    return Set.copyOf(subscribed);
  }

  /**
   * The PULL socket's endpoint after start, with the actual port when the spec had
   * {@code *}.
   *
   * @return the endpoint, or null without a PULL socket or before start
   */
  public String pullEndpoint() {
    return pullEndpoint;
  }

  /**
   * The SUB socket's endpoints after start: the bound endpoints with actual ports, or the
   * specs it connects to.
   *
   * @return the endpoints, empty without a SUB socket or before start
   */
  public List<String> subEndpoints() {
    return subEndpoints;
  }

  /** Stops the socket thread and closes the sockets. Idempotent. */
  @Override
  public void close() {
    thread.close();
  }

  /** Describes a {@link ZmqPublishInput}. Not thread safe. */
  public static final class Builder {

    private String pullSpec;
    private final List<String> subSpecs = new ArrayList<>();
    private boolean subConnect;
    private Consumer<Item> consumer;
    private int maxMessageBytes = Tnetstring.DEFAULT_MAX_BYTES;
    private Duration subscriptionLinger = DEFAULT_SUBSCRIPTION_LINGER;

    private Builder() {
    }

    /**
     * Binds a PULL socket, pushpin.conf {@code push_in_spec}.
     *
     * @param spec a ZeroMQ endpoint such as {@code tcp://127.0.0.1:5560}; {@code *} as the
     *     port picks a free one
     * @return this builder
     */
    public Builder pullSpec(String spec) {
      this.pullSpec = requireSpec(spec, "pullSpec");
      return this;
    }

    /**
     * Adds an endpoint for the SUB socket, pushpin.conf {@code push_in_sub_specs}.
     *
     * @param spec a ZeroMQ endpoint
     * @return this builder
     */
    public Builder subSpec(String spec) {
      subSpecs.add(requireSpec(spec, "subSpec"));
      return this;
    }

    /**
     * Whether the SUB socket connects to its specs instead of binding them, pushpin.conf
     * {@code push_in_sub_connect}. Default false.
     *
     * @param connect true to connect
     * @return this builder
     */
    public Builder subConnect(boolean connect) {
      this.subConnect = connect;
      return this;
    }

    /**
     * Receives every decoded item, on the socket thread; it should be quick and not block.
     * Required.
     *
     * @param consumer the consumer
     * @return this builder
     */
    public Builder consumer(Consumer<Item> consumer) {
      this.consumer = Objects.requireNonNull(consumer, "consumer");
      return this;
    }

    /**
     * The largest message accepted; ZeroMQ drops the connection of a peer that sends more.
     * Default {@link Tnetstring#DEFAULT_MAX_BYTES}.
     *
     * @param bytes a positive size
     * @return this builder
     */
    public Builder maxMessageBytes(int bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxMessageBytes must be positive, was " + bytes);
      }
      this.maxMessageBytes = bytes;
      return this;
    }

    /**
     * How long a lingering unsubscribe waits, pushpin.conf {@code subscription_linger}.
     * Default 60 seconds; zero unsubscribes at once.
     *
     * @param linger zero or a positive duration
     * @return this builder
     */
    public Builder subscriptionLinger(Duration linger) {
      Objects.requireNonNull(linger, "subscriptionLinger");
      if (linger.isNegative()) {
        throw new IllegalArgumentException("subscriptionLinger must not be negative, was "
            + linger);
      }
      this.subscriptionLinger = linger;
      return this;
    }

    /**
     * Builds the input; call {@link ZmqPublishInput#start()} to open the sockets.
     *
     * @return the input
     * @throws IllegalStateException if there is no consumer or no socket
     */
    public ZmqPublishInput build() {
      if (consumer == null) {
        throw new IllegalStateException("ZmqPublishInput needs a consumer: call consumer(...)");
      }
      if (pullSpec == null && subSpecs.isEmpty()) {
        throw new IllegalStateException("ZmqPublishInput needs a socket: call pullSpec(...) or"
            + " subSpec(...)");
      }
      return new ZmqPublishInput(this);
    }

    private static String requireSpec(String spec, String option) {
      Objects.requireNonNull(spec, option);
      if (spec.isBlank()) {
        throw new IllegalArgumentException(option + " must not be blank");
      }
      return spec;
    }
  }
}
