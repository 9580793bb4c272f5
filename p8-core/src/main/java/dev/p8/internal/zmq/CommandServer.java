package dev.p8.internal.zmq;

import dev.p8.internal.publish.InvalidPublishException;
import dev.p8.internal.publish.ItemJson;
import dev.p8.internal.publish.ZmqItems;
import dev.p8.internal.tnet.Tnetstring;
import dev.p8.internal.tnet.TnetstringException;
import dev.p8.publish.Item;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * Pushpin's command socket, {@code command_spec}: ZRPC requests, each a tnetstring dictionary
 * {@code {id?, method, args?}}, answered with {@code {id?, success, value}} or
 * {@code {id?, success: false, condition, value?}}.
 *
 * <p>Methods: {@code conncheck} ({@code args.ids}, a list of connection ids; answers the list of
 * those that exist), {@code get-zmq-uris} (a dictionary from {@link Commands#zmqUris()}),
 * {@code recover}, {@code refresh} ({@code args.cid} or {@code args.channel}) and
 * {@code publish} ({@code args.items}, tnetstring items validated as a whole first). Anything
 * else answers condition {@code method-not-found}; bad arguments answer {@code bad-request},
 * for {@code publish} with the control API's message as the value.
 *
 * <p>Like Pushpin the socket is a ROUTER, so REQ and DEALER clients both work; a request must
 * carry the empty delimiter frame after its routing ids. A request that is not valid ZRPC gets
 * no answer, as in Pushpin, and is logged (the first, then every {@value #LOG_EVERY}th).
 *
 * <p>{@link Commands} run on the socket thread, one at a time, and should be quick. Thread
 * safe: {@link #close()} may be called from any thread.
 */
public final class CommandServer implements AutoCloseable {

  /** Invalid requests are logged once, then once per this many. */
  public static final int LOG_EVERY = 1000;

  private static final Logger LOG = LoggerFactory.getLogger(CommandServer.class);

  /**
   * What the commands do; implemented by the server that owns the hub and the connections.
   * Methods run on the command socket thread.
   */
  public interface Commands {

    /**
     * Which of these connections still exist.
     *
     * @param ids connection ids
     * @return the ids that exist, in any order
     * @throws CommandException to answer with a condition, for example
     *     {@code proxy-request-failed}
     */
    List<String> conncheck(List<String> ids) throws CommandException;

    /**
     * The ZeroMQ endpoints, Pushpin's keys {@code command}, {@code publish-pull} and
     * {@code publish-sub} (the last only when the SUB socket binds).
     *
     * @return the endpoints; empty by default
     */
    default Map<String, String> zmqUris() {
      return Map.of();
    }

    /** Forgets the last ids of all channels and makes every held HTTP session refetch. */
    void recover();

    /**
     * Makes a WebSocket-over-HTTP connection send a request to its backend now.
     *
     * @param cid the connection id
     * @throws CommandException to answer with a condition, such as {@code item-not-found}
     */
    void refreshConnection(String cid) throws CommandException;

    /**
     * Makes every WebSocket-over-HTTP connection on a channel send a request now.
     *
     * @param channel the channel
     */
    void refreshChannel(String channel);

    /**
     * Publishes items, already validated.
     *
     * @param items the items, in order
     */
    void publish(List<Item> items);
  }

  /** A command failed with a ZRPC condition. */
  public static final class CommandException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String condition;

    /**
     * Creates an exception.
     *
     * @param condition the condition to answer with, such as {@code bad-request}
     */
    public CommandException(String condition) {
      super(condition);
      this.condition = Objects.requireNonNull(condition, "condition");
    }

    /**
     * The condition.
     *
     * @return the condition
     */
    public String condition() {
      return condition;
    }
  }

  private final String spec;
  private final Commands commands;
  private final SocketThread thread = new SocketThread("p8-zmq-command");
  private final AtomicLong invalid = new AtomicLong();
  private volatile String endpoint;

  /**
   * Creates a server; {@link #start()} binds it.
   *
   * @param spec     where to bind, pushpin.conf {@code command_spec}, such as
   *     {@code tcp://127.0.0.1:5563}
   * @param commands what the methods do
   */
  public CommandServer(String spec, Commands commands) {
    this.spec = Objects.requireNonNull(spec, "spec");
    this.commands = Objects.requireNonNull(commands, "commands");
  }

  /**
   * Binds the socket and starts the socket thread.
   *
   * @return this server
   * @throws IllegalStateException if the spec cannot be bound; the message names it
   */
  public CommandServer start() {
    thread.start(t -> {
      ZMQ.Socket router = t.socket(SocketType.ROUTER);
      router.setMaxMsgSize(Tnetstring.DEFAULT_MAX_BYTES);
      SocketThread.bind(router, spec, "command_spec");
      endpoint = router.getLastEndpoint();
      t.onReadable(router, this::read);
    });
    return this;
  }

  /**
   * The bound endpoint, with the actual port when the spec had {@code *}.
   *
   * @return the endpoint, or null before start
   */
  public String endpoint() {
    return endpoint;
  }

  /**
   * How many requests were dropped as invalid.
   *
   * @return the count
   */
  public long invalidCount() {
    return invalid.get();
  }

  private void read(ZMQ.Socket socket) {
    byte[] first;
    while ((first = socket.recv(ZMQ.DONTWAIT)) != null) {
      List<byte[]> frames = new ArrayList<>();
      frames.add(first);
      while (socket.hasReceiveMore()) {
        frames.add(socket.recv(0));
      }
      int delimiter = -1;
      for (int i = 1; i < frames.size(); i++) {
        if (frames.get(i).length == 0) {
          delimiter = i;
          break;
        }
      }
      if (delimiter < 0 || frames.size() - delimiter - 1 != 1) {
        drop("received message with parts != 1");
        continue;
      }
      byte[] answer = handle(frames.get(delimiter + 1));
      if (answer == null) {
        continue;
      }
      for (int i = 0; i <= delimiter; i++) {
        socket.sendMore(frames.get(i));
      }
      socket.send(answer, ZMQ.DONTWAIT);
    }
  }

  /** Answers a request, or returns null when it is not valid ZRPC and gets no answer. */
  private byte[] handle(byte[] payload) {
    Object decoded;
    try {
      decoded = Tnetstring.withDefaults().decode(payload);
    } catch (TnetstringException e) {
      drop("received message with invalid format (tnetstring parse failed: " + e.getMessage()
          + ")");
      return null;
    }
    if (!(decoded instanceof Map)) {
      drop("received message with invalid format (not a dictionary)");
      return null;
    }
    Map<?, ?> request = (Map<?, ?>) decoded;
    Object id = request.get("id");
    Object method = request.get("method");
    Object args = request.containsKey("args") ? request.get("args") : Map.of();
    if (request.containsKey("id") && !(id instanceof byte[])
        || !(method instanceof byte[]) || !(args instanceof Map)
        || request.containsKey("from") && !(request.get("from") instanceof byte[])) {
      drop("received message with invalid format (parse failed)");
      return null;
    }
    Response response = call(new String((byte[]) method, StandardCharsets.UTF_8),
        (Map<?, ?>) args);
    Map<String, Object> out = new LinkedHashMap<>();
    if (id != null && ((byte[]) id).length > 0) {
      out.put("id", id);
    }
    out.put("success", response.condition == null);
    if (response.condition != null) {
      out.put("condition", response.condition);
      if (response.value != null) {
        out.put("value", response.value);
      }
    } else {
      out.put("value", response.value);
    }
    return Tnetstring.encode(out);
  }

  private Response call(String method, Map<?, ?> args) {
    try {
      switch (method) {
        case "conncheck":
          return Response.ok(conncheck(args));
        case "get-zmq-uris":
          return Response.ok(new LinkedHashMap<>(commands.zmqUris()));
        case "recover":
          commands.recover();
          return Response.ok(null);
        case "refresh":
          return refresh(args);
        case "publish":
          return publish(args);
        default:
          return Response.error("method-not-found", null);
      }
    } catch (CommandException e) {
      return Response.error(e.condition(), null);
    } catch (RuntimeException e) {
      LOG.warn("command {} failed", method, e);
      return Response.error("internal-server-error", null);
    }
  }

  private Object conncheck(Map<?, ?> args) throws CommandException {
    Object ids = args.get("ids");
    if (!(ids instanceof List)) {
      throw new CommandException("bad-request");
    }
    List<String> cids = new ArrayList<>();
    for (Object cid : (List<?>) ids) {
      if (!(cid instanceof byte[])) {
        throw new CommandException("bad-request");
      }
      cids.add(new String((byte[]) cid, StandardCharsets.UTF_8));
    }
    return List.copyOf(commands.conncheck(cids));
  }

  private Response refresh(Map<?, ?> args) throws CommandException {
    if (args.containsKey("cid")) {
      Object cid = args.get("cid");
      if (!(cid instanceof byte[])) {
        throw new CommandException("bad-request");
      }
      commands.refreshConnection(new String((byte[]) cid, StandardCharsets.UTF_8));
      return Response.ok(null);
    }
    Object channel = args.get("channel");
    if (!(channel instanceof byte[])) {
      throw new CommandException("bad-request");
    }
    commands.refreshChannel(new String((byte[]) channel, StandardCharsets.UTF_8));
    return Response.ok(null);
  }

  private Response publish(Map<?, ?> args) {
    if (!args.containsKey("items")) {
      return Response.error("bad-request", "Invalid format: object does not contain 'items'");
    }
    if (!(args.get("items") instanceof List)) {
      return Response.error("bad-request",
          "Invalid format: object contains 'items' with wrong type");
    }
    List<?> raw = (List<?>) args.get("items");
    if (raw.size() > ItemJson.MAX_ITEMS) {
      return Response.error("bad-request", "Invalid format: object contains 'items' with "
          + raw.size() + " elements, more than the maximum of " + ItemJson.MAX_ITEMS);
    }
    List<Item> items = new ArrayList<>(raw.size());
    for (int i = 0; i < raw.size(); i++) {
      try {
        items.add(ZmqItems.decodeCommandItem(raw.get(i), i));
      } catch (InvalidPublishException e) {
        return Response.error("bad-request", e.getMessage());
      }
    }
    commands.publish(items);
    return Response.ok(null);
  }

  private void drop(String reason) {
    long n = invalid.incrementAndGet();
    if (n == 1 || n % LOG_EVERY == 0) {
      LOG.warn("zrpc server: {}, skipping ({} dropped so far)", reason, n);
    }
  }

  /** Stops the socket thread and closes the socket. Idempotent. */
  @Override
  public void close() {
    thread.close();
  }

  private static final class Response {
    final String condition;
    final Object value;

    private Response(String condition, Object value) {
      this.condition = condition;
      this.value = value;
    }

    static Response ok(Object value) {
      return new Response(null, value);
    }

    static Response error(String condition, Object value) {
      return new Response(condition, value);
    }
  }
}
