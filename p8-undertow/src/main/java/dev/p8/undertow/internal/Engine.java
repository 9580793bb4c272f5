package dev.p8.undertow.internal;

import dev.p8.internal.hold.ResponseHold;
import dev.p8.internal.hold.StreamHold;
import dev.p8.internal.hold.UpdateLimiter;
import dev.p8.internal.hub.ChannelHub;
import dev.p8.internal.hub.ChannelInterest;
import dev.p8.internal.hub.Subscriber;
import dev.p8.internal.route.RouteTable;
import dev.p8.internal.seq.Sequencer;
import dev.p8.internal.zmq.CommandServer;
import dev.p8.internal.zmq.ZmqPublishInput;
import dev.p8.internal.time.Clock;
import dev.p8.internal.time.Scheduler;
import dev.p8.publish.Item;
import dev.p8.internal.route.RoutesFileException;
import dev.p8.internal.route.RoutesFileWatcher;
import dev.p8.internal.sig.SigKey;
import dev.p8.publish.Publisher;
import dev.p8.route.Route;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.HttpContinueReadHandler;
import dev.p8.undertow.P8Listener;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Everything a running server shares: configuration, routes, the hub, the backend connection
 * pool and the set of held connections. One per {@code P8Server}; no statics.
 */
public final class Engine {

  private static final Logger log = LoggerFactory.getLogger(Engine.class);

  private final EngineConfig config;
  private final ChannelHub hub = new ChannelHub();
  private volatile RouteTable routes;
  private final Path keyDir;
  private final ConcurrentHashMap<String, SignatureCache> routeSignatures = new ConcurrentHashMap<>();
  private final RoutesFileWatcher routesWatcher;
  private ScheduledExecutorService routesPoller;
  private final BackendPool backends;
  private final SignatureCache signatures;
  private final Set<HeldExchange> held = ConcurrentHashMap.newKeySet();
  private final Set<ClientWebSocket> webSockets = ConcurrentHashMap.newKeySet();
  private final HttpHandler clientHandler;
  private final HttpHandler controlHandler;
  private final Publisher publisher;
  // Only the sequencer's rare deadlines and channel linger/settle timers run here; holds and
  // keep-alives use their I/O threads.
  private final ScheduledThreadPoolExecutor timers = timers();
  private final Sequencer sequencer;
  private final ChannelInterest interest;
  private final UpdateLimiter updates;
  private final AtomicLong recoveryRetries = new AtomicLong();
  private final AtomicLong webSocketGaps = new AtomicLong();
  private final AtomicLong slowClientsClosed = new AtomicLong();
  private final ZmqPublishInput zmq;
  private final CommandServer commands;
  // Which item this thread is offering to the sequencer, so its sink can report that item's reach.
  private final ThreadLocal<Item> offering = new ThreadLocal<>();
  private final ThreadLocal<int[]> reached = ThreadLocal.withInitial(() -> new int[1]);
  private volatile boolean stopped;
  private volatile boolean draining;
  private final Object idle = new Object();
  private final AtomicInteger answering = new AtomicInteger();
  // Null when nobody listens: every hook is then one null check.
  private final Events events;
  private final Metrics metrics;
  private final StatsReporter stats;

  /** How long after a channel's first subscription its long-polls are asked again: Pushpin's 1 s. */
  static final Duration FIRST_SUBSCRIPTION_DELAY = Duration.ofSeconds(1);

  /** How often a routes file is checked for changes; Pushpin reloads about a second after one. */
  static final long ROUTES_POLL_MILLIS = 1000;

  /**
   * Creates the engine for a validated configuration, loading its routes file if it has one.
   *
   * @throws IllegalArgumentException naming the routes file and line, or the route whose
   *     {@code sig_key} cannot be used
   */
  public Engine(EngineConfig config) {
    this(config, Map.of());
  }

