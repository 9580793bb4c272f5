package dev.p8.publish;

import dev.p8.internal.publish.ZmqItems;
import dev.p8.internal.zmq.SocketThread;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * Publishes items over ZeroMQ to P8 or Pushpin instances, in one or both of two ways.
 *
 * <ul>
 *   <li><b>XPUB</b> ({@link Builder#xpubBind(String)}, {@link Builder#xpubConnect(String)}):
 *       instances connect their SUB socket ({@code push_in_sub_specs} with
 *       {@code push_in_sub_connect=true}) to this socket, or bind it for this socket to
 *       connect to. Each instance subscribes only to the channels it has subscribers for, and
 *       this publisher sends an item only when some instance listens to its channel, as two
 *       frames: the channel, then {@code T} and the item as a tnetstring without the channel.
 *   <li><b>PUSH</b> ({@link Builder#pushTo(String)}): one PUSH socket per instance, connected to
 *       its {@code push_in_spec}, so that every instance gets every item as one frame:
 *       {@code T} and the item as a tnetstring.
 * </ul>
 *
 * <pre>{@code
 * try (ZmqPublisher publisher = ZmqPublisher.builder()
 *     .xpubBind("tcp://0.0.0.0:5570")
 *     .build()) {
 *   publisher.publish(Item.stream("news", "data: hello\n\n"));
 * }
 * }</pre>
 *
 * <p>{@link #publish(List)} never blocks: the items are queued to the publisher's socket thread
 * and the stage completes once they are handed to ZeroMQ, which then sends them in the
 * background. ZeroMQ does not confirm delivery: an instance that is not connected or not yet
 * subscribed misses the item, and a PUSH socket whose instance is gone queues up to 1000
 * messages and then refuses more, which fails the stage with a {@link PublishException} naming
 * the endpoint. Items are sent in the order of the {@code publish} calls.
 *
 * <p>Thread safe. {@link #close()} drops whatever ZeroMQ has not sent yet.
 */
public final class ZmqPublisher implements Publisher, AutoCloseable {

  private final List<String> xpubBinds;
  private final List<String> xpubConnects;
  private final List<String> pushSpecs;
  private final SocketThread sockets = new SocketThread("p8-zmq-publisher");

  // Socket thread only.
  private ZMQ.Socket xpub;
  private final List<ZMQ.Socket> pushes = new ArrayList<>();
  private final Set<String> subscribed = new HashSet<>();

  private volatile Set<String> subscribedView = Set.of();
  private volatile List<String> boundEndpoints = List.of();

  private ZmqPublisher(Builder b) {
    this.xpubBinds = List.copyOf(b.xpubBinds);
    this.xpubConnects = List.copyOf(b.xpubConnects);
    this.pushSpecs = List.copyOf(b.pushSpecs);
  }

  /**
   * Starts a publisher with no socket; add at least one.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  private void open() {
    sockets.start(t -> {
      if (!xpubBinds.isEmpty() || !xpubConnects.isEmpty()) {
        xpub = sockets.socket(SocketType.XPUB);
        List<String> bound = new ArrayList<>();
        for (String spec : xpubBinds) {
          SocketThread.bind(xpub, spec, "xpubBind");
          bound.add(xpub.getLastEndpoint());
        }
        for (String spec : xpubConnects) {
          SocketThread.connect(xpub, spec, "xpubConnect");
        }
        boundEndpoints = List.copyOf(bound);
        sockets.onReadable(xpub, this::readSubscriptions);
      }
      for (String spec : pushSpecs) {
        ZMQ.Socket push = sockets.socket(SocketType.PUSH);
        SocketThread.connect(push, spec, "pushTo");
        pushes.add(push);
      }
    });
  }

  /** XPUB hands up one message per first subscribe and last unsubscribe of a topic. */
  private void readSubscriptions(ZMQ.Socket socket) {
    byte[] frame;
    while ((frame = socket.recv(ZMQ.DONTWAIT)) != null) {
      while (socket.hasReceiveMore()) {
        socket.recv(0);
      }
      if (frame.length == 0 || frame[0] != 0 && frame[0] != 1) {
        continue;
      }
      String channel = new String(frame, 1, frame.length - 1, StandardCharsets.UTF_8);
      boolean changed = frame[0] == 1 ? subscribed.add(channel) : subscribed.remove(channel);
      if (changed) {
        subscribedView = Set.copyOf(subscribed);
      }
    }
  }

  /**
   * Queues the items to be sent.
   *
   * @param items the items, in the order subscribers should see them
   * @return a stage that completes when ZeroMQ took every item, or exceptionally with a
   *     {@link PublishException} if a PUSH socket refused one or the publisher is closed
   * @throws NullPointerException if the list or one of its items is null
   */
  @Override
  public CompletionStage<Void> publish(List<Item> items) {
    List<Item> copy = List.copyOf(items);
    if (copy.isEmpty()) {
      return CompletableFuture.completedStage(null);
    }
    CompletableFuture<Void> result = new CompletableFuture<>();
    boolean queued = sockets.execute(() -> send(copy, result));
    if (!queued) {
      result.completeExceptionally(new PublishException("ZmqPublisher is closed"));
    }
    return result.minimalCompletionStage();
  }

  private void send(List<Item> items, CompletableFuture<Void> result) {
    PublishException failure = null;
    for (Item item : items) {
      if (xpub != null && subscribed.contains(item.channel())) {
        xpub.sendMore(item.channel().getBytes(StandardCharsets.UTF_8));
        xpub.send(ZmqItems.encodeTnet(item, false), ZMQ.DONTWAIT);
      }
      if (pushes.isEmpty()) {
        continue;
      }
      byte[] frame = ZmqItems.encodeTnet(item, true);
      for (int i = 0; i < pushes.size(); i++) {
        if (!pushes.get(i).send(frame, ZMQ.DONTWAIT)) {
          PublishException e = new PublishException("push to " + pushSpecs.get(i)
              + " refused an item for channel " + item.channel()
              + ": the instance is not connected or not keeping up");
          if (failure == null) {
            failure = e;
          } else if (failure.getSuppressed().length < 10) {
            failure.addSuppressed(e);
          }
        }
      }
    }
    if (failure == null) {
      result.complete(null);
    } else {
      result.completeExceptionally(failure);
    }
  }

  /**
   * The channels some connected instance is subscribed to, as the XPUB socket last heard.
   *
   * @return an immutable snapshot; empty without an XPUB socket
   */
  public Set<String> subscribedChannels() {
    return subscribedView;
  }

  /**
   * The endpoints the XPUB socket bound, with actual ports where the spec had {@code *}.
   *
   * @return the endpoints, in the order they were added
   */
  public List<String> boundEndpoints() {
    return boundEndpoints;
  }

  /** Closes the sockets and stops the socket thread. Idempotent. */
  @Override
  public void close() {
    sockets.close();
  }

  @Override
  public String toString() {
    return "ZmqPublisher{xpubBind=" + xpubBinds + ", xpubConnect=" + xpubConnects
        + ", pushTo=" + pushSpecs + "}";
  }

  /** Builds a {@link ZmqPublisher}. Not thread safe. */
  public static final class Builder {

    private final Set<String> xpubBinds = new LinkedHashSet<>();
    private final Set<String> xpubConnects = new LinkedHashSet<>();
    private final Set<String> pushSpecs = new LinkedHashSet<>();

    private Builder() {
    }

    /**
     * Binds the XPUB socket, for instances whose SUB sockets connect here.
     *
     * @param spec a ZeroMQ endpoint such as {@code tcp://0.0.0.0:5570}; {@code *} as the port
     *     picks a free one (see {@link ZmqPublisher#boundEndpoints()})
     * @return this builder
     * @throws IllegalArgumentException if the spec is blank or was already added
     */
    public Builder xpubBind(String spec) {
      add(xpubBinds, spec, "xpubBind");
      return this;
    }

    /**
     * Connects the XPUB socket to an instance whose SUB socket binds
     * ({@code push_in_sub_specs}, Pushpin's default {@code tcp://127.0.0.1:5562}).
     *
     * @param spec the instance's SUB endpoint
     * @return this builder
     * @throws IllegalArgumentException if the spec is blank or was already added
     */
    public Builder xpubConnect(String spec) {
      add(xpubConnects, spec, "xpubConnect");
      return this;
    }

    /**
     * Connects a PUSH socket to an instance's PULL socket ({@code push_in_spec}, Pushpin's
     * default {@code tcp://127.0.0.1:5560}). Call once per instance; each gets every item.
     *
     * @param spec the instance's PULL endpoint
     * @return this builder
     * @throws IllegalArgumentException if the spec is blank or was already added
     */
    public Builder pushTo(String spec) {
      add(pushSpecs, spec, "pushTo");
      return this;
    }

    private static void add(Set<String> specs, String spec, String option) {
      Objects.requireNonNull(spec, option);
      if (spec.isBlank()) {
        throw new IllegalArgumentException(option + " must not be blank");
      }
      if (!specs.add(spec)) {
        throw new IllegalArgumentException(option + " " + spec + " was already added");
      }
    }

    /**
     * Opens the sockets and starts the publisher's thread.
     *
     * @return the publisher, ready to publish
     * @throws IllegalStateException if no socket was added, or one could not be bound or
     *     connected; the message names the option and the spec
     */
    public ZmqPublisher build() {
      if (xpubBinds.isEmpty() && xpubConnects.isEmpty() && pushSpecs.isEmpty()) {
        throw new IllegalStateException("ZmqPublisher needs a socket: call xpubBind(...),"
            + " xpubConnect(...) or pushTo(...)");
      }
      ZmqPublisher publisher = new ZmqPublisher(this);
      publisher.open();
      return publisher;
    }
  }
}