  /**
   * Creates the engine, with origin handlers for the routes' {@code in-process:NAME} targets.
   *
   * @param origins origin handlers by name
   * @throws IllegalArgumentException as {@link #Engine(EngineConfig)}
   */
  public Engine(EngineConfig config, Map<String, HttpHandler> origins) {
    this.config = config;
    this.backends = new BackendPool(origins, config.limits().maxIdleBackendConnections());
    hub.maxQueuedDeliveries(config.messageHwm());
    Path file = config.routesFile();
    this.keyDir = file == null || file.toAbsolutePath().getParent() == null ? Path.of("")
        : file.toAbsolutePath().getParent();
    List<Route> initial = config.routes();
    // Made before the first load, so a change during it is seen by the first poll.
    this.routesWatcher = file == null ? null : new RoutesFileWatcher(file, this::replaceRoutes);
    if (file != null) {
      try {
        initial = RoutesFileWatcher.load(file);
      } catch (RoutesFileException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
    }
    checkRouteKeys(initial);
    this.routes = RouteTable.of(initial);
    this.signatures = new SignatureCache(config.sigIssuer(), config.sigKey());
    this.clientHandler = new HttpContinueReadHandler(new ClientHandler(this));
    // curl sends Expect: 100-continue for bodies over 1 KiB and waits a second without an answer.
    this.controlHandler = new HttpContinueReadHandler(new ControlHandler(this));
    Scheduler scheduler = (task, delay, unit) -> {
      ScheduledFuture<?> f = timers.schedule(task, delay, unit);
      return () -> f.cancel(false);
    };
    hub.messageRate(config.messageRate(), Clock.system(), scheduler);
    this.updates = new UpdateLimiter(scheduler, UpdateLimiter.DEFAULT_ACTIONS_PER_SECOND,
        UpdateLimiter.DEFAULT_SESSIONS_PER_ACTION);
    List<P8Listener> listeners = new ArrayList<>(config.listeners());
    this.metrics = config.metricsPrefix() != null || config.stats() != null
        ? new Metrics(config.metricsPrefix() == null ? "" : config.metricsPrefix()) : null;
    if (metrics != null) {
      listeners.add(metrics);
    }
    this.stats = config.stats() == null ? null : new StatsReporter(config.stats(), metrics,
        "p8_" + ProcessHandle.current().pid() + "_" + Integer.toHexString(System.identityHashCode(this)));
    if (stats != null) {
      listeners.add(stats);
    }
    this.events = Events.of(listeners);
    hub.subscriptionListener(events);
    this.sequencer = Sequencer.builder(Clock.system(), scheduler, item -> {
      int reached = hub.publish(item);
      if (item == offering.get()) {
        this.reached.get()[0] = reached;
      }
      if (events != null) {
        events.received(item, reached);
      }
    }).messageWait(config.messageWait()).idCacheTtl(config.idCacheTtl())
        // An idle channel must outlive the longest wait, or a long message_wait is refused.
        .channelIdleTimeout(max(Sequencer.DEFAULT_CHANNEL_IDLE_TIMEOUT, config.messageWait().multipliedBy(2)))
        .build();
    EngineConfig.ZmqInputs z = config.zmq();
    commands = z == null || z.commandSpec() == null ? null
        : new CommandServer(z.commandSpec(), new EngineCommands(this));
    if (z != null && (z.pullSpec() != null || !z.subSpecs().isEmpty())) {
      ZmqPublishInput.Builder zb = ZmqPublishInput.builder().consumer(this::publish)
          .subConnect(z.subConnect()).maxMessageBytes(config.limits().maxPublishBodyBytes());
      if (z.pullSpec() != null) {
        zb.pullSpec(z.pullSpec());
      }
      z.subSpecs().forEach(zb::subSpec);
      zmq = zb.build();
    } else {
      zmq = null;
    }
    this.interest = new ChannelInterest(hub, scheduler, Clock.system(), config.subscriptionLinger(),
        config.updateOnFirstSubscription() ? FIRST_SUBSCRIPTION_DELAY : null,
        last -> last instanceof ResponseHold, new ChannelInterest.Listener() {
          @Override
          public void listen(String channel) {
            if (zmq != null) {
              zmq.listen(channel);
            }
          }

          @Override
          public void settled(String channel) {
            updateHolds(channel);
          }

          @Override
          public void unlisten(String channel) {
            // Pushpin forgets a channel's last id when it stops listening to it.
            sequencer.clearChannel(channel);
            if (zmq != null) {
              zmq.unlisten(channel);
            }
          }
        });
    hub.channelListener(interest);
    this.publisher = new LocalPublisher(this);
  }

  /**
   * Publishes an item from any input: duplicates of a recent id are dropped, and an item whose
   * {@code prev-id} is not its channel's last id waits for its predecessor (up to
   * {@code message_wait}) before it goes to the hub. Only channels with subscribers are
   * sequenced, as in Pushpin.
   *
   * @return how many connections the item was sent to at once, or -1 when it was not sent now
   *         (it waits for its predecessor, or repeats a recent id)
   */
  public int publish(Item item) {
    int[] count = reached.get();
    count[0] = -1;
    offering.set(item);
    long droppedBefore = events == null ? 0 : sequencer.droppedCount();
    try {
      sequencer.offer(item, !item.noSeq() && interest.contains(item.channel()));
    } finally {
      offering.remove();
    }
    if (events != null && sequencer.droppedCount() > droppedBefore) {
      events.dropped(P8Listener.DropReason.DUPLICATE, item.channel());
    }
    return count[0];
  }

  /** Forgets a channel's last id after a hold disagreed with it, so the retry is not refused. */
  void forgetLastId(String channel) {
    sequencer.forgetLastId(channel);
  }

  /** A client was disconnected for being too slow; what it had queued is lost. */
  void slowClientClosed() {
    slowClientsClosed.incrementAndGet();
    if (events != null) {
      events.dropped(P8Listener.DropReason.SLOW_CLIENT, null);
    }
  }

  /** How many stream and WebSocket clients were closed for being over their outbound bound. */
  public long slowClientsClosed() {
    return slowClientsClosed.get();
  }

  void webSocketGap() {
    webSocketGaps.incrementAndGet();
  }

  /** How many times a WebSocket missed items that did not arrive within message_wait. */
  public long webSocketGaps() {
    return webSocketGaps.get();
  }

  void recoveryRetried() {
    recoveryRetries.incrementAndGet();
  }

  /** How many times a long-poll's request was sent to its backend again, for recovery. */
  public long recoveryRetries() {
    return recoveryRetries.get();
  }

  /** The channels listened to, lingering ones included. */
  public int interestingChannels() {
    return interest.size();
  }

  /**
   * Asks the backend again for every hold on the channel (first-subscription update, the
   * recover command): long-polls resend their request, streams with a next link fetch it, both
   * with {@code Grip-Last}. Paced by the update limiter, as Pushpin paces them, so a burst of
   * first subscriptions cannot stampede the backends; each runs on its own I/O thread.
   */
  void updateHolds(String channel) {
    for (Subscriber s : hub.subscribers(channel)) {
      if (s instanceof ResponseHold hold) {
        // Pushpin groups every long-poll under one key (they have no next link).
        updates.add("", hold, () -> s.executor().execute(hold::update));
      } else if (s instanceof StreamHold stream && stream.followsLinks()) {
        updates.add(stream.updateKey(), stream, () -> s.executor().execute(stream::fetchNow));
      }
    }
  }

  /**
   * The channels whose last published id P8 knows and a new hold's prev-id is not, as Pushpin
   * checks at hold time: the caller forgets their last ids ({@link #forgetLastId}), so the next
   * item goes out at once, and recovers what was missed through the backend.
   *
   * @param prevIds the prev-id of each channel that has one, by prefixed name
   * @return those channels, in the order given; empty when the hold is in step
   */
  Set<String> channelsBehind(Map<String, String> prevIds) {
    Set<String> behind = new LinkedHashSet<>();
    for (Map.Entry<String, String> e : prevIds.entrySet()) {
      String last = sequencer.lastId(e.getKey()).orElse(null);
      if (last != null && !last.equals(e.getValue())) {
        behind.add(e.getKey());
      }
    }
    return behind;
  }

  /** The holds waiting for their turn to be asked again (first subscription, recover). */
  public int holdsWaitingForUpdate() {
    return updates.waiting();
  }

  /** The configuration. */
  public EngineConfig config() {
    return config;
  }

  /** The channel hub. */
  public ChannelHub hub() {
    return hub;
  }

  /** The routes in force now (they change when a watched routes file does). */
  public List<Route> currentRoutes() {
    return routes.routes();
  }

  RouteTable routes() {
    return routes;
  }

  /** Replaces the routes; requests already routed keep the route they got. */
  void replaceRoutes(List<Route> newRoutes) {
    checkRouteKeys(newRoutes);
    routes = RouteTable.of(newRoutes);
  }

  /** A route's sig_key is read once, not per request: a file: key would cost a file read each. */
  SignatureCache routeSignatures(String issuer, String key) {
    return routeSignatures.computeIfAbsent(issuer + '\n' + key,
        k -> new SignatureCache(issuer, SigKey.fromConfig(key, keyDir)));
  }

  private void checkRouteKeys(List<Route> list) {
    for (Route r : list) {
      if (r.sigKey().isPresent()) {
        try {
          SigKey.fromConfig(r.sigKey().get(), keyDir);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("route " + r.id().orElse(r.host()) + " sig_key: "
              + e.getMessage(), e);
        }
      }
    }
  }

  BackendPool backends() {
    return backends;
  }

  SignatureCache signatures() {
    return signatures;
  }

  /** The handler for client traffic. */
  public HttpHandler clientHandler() {
    return clientHandler;
  }

  /** The handler for the control API. */
  public HttpHandler controlHandler() {
    return controlHandler;
  }

  /** The in-process publisher. */
  public Publisher publisher() {
    return publisher;
  }

  /** The number of held client connections. */
  public int heldConnections() {
    return held.size();
  }

  boolean isStopped() {
    return stopped;
  }

  boolean isDraining() {
    return draining;
  }

  /** From now on new client requests get 503 and a closed connection; held ones go on. */
  public void drain() {
    draining = true;
    flushSequencer();
  }

  /** Items waiting for a predecessor go out now: they were accepted, and no one waits longer. */
  private void flushSequencer() {
    int flushed = sequencer.flush();
    if (flushed > 0) {
      log.info("stopping: delivered {} item(s) that were still waiting for their predecessor", flushed);
    }
  }

  void register(HeldExchange exchange) {
    if (held.add(exchange) && events != null) {
      events.held(exchange.exchange(), exchange.streaming());
    }
  }

  void unregister(HeldExchange exchange) {
    if (held.remove(exchange) && events != null) {
      events.released(exchange.exchange());
    }
    signalIfIdle();
  }

  /** The event listeners, or null when there are none. */
  Events events() {
    return events;
  }

  /** Serves the Prometheus text exposition, or null when metrics are off. */
  public HttpHandler metricsHandler() {
    return metrics == null ? null : metrics.handler();
  }

  /** The bound stats endpoint, or null when there is no stats socket or it could not bind. */
  public String statsEndpoint() {
    return stats == null ? null : stats.endpoint();
  }

  /** The number of open client WebSockets. */
  public int webSocketConnections() {
    return webSockets.size();
  }

  void registerWebSocket(ClientWebSocket session) {
    if (webSockets.add(session) && events != null) {
      events.webSocketOpened(session);
    }
  }

  void unregisterWebSocket(ClientWebSocket session) {
    if (webSockets.remove(session) && events != null) {
      events.webSocketClosed(session);
    }
    signalIfIdle();
  }

  void answering() {
    answering.incrementAndGet();
  }

  void answered() {
    answering.decrementAndGet();
    signalIfIdle();
  }

  private boolean idle() {
    return held.isEmpty() && webSockets.isEmpty() && answering.get() == 0;
  }

  private void signalIfIdle() {
    if (idle()) {
      synchronized (idle) {
        idle.notifyAll();
      }
    }
  }

  /**
   * Waits until no connection is held or the deadline passes.
   *
   * @param deadlineNanos a {@link System#nanoTime()} deadline
   * @return true if every held connection and WebSocket is gone
   */
  public boolean awaitIdle(long deadlineNanos) throws InterruptedException {
    synchronized (idle) {
      while (!idle()) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        idle.wait(Math.max(1, left / 1_000_000));
      }
      return true;
    }
  }

  /**
   * Ends every held connection as a client expects at an ordinary end: long-polls get their
   * timeout response, streams their last chunk, WebSockets a 1001 close. Clients reconnect,
   * through a load balancer to another instance.
   */
  public void endHeldConnections() {
    // Published during the grace period and still waiting: out first, ahead of the ends.
    flushSequencer();
    int paced = hub.releaseWaiting();
    if (paced > 0) {
      log.info("stopping: delivered {} item(s) that were still waiting for message_rate", paced);
    }
    for (HeldExchange h : held) {
      h.end();
    }
    for (ClientWebSocket w : webSockets) {
      w.abort();
    }
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static ScheduledThreadPoolExecutor timers() {
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
      Thread thread = new Thread(r, "p8-sequencer");
      thread.setDaemon(true);
      return thread;
    });
    // Lingers are called off with nearly every long-poll; cancelled ones must not pile up.
    t.setRemoveOnCancelPolicy(true);
    return t;
  }

  /** Called once the listeners are bound. */
  public synchronized void started() {
    stopped = false;
    if (zmq != null) {
      zmq.start();
    }
    if (commands != null) {
      commands.start();
    }
    if (stats != null) {
      stats.start();
    }
    if (routesWatcher != null && routesPoller == null) {
      RoutesFileWatcher watcher = routesWatcher;
      routesPoller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "p8-routes-watcher");
        t.setDaemon(true);
        return t;
      });
      routesPoller.scheduleWithFixedDelay(watcher::poll, ROUTES_POLL_MILLIS, ROUTES_POLL_MILLIS,
          TimeUnit.MILLISECONDS);
    }
  }

  /** Closes every held connection and every pooled backend connection. */
  public void stop() {
    stopped = true;
    synchronized (this) {
      if (routesPoller != null) {
        routesPoller.shutdownNow();
        routesPoller = null;
      }
    }
    for (HeldExchange h : held) {
      h.abort();
    }
    held.clear();
    for (ClientWebSocket w : webSockets) {
      w.abort();
    }
    backends.closeAll();
    if (zmq != null) {
      zmq.close();
    }
    if (commands != null) {
      commands.close();
    }
    interest.close();
    updates.close();
    if (stats != null) {
      stats.stop();
    }
    sequencer.close();
    timers.shutdownNow();
  }

  /** The bound ZeroMQ command endpoint, or null when there is none. */
  public String zmqCommandEndpoint() {
    return commands == null ? null : commands.endpoint();
  }

  /** The open client WebSockets, for the command socket. */
  Set<ClientWebSocket> webSocketSessions() {
    return webSockets;
  }

  /** Forgets every channel's last id: what Pushpin's recover command does first. */
  void forgetLastIds() {
    for (String channel : interest.channels()) {
      sequencer.clearChannel(channel);
    }
  }

  /** The ZeroMQ endpoints by Pushpin's get-zmq-uris keys. */
  Map<String, String> zmqUris() {
    Map<String, String> uris = new LinkedHashMap<>();
    if (commands != null && commands.endpoint() != null) {
      uris.put("command", commands.endpoint());
    }
    if (zmq != null && zmq.pullEndpoint() != null) {
      uris.put("publish-pull", zmq.pullEndpoint());
    }
    if (zmq != null && !config.zmq().subConnect() && !zmq.subEndpoints().isEmpty()) {
      uris.put("publish-sub", zmq.subEndpoints().get(0));
    }
    return uris;
  }

  /** The bound ZeroMQ PULL endpoint (with port 0 resolved), or null when there is none. */
  public String zmqPullEndpoint() {
    return zmq == null ? null : zmq.pullEndpoint();
  }
}
